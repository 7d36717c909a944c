"""Every page of the Reporting issue (briefs, counts and league tables, publicity, the public
page, typical cases, institutional outcomes, bulletins, the summary and the printable
documents) passes axe-core (WCAG 2.1 A/AA) as the people who use it see it, on the seed's
demo, with one h1 and the Chinese language; forms also once sent back with their errors.
The public pages are opened by an anonymous visitor.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from taolun.reporting.demo_briefs import (
    EDITED_TITLE,
    TITLE_ADOPTED,
    TITLE_ADOPTED_EDITED,
    TITLE_DRAFT,
    TITLE_PROVINCE_ADOPTED,
    TITLE_PROVINCE_PENDING,
    TITLE_RETURNED,
    TITLE_SIGNED,
    TITLE_SIGNING,
    TITLE_SUBMITTED,
)
from taolun.reporting.demo_cases import CASE_APPROVED, CASE_NOMINATED, OUTCOME_CONDUCT
from taolun.reporting.demo_stats import LEAGUE_TITLE
from taolun.reporting.models import (
    Brief,
    BriefReview,
    InstitutionalOutcome,
    LeagueTable,
    Publication,
    PublicationState,
    TypicalCase,
)
from tests.browser.conftest import (
    DEMO_CAMPAIGN,
    PHONE,
    Page,
    axe_check,
    check_pages,
    fits_a_phone,
    open_page,
    page_basics,
    tab_through_form,
    users_of,
)

pytestmark = pytest.mark.browser

R = f"/reporting/{DEMO_CAMPAIGN}"
PROVINCE = "/reporting/shanxi-2019"
DOCUMENTS = f"/campaigns/{DEMO_CAMPAIGN}/documents"
ANONYMOUS = ""  # a Page's user: nobody signs in


def brief(title: str) -> int:
    return Brief.objects.get(campaign__slug=DEMO_CAMPAIGN, title=title).pk


def review(title: str, level: int) -> int:
    return BriefReview.objects.get(brief__title=title, level=level).pk


def forwardable() -> int:
    """A level-1 review adopted and not yet forwarded: the office may send it up."""
    return BriefReview.objects.get(brief__title=TITLE_ADOPTED, level=1).pk


def publication(state: str = PublicationState.PUBLISHED) -> Publication:
    return (
        Publication.objects.filter(campaign__slug=DEMO_CAMPAIGN, state=state, brief__isnull=False)
        .order_by("pk")
        .first()
    )


def case(name: str) -> int:
    return TypicalCase.objects.get(campaign__slug=DEMO_CAMPAIGN, name=name).pk


def outcome() -> InstitutionalOutcome:
    return InstitutionalOutcome.objects.get(campaign__slug=DEMO_CAMPAIGN, title=OUTCOME_CONDUCT)


def answered_problem() -> int:
    return outcome().problems.order_by("pk").first().pk


def league() -> int:
    return LeagueTable.objects.get(campaign__slug=DEMO_CAMPAIGN, title=LEAGUE_TITLE).pk


PAGES = [
    # -- briefs -----------------------------------------------------------------------------
    Page("hub-contact", "contact1", lambda: f"{R}/briefs/"),
    Page("hub-office", "office", lambda: f"{R}/briefs/"),
    Page("hub-leader", "leader", lambda: f"{R}/briefs/"),
    Page("hub-province", "province", lambda: f"{PROVINCE}/briefs/"),
    Page("brief-draft", "contact2", lambda: f"/reporting/briefs/{brief(TITLE_DRAFT)}/"),
    Page("brief-signing-leader", "leader", lambda: f"/reporting/briefs/{brief(TITLE_SIGNING)}/"),
    Page("brief-signed", "contact1", lambda: f"/reporting/briefs/{brief(TITLE_SIGNED)}/"),
    Page("brief-submitted", "office", lambda: f"/reporting/briefs/{brief(TITLE_SUBMITTED)}/"),
    Page("brief-returned", "contact2", lambda: f"/reporting/briefs/{brief(TITLE_RETURNED)}/"),
    Page("brief-edited", "office", lambda: f"/reporting/briefs/{brief(TITLE_ADOPTED_EDITED)}/"),
    Page(
        "brief-province-adopted",
        "province",
        lambda: f"/reporting/briefs/{brief(TITLE_PROVINCE_ADOPTED)}/",
    ),
    Page("brief-create", "contact1", lambda: f"{R}/briefs/new/"),
    Page(
        "brief-create-errors",
        "contact1",
        lambda: f"{R}/briefs/new/",
        empty=("#id_body",),
    ),
    Page("brief-edit", "contact2", lambda: f"/reporting/briefs/{brief(TITLE_DRAFT)}/edit/"),
    Page(
        "brief-edit-errors",
        "contact2",
        lambda: f"/reporting/briefs/{brief(TITLE_DRAFT)}/edit/",
        empty=("#id_body",),
    ),
    Page(
        "decide",
        "office",
        lambda: f"/reporting/briefs/reviews/{review(TITLE_SUBMITTED, 1)}/decide/",
    ),
    Page(
        "decide-province",
        "province",
        lambda: f"/reporting/briefs/reviews/{review(TITLE_PROVINCE_PENDING, 2)}/decide/",
    ),
    Page("forward", "office", lambda: f"/reporting/briefs/reviews/{forwardable()}/forward/"),
    # -- counts, quotas, points and league tables --------------------------------------------
    Page("stats-office", "office", lambda: f"{R}/stats/"),
    Page("stats-contact", "contact1", lambda: f"{R}/stats/"),
    Page("quotas", "office", lambda: f"{R}/stats/quotas/"),
    Page("points", "office", lambda: f"{R}/stats/points/"),
    Page("shortfalls", "office", lambda: f"{R}/stats/shortfalls/"),
    Page("league", "office", lambda: f"{R}/league/"),
    Page("league-table", "contact1", lambda: f"{R}/league/{league()}/"),
    # -- publicity and the public page --------------------------------------------------------
    Page("publicity", "office", lambda: f"{R}/publicity/"),
    Page(
        "publication-published",
        "office",
        lambda: f"/reporting/publications/{publication().pk}/",
    ),
    Page(
        "publication-planned",
        "office",
        lambda: f"/reporting/publications/{publication(PublicationState.PLANNED).pk}/",
    ),
    Page("public-index", ANONYMOUS, lambda: "/public/"),
    Page("public-brief", ANONYMOUS, lambda: f"/public/briefs/{publication().brief_id}/"),
    Page("public-case", ANONYMOUS, lambda: f"/public/cases/{case(CASE_APPROVED)}/"),
    # -- typical cases ------------------------------------------------------------------------
    Page("cases-office", "office", lambda: f"{R}/cases/"),
    Page("cases-contact", "contact1", lambda: f"{R}/cases/"),
    Page("case-approved", "contact1", lambda: f"/reporting/cases/{case(CASE_APPROVED)}/"),
    Page("case-decide", "office", lambda: f"/reporting/cases/{case(CASE_NOMINATED)}/"),
    Page("case-create", "contact1", lambda: f"{R}/cases/new/"),
    # -- institutional outcomes -------------------------------------------------------------------
    Page("outcomes", "office", lambda: f"{R}/outcomes/"),
    Page("outcomes-member", "member", lambda: f"{R}/outcomes/"),
    Page("outcome-detail", "contact1", lambda: f"/reporting/outcomes/{outcome().pk}/"),
    Page("outcome-create", "office", lambda: f"{R}/outcomes/new/"),
    Page(
        "outcome-create-errors",
        "office",
        lambda: f"{R}/outcomes/new/",
        empty=("#id_title", "#id_issued_on"),
    ),
    Page("outcome-edit", "office", lambda: f"/reporting/outcomes/{outcome().pk}/edit/"),
    Page(
        "problem-answered",
        "office",
        lambda: reverse("rectification:problem", args=[answered_problem()]),
    ),
    # -- bulletin, summary and the printable documents -------------------------------------------
    Page("bulletins", "office", lambda: f"{R}/bulletins/"),
    Page("bulletin", "office", lambda: f"{R}/bulletins/1/"),
    Page("summary", "office", lambda: f"{R}/summary/"),
    Page("summary-edit", "office", lambda: f"{R}/summary/edit/"),
    Page(
        "summary-edit-errors",
        "office",
        lambda: f"{R}/summary/edit/",
        empty=("#id_title",),
    ),
    Page("summary-assemble", "office", lambda: f"{R}/summary/assemble/"),
    Page("document-ledger", "office", lambda: f"{DOCUMENTS}/ledger/"),
    Page("document-brief", "office", lambda: f"{DOCUMENTS}/brief/"),
    Page("document-summary", "office", lambda: f"{DOCUMENTS}/summary/"),
]


# What some pages must show, and what they must never show (their scope), by page name.
SHOWS = {
    "hub-contact": lambda: [TITLE_SIGNED, TITLE_ADOPTED],
    "hub-province": lambda: [TITLE_PROVINCE_PENDING],
    "brief-edited": lambda: [TITLE_ADOPTED_EDITED, EDITED_TITLE],
    "public-index": lambda: [publication().title],
    "league-table": lambda: [LEAGUE_TITLE],
    "case-approved": lambda: [CASE_APPROVED],
    "outcome-detail": lambda: [OUTCOME_CONDUCT],
    "problem-answered": lambda: [OUTCOME_CONDUCT],
}
HIDES = {
    "hub-contact": lambda: [TITLE_DRAFT, TITLE_RETURNED],  # branch 2's
    "hub-province": lambda: [TITLE_DRAFT, TITLE_SUBMITTED, TITLE_ADOPTED],  # never forwarded
    "public-index": lambda: [
        TITLE_SUBMITTED,
        TITLE_DRAFT,
        publication(PublicationState.PLANNED).title,
        CASE_NOMINATED,
    ],
}


@pytest.mark.parametrize("user", users_of(PAGES), ids=lambda user: user or "anonymous")
def test_reporting_pages_pass_axe(page, live_server, demo, user):
    """Each of the person's pages (forms also sent back with their errors) is in Chinese, has
    one h1 and unique element ids, shows what it must and nothing outside its scope, and
    passes axe."""

    def check(page, spec: Page) -> None:
        page_basics(page, spec)
        main = page.locator("main").inner_text()
        for text in SHOWS.get(spec.name, list)():
            assert text in main, f"{text} is missing"
        for text in HIDES.get(spec.name, list)():
            assert text not in page.content(), f"{text} is shown"
        axe_check(page)

    check_pages(page, live_server, [p for p in PAGES if p.user == user], check)


# Forms whose errors come from a choice or from the service, not from an emptied field:
# (page spec name, fields to fill or choose first, the errors expected, the button).
ERROR_FORMS = [
    ("decide", {"#id_comment": "请补充活动照片。"}, ("#id_decision",), "main form button"),
    (
        "case-decide",
        {"#id_comment": "请补充典型事迹材料。"},
        ("#id_decision",),
        "main form[action$='/decide/'] button[type=submit]",
    ),
    ("case-create", {"#id_unit": "机关第一党支部"}, ("#id_name", "#id_story"), "main form button"),
]


def test_reporting_form_errors_pass_axe(page, live_server, demo):
    """Sent without a choice or a required text, each form says which field, keeps what was
    typed, and passes axe."""
    forms = {name: (fill, errors, button) for name, fill, errors, button in ERROR_FORMS}

    def check(page, spec: Page) -> None:
        fill, errors, button = forms[spec.name]
        for selector, value in fill.items():
            if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
                page.locator(selector).select_option(label=value)
            else:
                page.fill(selector, value)
        with page.expect_navigation():
            page.locator(button).last.click()
        assert page.locator("#form-errors").is_visible(), "no error summary"
        assert page.locator("#form-errors").get_attribute("role") == "alert"
        for selector in errors:
            assert page.locator(f"{selector}_error").is_visible(), f"no error at {selector}"
        for selector, value in fill.items():
            if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
                assert page.locator(f"{selector} option:checked").inner_text() == value
            else:
                assert page.locator(selector).input_value() == value
        assert page.locator("h1").count() == 1, "not exactly one h1"
        axe_check(page)

    check_pages(page, live_server, [p for p in PAGES if p.name in forms], check)


def test_publicity_mark_sent_empty_names_the_channels(page, live_server, demo):
    """Marking an item without a channel shows the error on that item's form, and passes axe."""
    open_page(page, live_server, next(p for p in PAGES if p.name == "publicity"))
    form = page.locator("main form[id^=mark-brief-]").first
    form_id = form.get_attribute("id")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    marked = page.locator(f"#{form_id}")
    assert marked.locator(".invalid-feedback").is_visible()
    assert page.locator("h1").count() == 1
    axe_check(page)


