"""Participation on the to-do page and in the header counter: study due, check materials
to write before a meeting, and opinions waiting for the office's answer."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from taolun.activities.meetings import check_material_save
from taolun.activities.models import MeetingKind, RecordStatus
from taolun.activities.services import record_review
from taolun.activities.tests.meeting_factories import AttendanceFactory, MeetingFactory
from taolun.campaigns.tests.factories import make_campaign
from taolun.discussion.services import opinion_answer
from taolun.discussion.tests.factories import make_topic, post
from taolun.notifications.selectors import participation_todo_count, todo_count, todo_for
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.study.services import log_add
from taolun.study.tests.factories import LogFactory, MaterialFactory

D = dt.date
TODAY = D(2019, 3, 10)
WHO = ("office", "leader", "supervisor", "contact1", "contact2", "member1", "outsider")


@pytest.fixture
def march(travel, settings):
    settings.TAOLUN_LEDGER_WARNING_DAYS = 3
    return travel(TODAY)


def counter(page: str) -> int:
    match = re.search(r'data-testid="todo-count">\s*(\d+)', page)
    assert match, "the header counter is missing"
    return int(match.group(1))


def todo_page(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("notifications:todo")).content.decode()


def material(org, **kw):
    kw.setdefault("due_on", TODAY + dt.timedelta(days=2))
    return MaterialFactory(campaign=org.campaign, created_by=org.office, **kw)


def prepared_meeting(org, *people, unit="branch1", **kw):
    meeting = MeetingFactory(org=org, unit=unit, **kw)
    for person in people:
        AttendanceFactory(meeting=meeting, person=person)
    return meeting


# ---------------------------------------------------------------- study


def test_required_study_due_soon_or_overdue_waits_for_the_people_it_is_meant_for(
    org, march, client
):
    soon = material(org, title="近期必学", for_units=[org.branch1])
    late = material(org, title="逾期必学", due_on=D(2019, 3, 1), for_units=[org.branch1])
    material(org, title="远期必学", due_on=TODAY + dt.timedelta(days=4))
    material(org, title="选学材料", required=False)
    material(org, title="没有期限", due_on=None)
    material(org, title="草稿材料", published_at=None)
    assert todo_for(org.member1).to_study == [late, soon]
    assert todo_for(org.contact1).to_study == [late, soon]
    # branch1's materials are not branch2's; nobody without a home unit studies.
    for who in ("contact2", "office", "outsider"):
        assert todo_for(getattr(org, who)).to_study == [], who

    page = todo_page(client, org.member1)
    assert "Required study due" in page
    assert f'href="{soon.get_absolute_url()}"' in page
    assert f'href="{late.get_absolute_url()}"' in page
    assert "study by 2019-03-12" in page
    # Overdue is said in words, not by colour alone, and only of the late one.
    assert page.count(">Overdue<") == 1
    assert page.index("逾期必学") < page.index("Overdue") < page.index("近期必学")
    for absent in ("远期必学", "选学材料", "没有期限", "草稿材料"):
        assert absent not in page
    assert counter(page) == 2
    assert "近期必学" not in todo_page(client, org.contact2)


def test_a_material_for_everyone_waits_for_each_participant_until_they_log_it(org, march):
    everyone = material(org, title="全员必学")
    for who in ("office", "leader", "supervisor", "contact1", "contact2", "member1"):
        assert todo_for(getattr(org, who)).to_study == [everyone], who
    assert todo_for(org.outsider).to_study == []

    log_add(
        actor=org.member1, campaign=org.campaign, material=everyone, studied_on=TODAY, minutes=40
    )
    assert todo_for(org.member1).to_study == [] and todo_count(org.member1) == 0
    assert todo_for(org.contact1).to_study == [everyone]  # one's own study only


def test_study_of_another_campaign_outside_ones_tree_is_not_asked(org, march):
    elsewhere = make_unit("省委", "province")
    other = make_campaign(elsewhere, "other")
    MaterialFactory(campaign=other, created_by=org.office, due_on=TODAY)
    assert todo_for(org.member1).to_study == [] and todo_count(org.member1) == 0


def test_a_group_session_counts_as_study(org, march):
    everyone = material(org)
    LogFactory(campaign=org.campaign, person=org.member1, material=everyone, mode="group")
    assert todo_for(org.member1).to_study == []


# ---------------------------------------------------------------- check materials


def test_attendees_of_a_meeting_being_prepared_are_asked_for_their_check_material(
    org, march, client
):
    meeting = prepared_meeting(org, org.member1, org.contact1)
    assert todo_for(org.member1).to_check == [meeting]
    assert todo_for(org.contact1).to_check == [meeting]
    for who in ("contact2", "office", "leader", "outsider"):
        assert todo_for(getattr(org, who)).to_check == [], who

    page = todo_page(client, org.member1)
    assert "Comparison-and-check materials to write" in page
    assert f'href="{reverse("meetings:check_material", args=[meeting.pk])}"' in page
    assert "Write your comparison-and-check material for 民主生活会" in page
    assert counter(page) == 1
    assert "民主生活会" not in todo_page(client, org.contact2)


def test_a_draft_check_material_still_waits_a_submitted_one_does_not(org, march):
    meeting = prepared_meeting(org, org.member1)
    check_material_save(actor=org.member1, meeting=meeting, body="<p>对照检查（草稿）</p>")
    assert todo_for(org.member1).to_check == [meeting] and todo_count(org.member1) == 1
    check_material_save(actor=org.member1, meeting=meeting, body="<p>对照检查</p>", submit=True)
    assert todo_for(org.member1).to_check == [] and todo_count(org.member1) == 0


def test_only_prepared_kinds_being_prepared_ask_for_check_materials(org, march):
    study = MeetingKind.objects.get(code="study-session")
    assert not study.prepared
    prepared_meeting(org, org.member1, kind=study)
    submitted = prepared_meeting(org, org.member1, number=2, title="已提交的会")
    submitted.record.status = RecordStatus.SUBMITTED
    submitted.record.save()
    assert todo_for(org.member1).to_check == []

    returned = prepared_meeting(org, org.member1, number=3, title="退回的会")
    record = returned.record
    record.status = RecordStatus.SUBMITTED
    record.save()
    record_review(actor=org.office, record=record, accept=False, comment="补充")
    assert todo_for(org.member1).to_check == [returned]


# ---------------------------------------------------------------- opinions


def test_unanswered_opinions_wait_for_the_campaign_office_as_one_line(org, march, client):
    topic = make_topic(org)
    first = post(org, topic, body="建议一")
    post(org, topic, who="contact2", body="建议二", anonymous=True)
    post(org, topic, who="contact1", body="回复", parent=first)  # replies are not answered
    rows = todo_for(org.office).to_answer
    assert [(r.campaign_slug, r.count) for r in rows] == [("camp", 2)]
    for who in ("leader", "supervisor", "contact1", "contact2", "member1", "outsider"):
        assert todo_for(getattr(org, who)).to_answer == [], who

    page = todo_page(client, org.office)
    assert "Opinions waiting for an answer" in page
    inbox = reverse("discussion:inbox", args=["camp"])
    assert f'href="{inbox}?state=unanswered"' in page
    assert "2 opinions wait for an answer" in page
    assert "建议一" not in page  # one line, not the opinions themselves
    assert counter(page) == 1

    opinion_answer(actor=org.office, opinion=first, answer="<p>已采纳</p>")
    assert [r.count for r in todo_for(org.office).to_answer] == [1]
    assert "1 opinion waits for an answer" in todo_page(client, org.office)


def test_answered_opinions_leave_the_list_and_the_counter(org, march):
    topic = make_topic(org)
    opinion = post(org, topic)
    assert todo_count(org.office) == 1
    opinion_answer(actor=org.office, opinion=opinion, answer="<p>谢谢</p>")
    assert todo_for(org.office).to_answer == [] and todo_count(org.office) == 0


def test_a_units_topic_is_answered_by_the_office_over_it_not_by_a_peer_unit(org, march):
    """An office role held at branch1 reaches branch1's topics, not branch2's."""
    deputy = UserFactory(username="office1", unit=org.branch1)
    grant(deputy, org.branch1, Role.OFFICE)
    mine = make_topic(org, who="contact1", unit="branch1", question="一支部的话题")
    theirs = make_topic(org, who="contact2", unit="branch2", question="二支部的话题")
    post(org, mine)
    post(org, theirs, who="contact2")
    assert [r.count for r in todo_for(deputy).to_answer] == [1]
    assert [r.count for r in todo_for(org.office).to_answer] == [2]


def test_opinions_count_one_line_per_campaign(org, march):
    make_topic(org)
    child = make_campaign(org.root, "child", parent=org.campaign)
    other = make_topic(org)
    other.campaign = child
    other.save()
    post(org, other)
    post(org, other, who="contact1")
    post(org, make_topic(org, question="第二个话题"))
    rows = todo_for(org.office).to_answer
    assert sorted((r.campaign_slug, r.count) for r in rows) == [("camp", 1), ("child", 2)]
    assert participation_todo_count(org.office) == 2


# ---------------------------------------------------------------- the counter


def everything(org):
    material(org, for_units=[org.branch1])
    material(org, due_on=D(2019, 3, 1))
    prepared_meeting(org, org.member1, org.contact1, org.leader)
    topic = make_topic(org)
    post(org, topic)
    post(org, topic, who="contact2")


def test_the_counter_equals_the_page_for_every_role(org, march, client):
    everything(org)
    for who in WHO:
        user = getattr(org, who)
        assert todo_count(user) == todo_for(user).total, who
    assert participation_todo_count(org.member1) == 3  # two materials, one meeting
    assert participation_todo_count(org.office) == 2  # one material, one line of opinions
    assert participation_todo_count(org.contact2) == 1
    assert participation_todo_count(org.outsider) == 0
    page = todo_page(client, org.member1)
    assert counter(page) == 3
    # On any other page too.
    assert counter(client.get(reverse("activities:list")).content.decode()) == 3


def test_the_counter_costs_one_query_and_none_without_unit_or_role(
    org, march, django_assert_num_queries
):
    everything(org)
    for who in ("office", "leader", "contact2", "member1", "supervisor"):
        user = getattr(org, who)
        participation_todo_count(user)  # the scope is read once per user object
        with django_assert_num_queries(1):
            participation_todo_count(user)
    participation_todo_count(org.outsider)
    with django_assert_num_queries(0):
        assert participation_todo_count(org.outsider) == 0


def test_the_counter_query_does_not_grow_with_items(org, march, django_assert_num_queries):
    everything(org)
    participation_todo_count(org.office)
    with django_assert_num_queries(1):
        few = participation_todo_count(org.office)
    topic = make_topic(org, question="更多")
    for i in range(6):
        material(org, title=f"更多{i}")
        post(org, topic, who=("member1", "contact1", "contact2")[i % 3], body=f"意见{i}")
    with django_assert_num_queries(1):
        assert participation_todo_count(org.office) == few + 6


def test_the_todo_page_query_count_does_not_grow(org, march, client, django_assert_max_num_queries):
    everything(org)
    client.force_login(org.member1)
    url = reverse("notifications:todo")
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for i in range(5):
        material(org, title=f"更多{i}")
        prepared_meeting(org, org.member1, number=1 + i % 4, title=f"会{i}")
    with django_assert_max_num_queries(14) as many:
        page = client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert counter(page) == 13


def test_a_member_of_a_branch_by_role_is_asked_for_its_materials(org, march):
    """A leader at the root who is a member of branch2 studies what branch2 must study."""
    grant(org.leader, org.branch2, Role.MEMBER)
    for_branch2 = material(org, for_units=[org.branch2])
    assert todo_for(org.leader).to_study == [for_branch2]
    assert todo_for(org.office).to_study == []


def test_unpinned_new_member_without_unit_but_with_a_role(org, march):
    """A member by role only, with no home unit, takes part in no campaign's study."""
    roamer = UserFactory(username="roamer")
    grant(roamer, org.branch1, Role.MEMBER)
    material(org)
    meeting = prepared_meeting(org, roamer)
    todo = todo_for(roamer)
    assert todo.to_study == [] and todo.to_check == [meeting]
    assert todo_count(roamer) == todo.total == 1


def test_study_stops_being_asked_once_the_campaign_is_over(org, travel):
    everyone = material(org, title="全员必学")
    travel(org.campaign.ends_on)
    assert todo_for(org.member1).to_study == [everyone]
    travel(org.campaign.ends_on + dt.timedelta(days=1))
    assert todo_for(org.member1).to_study == [] and todo_count(org.member1) == 0
