"""The rectification ledger in the browser, on the seed's demo.

A unit contact of 机关第一党支部 records a problem with a measure, puts it on the ledger,
posts progress with a photo and claims it fixed; the office finds it on its to-do page and
verifies it (销号); the ledger shows it verified. axe-core checks every ledger page on the way
and each page of the ledger as the people who use it see it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from taolun.core.demo import DEMO_PASSWORD
from taolun.rectification.models import ExtensionState, Problem, ProblemState
from tests.browser.conftest import (
    DEMO_CAMPAIGN,
    Page,
    axe_check,
    check_pages,
    login,
    logout,
    page_basics,
    tiny_png,
    todo_count,
    users_of,
    zh,
)

pytestmark = pytest.mark.browser

LEDGER = f"/ledger/{DEMO_CAMPAIGN}/"
UNIT = "sxdpf-branch-1"
DESCRIPTION = "支部谈心谈话开展不经常，党员思想动态掌握不及时"
MEASURE = "建立支部书记每季度与党员谈心谈话制度"


def starting(text: str) -> re.Pattern:
    return re.compile("^" + re.escape(text))


def problem_of(unit: str, state: str) -> int:
    return Problem.objects.filter(unit__slug=unit, state=state).order_by("pk").first().pk


def with_pending_extension() -> int:
    return Problem.objects.filter(extensions__state=ExtensionState.REQUESTED).first().pk


def open_to_evaluation() -> int:
    return Problem.objects.filter(evaluation_open=True, unit__slug=UNIT).first().pk


PAGES = [
    Page("ledger-index", "office", lambda: "/ledger/"),
    Page("ledger-office", "office", lambda: LEDGER),
    Page("ledger-contact-overdue", "contact1", lambda: f"{LEDGER}?overdue=yes&sort=-deadline"),
    Page("problem-create", "contact1", lambda: f"{LEDGER}new/"),
    Page(
        "problem-create-errors",
        "contact1",
        lambda: f"{LEDGER}new/",
        empty=("#id_description",),
        button="main form button[name=open]",
    ),
    Page(
        "problem-edit",
        "contact1",
        lambda: reverse("rectification:problem_edit", args=[problem_of(UNIT, "draft")]),
    ),
    Page(
        "problem-draft",
        "contact1",
        lambda: reverse("rectification:problem", args=[problem_of(UNIT, "draft")]),
    ),
    Page(
        "problem-to-verify",
        "office",
        lambda: reverse(
            "rectification:problem", args=[problem_of("sxdpf-planning-finance", "completed")]
        ),
    ),
    Page(
        "problem-extension",
        "office",
        lambda: reverse("rectification:problem", args=[with_pending_extension()]),
    ),
    Page(
        "problem-vote",
        "member",
        lambda: reverse("rectification:problem", args=[open_to_evaluation()]),
    ),
    Page(
        "problem-carried-over",
        "leader",
        lambda: reverse(
            "rectification:problem",
            args=[problem_of("sxdpf-employment-centre-branch", "carried_over")],
        ),
    ),
    Page("ledger-import", "office", lambda: f"{LEDGER}import/"),
]


@pytest.mark.parametrize("user", users_of(PAGES))
def test_ledger_pages_pass_axe(page, live_server, demo, user):
    """Each of the person's ledger pages is in Chinese, has one h1 and passes axe."""

    def check(page, spec: Page) -> None:
        page_basics(page, spec, unique_ids=False)
        axe_check(page)

    check_pages(page, live_server, [p for p in PAGES if p.user == user], check)


