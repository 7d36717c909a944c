"""Before the second factor's code or the forced password change, the header shows nothing of
the campaign: no menu, no search, no to-do counter."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from taolun.org.tests.factories import UserFactory
from taolun.org.tests.test_identity import PASSWORD, current_code, sign_in

pytestmark = pytest.mark.django_db


def header(page: str) -> str:
    return page.split("</header>")[0]


def shows_campaign_menu(page: str) -> bool:
    top = header(page)
    return 'data-testid="todo-count"' in top or 'id="header-search"' in top


def test_the_verify_page_shows_no_menu_and_no_counter_before_the_code() -> None:
    person = UserFactory(second_factor=True)
    device = TOTPDevice.objects.create(user=person, name="default", confirmed=True)
    browser = Client()
    sign_in(browser, person.username, PASSWORD)

    page = browser.get(reverse("two_factor_verify")).content.decode()
    assert not shows_campaign_menu(page)
    assert reverse("logout") in header(page)  # signing out stays at hand

    browser.post(reverse("two_factor_verify"), {"code": current_code(device), "next": "/"})
    assert shows_campaign_menu(browser.get(reverse("home")).content.decode())


def test_the_forced_password_change_shows_no_menu() -> None:
    person = UserFactory(must_change_password=True)
    browser = Client()
    sign_in(browser, person.username, PASSWORD)
    page = browser.get(reverse("password_change")).content.decode()
    assert not shows_campaign_menu(page)
    assert reverse("logout") in header(page)
