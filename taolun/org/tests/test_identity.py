"""Identity controls: password rules, forced change, idle sessions, signing out everywhere,
and every sign-in and failure written to the audit trail."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from taolun.core.models import AuditEvent, AuditEventKind
from taolun.org.middleware import LAST_SEEN
from taolun.org.models import User
from taolun.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"


def english() -> Client:
    """A browser of its own, reading the English msgids the assertions use."""
    browser = Client()
    browser.cookies["django_language"] = "en"
    return browser


def sign_in(client: Client, username: str, password: str) -> None:
    """Through the sign-in page, as a browser does (axes wants the request)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.status_code


def codes(password: str, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab3-short", "password_too_short"),
        ("abcdefghijkl", "password_too_simple"),  # one class
        ("abcdefgh1234", "password_too_simple"),  # two classes
        ("ABCDEFGH-!?=", "password_too_simple"),  # two classes
        ("Password1!", "password_too_common"),  # common, whatever the case
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, code: str) -> None:
    assert code in codes(password)


def test_a_password_of_three_classes_and_ten_characters_is_accepted() -> None:
    user = User(username="zhangsan", name="张三")
    assert codes("Qiu-shui-7-lake", user) == set()
    assert codes("qiushui7lake.", user) == set()  # lower, digit, symbol


def test_the_user_name_may_not_appear_in_the_password() -> None:
    user = User(username="zhangsan", name="张三")
    assert "password_contains_username" in codes("ZhangSan-2019x", user)
    assert "password_contains_username" in codes("nasgnahz-2019X", user)


def test_password_help_is_shown_in_chinese(client, settings) -> None:
    person = UserFactory()
    client.force_login(person)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    page = client.get(reverse("password_change")).content.decode()
    assert "小写字母、大写字母、数字和符号" in page


def test_a_password_someone_else_chose_must_be_changed_first(client) -> None:
    person = UserFactory(must_change_password=True)
    client.force_login(person)
    for url in (reverse("home"), reverse("account"), "/ledger/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Choose your own before you go on" in page.content.decode()

    # A weak choice is refused, nothing changes, and the page says why.
    weak = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "aaaaaaaaaa", "new_password2": "aaaaaaaaaa"},
    )
    assert weak.status_code == 200
    person.refresh_from_db()
    assert person.must_change_password and person.check_password(PASSWORD)

    done = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Lake-Autumn-42",
            "new_password2": "Lake-Autumn-42",
        },
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert not person.must_change_password
    assert person.password_changed_at is not None
    assert person.check_password("Lake-Autumn-42")
    assert client.get(reverse("home")).status_code == 200  # still signed in
    assert AuditEvent.objects.filter(actor=person, kind=AuditEventKind.PASSWORD_CHANGED).exists()


def test_signing_out_is_allowed_before_the_forced_change(client) -> None:
    person = UserFactory(must_change_password=True)
    client.force_login(person)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] != reverse("password_change")


def test_an_idle_session_ends(client, settings) -> None:
    settings.TAOLUN_IDLE_MINUTES = 30
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("home")).status_code == 200

    session = client.session
    session[LAST_SEEN] = int(time.time()) - 29 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200  # 29 minutes idle: still in

    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302  # the session is gone
    event = AuditEvent.objects.get(kind=AuditEventKind.IDLE_TIMEOUT)
    assert event.actor == person


def test_idle_timeout_can_be_turned_off(client, settings) -> None:
    settings.TAOLUN_IDLE_MINUTES = 0
    client.force_login(UserFactory())
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 24 * 3600
    session.save()
    assert client.get(reverse("home")).status_code == 200


def test_signing_out_everywhere_ends_every_session() -> None:
    person = UserFactory()
    laptop, phone = english(), english()
    for device in (laptop, phone):
        sign_in(device, person.username, PASSWORD)
        assert device.get(reverse("home")).status_code == 200

    response = phone.post(reverse("logout_everywhere"))
    assert response.status_code == 302
    assert laptop.get(reverse("home")).status_code == 302
    assert phone.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(actor=person, kind=AuditEventKind.LOGOUT_EVERYWHERE).exists()
    # The password still works: a new session starts.
    sign_in(laptop, person.username, PASSWORD)
    assert laptop.get(reverse("home")).status_code == 200


def test_signing_out_everywhere_needs_a_post(client) -> None:
    client.force_login(UserFactory())
    assert client.get(reverse("logout_everywhere")).status_code == 405


def test_sign_ins_and_failures_are_audited_with_the_address(client) -> None:
    person = UserFactory()
    client.post(reverse("login"), {"username": person.username, "password": "wrong-one"})
    client.post(reverse("login"), {"username": person.username, "password": PASSWORD})
    failed = AuditEvent.objects.get(kind=AuditEventKind.LOGIN_FAILED)
    assert failed.username == person.username and failed.actor is None
    assert failed.address == "127.0.0.1"
    login = AuditEvent.objects.get(kind=AuditEventKind.LOGIN)
    assert login.actor == person and login.address == "127.0.0.1"

    page = client.get(reverse("account")).content.decode()
    assert "Sign-in failed" in page and "127.0.0.1" in page


def test_five_failures_lock_the_account_for_a_quarter_of_an_hour(client, settings) -> None:
    person = UserFactory()
    for _ in range(5):
        client.post(reverse("login"), {"username": person.username, "password": "wrong-one"})
    response = client.post(reverse("login"), {"username": person.username, "password": PASSWORD})
    assert response.status_code == 429
    assert AuditEvent.objects.filter(kind=AuditEventKind.LOCKED_OUT).exists()
    assert settings.AXES_COOLOFF_TIME * 60 == 15
    again = english().post(reverse("login"), {"username": person.username, "password": PASSWORD})
    assert again.status_code == 429


