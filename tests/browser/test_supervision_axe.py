"""Every page of the Supervision issue (dashboards, lagging units, scores and the scheme,
inspections and findings, API tokens, work targets) passes axe-core (WCAG 2.1 A/AA) as the
people who use it see it, on the seed's demo, with one h1 and the Chinese language; forms
also once sent back with their errors. The dashboard fits a phone, and each chart is an
image with a text alternative and a table of the same numbers.

Pages that the flows of test_supervision.py already check with axe as the same person
(the supervisor's dashboards down to 机关第一党支部, the inspection list and form, the
scheme with its errors, the token pages before and after a token is made and revoked, the
scores two levels down with reasons open, and the branch contact's work-target pages: the
campaign's targets, an indicator, the report form and its errors) are not opened again
here, to keep the run short.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from taolun.supervision.models import Finding, FindingKind, Inspection
from taolun.targets.models import Indicator, TargetArea
from tests.browser.conftest import (
    DEMO_CAMPAIGN,
    DUPLICATE_IDS,
    PHONE,
    Page,
    axe_check,
    check_pages,
    fits_a_phone,
    submit_empty,
    users_of,
)

pytestmark = pytest.mark.browser

S = f"/supervision/{DEMO_CAMPAIGN}"
T = f"/targets/{DEMO_CAMPAIGN}"


def inspection(unit: str = "sxdpf-branch-1") -> int:
    return Inspection.objects.get(campaign__slug=DEMO_CAMPAIGN, unit__slug=unit).pk


def open_finding() -> int:
    """A problem finding of the demo not yet on the ledger: it may still be edited."""
    return Finding.objects.get(inspection_id=inspection(), kind=FindingKind.PROBLEM, number=2).pk


def area() -> int:
    return TargetArea.objects.get(campaign__slug=DEMO_CAMPAIGN, number=1).pk


def indicator() -> int:
    return Indicator.objects.get(area__campaign__slug=DEMO_CAMPAIGN, area__number=1, number=1).pk


PAGES = [
    # -- dashboards, lagging units, scores ----------------------------------------------------
    Page("index-supervisor", "supervisor", lambda: "/supervision/"),
    Page("index-member", "member", lambda: "/supervision/"),
    Page("dashboard-leaf", "supervisor", lambda: f"{S}/units/sxdpf-education-employment/"),
    Page("dashboard-contact", "contact1", lambda: f"{S}/"),
    Page("dashboard-province", "province", lambda: "/supervision/shanxi-2019/"),
    Page("lagging", "supervisor", lambda: f"{S}/lagging/"),
    Page(
        "lagging-filtered",
        "supervisor",
        lambda: f"{S}/lagging/?under=sxdpf-organ&depth=2&sort=completion",
    ),
    Page("scores", "supervisor", lambda: f"{S}/scores/"),
    Page("scheme-errors", "office", lambda: f"{S}/scores/scheme/", empty=("#id_weight_actions",)),
    # -- inspections ----------------------------------------------------------------------------
    Page("inspections-contact", "contact1", lambda: f"{S}/inspections/"),
    Page(
        "inspection-new-errors",
        "supervisor",
        lambda: f"{S}/inspections/new/",
        empty=("#id_visited_on", "#id_checked"),
    ),
    Page("inspection", "office", lambda: reverse("supervision:inspection", args=[inspection()])),
    Page(
        "inspection-contact",
        "contact1",
        lambda: reverse("supervision:inspection", args=[inspection()]),
    ),
    Page(
        "inspection-finding-errors",
        "office",
        lambda: reverse("supervision:inspection", args=[inspection()]),
        empty=("#id_finding-text",),
        button="main form[action$='/findings/'] button[type=submit]",
    ),
    Page(
        "inspection-edit",
        "office",
        lambda: reverse("supervision:inspection_edit", args=[inspection()]),
    ),
    Page(
        "inspection-edit-errors",
        "office",
        lambda: reverse("supervision:inspection_edit", args=[inspection()]),
        empty=("#id_checked",),
    ),
    Page(
        "finding-edit", "office", lambda: reverse("supervision:finding_edit", args=[open_finding()])
    ),
    Page(
        "finding-edit-errors",
        "office",
        lambda: reverse("supervision:finding_edit", args=[open_finding()]),
        empty=("#id_finding-text",),
    ),
    # -- API tokens ---------------------------------------------------------------------------
    Page("tokens-errors", "contact1", lambda: "/api/tokens/", empty=("#id_name",)),
    # -- work targets -------------------------------------------------------------------------
    Page("targets-index", "contact1", lambda: "/targets/"),
    Page("targets-campaign", "office", lambda: f"{T}/"),
    Page("indicator-office", "office", lambda: f"/targets/indicators/{indicator()}/"),
    Page("area-new", "office", lambda: f"{T}/areas/new/"),
    Page("area-new-errors", "office", lambda: f"{T}/areas/new/", empty=("#id_name",)),
    Page("area-edit", "office", lambda: f"/targets/areas/{area()}/edit/"),
    Page("indicator-new", "office", lambda: f"/targets/areas/{area()}/indicators/new/"),
    Page(
        "indicator-new-errors",
        "office",
        lambda: f"/targets/areas/{area()}/indicators/new/",
        empty=("#id_name", "#id_target"),
    ),
    Page("indicator-edit", "office", lambda: f"/targets/indicators/{indicator()}/edit/"),
]

# Pages whose <details> are opened before the check: the scores' reasons.
EXPAND = {"scores"}


@pytest.mark.parametrize("user", users_of(PAGES))
def test_supervision_pages_pass_axe(page, live_server, demo, user):
    """Each of the person's pages (forms also sent back with their errors, the scores with
    their reasons open) is in Chinese, has one h1 and unique element ids, and passes axe."""

    def check(page, spec: Page) -> None:
        if spec.empty:
            submit_empty(page, spec)
        if spec.name in EXPAND:
            summaries = page.locator("main details > summary")
            assert summaries.count() > 0, "no reasons to open"
            summaries.first.click()
            assert page.locator("main details[open] table").first.is_visible()
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        assert page.locator("h1").count() == 1, "not exactly one h1"
        assert page.evaluate(DUPLICATE_IDS) == [], "duplicate ids"
        axe_check(page)

    check_pages(page, live_server, [p for p in PAGES if p.user == user], check)


# The charts: an image with a text alternative, drawn from the same numbers as a table.
CHARTS = """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => ({
    source: el.dataset.chart,
    role: el.getAttribute('role'),
    label: el.getAttribute('aria-label') || '',
    drawn: !el.hidden && !!el.querySelector('svg'),
    table: !!el.closest('section')?.querySelector('table > caption'),
}))"""


CHART_PAGES = {
    "root": (
        Page("root", "supervisor", lambda: f"{S}/"),
        ["chart-stages-data", "chart-children-data"],
    ),
    "leaf": (
        Page("leaf", "supervisor", lambda: f"{S}/units/sxdpf-education-employment/"),
        ["chart-stages-data"],
    ),
}


def test_each_chart_is_an_image_with_a_table(page, live_server, demo):
    def check(page, spec: Page) -> None:
        page.locator("[data-chart] svg").first.wait_for()
        charts = page.evaluate(CHARTS)
        assert [c["source"] for c in charts] == CHART_PAGES[spec.name][1]
        for chart in charts:
            assert chart["role"] == "img", chart
            assert chart["label"].strip(), chart
            assert chart["drawn"], chart
            assert chart["table"], chart

    check_pages(page, live_server, [spec for spec, _ in CHART_PAGES.values()], check)


PHONE_PAGES = [
    Page("dashboard-root", "supervisor", lambda: f"{S}/"),
    Page("dashboard-branch", "contact1", lambda: f"{S}/units/sxdpf-branch-1/"),
    Page("scores", "supervisor", lambda: f"{S}/scores/"),
]


def test_supervision_pages_fit_a_phone(new_page, live_server, demo):
    check_pages(new_page(viewport=PHONE), live_server, PHONE_PAGES, fits_a_phone)
