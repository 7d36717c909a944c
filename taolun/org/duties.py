"""The three administrator duties kept apart (三员分立) and what each may do in the back
office. A duty is one field on the account (``User.admin_duty``), so no account holds two;
its rights come from here through an authentication backend, not from groups someone could
stack on one account.

- the system administrator keeps the platform's structure: the unit tree, unit kinds, posts,
  people's accounts and details, reference lists;
- the security administrator keeps access: role assignments, back-office permissions and
  duties of accounts, lockouts, second-factor devices;
- the audit administrator reads the audit trail (the audit page, the change log), and
  nothing else.

None of them reads campaign business (records, problems, briefs…): that is the offices'
through their roles.
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend

from taolun.org.roles import AdminDuty

ALL = ("view", "add", "change", "delete")


def _perms(label: str, actions: tuple[str, ...] = ALL) -> set[str]:
    app, model = label.split(".")
    return {f"{app}.{action}_{model}" for action in actions}


DUTY_PERMISSIONS: dict[str, frozenset[str]] = {
    AdminDuty.SYSTEM: frozenset(
        _perms("org.unit")
        | _perms("org.unitkind")
        | _perms("org.post")
        | _perms("org.user", ("view", "add", "change"))
        | _perms("activities.meetingkind")
        | _perms("reporting.channel")
    ),
    AdminDuty.SECURITY: frozenset(
        _perms("org.roleassignment")
        | _perms("org.user", ("view", "change"))
        | _perms("auth.group")
        | _perms("axes.accessattempt", ("view", "delete"))
        | _perms("otp_totp.totpdevice", ("view", "delete"))
    ),
    AdminDuty.AUDIT: frozenset(
        _perms("auditlog.logentry", ("view",))
        | _perms("core.auditevent", ("view",))
        | _perms("axes.accesslog", ("view",))
        | _perms("axes.accessfailurelog", ("view",))
    ),
}

# Fields of an account each duty may change in the back office (the rest are read-only
# to it); a superuser (the installation's first account) changes everything.
DUTY_USER_FIELDS: dict[str, frozenset[str]] = {
    AdminDuty.SYSTEM: frozenset({"username", "name", "unit", "email", "phone", "password"}),
    # Not the password (it would hand over the account) nor the duty (a superuser's
    # decision, at installation): the security administrator could otherwise take over
    # another administrator's account by lifting its duty and setting its password.
    AdminDuty.SECURITY: frozenset({"is_active", "is_staff", "groups", "user_permissions"}),
    AdminDuty.AUDIT: frozenset(),
}


def duty_of(user) -> str:
    return (getattr(user, "admin_duty", "") or "") if user.is_active else ""


class AdminDutyBackend(BaseBackend):
    """Model permissions of the account's administrator duty (no object permissions)."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if obj is not None or user_obj.is_anonymous:
            return set()
        return set(DUTY_PERMISSIONS.get(duty_of(user_obj), ()))

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        prefix = f"{app_label}."
        return any(p.startswith(prefix) for p in self.get_all_permissions(user_obj))
