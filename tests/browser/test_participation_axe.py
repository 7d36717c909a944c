"""Every page of the Participation issue (study, reflections, discussion, meetings) passes
axe-core (WCAG 2.1 A/AA) as the people who use it see it, on the seed's demo, and so do its
forms once sent back with their errors.

Meeting forms need a meeting whose record is still editable; the demo's meetings are all
accepted, so those pages use a draft 专题组织生活会 of 机关第一党支部 written through the
services, with the demo member and the unit's contact as attendees.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from taolun.activities.meetings import attendance_set, meeting_create, statement_create
from taolun.activities.models import Meeting, MeetingKind, StatementKind
from taolun.campaigns.models import ActionKind, Campaign
from taolun.core.demo_participation import (
    DLM_TITLE,
    SPEECH_MATERIAL_TITLE,
    STUDY_SESSION_TITLE,
)
from taolun.discussion.models import Opinion, Topic
from taolun.discussion.services import opinion_post
from taolun.org.models import Unit, User
from taolun.study.models import Reflection, StudyMaterial
from tests.browser.conftest import (
    DEMO_CAMPAIGN,
    FOCUSABLE,
    Page,
    axe_check,
    check_pages,
    page_basics,
    tab_through_form,
    users_of,
)

pytestmark = pytest.mark.browser

STUDY = f"/study/{DEMO_CAMPAIGN}"
DISCUSSION = f"/discussion/{DEMO_CAMPAIGN}"
MEETINGS = f"/meetings/{DEMO_CAMPAIGN}"
UNIT = "sxdpf-branch-1"
MOBILISATION = "省残联“改革创新、奋发有为”大讨论动员部署会"
DRAFT_MEETING = "机关第一党支部“改革创新、奋发有为”专题组织生活会(草稿)"


def user(username: str) -> User:
    return User.objects.get(username=username)


def material(title: str = SPEECH_MATERIAL_TITLE) -> int:
    return StudyMaterial.objects.get(campaign__slug=DEMO_CAMPAIGN, title=title).pk


def excellent_reflection() -> int:
    return Reflection.objects.get(campaign__slug=DEMO_CAMPAIGN, excellent=True).pk


def draft_reflection() -> Reflection:
    """sxdpf-pf-cadre's draft (学习体会(草稿)), which its author may still edit."""
    return Reflection.objects.get(campaign__slug=DEMO_CAMPAIGN, submitted_at__isnull=True)


def topic(theme: int = 6) -> int:
    """The topic of a theme; theme 6 has an anonymous opinion, an answer and a reply."""
    return Topic.objects.get(campaign__slug=DEMO_CAMPAIGN, theme__number=theme).pk


def opinion6() -> int:
    """The anonymous opinion on theme 6's topic, which has an answer and a reply."""
    return Opinion.objects.get(topic_id=topic(6), parent=None, anonymous=True).pk


def members_opinion() -> int:
    """An opinion of the demo member's own, not yet handled, so that they may edit it."""
    found = Opinion.objects.filter(author__username="member").first()
    if found is None:
        found = opinion_post(
            actor=user("member"),
            topic=Topic.objects.get(pk=topic(2)),
            body="<p>建议把创新项目的申报流程放到网上办理。</p>",
            kind="suggestion",
        )
    return found.pk


def meeting(title: str) -> int:
    return Meeting.objects.get(record__campaign__slug=DEMO_CAMPAIGN, record__title=title).pk


def dlm_record() -> int:
    return Meeting.objects.get(pk=meeting(DLM_TITLE)).record_id


def draft_meeting() -> Meeting:
    """机关第一党支部's organisational life meeting, still a draft, attended by the member."""
    found = Meeting.objects.filter(record__title=DRAFT_MEETING).first()
    if found is not None:
        return found
    contact = user("contact1")
    campaign = Campaign.objects.get(slug=DEMO_CAMPAIGN)
    found = meeting_create(
        actor=contact,
        kind=MeetingKind.objects.get(code="organisational-life"),
        action=campaign.actions.get(kind=ActionKind.PRESCRIBED, number=7),
        unit=Unit.objects.get(slug=UNIT),
        title=DRAFT_MEETING,
        held_on=dt.date(2019, 5, 10),
        place="省残联三楼会议室",
        chair=contact,
        theme="对照“六个破除”查找支部工作差距",
    )
    attendance_set(actor=contact, meeting=found, present=[user("member"), contact], absent=[])
    statement_create(
        actor=contact,
        meeting=found,
        kind=StatementKind.CRITICISM,
        speaker=contact,
        about=contact,
        text="<p>自我批评:支部组织生活不够经常。</p>",
    )
    return found


