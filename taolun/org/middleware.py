"""Sessions end when idle, and a password someone else chose must be changed first."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from taolun.org.roles import Role

# Roles that must sign in with a second factor when settings require one.
SECOND_FACTOR_ROLES = (Role.OFFICE, Role.LEADER)

LAST_SEEN = "taolun_last_seen"
# The session is written at most this often just to move the idle clock on.
_TOUCH_EVERY = 60


class IdleTimeoutMiddleware:
    """Sign out a person whose session has seen no request for ``TAOLUN_IDLE_MINUTES``
    (30 by default; 0 turns it off). API calls carry tokens, not sessions: untouched."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        minutes = getattr(settings, "TAOLUN_IDLE_MINUTES", 30)
        user = getattr(request, "user", None)
        if minutes and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > minutes * 60:
                from taolun.core.audit_events import record_event
                from taolun.core.models import AuditEventKind

                record_event(request, AuditEventKind.IDLE_TIMEOUT, actor=user)
                logout(request)
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= _TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class AccountGateMiddleware:
    """What a signed-in person must do before anything else, in this order:

    1. enter the code of their second factor, if they set one up (a stolen password alone
       opens nothing, not even the password change);
    2. replace a password someone else chose;
    3. set up a second factor, where settings require one for their roles.

    Only the pages that do these, signing out and static files stay open meanwhile.
    """

    OPEN = ("two_factor_verify", "two_factor", "password_change", "password_change_done", "logout")

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self._urls: dict[str, str] | None = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            step = self._step(request, user)
            # The page's header reads it: nothing of the campaign shows before the step is done.
            request.account_gate = step
            if step is not None:
                urls = self._open_urls()
                path = request.path_info
                if path != urls[step] and not self._always_open(path, urls):
                    if step == "two_factor_verify" and request.method == "GET":
                        query = urlencode({"next": request.get_full_path()})
                        return redirect(f"{urls[step]}?{query}")
                    return redirect(step)
        return self.get_response(request)

    def _open_urls(self) -> dict[str, str]:
        if self._urls is None:
            self._urls = {name: reverse(name) for name in self.OPEN}
        return self._urls

    def _always_open(self, path: str, urls: dict[str, str]) -> bool:
        return path == urls["logout"] or path.startswith((settings.STATIC_URL, "/i18n/"))

    @staticmethod
    def _step(request, user) -> str | None:
        if user.second_factor and not user.is_verified():
            return "two_factor_verify"
        if user.must_change_password:
            return "password_change"
        if not user.second_factor and second_factor_required(request, user):
            return "two_factor"
        return None


_REQUIRED = "taolun_second_factor_required"


def second_factor_required(request, user) -> bool:
    """Settings require a second factor of administrators, offices and leaders (one query
    per session)."""
    if not getattr(settings, "TAOLUN_TOTP_REQUIRED", False):
        return False
    if user.is_superuser or user.admin_duty:
        return True  # the administrators above all
    required = request.session.get(_REQUIRED)
    if required is None:
        from taolun.org.models import RoleAssignment

        required = RoleAssignment.objects.filter(user=user, role__in=SECOND_FACTOR_ROLES).exists()
        request.session[_REQUIRED] = required
    return required
