"""The Foundation issue's flow, as people do it in the browser on the seed's demo.

A unit contact of 机关第一党支部 records an action with a photo and a PDF and submits it;
the office finds it on its to-do page and accepts it; the unit's matrix shows the cell done.
axe-core checks every page on the way.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from taolun.activities.models import ActivityRecord, RecordStatus
from taolun.core.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_check, login, logout, tiny_pdf, tiny_png, todo_count, zh

pytestmark = pytest.mark.browser

UNIT = "sxdpf-branch-1"
# Due 2019-06-10 and never recorded by the branch: "not started" on the demo's day.
ACTION = "统筹谋划年度工作、转化成果"
TITLE = "机关第一党支部统筹谋划2019年度工作专题会"


def starting(text: str) -> re.Pattern:
    """An accessible name that begins with ``text`` (links add hidden context after it)."""
    return re.compile("^" + re.escape(text))


def matrix_row(page, action_name: str):
    """The unit matrix's row of one action."""
    return page.locator("table.matrix-table tbody tr").filter(
        has=page.locator("th", has_text=action_name)
    )


def open_unit_page(page, live_server, campaign: str) -> None:
    page.goto(f"{live_server.url}/units/{UNIT}/?campaign={campaign}")
    assert page.locator("h1").inner_text() == "省残联机关第一党支部"


def test_contact_records_an_action_and_the_office_accepts_it(page, live_server, demo):
    # -- the unit contact records the action ---------------------------------------------
    login(page, live_server, "contact1", DEMO_PASSWORD)
    assert urlsplit(page.url).path == "/"
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    axe_check(page)

    open_unit_page(page, live_server, demo)
    axe_check(page)
    row = matrix_row(page, ACTION)
    assert row.count() == 1
    assert row.locator(".status").get_attribute("class") == "status status-not_started"
    with page.expect_navigation():
        row.get_by_role("link", name=starting(zh("Record"))).click()

    assert urlsplit(page.url).path.startswith(f"/records/new/{UNIT}/")
    assert ACTION in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_label(zh("Title")).fill(TITLE)
    page.get_by_label(zh("Date carried out")).fill("2019-05-19")
    page.get_by_label(zh("Place")).fill("省残联机关三楼会议室")
    page.get_by_label(zh("Number of participants")).fill("12")
    page.get_by_label(zh("Content")).fill(
        "<p>围绕省残联2019年重点目标任务,统筹谋划支部年度工作。</p><script>alert(1)</script>"
    )
    page.get_by_label(zh("Attachments")).set_input_files(
        [
            {"name": "会场照片.png", "mimeType": "image/png", "buffer": tiny_png()},
            {"name": "会议纪要.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()},
        ]
    )
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Save and submit for review")).click()

    record = ActivityRecord.objects.get(title=TITLE)
    assert urlsplit(page.url).path == reverse("activities:detail", args=[record.pk])
    assert record.status == RecordStatus.SUBMITTED
    assert (record.place, record.participant_count) == ("省残联机关三楼会议室", 12)
    assert "<script>" not in record.content
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator("main").get_by_text(zh("Awaiting review"), exact=True).count() == 1
    attachments = page.locator("main a[download]")
    assert sorted(attachments.all_inner_texts()) == ["会场照片.png", "会议纪要.pdf"]
    axe_check(page)
    logout(page)
    assert urlsplit(page.url).path == "/accounts/login/"
    axe_check(page)

    # -- the office finds it on its to-do page and accepts it ------------------------------
    login(page, live_server, "office", DEMO_PASSWORD)
    axe_check(page)
    waiting = todo_count(page)
    assert waiting >= 1
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name=starting(zh("To do"))).click()
    assert urlsplit(page.url).path == "/todo/"
    axe_check(page)
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=TITLE).click()

    assert urlsplit(page.url).path == reverse("activities:detail", args=[record.pk])
    axe_check(page)
    # The office downloads what the contact attached, byte for byte.
    png = page.locator("main a[download]", has_text="会场照片.png").get_attribute("href")
    response = page.request.get(f"{live_server.url}{png}")
    assert response.ok
    assert response.body() == tiny_png()
    assert response.headers["content-disposition"].startswith("attachment")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Accept"), exact=True).click()

    record.refresh_from_db()
    assert record.status == RecordStatus.ACCEPTED
    assert page.locator("main").get_by_text(zh("Accepted"), exact=True).count() == 1
    assert todo_count(page) == waiting - 1
    axe_check(page)

    # -- the matrix shows the cell done -----------------------------------------------
    open_unit_page(page, live_server, demo)
    row = matrix_row(page, ACTION)
    status = row.locator(".status")
    assert status.get_attribute("class") == "status status-done"
    assert status.inner_text() == zh("Done")
    assert row.get_by_role("link", name=TITLE).is_visible()
    axe_check(page)