def draft_statement() -> int:
    return draft_meeting().statements.order_by("order", "id").first().pk


PAGES = [
    # -- study ----------------------------------------------------------------------------
    Page("study-index-member", "member", lambda: f"{STUDY}/"),
    Page("study-index-office", "office", lambda: f"{STUDY}/"),
    Page("material-create", "office", lambda: f"{STUDY}/materials/new/"),
    Page(
        "material-create-errors",
        "office",
        lambda: f"{STUDY}/materials/new/",
        empty=("#id_title",),
    ),
    Page("material-detail-member", "member", lambda: f"/study/materials/{material()}/"),
    Page("material-edit", "office", lambda: f"/study/materials/{material()}/edit/"),
    Page(
        "material-edit-errors",
        "office",
        lambda: f"/study/materials/{material()}/edit/",
        empty=("#id_title",),
    ),
    Page("log-create", "member", lambda: f"{STUDY}/log/new/?material={material()}"),
    Page(
        "log-create-errors",
        "member",
        lambda: f"{STUDY}/log/new/?material={material()}",
        empty=("#id_studied_on", "#id_minutes"),
    ),
    Page("reflections-member", "member", lambda: f"{STUDY}/reflections/"),
    Page("reflections-contact", "contact1", lambda: f"{STUDY}/reflections/?excellent=yes"),
    Page("reflection-create", "member", lambda: f"{STUDY}/reflections/new/"),
    Page(
        "reflection-create-errors",
        "member",
        lambda: f"{STUDY}/reflections/new/",
        empty=("#id_title", "#id_body"),
    ),
    Page(
        "reflection-detail-office",
        "office",
        lambda: reverse("study:reflection_detail", args=[excellent_reflection()]),
    ),
    Page(
        "reflection-edit-draft",
        "sxdpf-pf-cadre",
        lambda: reverse("study:reflection_edit", args=[draft_reflection().pk]),
    ),
    Page("completion-contact", "contact1", lambda: f"{STUDY}/units/{UNIT}/"),
    Page(
        "completion-without-reflection",
        "contact1",
        lambda: f"{STUDY}/units/{UNIT}/?without_reflection=on",
    ),
    Page("completion-office", "office", lambda: f"{STUDY}/units/sxdpf/"),
    Page("me-member", "member", lambda: f"{STUDY}/me/"),
    Page("me-studied", "xuguorui", lambda: f"{STUDY}/me/"),
    # -- discussion -------------------------------------------------------------------------
    Page("discussion-index-member", "member", lambda: f"{DISCUSSION}/"),
    Page("discussion-index-office", "office", lambda: f"{DISCUSSION}/"),
    Page("topic-create", "office", lambda: f"{DISCUSSION}/topics/new/"),
    Page(
        "topic-create-errors",
        "office",
        lambda: f"{DISCUSSION}/topics/new/",
        empty=("#id_question", "#id_closes_on"),
    ),
    Page("topic-edit", "office", lambda: f"/discussion/topics/{topic()}/edit/"),
    Page("topic-member", "member", lambda: f"/discussion/topics/{topic()}/"),
    Page(
        "topic-member-post-errors",
        "member",
        lambda: f"/discussion/topics/{topic()}/",
        empty=("#id_body",),
        button="#post form button[type=submit]",
    ),
    Page("topic-reply-form", "member", lambda: f"/discussion/topics/{topic()}/?reply={opinion6()}"),
    Page("topic-office", "office", lambda: f"/discussion/topics/{topic()}/"),
    Page("topic-contact", "contact1", lambda: f"/discussion/topics/{topic(1)}/"),
    Page("inbox", "office", lambda: f"{DISCUSSION}/opinions/"),
    Page("inbox-unclassified", "office", lambda: f"{DISCUSSION}/opinions/?state=unclassified"),
    Page(
        "opinion-edit",
        "member",
        lambda: reverse("discussion:opinion_edit", args=[members_opinion()]),
        writes=True,
    ),
    Page(
        "opinion-edit-errors",
        "member",
        lambda: reverse("discussion:opinion_edit", args=[members_opinion()]),
        empty=("#id_body",),
        writes=True,
    ),
    # -- meetings ---------------------------------------------------------------------------
    Page("meetings-index-office", "office", lambda: f"{MEETINGS}/"),
    Page("meetings-index-contact", "contact1", lambda: f"{MEETINGS}/?kind=organisational-life"),
    Page("meeting-create-contact", "contact1", lambda: f"{MEETINGS}/new/?kind=organisational-life"),
    Page("meeting-create-office", "office", lambda: f"{MEETINGS}/new/?kind=study-session"),
    Page(
        "meeting-create-errors",
        "contact1",
        lambda: f"{MEETINGS}/new/?kind=organisational-life",
        empty=("#id_title", "#id_held_on"),
    ),
    Page(
        "meeting-mobilisation",
        "leader",
        lambda: reverse("meetings:detail", args=[meeting(MOBILISATION)]),
    ),
    Page(
        "meeting-democratic-life",
        "office",
        lambda: reverse("meetings:detail", args=[meeting(DLM_TITLE)]),
    ),
    Page(
        "meeting-study-session",
        "leader",
        lambda: reverse("meetings:detail", args=[meeting(STUDY_SESSION_TITLE)]),
    ),
    Page(
        "meeting-draft-contact",
        "contact1",
        lambda: reverse("meetings:detail", args=[draft_meeting().pk]),
        writes=True,
    ),
    Page(
        "meeting-draft-attendee",
        "member",
        lambda: reverse("meetings:detail", args=[draft_meeting().pk]),
        writes=True,
    ),
    Page(
        "meeting-edit",
        "contact1",
        lambda: reverse("meetings:edit", args=[draft_meeting().pk]),
        writes=True,
    ),
    Page(
        "meeting-edit-errors",
        "contact1",
        lambda: reverse("meetings:edit", args=[draft_meeting().pk]),
        empty=("#id_title",),
        writes=True,
    ),
    Page(
        "attendance",
        "contact1",
        lambda: reverse("meetings:attendance", args=[draft_meeting().pk]),
        writes=True,
    ),
    Page(
        "statement-create",
        "contact1",
        lambda: reverse("meetings:statement_create", args=[draft_meeting().pk]),
        writes=True,
    ),
    Page(
        "statement-create-errors",
        "contact1",
        lambda: reverse("meetings:statement_create", args=[draft_meeting().pk]),
        empty=("#id_speaker",),
        writes=True,
    ),
    Page(
        "statement-edit",
        "contact1",
        lambda: reverse("meetings:statement_edit", args=[draft_statement()]),
        writes=True,
    ),
    Page(
        "check-material-attendee",
        "member",
        lambda: reverse("meetings:check_material", args=[draft_meeting().pk]),
        writes=True,
    ),
    Page(
        "check-material-errors",
        "member",
        lambda: reverse("meetings:check_material", args=[draft_meeting().pk]),
        empty=("#id_body",),
        button="main form button[name=submit]",
        writes=True,
    ),
    Page(
        "check-material-submitted",
        "weiguo",
        lambda: reverse("meetings:check_material", args=[meeting(DLM_TITLE)]),
    ),
    # -- the ledger's problem form, reached from an opinion and from a meeting --------------
    Page(
        "problem-from-opinion",
        "office",
        lambda: f"/ledger/{DEMO_CAMPAIGN}/new/?origin=discussion.opinion:{opinion6()}",
    ),
    Page(
        "problem-from-meeting",
        "office",
        lambda: f"/ledger/{DEMO_CAMPAIGN}/new/?origin=activities.activityrecord:{dlm_record()}",
    ),
]


