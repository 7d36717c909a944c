"""The pages that run scripts work under the site's real Content-Security-Policy.

The policy (settings.CONTENT_SECURITY_POLICY) allows no inline script or style and no eval.
The pages most likely to break under it are those that draw charts, count as the user types,
copy to the clipboard, print, or place things by data: each is opened as the person who uses
it, its own script is made to act, and the browser must have refused nothing. The fixtures
of conftest.py record every refusal from before the first page script runs.
"""

from __future__ import annotations

import pytest

from taolun.reporting.models import Publication, PublicationState
from taolun.targets.models import Indicator
from tests.browser.conftest import DEMO_CAMPAIGN, Page, check_pages, csp_violations, zh

pytestmark = pytest.mark.browser


def indicator() -> int:
    return Indicator.objects.get(area__campaign__slug=DEMO_CAMPAIGN, area__number=1, number=1).pk


def publication() -> int:
    return (
        Publication.objects.filter(
            campaign__slug=DEMO_CAMPAIGN, state=PublicationState.PUBLISHED, brief__isnull=False
        )
        .order_by("pk")
        .first()
        .pk
    )


def charts_drawn(page) -> None:
    charts = page.locator("[data-chart]")
    assert charts.count() > 0, "no chart on the page"
    for number in range(charts.count()):
        chart = charts.nth(number)
        chart.locator("svg").first.wait_for()
        assert chart.is_visible(), chart.get_attribute("data-chart")
        assert chart.bounding_box()["height"] > 200, "the chart's height (taolun.css) is lost"


def progress_bars(page) -> None:
    bars = page.locator("progress.target-progress")
    assert bars.count() > 0, "no progress bar"
    assert bars.first.get_attribute("aria-hidden") == "true"
    # The bar repeats the number beside it: both say the same per cent (bar clipped to 0–100).
    shown = page.get_by_test_id("progress").first.text_content().strip().rstrip("%")
    assert float(bars.first.get_attribute("value")) == min(100.0, max(0.0, float(shown)))


def counts_as_typed(page) -> None:
    status = page.locator("#body-length")
    before = status.text_content()
    page.locator("#id_body").fill("一二三四五")
    page.wait_for_function(
        "before => document.getElementById('body-length').textContent !== before", arg=before
    )
    # The sentence is the server's translation, with the count put in by the script.
    assert status.text_content() == zh("The text has %(n)s characters.").replace("%(n)s", "5")


def copies(page) -> None:
    button = page.locator("[data-copy]").first
    assert button.is_visible(), "the copy button stayed hidden: its script did not run"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    button.click()
    status = button.locator("xpath=..").locator(".copy-status")
    page.wait_for_function("el => el.textContent.trim() !== ''", arg=status.element_handle())


# Where each line of the signature starts and ends, and where the text area of the sheet ends.
SIGNATURE = """() => {
    const sheet = document.querySelector('.official-document');
    const box = sheet.getBoundingClientRect();
    const signature = document.querySelector('.doc-signature-lines');
    const em = parseFloat(getComputedStyle(signature).fontSize);
    const lines = Array.from(signature.querySelectorAll('p')).map(p => {
        const range = document.createRange();
        range.selectNodeContents(p);
        const r = range.getBoundingClientRect();
        return {left: r.left, right: r.right};
    });
    return {end: box.right - parseFloat(getComputedStyle(sheet).paddingRight), em, lines};
}"""


def prints_with_its_signature_in_place(page) -> None:
    assert page.locator("#print-document").is_visible(), "the print button's script did not run"
    # GB/T 9704-2012 7.3.5.2: the longer line ends two characters in from the right, the date
    # starts two characters right of the unit.
    sig = page.evaluate(SIGNATURE)
    unit, date = sig["lines"]
    assert abs(max(unit["right"], date["right"]) - (sig["end"] - 2 * sig["em"])) < 1, sig
    assert abs(date["left"] - unit["left"] - 2 * sig["em"]) < 1, sig


PAGES = [
    (Page("dashboard", "supervisor", lambda: f"/supervision/{DEMO_CAMPAIGN}/"), charts_drawn),
    (
        Page("indicator", "contact1", lambda: f"/targets/indicators/{indicator()}/"),
        lambda page: (charts_drawn(page), progress_bars(page)),
    ),
    (Page("targets", "contact1", lambda: f"/targets/{DEMO_CAMPAIGN}/"), progress_bars),
    (
        Page("brief-form", "contact1", lambda: f"/reporting/{DEMO_CAMPAIGN}/briefs/new/"),
        counts_as_typed,
    ),
    (
        Page("publicity", "office", lambda: f"/reporting/publications/{publication()}/"),
        copies,
    ),
    (
        Page("printable-plan", "office", lambda: f"/campaigns/{DEMO_CAMPAIGN}/documents/plan/"),
        prints_with_its_signature_in_place,
    ),
]
CHECKS = {spec.name: check for spec, check in PAGES}


def test_pages_with_scripts_work_under_the_policy(page, live_server, demo):
    seen_headers: dict[str, str] = {}
    page.on(
        "response",
        lambda response: seen_headers.setdefault(
            response.url, response.headers.get("content-security-policy", "")
        ),
    )

    def check(page, spec: Page) -> None:
        policy = seen_headers.get(page.url, "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, policy
        assert page.evaluate("Array.isArray(window.__cspViolations)"), "no recorder"
        CHECKS[spec.name](page)
        assert csp_violations(page) == []

    check_pages(page, live_server, [spec for spec, _ in PAGES], check)
