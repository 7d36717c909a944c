"""Browser tests: Debian's headless Chromium driven by Python playwright against live_server.

pytest-django's ``live_server`` serves static files through the staticfiles finders, so the
vendored front-end libraries (taolun/static/vendor, filled by ``make install``) load as they do
under ``make run``. Helpers ``login`` and ``axe_check`` are imported by the test modules.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# the ORM calls that tests make while it runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Never fetch a browser of playwright's own.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
AXE_SCRIPTS = [
    REPO / "node_modules" / "axe-core" / "axe.min.js",
    REPO / "taolun" / "static" / "vendor" / "axe" / "axe.min.js",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the whole run; skipped without it, except in CI."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: run `make test` as root, or apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(viewport=..., locale=...)``: a page in a fresh context, closed after the test."""
    contexts = []

    def make(viewport: dict[str, int] | None = None, locale: str = "zh-CN"):
        # The users' browsers ask for Chinese (Accept-Language), as a cadre's in Shanxi would.
        # bypass_csp: axe is injected as a script tag, which a strict CSP would block.
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            locale=locale,
            bypass_csp=True,
            base_url=live_server.url,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page in its own browser context."""
    return new_page()


def login(page, live_server, username: str, password: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def focus_document_start(page) -> None:
    """Put the keyboard at the top of the document, as on arriving at the page."""
    page.evaluate(
        """() => {
            document.activeElement?.blur();
            document.body.tabIndex = -1;
            document.body.focus();
            document.body.removeAttribute("tabindex");
        }"""
    )


def is_focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def axe_check(page) -> None:
    """Run axe-core's WCAG 2.1 A/AA rules on the current page and fail on any violation."""
    script = next((path for path in AXE_SCRIPTS if path.exists()), None)
    assert script is not None, "axe-core is missing: run `make install` (npm ci)"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(script))
    result = page.evaluate(
        """async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})""",
        WCAG_TAGS,
    )
    violations = result["violations"]
    if violations:
        lines = [f"axe found {len(violations)} violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                f" <{violation['helpUrl']}>"
            )
            for node in violation["nodes"]:
                lines.append(f"    at {', '.join(map(str, node['target']))}")
                if node.get("failureSummary"):
                    summary = node["failureSummary"].replace("\n", " / ")
                    lines.append(f"       {summary}")
        report = "\n".join(lines)
        print(report)
        pytest.fail(report, pytrace=False)