@pytest.mark.parametrize("user", users_of(PAGES))
def test_participation_pages_pass_axe(page, live_server, demo, user):
    """Each of the person's pages (forms also sent back with their errors) is in Chinese, has
    one h1 and unique element ids, and passes axe."""

    def check(page, spec: Page) -> None:
        page_basics(page, spec)
        axe_check(page)

    check_pages(page, live_server, [p for p in PAGES if p.user == user], check)


# Forms walked by keyboard alone: (page spec name, the form's selector).
KEYBOARD_FORMS = [
    ("log-create", "main form"),
    ("reflection-create", "main form"),
    ("material-create", "main form"),
    ("topic-create", "main form"),
    ("topic-member", "#post form"),
    ("opinion-edit", "main form"),
    ("meeting-create-contact", "main form"),
    ("attendance", "main form[method=post]"),
    ("statement-create", "main form"),
    ("check-material-attendee", "main form"),
]


def test_participation_forms_by_keyboard(page, live_server, demo):
    """Tab from the top of the page reaches every field and button of each form, in order,
    each with a visible focus indicator (a date input takes several Tabs: year, month, day)."""
    forms = dict(KEYBOARD_FORMS)
    check_pages(
        page,
        live_server,
        [p for p in PAGES if p.name in forms],
        lambda page, spec: tab_through_form(page, forms[spec.name], FOCUSABLE),
    )
