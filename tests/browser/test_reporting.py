"""Reporting in the browser, on the seed's demo: the brief's path of issue 5.

机关第一党支部's contact writes a brief and sends it for sign-off; the leader signs it off;
the contact submits it; the federation's office adopts it under an edited title (by keyboard
alone) and forwards it; the province's office adopts it at level 2; the federation's office
marks it for the portal and records it published; an anonymous visitor then finds it on the
public page, its item page and the Atom feed, where an unpublished demo brief never shows.
axe-core checks every page the flow lands on.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.utils import translation

from taolun.reporting.demo_briefs import TITLE_SUBMITTED
from taolun.reporting.models import Brief, BriefState, Publication, PublicationState, ReviewState
from tests.browser.conftest import DEMO_CAMPAIGN, axe_check, focus_document_start, sign_in, zh
from tests.browser.test_participation import tab_to

pytestmark = pytest.mark.browser

BRIEFS = f"/reporting/{DEMO_CAMPAIGN}/briefs/"
PROVINCE_BRIEFS = "/reporting/shanxi-2019/briefs/"
UNIT = "sxdpf-branch-1"
TITLE = "机关第一党支部开展“改革创新、奋发有为”大讨论主题党日活动"
EDITED_TITLE = "省残联机关第一党支部主题党日聚焦“六个破除”"
TEXT = (
    "5月17日,机关第一党支部组织全体党员开展“改革创新、奋发有为”大讨论主题党日活动。"
    "党员们围绕“六个破除”逐条对照检查,查摆问题五条,明确整改措施八项。"
)
PHONE = "0351-4046100"
LINK = "https://www.sxdpf.org.cn/news/2019/0520.html"


def path_of(page) -> str:
    return urlsplit(page.url).path


def state_label(state: str) -> str:
    with translation.override("zh-hans"):
        return str(BriefState(state).label)


def review_label(state: str) -> str:
    with translation.override("zh-hans"):
        return str(ReviewState(state).label)


def as_user(new_page, live_server, username: str):
    """A fresh browser, signed in as ``username``."""
    page = new_page()
    sign_in(page, live_server, username)
    return page


def click(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_a_brief_goes_from_a_branch_to_the_province_and_onto_the_public_page(
    new_page, live_server, demo
):
    # -- a) the contact writes the brief and sends it for sign-off ------------------------
    contact = as_user(new_page, live_server, "contact1")
    contact.goto(f"{live_server.url}{BRIEFS}")
    axe_check(contact)
    click(contact, contact.locator("main").get_by_role("link", name=zh("Write a brief")))
    assert path_of(contact) == f"{BRIEFS}new/"
    axe_check(contact)
    unit = contact.get_by_label(zh("Reporting unit"))
    assert unit.locator("option:checked").inner_text() == "机关第一党支部"
    contact.get_by_label(zh("Title"), exact=True).fill(TITLE)
    contact.get_by_label(zh("Text"), exact=True).fill(TEXT)
    contact.get_by_label(zh("Contact phone")).fill(PHONE)
    click(contact, contact.get_by_role("button", name=zh("Save as draft"), exact=True))

    brief = Brief.objects.get(title=TITLE)
    assert (brief.unit.slug, brief.phone, brief.state) == (UNIT, PHONE, BriefState.DRAFT)
    assert path_of(contact) == brief.get_absolute_url()
    assert contact.locator("h1").inner_text() == TITLE
    axe_check(contact)
    click(contact, contact.get_by_role("button", name=zh("Send for sign-off"), exact=True))
    brief.refresh_from_db()
    assert brief.state == BriefState.SIGNING
    assert state_label(BriefState.SIGNING) in contact.locator("main").inner_text()
    axe_check(contact)

    # -- b) the leader finds it among those to sign off and signs it ----------------------
    leader = as_user(new_page, live_server, "leader")
    leader.goto(f"{live_server.url}{BRIEFS}")
    to_sign = leader.locator("section[aria-labelledby=to-sign-heading]")
    axe_check(leader)
    click(leader, to_sign.get_by_role("link", name=TITLE, exact=True))
    axe_check(leader)
    click(leader, leader.get_by_role("button", name=zh("Sign off"), exact=True))
    brief.refresh_from_db()
    assert brief.state == BriefState.SIGNED and brief.signed_by.username == "leader"
    axe_check(leader)

    # -- c) the contact submits it to the office -------------------------------------------
    contact.reload()
    click(contact, contact.get_by_role("button", name=zh("Submit"), exact=True))
    brief.refresh_from_db()
    assert brief.state == BriefState.SUBMITTED
    axe_check(contact)

    # -- d) the office adopts it under an edited title, by keyboard alone ------------------
    office = as_user(new_page, live_server, "office")
    office.goto(f"{live_server.url}{BRIEFS}")
    axe_check(office)
    received = office.locator("section[aria-labelledby=received-heading]")
    click(office, received.get_by_role("link", name=TITLE, exact=True))
    assert path_of(office) == brief.get_absolute_url()
    level1 = brief.reviews.get(level=1)
    focus_document_start(office)
    tab_to(office, f"main a[href='/reporting/briefs/reviews/{level1.pk}/decide/']", limit=200)
    with office.expect_navigation():
        office.keyboard.press("Enter")
    assert path_of(office) == f"/reporting/briefs/reviews/{level1.pk}/decide/"
    axe_check(office)
    focus_document_start(office)
    tab_to(office, "#id_decision_0")  # the radio group: the first choice, "Adopt"
    office.keyboard.press("Space")
    assert office.locator("#id_decision_0").is_checked()
    tab_to(office, "#id_title", limit=5)  # past the comments
    office.keyboard.press("ControlOrMeta+a")
    office.keyboard.type(EDITED_TITLE)
    tab_to(office, "main form button[type=submit]", limit=5)
    with office.expect_navigation():
        office.keyboard.press("Enter")

    level1.refresh_from_db()
    assert level1.state == ReviewState.ADOPTED and level1.title == EDITED_TITLE
    brief.refresh_from_db()
    assert brief.title == TITLE  # the original is kept
    assert path_of(office) == brief.get_absolute_url()
    axe_check(office)

    # -- e) … and forwards it to the province ---------------------------------------------
    reviews = office.locator("section[aria-labelledby=reviews-heading]")
    click(office, reviews.get_by_role("link", name=re.compile("^" + re.escape(zh("Forward")))))
    assert path_of(office) == f"/reporting/briefs/reviews/{level1.pk}/forward/"
    assert office.get_by_label(zh("Title sent up")).input_value() == EDITED_TITLE
    axe_check(office)
    click(office, office.locator("main form").get_by_role("button", name=zh("Forward")))
    level2 = brief.reviews.get(level=2)
    assert level2.state == ReviewState.PENDING and level2.campaign.slug == "shanxi-2019"
    axe_check(office)

    # -- f) the province's office adopts it at level 2 -------------------------------------
    province = as_user(new_page, live_server, "province")
    province.goto(f"{live_server.url}{PROVINCE_BRIEFS}")
    axe_check(province)
    received = province.locator("section[aria-labelledby=received-heading]")
    click(province, received.get_by_role("link", name=TITLE, exact=True))
    axe_check(province)
    click(
        province,
        province.locator("main").get_by_role("link", name=re.compile(re.escape(zh("Decide")))),
    )
    assert province.locator("#received-heading ~ div").inner_text().startswith(EDITED_TITLE)
    axe_check(province)
    province.get_by_label(zh("Adopt"), exact=True).check()
    click(province, province.get_by_role("button", name=zh("Record the decision")))
    level2.refresh_from_db()
    assert level2.state == ReviewState.ADOPTED
    axe_check(province)

    # Each level's decision and its date show on the brief's page.
    for viewer in (province, office):
        viewer.goto(f"{live_server.url}{brief.get_absolute_url()}")
        rows = viewer.locator("section[aria-labelledby=reviews-heading] tbody tr")
        assert rows.count() == 2
        for number, row in enumerate((rows.nth(0), rows.nth(1)), start=1):
            cells = row.locator("th, td").all_inner_texts()
            assert cells[0] == str(number)
            assert review_label(ReviewState.ADOPTED) in cells[3]
            assert cells[4] == "2019-05-20"

    # -- g) the office marks it for the portal and records it published --------------------
    office.goto(f"{live_server.url}/reporting/{DEMO_CAMPAIGN}/publicity/")
    axe_check(office)
    card = office.locator(f"#mark-brief-{brief.pk}")
    assert EDITED_TITLE in card.inner_text()
    card.get_by_label("门户网站").check()
    click(office, card.get_by_role("button", name=zh("Mark for publication")))
    publication = Publication.objects.get(brief=brief)
    assert publication.state == PublicationState.PLANNED
    assert publication.title == EDITED_TITLE
    axe_check(office)
    table = office.locator("section[aria-labelledby=publications-heading] table")
    click(office, table.get_by_role("link", name=EDITED_TITLE, exact=True))
    assert path_of(office) == f"/reporting/publications/{publication.pk}/"
    axe_check(office)
    assert office.get_by_label(zh("Published on")).input_value() == "2019-05-20"
    office.get_by_label(zh("Link to the post")).fill(LINK)
    click(office, office.get_by_role("button", name=zh("Record as published")))
    publication.refresh_from_db()
    assert publication.state == PublicationState.PUBLISHED and publication.link == LINK
    assert str(publication.published_on) == "2019-05-20"
    axe_check(office)

    # -- h) an anonymous visitor finds it on the public page --------------------------------
    visitor = new_page()
    visitor.goto(f"{live_server.url}/public/")
    axe_check(visitor)
    assert TITLE_SUBMITTED not in visitor.content()
    click(visitor, visitor.locator("main").get_by_role("link", name=EDITED_TITLE, exact=True))
    assert path_of(visitor) == f"/public/briefs/{brief.pk}/"
    assert visitor.locator("h1").inner_text() == EDITED_TITLE
    assert "六个破除" in visitor.locator("main").inner_text()
    assert visitor.locator(f"main a[href='{LINK}']").count() == 1
    axe_check(visitor)
    feed = visitor.request.get(f"{live_server.url}/public/feed.atom")
    assert feed.ok and "atom" in feed.headers["content-type"]
    assert EDITED_TITLE in feed.text()
    assert f"/public/briefs/{brief.pk}/" in feed.text()
    assert TITLE_SUBMITTED not in feed.text()
    assert TITLE not in feed.text()  # the unit's own title was edited on the way up
