"""Participation in the browser, on the seed's demo: the flow of issue 4.

The demo member logs study by keyboard alone from their personal page, writes a long
reflection (a first try without a title loses nothing), and posts an anonymous opinion that
another user cannot trace to them; the office classifies and answers it, and the member reads
the answer; the unit contact sees the member counted in the unit's completion; the office
records the opinion as a ledger problem that links back to it. axe-core checks every page the
flow lands on.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import translation

from taolun.core.demo import DEMO_PASSWORD
from taolun.discussion.models import Opinion, Topic
from taolun.org.models import User
from taolun.rectification.models import Problem
from taolun.study.models import Reflection, StudyLog, StudyMaterial
from tests.browser.conftest import (
    DEMO_CAMPAIGN,
    axe_check,
    focus_document_start,
    is_focused,
    login,
    zh,
)
from tests.browser.test_accessibility import ACTIVE

pytestmark = pytest.mark.browser

STUDY = f"/study/{DEMO_CAMPAIGN}"
DISCUSSION = f"/discussion/{DEMO_CAMPAIGN}"
UNIT = "sxdpf-branch-1"
MATERIAL = "《习近平新时代中国特色社会主义思想三十讲》"
NOTE = "通读第一讲至第三讲,做了学习笔记"
REFLECTION_TITLE = "以“六个破除”对照检查自身工作的体会"
OPINION = "建议每季度公开一次“大讨论”意见建议的办理情况,接受干部职工监督。"
ANSWER = "感谢您的建议。领导小组办公室将每季度在门户网站公开意见建议办理情况。"


def long_reflection(length: int = 3000) -> str:
    """A reflection of ``length`` Chinese characters in paragraphs, as a cadre would write it."""
    sentences = [
        "通过学习动员部署会讲话精神,我深刻认识到开展“改革创新、奋发有为”大讨论的重大意义。",
        "对照“六个破除、六个着力、六个坚持”,我在改革意识、创新精神和工作标杆上还有明显差距。",
        "今后要坚持问题导向,把残疾人的事当成自己的事,以钉钉子精神抓好各项工作落实。",
    ]
    text = ""
    while len(text) < length:
        text += "".join(sentences) + "\n"
    return text[:length]


def tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until ``selector`` has the focus: it is reachable by keyboard, and visibly so."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(target):
            active = page.evaluate(ACTIVE)
            assert active["outline"] or active["shadow"], f"no visible focus on {selector}"
            return
    pytest.fail(f"{selector} was not reached in {limit} presses of Tab on {page.url}")


def follow_by_keyboard(page, selector: str) -> None:
    """Tab from the top of the page to a link or button and press Enter on it."""
    focus_document_start(page)
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def path_of(page) -> str:
    return urlsplit(page.url).path


def written(count: int) -> str:
    """The completion page's words for a person with ``count`` reflections."""
    with translation.override("zh-hans"):
        return translation.ngettext("Written (%(counter)s)", "Written (%(counter)s)", count) % {
            "counter": count
        }


