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

from taolun.supervision.models import Finding, FindingKind, Inspection
from taolun.targets.models import Indicator, TargetArea
from tests.browser.conftest import DEMO_CAMPAIGN, PHONE, axe_check
from tests.browser.test_accessibility import WIDE_TABLES, Page, open_page, submit_empty

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
    Page("inspection", "office", lambda: f"/supervision/inspections/{inspection()}/"),
    Page("inspection-contact", "contact1", lambda: f"/supervision/inspections/{inspection()}/"),
    Page(
        "inspection-finding-errors",
        "office",
        lambda: f"/supervision/inspections/{inspection()}/",
        empty=("#id_finding-text",),
        button="main form[action$='/findings/'] button[type=submit]",
    ),
    Page("inspection-edit", "office", lambda: f"/supervision/inspections/{inspection()}/edit/"),
    Page(
        "inspection-edit-errors",
        "office",
        lambda: f"/supervision/inspections/{inspection()}/edit/",
        empty=("#id_checked",),
    ),
    Page("finding-edit", "office", lambda: f"/supervision/findings/{open_finding()}/edit/"),
    Page(
        "finding-edit-errors",
        "office",
        lambda: f"/supervision/findings/{open_finding()}/edit/",
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

DUPLICATE_IDS = """() => {
    const seen = {};
    document.querySelectorAll('[id]').forEach(el => seen[el.id] = (seen[el.id] || 0) + 1);
    return Object.keys(seen).filter(id => seen[id] > 1);
}"""


@pytest.mark.parametrize("spec", PAGES, ids=str)
def test_supervision_page_passes_axe(page, live_server, demo, spec):
    open_page(page, live_server, spec)
    if spec.empty:
        submit_empty(page, spec)
    if spec.name in EXPAND:
        summaries = page.locator("main details > summary")
        assert summaries.count() > 0, f"{spec}: no reasons to open"
        summaries.first.click()
        assert page.locator("main details[open] table").first.is_visible()

    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").count() == 1
    assert page.evaluate(DUPLICATE_IDS) == [], f"{spec}: duplicate ids"
    axe_check(page)


# The charts: an image with a text alternative, drawn from the same numbers as a table.
CHARTS = """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => ({
    source: el.dataset.chart,
    role: el.getAttribute('role'),
    label: el.getAttribute('aria-label') || '',
    drawn: !el.hidden && !!el.querySelector('svg'),
    table: !!el.closest('section')?.querySelector('table > caption'),
}))"""


@pytest.mark.parametrize(
    ("user", "url", "sources"),
    [
        ("supervisor", f"{S}/", ["chart-stages-data", "chart-children-data"]),
        ("supervisor", f"{S}/units/sxdpf-education-employment/", ["chart-stages-data"]),
    ],
    ids=["root", "leaf"],
)
def test_each_chart_is_an_image_with_a_table(page, live_server, demo, user, url, sources):
    open_page(page, live_server, Page("charts", user, lambda: url))
    page.locator("[data-chart] svg").first.wait_for()
    charts = page.evaluate(CHARTS)
    assert [c["source"] for c in charts] == sources
    for chart in charts:
        assert chart["role"] == "img", chart
        assert chart["label"].strip(), chart
        assert chart["drawn"], chart
        assert chart["table"], chart


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("supervisor", f"{S}/"),
        ("contact1", f"{S}/units/sxdpf-branch-1/"),
        ("supervisor", f"{S}/scores/"),
    ],
    ids=["dashboard-root", "dashboard-branch", "scores"],
)
def test_supervision_page_fits_a_phone(new_page, live_server, demo, user, url):
    page = new_page(viewport=PHONE)
    open_page(page, live_server, Page("phone", user, lambda: url))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(WIDE_TABLES) == []
    axe_check(page)
