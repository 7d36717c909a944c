"""The three administrator duties kept apart (三员分立): each reaches its own models in the
back office, none changes another administrator's account, none stacks a second duty."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from taolun.org.models import RoleAssignment, User
from taolun.org.roles import AdminDuty, Role
from taolun.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def duties(org):
    return {
        duty: UserFactory(username=f"{duty}-admin", admin_duty=duty)
        for duty in (AdminDuty.SYSTEM, AdminDuty.SECURITY, AdminDuty.AUDIT)
    }


def as_(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_url(model: str, action: str = "changelist", *args) -> str:
    return reverse(f"admin:{model}_{action}", args=args)


PAGES = {
    "units": admin_url("org_unit"),
    "people": admin_url("org_user"),
    "roles": admin_url("org_roleassignment"),
    "lockouts": admin_url("axes_accessattempt"),
    "devices": admin_url("otp_totp_totpdevice"),
    "change log": admin_url("auditlog_logentry"),
    "events": admin_url("core_auditevent"),
    "campaigns": admin_url("campaigns_campaign"),
    "problems": admin_url("rectification_problem"),
}
REACH = {
    AdminDuty.SYSTEM: {"units", "people"},
    AdminDuty.SECURITY: {"people", "roles", "lockouts", "devices"},
    AdminDuty.AUDIT: {"change log", "events"},
}


@pytest.mark.parametrize("duty", list(REACH))
def test_each_duty_reaches_its_own_models_only(duties, duty) -> None:
    client = as_(duties[duty])
    for name, url in PAGES.items():
        status = client.get(url).status_code
        assert (status == 200) == (name in REACH[duty]), (duty, name, status)
    audit_page = client.get(reverse("audit:list")).status_code
    assert (audit_page == 200) == (duty == AdminDuty.AUDIT)


def test_a_duty_makes_the_account_staff(org) -> None:
    user = UserFactory(admin_duty=AdminDuty.AUDIT)
    user.refresh_from_db()
    assert user.is_staff


def test_groups_add_nothing_to_a_duty(duties) -> None:
    """The security administrator cannot hand the auditor the system administrator's rights
    through a group (a second duty by the back door)."""
    group = Group.objects.create(name="units")
    group.permissions.set(Permission.objects.filter(content_type__app_label="org"))
    auditor = duties[AdminDuty.AUDIT]
    auditor.groups.add(group)
    auditor = User.objects.get(pk=auditor.pk)
    assert not auditor.has_perm("org.change_unit")
    assert as_(auditor).get(PAGES["units"]).status_code == 403


def test_the_system_administrator_keeps_structure_not_access(org, duties) -> None:
    client = as_(duties[AdminDuty.SYSTEM])
    page = client.get(admin_url("org_user", "change", org.member1.pk))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "name" in form.fields and "unit" in form.fields
    for field in ("is_staff", "is_superuser", "groups", "user_permissions", "admin_duty"):
        assert field not in form.fields
    # Units: any of them, writable (not scoped by roles: the duty has none).
    page = client.get(admin_url("org_unit", "change", org.branch2.pk))
    assert page.status_code == 200 and page.context["has_change_permission"]


def test_the_security_administrator_keeps_access_not_structure(org, duties) -> None:
    client = as_(duties[AdminDuty.SECURITY])
    page = client.get(admin_url("org_user", "change", org.member1.pk))
    form = page.context["adminform"].form
    assert "groups" in form.fields and "is_staff" in form.fields
    for field in ("name", "unit", "is_superuser", "admin_duty"):
        assert field not in form.fields
    # No password of anyone: with it, an account would change hands.
    url = reverse("admin:auth_user_password_change", args=[org.member1.pk])
    assert client.get(url).status_code == 404
    # Roles anywhere.
    response = client.post(
        admin_url("org_roleassignment", "add"),
        {"user": org.member1.pk, "unit": org.branch2.pk, "role": Role.CONTACT},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=org.member1, unit=org.branch2).exists()


def test_no_administrator_changes_another_administrators_account(duties) -> None:
    system, security, audit = (duties[d] for d in REACH)
    # The system administrator may not touch an administrator's account at all.
    sys_client = as_(system)
    page = sys_client.get(admin_url("org_user", "change", audit.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    # Nobody but a superuser sets an administrator's password (it would hand over the duty).
    for client in (sys_client, as_(security)):
        url = reverse("admin:auth_user_password_change", args=[audit.pk])
        assert client.get(url).status_code in (403, 404)
    # The security administrator changes another's access, never their own.
    sec_client = as_(security)
    assert sec_client.get(admin_url("org_user", "change", audit.pk)).context[
        "has_change_permission"
    ]
    assert not sec_client.get(admin_url("org_user", "change", security.pk)).context[
        "has_change_permission"
    ]


def test_superusers_are_out_of_the_duties_reach(duties) -> None:
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    for duty in (AdminDuty.SYSTEM, AdminDuty.SECURITY):
        client = as_(duties[duty])
        assert client.get(admin_url("org_user", "change", root.pk)).status_code == 404


def test_administrators_hold_no_role_and_nobody_grants_one_to_themselves(org, duties) -> None:
    security = duties[AdminDuty.SECURITY]
    client = as_(security)
    for holder in (security, duties[AdminDuty.AUDIT]):
        response = client.post(
            admin_url("org_roleassignment", "add"),
            {"user": holder.pk, "unit": org.root.pk, "role": Role.OFFICE},
        )
        assert response.status_code == 200  # the form again, with the error
        assert not RoleAssignment.objects.filter(user=holder).exists()
    from django.core.exceptions import ValidationError

    from taolun.org.services import role_grant

    with pytest.raises(ValidationError):
        role_grant(actor=None, user=duties[AdminDuty.SYSTEM], unit=org.root, role=Role.OFFICE)


def test_the_back_office_never_shows_a_second_factor_secret(duties) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    person = UserFactory()
    device = TOTPDevice.objects.create(user=person, name="default", confirmed=True)
    page = as_(duties[AdminDuty.SECURITY]).get(
        admin_url("otp_totp_totpdevice", "change", device.pk)
    )
    assert page.status_code == 200
    assert device.key not in page.content.decode()
