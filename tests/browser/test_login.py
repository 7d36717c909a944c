"""The login page: Chinese by default, accessible, usable by keyboard and on a phone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from taolun.org.tests.factories import UserFactory
from tests.browser.conftest import PHONE, axe_check, focus_document_start, is_focused, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def path_of(page) -> str:
    return urlsplit(page.url).path


@pytest.fixture
def person(transactional_db):
    return UserFactory(username="zhangsan", name="张三", password=PASSWORD)


def test_login_page_is_chinese_and_passes_axe(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")

    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").count() == 1
    # The vendored libraries are served: the skip link is visually hidden until focused.
    for url in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js"):
        assert page.request.get(f"{live_server.url}/static/{url}").ok, url
    assert page.locator("a.skip-link").bounding_box()["width"] <= 1
    axe_check(page)


def test_login_by_keyboard_alone(page, live_server, person):
    page.goto(f"{live_server.url}/accounts/login/")
    # The username field has autofocus; from the top of the page the skip link comes first.
    assert is_focused(page.locator("#id_username"))
    focus_document_start(page)

    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert is_focused(skip)
    assert skip.bounding_box()["width"] > 1  # shown while it has the focus

    page.keyboard.press("Enter")
    assert is_focused(page.locator("main#main"))
    page.keyboard.press("Tab")
    assert is_focused(page.locator("#id_username"))
    page.keyboard.type(person.username)
    page.keyboard.press("Tab")
    assert is_focused(page.locator("#id_password"))
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert path_of(page) == "/"


def test_wrong_password_shows_an_error_and_keeps_the_username(page, live_server, person):
    login(page, live_server, person.username, "not-the-password")

    assert path_of(page) == "/accounts/login/"
    error = page.locator("#form-errors")
    assert error.is_visible()
    assert error.get_attribute("role") == "alert"
    assert page.locator("#id_username").input_value() == person.username
    assert page.locator("#id_password").input_value() == ""
    axe_check(page)


def test_login_reaches_the_home_page(page, live_server, person):
    login(page, live_server, person.username, PASSWORD)

    assert path_of(page) == "/"
    assert any(cookie["name"] == "sessionid" for cookie in page.context.cookies())


def test_language_switcher_changes_to_english_and_back(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")

    page.select_option("#language-select", "en")
    with page.expect_navigation():
        page.locator("#language-select ~ button[type=submit]").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert path_of(page) == "/accounts/login/"
    assert page.locator("h1").inner_text() == "Log in"
    axe_check(page)

    page.select_option("#language-select", "zh-hans")
    with page.expect_navigation():
        page.locator("#language-select ~ button[type=submit]").click()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"


def test_login_page_fits_a_phone(new_page, live_server, person):
    page = new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/accounts/login/")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(page)

    login(page, live_server, person.username, PASSWORD)
    assert path_of(page) == "/"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
