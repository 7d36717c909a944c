"""Browser tests: Debian's headless Chromium driven by Python playwright against live_server.

pytest-django's ``live_server`` serves static files through the staticfiles finders, so the
vendored front-end libraries (taolun/static/vendor, filled by ``make install``) load as they do
under ``make run``. Helpers ``login`` and ``axe_check`` are imported by the test modules.

A browser test costs about a second of fresh database and browser context before its first
step, so the page checks are walks: ``check_pages`` opens a person's pages one after another
in one test and names every failing page at the end.
"""

from __future__ import annotations

import functools
import io
import os
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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


# Runs before any page script, in every frame: keeps what the Content-Security-Policy
# refused, for ``csp_violations``. Playwright adds it through the DevTools protocol, which
# the page's policy does not govern.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push({
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: `${event.sourceFile}:${event.lineNumber}`,
        sample: event.sample,
    });
});
"""


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(viewport=..., locale=...)``: a page in a fresh context, closed after the test.

    The pages run under the site's real Content-Security-Policy (no ``bypass_csp``): a test
    that trips it fails at teardown with what the browser refused, so every browser test also
    guards the policy.
    """
    contexts = []
    refused: list[str] = []

    def make(viewport: dict[str, int] | None = None, locale: str = "zh-CN"):
        # The users' browsers ask for Chinese (Accept-Language), as a cadre's in Shanxi would.
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            locale=locale,
            base_url=live_server.url,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        context.on("console", lambda message: _note_csp_message(message, refused))
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    if refused:
        pytest.fail(
            "the Content-Security-Policy refused:\n" + "\n".join(dict.fromkeys(refused)),
            pytrace=False,
        )


def _note_csp_message(message, refused: list[str]) -> None:
    """Chromium reports each refusal on the console too; kept with the page's address."""
    if message.type == "error" and "Content Security Policy" in message.text:
        where = message.page.url if message.page else message.location.get("url", "")
        refused.append(f"{where}: {message.text}")


def csp_violations(page) -> list[dict]:
    """What the policy refused on the current page since it loaded (the event's fields)."""
    return page.evaluate("() => window.__cspViolations || []")


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


@functools.cache
def axe_source() -> str:
    """axe-core's code, as evaluated into pages: a script tag would need the CSP bypassed."""
    script = next((path for path in AXE_SCRIPTS if path.exists()), None)
    assert script is not None, "axe-core is missing: run `make install` (npm ci)"
    return script.read_text(encoding="utf-8")


def axe_check(page) -> None:
    """Run axe-core's WCAG 2.1 A/AA rules on the current page and fail on any violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's policy does not govern.
        page.evaluate(axe_source())
    # resultTypes only trims the passes and inapplicable lists (to one node each), which
    # halves the run; every violation is still reported.
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
        })""",
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


# -- The seed's demo, as a user of `make run` sees it ------------------------------------

DEMO_TODAY = "2019-05-20"
DEMO_CAMPAIGN = "sxdpf-2019"
_demo_snapshot = None  # a private in-memory copy of the database right after load_demo


def _load_demo() -> None:
    """``manage.py load_demo``, copied back from a snapshot after its first run.

    Loading the demo takes about two seconds; live_server tests leave a clean database after
    each test (``_copy_back_instead_of_flush``). On the in-memory SQLite test database the
    first load is kept with SQLite's backup API and copied back in milliseconds; on any other
    database it is loaded anew.
    """
    import sqlite3

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    global _demo_snapshot
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if in_memory and _demo_snapshot is not None:
        connection.ensure_connection()
        _demo_snapshot.backup(connection.connection)
        # The flush before this test made new content types; the copy has the old ones.
        ContentType.objects.clear_cache()
        return
    call_command("load_demo", stdout=io.StringIO())
    if in_memory:
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        _demo_snapshot = snapshot


