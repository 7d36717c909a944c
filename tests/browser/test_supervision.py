"""Supervision in the browser, on the seed's demo: the brief's paths of issue 6.

The supervisor (演示·督导组, over the federation) drills its dashboard down to one branch by
keyboard alone and back up; records an inspection of 机关第一党支部 whose problem the
branch's contact puts on the ledger in one step, and whose deduction then shows in the
branch's score; the federation's office edits the scoring scheme; a person makes an API
token, uses it and revokes it; the branch's contact reports a work-target value. axe-core
checks every page the flows land on.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from taolun.rectification.models import Problem, ProblemState
from taolun.supervision.models import Finding, FindingKind, Inspection, ScoringScheme
from tests.browser.conftest import DEMO_CAMPAIGN, axe_check, focus_document_start, sign_in, zh
from tests.browser.test_participation import tab_to

pytestmark = pytest.mark.browser

DASHBOARD = f"/supervision/{DEMO_CAMPAIGN}/"
SCORES = f"/supervision/{DEMO_CAMPAIGN}/scores/"
BRANCH = "sxdpf-branch-1"
CHECKED = "查阅支部“六个破除”问题清单和整改台账,与支部书记谈话。"
PROBLEM_TEXT = "整改台账中三项措施没有明确责任人,进度记录不全。"
PRACTICE_TEXT = "支部建立“党员示范岗”,每月通报整改进展。"


def path_of(page) -> str:
    return urlsplit(page.url).path


def as_user(new_page, live_server, username: str):
    """A fresh browser, signed in as ``username``."""
    page = new_page()
    sign_in(page, live_server, username)
    return page


def click(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def press_enter_on(page, selector: str, limit: int = 250) -> None:
    """From the top of the page, Tab to ``selector`` and follow it with Enter."""
    focus_document_start(page)
    tab_to(page, selector, limit=limit)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def cells(table) -> list[list[str]]:
    """The body rows of a table as the text of their cells."""
    return [
        [text.strip() for text in row.locator("th, td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]


def chart_data(page, source: str) -> dict:
    return json.loads(page.locator(f"#{source}").text_content())


def assert_chart_drawn(page, source: str) -> None:
    """The ECharts container of ``source`` is shown, drawn, and described for screen readers."""
    chart = page.locator(f"[data-chart={source}]")
    assert chart.get_attribute("role") == "img"
    assert chart.get_attribute("aria-label")
    assert chart.is_visible()
    chart.locator("svg").first.wait_for()


def assert_stage_table_matches_chart(page) -> None:
    data = chart_data(page, "chart-stages-data")
    rows = cells(page.get_by_test_id("stages-prescribed"))
    assert [row[0] for row in rows] == data["categories"]
    for index, row in enumerate(rows):
        counts = [int(n) for n in row[1 : 1 + len(data["series"])]]
        assert counts == [series["data"][index] for series in data["series"]], row[0]
    assert_chart_drawn(page, "chart-stages-data")


def assert_children_table_matches_chart(page) -> None:
    data = chart_data(page, "chart-children-data")
    table = page.get_by_test_id("children")
    header = table.locator("thead th").all_inner_texts()
    rate_column = header.index(zh("Completion rate"))
    rows = cells(table)
    assert [row[0] for row in rows] == data["categories"]
    for row, value in zip(rows, data["series"][0]["data"], strict=True):
        shown = row[rate_column]
        if value is None:
            assert shown.startswith("—"), row
        else:
            assert abs(int(shown.rstrip("%")) - value) < 1, (row, value)
    assert_chart_drawn(page, "chart-children-data")


def test_the_supervisor_drills_the_dashboard_down_by_keyboard_and_back_up(
    new_page, live_server, demo
):
    page = as_user(new_page, live_server, "supervisor")
    page.goto(f"{live_server.url}/")
    click(page, page.locator("header").get_by_role("link", name=zh("Supervision"), exact=True))
    assert path_of(page) == "/supervision/"
    axe_check(page)
    campaigns = page.get_by_test_id("supervised-campaigns")
    click(page, campaigns.locator(f"a[href='{DASHBOARD}']"))
    assert path_of(page) == DASHBOARD
    assert "山西省残疾人联合会" in page.locator("h1").inner_text()
    assert_stage_table_matches_chart(page)
    assert_children_table_matches_chart(page)
    axe_check(page)

    # Down, child by child, with Tab and Enter on the children table's links.
    for slug, name in (("sxdpf-organ", "机关"), (BRANCH, "机关第一党支部")):
        full = f"省残联{name}"
        link = f"[data-testid=children] a[href='{DASHBOARD}units/{slug}/']"
        press_enter_on(page, link)
        assert path_of(page) == f"{DASHBOARD}units/{slug}/"
        assert full in page.locator("h1").inner_text()
        assert page.get_by_test_id("unit-trail").locator("[aria-current=page]").inner_text() == name
        assert_stage_table_matches_chart(page)
        axe_check(page)
    trail = page.get_by_test_id("unit-trail").locator("a").all_inner_texts()
    assert trail == ["省残联", "机关"]

    # Back up through the trail, by keyboard too.
    press_enter_on(page, f"[data-testid=unit-trail] a[href='{DASHBOARD}units/sxdpf-organ/']")
    assert path_of(page) == f"{DASHBOARD}units/sxdpf-organ/"
    press_enter_on(page, f"[data-testid=unit-trail] a[href='{DASHBOARD}units/sxdpf/']")
    assert path_of(page) == f"{DASHBOARD}units/sxdpf/"
    assert page.get_by_test_id("unit-trail").locator("a").count() == 0
    assert_children_table_matches_chart(page)
    axe_check(page)


def branch_score(page) -> tuple[Decimal, str]:
    """The supervisor's scores two levels down: the branch's deduction and its reasons."""
    page.goto(f"{live_url(page)}{SCORES}")
    page.get_by_role("combobox", name=zh("Level", "tree level")).select_option("2")
    click(page, page.locator("main form[method=get]").get_by_role("button"))
    row = page.locator(f"[data-testid=scores] tr[data-unit={BRANCH}]")
    row.locator("summary").click()  # expand the reasons
    reasons = row.locator("details table")
    assert reasons.is_visible()
    deduction = row.locator("td").nth(2).inner_text().replace("−", "")
    return Decimal(deduction), reasons.inner_text()


def live_url(page) -> str:
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}"


def test_an_inspection_finding_goes_onto_the_ledger_and_into_the_score(new_page, live_server, demo):
    supervisor = as_user(new_page, live_server, "supervisor")
    supervisor.goto(f"{live_server.url}/")
    before, _reasons = branch_score(supervisor)

    # -- the supervisor records the visit --------------------------------------------------
    supervisor.goto(f"{live_server.url}/supervision/{DEMO_CAMPAIGN}/inspections/")
    axe_check(supervisor)
    click(supervisor, supervisor.get_by_role("link", name=zh("Record an inspection")))
    axe_check(supervisor)
    supervisor.get_by_label(zh("Unit visited")).select_option(BRANCH)
    supervisor.get_by_label(zh("Visited on")).fill("2019-05-20")
    supervisor.get_by_label(zh("Team"), exact=True).fill("第二督导组")
    supervisor.get_by_label("演示·督导组", exact=False).check()
    supervisor.get_by_label(zh("What was checked")).fill(CHECKED)
    click(supervisor, supervisor.get_by_role("button", name=zh("Record the inspection")))
    inspection = Inspection.objects.get(unit__slug=BRANCH, visited_on="2019-05-20")
    assert path_of(supervisor) == reverse("supervision:inspection", args=[inspection.pk])
    assert [m.username for m in inspection.members.all()] == ["supervisor"]
    axe_check(supervisor)

    # -- two findings: a problem with its own deduction, and a good practice ---------------
    form = supervisor.locator("main form[action$='/findings/']")
    form.get_by_label(zh("Kind")).select_option(FindingKind.PROBLEM)
    form.get_by_label(zh("Points deducted")).fill("3")
    form.get_by_label(zh("Finding"), exact=True).fill(PROBLEM_TEXT)
    click(supervisor, form.get_by_role("button", name=zh("Add the finding")))
    axe_check(supervisor)
    form = supervisor.locator("main form[action$='/findings/']")
    form.get_by_label(zh("Kind")).select_option(FindingKind.GOOD_PRACTICE)
    form.get_by_label(zh("Finding"), exact=True).fill(PRACTICE_TEXT)
    click(supervisor, form.get_by_role("button", name=zh("Add the finding")))
    findings = list(inspection.findings.order_by("number"))
    assert [(f.kind, f.deduction) for f in findings] == [
        (FindingKind.PROBLEM, Decimal(3)),
        (FindingKind.GOOD_PRACTICE, None),
    ]
    # The supervisor does not keep the branch's ledger: no button for it.
    assert supervisor.get_by_role("button", name=re.compile(zh("Add to the ledger"))).count() == 0
    axe_check(supervisor)

    # -- the branch's contact sees it and puts the problem on the ledger in one step -------
    contact = as_user(new_page, live_server, "contact1")
    contact.goto(f"{live_server.url}/supervision/{DEMO_CAMPAIGN}/inspections/")
    axe_check(contact)
    link = contact.locator("main table").locator(f"a[href='{inspection.get_absolute_url()}']")
    click(contact, link)
    main = contact.locator("main").inner_text()
    assert PROBLEM_TEXT in main and PRACTICE_TEXT in main and CHECKED in main
    axe_check(contact)
    problem_card = contact.locator("#finding-1")
    assert contact.locator("#finding-2").get_by_role("button").count() == 0  # a good practice
    click(contact, problem_card.get_by_role("button", name=re.compile(zh("Add to the ledger"))))
    problem = Problem.objects.get(source_id=findings[0].pk, unit__slug=BRANCH)
    assert problem.state == ProblemState.DRAFT
    assert path_of(contact) == reverse("rectification:problem_edit", args=[problem.pk])
    axe_check(contact)
    contact.goto(live_server.url + reverse("rectification:problem", args=[problem.pk]))
    back = contact.locator(f"main a[href='{findings[0].get_absolute_url()}']")
    assert back.count() == 1, "the problem's page links back to the finding"
    axe_check(contact)
    click(contact, back)
    assert path_of(contact) == reverse("supervision:inspection", args=[inspection.pk])
    assert problem.ledger_number in contact.locator("#finding-1").inner_text()

    # -- the supervisor's scores count the new finding's deduction ------------------------
    after, reasons = branch_score(supervisor)
    assert after == before + 3
    assert f"−{after:.2f}" in reasons
    axe_check(supervisor)
    assert Finding.objects.filter(inspection__unit__slug=BRANCH).count() == 5


WEIGHTS = {
    "Action completion": "weight_actions",
    "Timeliness": "weight_timeliness",
    "Rectification": "weight_rectification",
    "Briefs adopted": "weight_briefs",
    "Participation": "weight_participation",
}


def test_the_office_fixes_a_scheme_whose_weights_miss_100(new_page, live_server, demo):
    office = as_user(new_page, live_server, "office")
    office.goto(f"{live_server.url}{SCORES}")
    click(office, office.get_by_role("link", name=zh("Edit the scoring scheme")))
    assert path_of(office) == f"{SCORES}scheme/"
    axe_check(office)
    typed = {"weight_actions": "40", "weight_timeliness": "20", "weight_rectification": "20"}
    typed |= {"weight_briefs": "10", "weight_participation": "20"}  # 110 in all
    for name, value in typed.items():
        office.fill(f"#id_{name}", value)
    click(office, office.get_by_role("button", name=zh("Save"), exact=True))

    assert path_of(office) == f"{SCORES}scheme/"
    assert office.locator("#form-errors").is_visible()
    for name, value in typed.items():
        assert office.locator(f"#id_{name}_error").is_visible(), name
        assert office.locator(f"#id_{name}").get_attribute("aria-invalid") == "true"
        assert office.locator(f"#id_{name}").input_value() == value
    assert ScoringScheme.objects.get(campaign__slug=DEMO_CAMPAIGN).weight_actions == 30
    axe_check(office)

    office.fill("#id_weight_participation", "10")  # now 100
    click(office, office.get_by_role("button", name=zh("Save"), exact=True))
    assert path_of(office) == SCORES
    scheme = ScoringScheme.objects.get(campaign__slug=DEMO_CAMPAIGN)
    assert (scheme.weight_actions, scheme.weight_participation) == (40, 10)
    rules = office.get_by_test_id("scheme-rules").inner_text()
    assert "40" in rules.splitlines()[0] and "10" in rules.splitlines()[4]
    row = office.locator("[data-testid=scores] tbody tr").first
    row.locator("summary").click()
    points = row.locator("details tbody tr").all_inner_texts()
    assert re.search(r"of 40|/\s*40|40\b", points[0]), points[0]
    axe_check(office)


def test_an_api_token_works_until_it_is_revoked(new_page, live_server, demo):
    page = as_user(new_page, live_server, "contact1")
    page.goto(f"{live_server.url}/")
    click(page, page.locator("header").get_by_role("link", name=zh("API tokens")))
    assert path_of(page) == "/api/tokens/"
    axe_check(page)
    page.get_by_label(zh("Name", "API token"), exact=True).fill("省级平台")
    click(page, page.get_by_role("button", name=zh("Create token")))
    secret = page.get_by_label(zh("Secret")).input_value()
    assert len(secret) > 20
    axe_check(page)

    # A program with no session: only the token.
    api = new_page().request
    headers = {"Authorization": f"Bearer {secret}"}
    response = api.get(f"{live_server.url}/api/v1/campaigns", headers=headers)
    assert response.status == 200, response.text()
    assert response.headers["content-type"].startswith("application/json")
    assert DEMO_CAMPAIGN in response.text()
    assert api.get(f"{live_server.url}/api/v1/campaigns").status == 401

    # Shown once: the page read again never shows the secret.
    page.goto(f"{live_server.url}/api/tokens/")
    assert secret not in page.content()
    click(page, page.get_by_role("link", name=re.compile(zh("Revoke"))))
    axe_check(page)
    click(page, page.locator("main form").get_by_role("button", name=zh("Revoke")))
    assert path_of(page) == "/api/tokens/"
    axe_check(page)
    response = api.get(f"{live_server.url}/api/v1/campaigns", headers=headers)
    assert response.status == 401
    assert response.headers["content-type"].startswith("application/json")


def period_row(page, key: str) -> list[str]:
    row = page.locator(f"[data-testid=periods] tr[data-period='{key}']")
    return [text.strip() for text in row.locator("th, td").all_inner_texts()]


def test_a_branch_reports_a_target_value_and_the_rollup_grows(new_page, live_server, demo):
    from taolun.targets.models import IndicatorReport

    contact = as_user(new_page, live_server, "contact1")
    contact.goto(f"{live_server.url}/")
    click(contact, contact.locator("header").get_by_role("link", name=zh("Work targets")))
    click(contact, contact.locator(f"main a[href='/targets/{DEMO_CAMPAIGN}/']").first)
    assert path_of(contact) == f"/targets/{DEMO_CAMPAIGN}/"
    axe_check(contact)
    indicator = "main a[href^='/targets/indicators/'][href$='/']:text-is('贫困残疾人脱贫人数')"
    click(contact, contact.locator(indicator).first)
    before = period_row(contact, "2019-01-01")
    assert before[1:3] == ["3410", "2"]
    axe_check(contact)

    click(contact, contact.locator("main").get_by_role("link", name=zh("Report a value")))
    axe_check(contact)
    assert contact.get_by_label(zh("Unit"), exact=True).locator(
        "option:checked"
    ).inner_text().strip() == ("省残联机关第一党支部")
    contact.get_by_label(zh("Period"), exact=True).select_option("2019-01-01")
    contact.get_by_label(zh("Value"), exact=True).fill("四十")  # not a number
    click(contact, contact.get_by_role("button", name=zh("Save the value")))
    assert contact.locator("#id_value_error").is_visible()
    assert contact.get_by_label(zh("Value"), exact=True).input_value() == "四十"
    assert not IndicatorReport.objects.filter(unit__slug=BRANCH).exists()
    axe_check(contact)
    contact.get_by_label(zh("Value"), exact=True).fill("40")
    click(contact, contact.get_by_role("button", name=zh("Save the value")))

    assert re.fullmatch(r"/targets/indicators/\d+/", path_of(contact))
    assert period_row(contact, "2019-01-01")[1:3] == ["3450", "3"]
    units = contact.get_by_test_id("units").inner_text()
    assert "40" in units
    axe_check(contact)