PHONE_PAGES = [
    Page("hub", "contact1", lambda: f"{R}/briefs/"),
    Page("public", ANONYMOUS, lambda: "/public/"),
    Page("stats", "contact1", lambda: f"{R}/stats/"),  # a wide table scrolls in its own box
]


def test_reporting_pages_fit_a_phone(new_page, live_server, demo):
    check_pages(new_page(viewport=PHONE), live_server, PHONE_PAGES, fits_a_phone)


# The form's tab stops: FOCUSABLE, with a radio group a single stop (its checked radio, or
# its first when none is checked), as the browser makes it; the arrow keys move inside it.
TAB_STOPS = """(root) => Array.from(root.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])'
  )).filter(el => !el.disabled && el.getClientRects().length > 0)
    .filter(el => {
      if (el.type !== 'radio') return true;
      const group = Array.from(root.querySelectorAll(`input[type=radio][name="${el.name}"]`));
      return el === (group.find(radio => radio.checked) || group[0]);
    })
    .map(el => el.id || el.name || el.textContent.trim())"""

KEYBOARD_FORMS = [("brief-create", "main form"), ("decide", "main form"), ("forward", "main form")]


def test_reporting_forms_by_keyboard(page, live_server, demo):
    """Tab from the top of the page reaches every field and button of each form, in order,
    each with a visible focus indicator."""
    forms = dict(KEYBOARD_FORMS)
    check_pages(
        page,
        live_server,
        [p for p in PAGES if p.name in forms],
        lambda page, spec: tab_through_form(page, forms[spec.name], TAB_STOPS),
    )