@pytest.fixture(scope="session", autouse=True)
def _copy_back_instead_of_flush(django_db_setup, django_db_blocker) -> Iterator[None]:
    """After each live_server test, copy the just-migrated database back instead of a flush.

    Django's TransactionTestCase empties every table after each test and then makes the
    content types and permissions anew (post_migrate), which cost more than a browser test's
    own steps when each page had a test. On the in-memory SQLite test database a copy taken
    before the first test is put back with SQLite's backup API in milliseconds, which leaves
    each test the same clean database; on any other database the flush runs as usual.
    """
    import sqlite3

    from django.contrib.contenttypes.models import ContentType
    from django.db import DEFAULT_DB_ALIAS, connection
    from django.test import TransactionTestCase

    with django_db_blocker.unblock():
        if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
            yield
            return
        connection.ensure_connection()
        blank = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(blank)

    flush = TransactionTestCase._fixture_teardown

    def copy_back(test_case: TransactionTestCase) -> None:
        if list(test_case._databases_names(include_mirrors=False)) != [DEFAULT_DB_ALIAS]:
            flush(test_case)
            return
        connection.ensure_connection()
        blank.backup(connection.connection)
        ContentType.objects.clear_cache()

    patch = pytest.MonkeyPatch()
    patch.setattr(TransactionTestCase, "_fixture_teardown", copy_back)
    yield
    patch.undo()
    blank.close()


@pytest.fixture
def demo(transactional_db, settings) -> str:
    """The seed's campaign with its demo accounts, on the demo's day; returns its slug."""
    settings.TAOLUN_DEMO = True
    settings.TAOLUN_TODAY = DEMO_TODAY
    _load_demo()
    return DEMO_CAMPAIGN


def zh(msgid: str, context: str | None = None) -> str:
    """What the Chinese UI shows for an English msgid (the msgid itself if untranslated),
    in ``context`` when the msgid has one."""
    from django.utils import translation

    with translation.override("zh-hans"):
        if context is not None:
            return translation.pgettext(context, msgid)
        return translation.gettext(msgid)


def logout(page) -> None:
    """Sign out with the header's button (a POST form)."""
    with page.expect_navigation():
        page.locator("header form[action$='/logout/'] button[type=submit]").click()


def todo_count(page) -> int:
    """The number in the header's to-do counter of the current page."""
    text = page.get_by_test_id("todo-count").text_content() or ""
    match = re.match(r"\s*(\d+)", text)
    assert match, f"no number in the to-do counter: {text!r}"
    return int(match.group(1))


def sign_in(page, live_server, username: str) -> None:
    """Give the page's context a signed-in session, without the login form (it has its tests)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(
        get_user_model().objects.get(username=username),
        backend="taolun.org.backends.ModelBackend",
    )
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


# -- Pages checked in one walk --------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page as one person sees it: who (``""`` for an anonymous visitor) and where."""

    name: str
    user: str
    url: Callable[[], str]
    #: For a form shown with its errors: the fields to empty, then the button that sends it.
    empty: tuple[str, ...] = ()
    button: str = "main form button[type=submit] >> nth=-1"
    #: The url adds to the demo (a draft, a file): a walk opens it after the read-only pages.
    writes: bool = False

    def __str__(self) -> str:
        return self.name


def open_page(page, live_server, spec: Page) -> None:
    """Sign in as the page's person in this context and open the page (200 expected)."""
    page.context.clear_cookies()
    if spec.user:
        sign_in(page, live_server, spec.user)
    goto(page, live_server, spec)


def goto(page, live_server, spec: Page) -> None:
    response = page.goto(f"{live_server.url}{spec.url()}")
    assert response.status == 200, f"{spec}: {response.status} at {page.url}"


def submit_empty(page, spec: Page) -> None:
    """Empty the spec's fields (a select box to its empty choice), send the form, and check
    that each field shows its error and the summary is announced."""
    for selector in spec.empty:
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, "")
        else:
            page.fill(selector, "")
    with page.expect_navigation():
        page.locator(spec.button).click()
    errors = page.locator("#form-errors")
    assert errors.is_visible(), f"{spec}: no error summary after sending an empty form"
    assert errors.get_attribute("role") == "alert"
    for selector in spec.empty:
        assert page.locator(f"{selector}_error").is_visible(), f"{spec}: no error at {selector}"
        assert page.locator(selector).get_attribute("aria-invalid") == "true", selector


def users_of(pages: Iterable[Page]) -> list[str]:
    """The people of ``pages`` in order of first appearance: one walk, and one test, each."""
    return list(dict.fromkeys(spec.user for spec in pages))