def test_the_account_page_is_the_persons_own(client) -> None:
    person = UserFactory(name="王五")
    other = UserFactory()
    client.post(reverse("login"), {"username": other.username, "password": "wrong-one"})
    client.force_login(person)
    page = client.get(reverse("account")).content.decode()
    assert "王五" in page
    assert other.username not in page  # another person's failed sign-in is not listed


def test_a_password_set_in_the_back_office_must_be_changed(client) -> None:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    person = UserFactory()
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    response = client.post(
        url,
        {"password1": "Given-Pass-123", "password2": "Given-Pass-123", "usable_password": "true"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.must_change_password and person.check_password("Given-Pass-123")

    add = client.post(
        reverse("admin:org_user_add"),
        {
            "username": "newcomer",
            "name": "新人",
            "email": "n@example.org",
            "usable_password": "true",
            "password1": "Given-Pass-123",
            "password2": "Given-Pass-123",
        },
    )
    assert add.status_code == 302
    assert User.objects.get(username="newcomer").must_change_password


# ---------------------------------------------------------------- the second factor


def current_code(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def set_up_second_factor(client: Client, person: User):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page = client.get(reverse("two_factor"))
    assert page.status_code == 200
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    response = client.post(reverse("two_factor"), {"code": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    return device


def test_a_second_factor_is_asked_at_every_sign_in_once_set_up() -> None:
    person = UserFactory()
    browser = english()
    sign_in(browser, person.username, PASSWORD)
    device = set_up_second_factor(browser, person)
    person.refresh_from_db()
    assert device.confirmed and person.second_factor
    assert browser.get(reverse("home")).status_code == 200  # this session is verified

    other = english()
    sign_in(other, person.username, PASSWORD)
    response = other.get("/ledger/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    # Nothing opens without the code, not even the password change.
    assert other.get(reverse("password_change"))["Location"].startswith(
        reverse("two_factor_verify")
    )
    wrong = other.post(reverse("two_factor_verify"), {"code": "000000", "next": "/ledger/"})
    assert wrong.status_code == 200
    assert "not right" in wrong.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEventKind.SECOND_FACTOR_FAILED).exists()

    device.refresh_from_db()
    device.throttle_reset()
    device.last_t = -1  # the code used at set-up may be the current one: allow it again
    device.save()
    right = other.post(
        reverse("two_factor_verify"), {"code": current_code(device), "next": "/ledger/"}
    )
    assert right.status_code == 302 and right["Location"] == "/ledger/"
    assert other.get(reverse("home")).status_code == 200


def test_the_verify_page_never_sends_elsewhere(client) -> None:
    person = UserFactory(second_factor=True)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=person, name="default", confirmed=True)
    sign_in(client, person.username, PASSWORD)
    response = client.post(
        reverse("two_factor_verify"),
        {"code": current_code(device), "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_offices_must_set_up_a_second_factor_when_settings_require_it(org, settings) -> None:
    settings.TAOLUN_TOTP_REQUIRED = True
    office, member = english(), english()
    sign_in(office, org.office.username, PASSWORD)
    response = office.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("two_factor")
    set_up_second_factor(office, org.office)
    assert office.get(reverse("home")).status_code == 200
    # Required: it cannot be removed by its holder.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert "cannot be removed" in office.get(reverse("two_factor")).content.decode()
    office.post(reverse("two_factor"), {"code": "123456"})
    assert TOTPDevice.objects.filter(user=org.office, confirmed=True).exists()

    sign_in(member, org.member1.username, PASSWORD)
    assert member.get(reverse("home")).status_code == 200  # members are not required


def test_a_second_factor_chosen_freely_can_be_removed_with_a_code(client) -> None:
    person = UserFactory()
    sign_in(client, person.username, PASSWORD)
    device = set_up_second_factor(client, person)
    device.last_t = -1
    device.save()
    response = client.post(reverse("two_factor"), {"code": current_code(device)})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.second_factor
    assert AuditEvent.objects.filter(kind=AuditEventKind.SECOND_FACTOR_OFF, actor=person).exists()


def test_a_device_removed_in_the_back_office_lifts_the_code(client) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    person = UserFactory()
    device = TOTPDevice.objects.create(user=person, name="default", confirmed=True)
    person.refresh_from_db()
    assert person.second_factor
    device.delete()
    person.refresh_from_db()
    assert not person.second_factor
    sign_in(client, person.username, PASSWORD)
    assert client.get(reverse("home")).status_code == 200


def test_the_new_password_may_not_be_the_one_someone_else_chose(client) -> None:
    person = UserFactory(must_change_password=True)
    client.force_login(person)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "other than the one you have now" in response.content.decode()
    person.refresh_from_db()
    assert person.must_change_password


def test_the_set_up_page_shows_a_fresh_key_each_time(client) -> None:
    """A key someone else saw (with a stolen password, before its owner set up) is gone."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    person = UserFactory()
    sign_in(client, person.username, PASSWORD)
    client.get(reverse("two_factor"))
    seen = TOTPDevice.objects.get(user=person, confirmed=False).key
    client.get(reverse("two_factor"))
    assert TOTPDevice.objects.filter(user=person, confirmed=False).count() == 1
    assert TOTPDevice.objects.get(user=person, confirmed=False).key != seen


def test_administrators_must_set_up_a_second_factor_when_required(settings) -> None:
    from taolun.org.roles import AdminDuty

    settings.TAOLUN_TOTP_REQUIRED = True
    auditor = UserFactory(admin_duty=AdminDuty.AUDIT)
    browser = english()
    sign_in(browser, auditor.username, PASSWORD)
    response = browser.get(reverse("audit:list"))
    assert response.status_code == 302 and response["Location"] == reverse("two_factor")