def test_member_studies_reflects_and_gives_an_opinion_that_the_office_handles(
    new_page, live_server, demo
):
    member = User.objects.get(username="member")
    material = StudyMaterial.objects.get(campaign__slug=DEMO_CAMPAIGN, title=MATERIAL)
    assert material.required

    # -- a) from the personal page, log study of a required material by keyboard alone ------
    page = new_page()
    login(page, live_server, "member", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{STUDY}/me/")
    axe_check(page)
    main = page.locator("main")
    row = main.locator("tr").filter(has=page.get_by_role("link", name=MATERIAL, exact=True))
    assert zh("Required") in row.inner_text()
    assert zh("Studied") not in row.inner_text()

    follow_by_keyboard(page, f"main a[href='{material.get_absolute_url()}']")
    assert path_of(page) == material.get_absolute_url()
    axe_check(page)
    log_link = page.get_by_role("link", name=zh("Log study of this"))
    follow_by_keyboard(page, f"main a[href='{log_link.get_attribute('href')}']")
    assert path_of(page) == f"{STUDY}/log/new/"
    axe_check(page)
    # The material chosen on its page is already chosen here; the date is the demo's today.
    assert page.locator("#id_material").input_value() == str(material.pk)
    assert page.locator("#id_studied_on").input_value() == "2019-05-20"
    focus_document_start(page)
    tab_to(page, "#id_material")
    tab_to(page, "#id_minutes", limit=10)  # through "other reading" and the date's parts
    page.keyboard.type("45")
    page.keyboard.press("Tab")
    assert is_focused(page.locator("#id_note"))
    page.keyboard.type(NOTE)
    tab_to(page, "main form button[type=submit]", limit=3)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert path_of(page) == f"{STUDY}/me/"
    log = StudyLog.objects.get(person=member, material=material)
    assert (log.minutes, log.note, str(log.studied_on)) == (45, NOTE, "2019-05-20")
    row = main.locator("tr").filter(has=page.get_by_role("link", name=MATERIAL, exact=True))
    assert zh("Studied") in row.nth(0).inner_text()
    logs = main.locator("section[aria-labelledby=logs-heading]")
    assert MATERIAL in logs.inner_text() and "45" in logs.inner_text()
    axe_check(page)

    # -- b) a long reflection: a missing title loses nothing of the text ------------------
    follow_by_keyboard(page, f"main a[href='{STUDY}/reflections/new/']")
    axe_check(page)
    body = long_reflection()
    page.locator("#id_material").select_option(str(material.pk))
    page.locator("#id_body").fill(body)
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Submit"), exact=True).click()

    assert path_of(page) == f"{STUDY}/reflections/new/"
    assert not Reflection.objects.filter(author=member).exists()
    summary = page.locator("#form-errors")
    assert summary.is_visible() and summary.get_attribute("role") == "alert"
    assert summary.get_by_role("link", name=zh("Title"), exact=True).count() == 1
    assert page.locator("#id_title_error").is_visible()
    assert page.locator("#id_title").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_body").input_value() == body  # every one of the 3,000 characters
    assert page.locator("#id_material").input_value() == str(material.pk)
    axe_check(page)
    page.locator("#id_title").fill(REFLECTION_TITLE)
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Submit"), exact=True).click()

    reflection = Reflection.objects.get(author=member, title=REFLECTION_TITLE)
    assert path_of(page) == reflection.get_absolute_url()
    assert reflection.is_submitted and reflection.material == material
    assert body.split("\n")[0] in reflection.body
    assert page.locator("h1").inner_text() == REFLECTION_TITLE
    axe_check(page)

    # -- c) an anonymous opinion on an open topic: nobody else sees who wrote it -----------
    topic = Topic.objects.get(campaign__slug=DEMO_CAMPAIGN, theme__number=3)
    page.goto(f"{live_server.url}{DISCUSSION}/")
    axe_check(page)
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=topic.question).click()
    axe_check(page)
    post = page.locator("#post")
    post.get_by_label(zh("Kind"), exact=True).select_option("suggestion")
    post.get_by_label(zh("Your opinion")).fill(OPINION)
    post.get_by_label(zh("Post anonymously")).check()
    with page.expect_navigation():
        post.get_by_role("button", name=zh("Post"), exact=True).click()

    opinion = Opinion.objects.get(topic=topic, body__contains=OPINION)
    assert opinion.anonymous and opinion.author == member
    # The audit trail keeps who wrote it.
    created = LogEntry.objects.get_for_object(opinion).get(action=LogEntry.Action.CREATE)
    assert created.actor == member
    assert path_of(page) == topic.get_absolute_url()
    mine = page.locator(f"#opinion-{opinion.pk}")
    assert zh("posted anonymously") in mine.inner_text()  # the author is told, and only them
    axe_check(page)

    peer = new_page()
    login(peer, live_server, "contact1", DEMO_PASSWORD)
    peer.goto(f"{live_server.url}{topic.get_absolute_url()}")
    seen = peer.locator(f"#opinion-{opinion.pk}")
    assert OPINION in seen.inner_text()
    assert zh("Anonymous") in seen.inner_text()
    assert member.name not in peer.content()
    assert member.unit.display_name not in seen.inner_text()
    axe_check(peer)

    # -- d) the office classifies and answers it from its inbox -----------------------------
    office = new_page()
    login(office, live_server, "office", DEMO_PASSWORD)
    office.goto(f"{live_server.url}{DISCUSSION}/opinions/?state=unclassified")
    axe_check(office)
    assert member.name not in office.content()
    with translation.override("zh-hans"):
        label = f"{opinion.get_kind_display()} #{opinion.pk}"
    with office.expect_navigation():
        office.locator("main").get_by_role("link", name=label, exact=True).click()
    assert path_of(office) == topic.get_absolute_url()
    handled = office.locator(f"#opinion-{opinion.pk}")
    assert member.name not in office.content()
    handled.locator("summary").click()
    axe_check(office)
    handled.get_by_label(zh("Theme")).select_option(str(topic.theme_id))
    with office.expect_navigation():
        handled.get_by_role("button", name=zh("Classify"), exact=True).click()
    opinion.refresh_from_db()
    assert opinion.theme_id == topic.theme_id
    handled.locator("summary").click()
    handled.get_by_label(zh("Answer"), exact=True).fill(ANSWER)
    with office.expect_navigation():
        handled.get_by_role("button", name=zh("Save the answer"), exact=True).click()
    opinion.refresh_from_db()
    assert ANSWER in opinion.answer and opinion.answered_at is not None
    axe_check(office)

    page.reload()
    mine = page.locator(f"#opinion-{opinion.pk}")
    assert ANSWER in mine.inner_text()
    assert topic.theme.break_with in mine.inner_text()
    axe_check(page)

    # -- e) the unit contact sees the member counted in the unit's completion ---------------
    peer.goto(f"{live_server.url}{STUDY}/units/{UNIT}/")
    axe_check(peer)
    person_row = peer.locator("main tbody tr").filter(
        has=peer.get_by_role("rowheader", name=member.name, exact=True)
    )
    assert person_row.count() == 1
    assert written(1) in person_row.inner_text()
    without = peer.get_by_label(zh("Only those without a reflection"))
    assert without.count() == 1
    without.check()
    with peer.expect_navigation():
        peer.locator("main form").get_by_role("button", name=zh("Apply")).click()
    assert "without_reflection=on" in peer.url
    assert peer.get_by_role("rowheader", name=member.name, exact=True).count() == 0
    axe_check(peer)

    # -- f) the office records the opinion as a ledger problem that links back to it --------
    office.goto(f"{live_server.url}{DISCUSSION}/opinions/?topic={topic.pk}")
    row = office.locator("main tbody tr").filter(
        has=office.get_by_role("link", name=label, exact=True)
    )
    with office.expect_navigation():
        row.get_by_role("link", name=re.compile("^" + re.escape(zh("Record as a problem")))).click()
    assert path_of(office) == f"/ledger/{DEMO_CAMPAIGN}/new/"
    assert OPINION in office.locator("#id_description").input_value()
    axe_check(office)
    office.get_by_label(zh("Overall deadline")).fill("2019-06-30")
    with office.expect_navigation():
        office.get_by_role("button", name=zh("Save as draft"), exact=True).click()

    problem = Problem.objects.get(source_id=opinion.pk, source_type__model="opinion")
    assert path_of(office) == reverse("rectification:problem", args=[problem.pk])
    assert OPINION in problem.description
    assert member.name not in office.content()
    back = office.locator("main").get_by_role("link", name=re.compile(re.escape(label)))
    assert back.get_attribute("href") == opinion.get_absolute_url()
    axe_check(office)
    with office.expect_navigation():
        back.click()
    assert path_of(office) == topic.get_absolute_url()
    assert problem.ledger_number in office.locator(f"#opinion-{opinion.pk}").inner_text()