def check_pages(page, live_server, specs: Iterable[Page], check: Callable) -> None:
    """Open each page in turn, as its person, and run ``check(page, spec)`` on it; then fail
    once, naming every page that failed with its reason.

    A test per page spent most of its time on a fresh database and browser context; a walk
    pays for them once. A failing page does not stop the walk, so one run still names every
    failing page and checks all the others. Read-only pages come first, in their order, so
    that each is seen as the demo has it; pages whose url adds data come last.
    """
    from playwright.sync_api import Error as PlaywrightError

    ordered = sorted(specs, key=lambda spec: spec.writes)
    failures: list[str] = []
    signed_in: str | None = None
    for spec in ordered:
        try:
            if spec.user != signed_in:
                signed_in = None
                page.context.clear_cookies()
                if spec.user:
                    sign_in(page, live_server, spec.user)
                signed_in = spec.user
            goto(page, live_server, spec)
            check(page, spec)
        except (AssertionError, PlaywrightError, pytest.fail.Exception) as error:
            failures.append(f"[{spec}] {type(error).__name__}: {error}")
    if failures:
        pytest.fail(
            f"{len(failures)} of {len(ordered)} pages failed:\n\n" + "\n\n".join(failures),
            pytrace=False,
        )


WIDE_TABLES = """() => Array.from(document.querySelectorAll('table'))
  .filter(t => t.getBoundingClientRect().right > window.innerWidth + 1
               || t.scrollWidth > document.documentElement.clientWidth)
  .filter(t => !t.closest('.table-responsive'))
  .map(t => t.querySelector('caption')?.textContent.trim() || t.outerHTML.slice(0, 80))"""

DUPLICATE_IDS = """() => {
    const seen = {};
    document.querySelectorAll('[id]').forEach(el => seen[el.id] = (seen[el.id] || 0) + 1);
    return Object.keys(seen).filter(id => seen[id] > 1);
}"""


# What a form's Tab key should reach: its enabled, shown fields and buttons, by id or name.
FOCUSABLE = """(root) => Array.from(root.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])'
  )).filter(el => !el.disabled && el.getClientRects().length > 0)
    .map(el => el.id || el.name || el.textContent.trim())"""

# Where the focus is after a Tab, and whether it shows.
STEP = """async (selector) => {
  const el = document.activeElement;
  const form = document.querySelector(selector);
  const look = () => {
    const style = getComputedStyle(el);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
      || style.boxShadow !== 'none';
  };
  // Focus styles may fade in (Bootstrap's box-shadow transition): give them a few frames.
  let visible = look();
  for (let frame = 0; frame < 30 && !visible; frame++) {
    await new Promise(resolve => requestAnimationFrame(resolve));
    visible = look();
  }
  return {
    key: el.id || el.name || el.textContent.trim(),
    inForm: !!form && form.contains(el),
    visible,
  };
}"""


def tab_through_form(page, form: str, stops: str = FOCUSABLE, limit: int = 250) -> None:
    """From the top of the page, Tab reaches each of the form's ``stops`` in order, each with
    a visible focus indicator (a date input takes several Tabs: year, month, day)."""
    expected = page.locator(form).evaluate(stops)
    assert expected, f"nothing to focus in {form}"
    focus_document_start(page)
    visited: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(STEP, form)
        if not active["inForm"]:
            if visited:
                break
            continue
        if visited and visited[-1] == active["key"]:
            continue
        assert active["visible"], f"no visible focus on {active['key']}"
        visited.append(active["key"])
    assert visited == expected


def fits_a_phone(page, spec: Page) -> None:
    """No sideways scroll on a phone: a wide table scrolls inside its own .table-responsive
    box, never the page; and the page passes axe at that width."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], spec
    assert page.evaluate(WIDE_TABLES) == [], spec
    axe_check(page)


def tiny_png() -> bytes:
    """A real 2×2 RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xb0\x1a\x1a" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def tiny_pdf() -> bytes:
    """A real one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def page_basics(page, spec: Page, *, unique_ids: bool = True) -> None:
    """What every checked page must be, after an empty send of its form when ``spec`` has
    one: in Chinese, with one h1 and (``unique_ids``) unique element ids — labels, error links
    and aria-describedby depend on them."""
    if spec.empty:
        submit_empty(page, spec)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").count() == 1, "not exactly one h1"
    if unique_ids:
        duplicates = page.evaluate(DUPLICATE_IDS)
        assert duplicates == [], f"duplicate ids {duplicates}"
