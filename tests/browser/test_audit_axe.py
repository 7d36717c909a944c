"""The audit trail passes axe-core (WCAG 2.1 A/AA) as the office and the audit administrator
see it on the seed's demo, in Chinese with one h1, its changes unfolded; the filters sent
back with a wrong address say which field, keep what was typed, and pass too; and the filter
form is reached by keyboard."""

from __future__ import annotations

import pytest

from taolun.org.models import User
from taolun.org.roles import AdminDuty
from tests.browser.conftest import (
    Page,
    axe_check,
    check_pages,
    page_basics,
    sign_in,
    tab_through_form,
)

pytestmark = pytest.mark.browser

AUDITOR = "audit-admin"

PAGES = [
    Page("audit-office", "office", lambda: "/audit/"),
    Page("audit-office-changes", "office", lambda: "/audit/?kind=update"),
    Page(
        "audit-office-errors", "office", lambda: "/audit/?address=10.0.0.1%3Bx&date_from=2019-05-01"
    ),
    Page("audit-auditor", AUDITOR, lambda: "/audit/"),
    Page("audit-auditor-events", AUDITOR, lambda: "/audit/?kind=login"),
]


@pytest.fixture
def auditor(demo) -> User:
    return User.objects.create(username=AUDITOR, name="审计管理员", admin_duty=AdminDuty.AUDIT)


def test_the_audit_trail_passes_axe(page, live_server, demo, auditor):
    def check(page, spec: Page) -> None:
        page_basics(page, spec)
        if spec.name in ("audit-office", "audit-auditor"):
            assert page.locator("main table tbody tr td[colspan]").count() == 0, "no rows"
        for summary in page.locator("main details > summary").all():
            summary.click()
        if spec.name.endswith("errors"):
            assert page.locator("#form-errors").is_visible(), "no error summary"
            assert page.locator("#id_address_error").is_visible()
            assert page.locator("#id_address").input_value() == "10.0.0.1;x"
            assert page.locator("#id_date_from").input_value() == "2019-05-01"
        axe_check(page)

    check_pages(page, live_server, PAGES, check)


def test_the_filters_are_reached_by_keyboard(page, live_server, demo):
    sign_in(page, live_server, "office")
    page.goto(f"{live_server.url}/audit/")
    tab_through_form(page, "main form")
