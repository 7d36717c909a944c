"""The account, second-factor, sensitive-data and recycle-bin pages pass axe-core (WCAG 2.1
A/AA) on the seed's demo, in Chinese with one h1, their forms sent empty show the errors
tied to the fields; the second factor is set up by keyboard alone."""

from __future__ import annotations

import pytest

from taolun.org.models import User
from tests.browser.conftest import Page, axe_check, check_pages, page_basics, sign_in

pytestmark = pytest.mark.browser

PAGES = [
    Page("account", "member", lambda: "/accounts/"),
    Page("password-change", "member", lambda: "/accounts/password_change/"),
    Page(
        "password-change-errors",
        "member",
        lambda: "/accounts/password_change/",
        empty=("#id_old_password",),
    ),
    Page("two-factor", "member", lambda: "/accounts/two_factor/", writes=True),
    Page("privacy-mine", "member", lambda: "/people/me/"),
    Page("privacy-data", "member", lambda: "/people/me/data/"),
    Page("privacy-records", "office", lambda: "/people/disability/"),
    Page("recycle-bin", "office", lambda: "/recycle/"),
    Page("account-auditor", "auditor", lambda: "/accounts/"),
]


def test_the_security_pages_pass_axe(page, live_server, demo):
    def check(page, spec: Page) -> None:
        page_basics(page, spec)
        if spec.empty:
            assert page.locator("#form-errors").is_visible(), "no error summary"
        axe_check(page)

    check_pages(page, live_server, PAGES, check)


def test_a_second_factor_is_set_up_by_keyboard(page, live_server, demo):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sign_in(page, live_server, "member")
    page.goto(f"{live_server.url}/accounts/two_factor/")
    assert page.locator("main img[alt]").count() == 1  # the QR code, described
    device = TOTPDevice.objects.get(user__username="member", confirmed=False)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    page.locator("#id_code").focus()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/accounts/")
    assert User.objects.get(username="member").second_factor