def test_contact_records_and_fixes_a_problem_and_the_office_verifies_it(page, live_server, demo):
    # -- the unit contact records the problem and puts it on the ledger -------------------
    login(page, live_server, "contact1", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{LEDGER}")
    axe_check(page)
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=zh("Record a problem")).click()
    assert urlsplit(page.url).path == f"{LEDGER}new/"
    page.get_by_label(zh("Description of the problem")).fill(f"<p>{DESCRIPTION}</p>")
    page.get_by_label(zh("Source"), exact=True).select_option("organisational_life_meeting")
    page.get_by_label(zh("Overall deadline")).fill("2019-06-20")
    page.get_by_label(zh("Rectification target")).fill("每名党员每季度至少谈心一次")
    page.locator("#id_measures-0-text").fill(MEASURE)
    page.locator("#id_measures-0-deadline").fill("2019-06-10")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Save and put on the ledger")).click()

    problem = Problem.objects.get(description__contains=DESCRIPTION)
    assert urlsplit(page.url).path == reverse("rectification:problem", args=[problem.pk])
    assert problem.state == ProblemState.OPEN
    assert problem.unit.slug == UNIT
    assert problem.ledger_number.startswith("SXDPF-2019-SXDPF-BRANCH-1-")
    assert [m.text for m in problem.measures.all()] == [MEASURE]
    main = page.locator("main")
    assert problem.ledger_number in page.locator("h1").inner_text()
    assert main.get_by_text(zh("On track"), exact=True).first.is_visible()
    axe_check(page)

    # -- progress with a photo, then the claim that it is fixed ---------------------------
    page.locator("#id_progress-text").fill("已召开支部委员会，制定谈心谈话计划")
    page.locator("#id_progress-files").set_input_files(
        [{"name": "谈心谈话记录.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Post the update")).click()
    problem.refresh_from_db()
    assert problem.state == ProblemState.IN_PROGRESS
    assert main.locator("a[download]", has_text="谈心谈话记录.png").count() == 1
    axe_check(page)

    page.locator("#id_complete-note").fill("谈心谈话制度已建立并执行")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Mark completed")).click()
    problem.refresh_from_db()
    assert problem.state == ProblemState.COMPLETED
    assert page.get_by_role("button", name=zh("Verify")).count() == 0
    axe_check(page)
    logout(page)

    # -- the office verifies it from its to-do page ---------------------------------------
    login(page, live_server, "office", DEMO_PASSWORD)
    waiting = todo_count(page)
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name=starting(zh("To do"))).click()
    axe_check(page)
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=starting(problem.ledger_number)).click()
    assert urlsplit(page.url).path == reverse("rectification:problem", args=[problem.pk])
    # The office downloads the evidence the contact attached, byte for byte.
    href = main.locator("a[download]", has_text="谈心谈话记录.png").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok and response.body() == tiny_png()
    page.locator("#id_verify-comment").fill("经核查，整改到位，同意销号")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Verify"), exact=True).click()
    problem.refresh_from_db()
    assert problem.state == ProblemState.VERIFIED
    assert problem.verified_by.username == "office"
    assert todo_count(page) == waiting - 1
    axe_check(page)

    # -- the ledger shows it verified -------------------------------------------------------
    page.goto(f"{live_server.url}{LEDGER}?unit={UNIT}&state=verified")
    row = main.locator("tbody tr").filter(has=page.get_by_role("link", name=problem.ledger_number))
    assert row.count() == 1
    assert zh("Verified") in row.inner_text()
    axe_check(page)


def test_office_previews_and_applies_a_ledger_sent_back_in_excel(page, live_server, demo):
    """The office exports the ledger, a unit edits a cell in Excel, the office imports it."""
    import io

    import openpyxl

    from taolun.campaigns.models import Campaign
    from taolun.org.models import User
    from taolun.rectification.ledger_io import ledger_export

    office = User.objects.get(username="office")
    campaign = Campaign.objects.get(slug=DEMO_CAMPAIGN)
    exported = io.BytesIO()
    with translation.override("zh-hans"):  # the office works in Chinese
        ledger_export(user=office, campaign=campaign, out=exported)
    book = openpyxl.load_workbook(io.BytesIO(exported.getvalue()))
    sheet = book.active
    header = [c.value for c in sheet[3]]
    number_col = header.index("台账编号") + 1
    target_col = header.index("整改目标") + 1
    draft = Problem.objects.get(pk=problem_of(UNIT, "draft"))
    row = next(
        r
        for r in range(4, sheet.max_row + 1)
        if sheet.cell(r, number_col).value == draft.ledger_number
    )
    sheet.cell(row, target_col).value = "与两个外省残联建立交流机制"
    edited = io.BytesIO()
    book.save(edited)

    login(page, live_server, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{LEDGER}import/")
    page.get_by_label(zh("Unit")).select_option("sxdpf")
    page.locator("main input[type=file]").set_input_files(
        [{"name": "台账.xlsx", "mimeType": "application/octet-stream", "buffer": edited.getvalue()}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Check the file and preview")).click()
    main = page.locator("main")
    assert "与两个外省残联建立交流机制" in main.inner_text()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Apply the import")).click()
    draft.refresh_from_db()
    assert "与两个外省残联建立交流机制" in draft.target_standard
    axe_check(page)
