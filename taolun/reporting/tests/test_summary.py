"""The campaign summary: assembled from the data, edited and finalised by the office only,
read by the office, leaders and supervisors while a draft and by everyone once final."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localdate

from taolun.activities.models import ActivityRecord, RecordStatus
from taolun.campaigns.tests.factories import make_campaign
from taolun.discussion.tests.factories import OpinionFactory, make_topic
from taolun.rectification.models import ProblemState
from taolun.rectification.tests.factories import make_problem, put
from taolun.reporting.models import CampaignSummary, CaseState, ReviewState, SummaryState
from taolun.reporting.summary import (
    summary_assemble,
    summary_edit,
    summary_facts,
    summary_finalise,
    summary_for_user,
)
from taolun.reporting.tests.factories import make_brief, make_case, make_outcome
from taolun.study.tests.factories import (
    LogFactory,
    MaterialFactory,
    ReflectionFactory,
    make_meeting,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def record(org, action, status=RecordStatus.ACCEPTED, unit=None) -> ActivityRecord:
    return ActivityRecord.objects.create(
        campaign=org.campaign,
        action=action,
        unit=unit or org.branch1,
        title="开展活动",
        held_on=dt.date(2019, 3, 5),
        status=status,
        created_by=org.contact1,
    )


@pytest.fixture
def data(org):
    """A small campaign with a little of everything the summary counts."""
    camp = org.campaign
    actions = list(camp.actions.order_by("number"))
    record(org, actions[0])
    record(org, actions[0], RecordStatus.SUBMITTED)
    record(org, actions[2])
    meeting = make_meeting(org)
    ActivityRecord.objects.filter(pk=meeting.record_id).update(status=RecordStatus.ACCEPTED)
    material = MaterialFactory(campaign=camp, created_by=org.office)
    LogFactory(campaign=camp, person=org.member1, material=material, minutes=40)
    LogFactory(campaign=camp, person=org.member1, minutes=20)
    LogFactory(campaign=camp, person=org.contact1, minutes=30)
    ReflectionFactory(campaign=camp, author=org.member1, excellent=True)
    ReflectionFactory(campaign=camp, author=org.contact1)
    topic = make_topic(org)
    OpinionFactory(topic=topic, author=org.member1, answer="<p>已采纳</p>")
    reply_to = OpinionFactory(topic=topic, author=org.contact1)
    OpinionFactory(topic=topic, author=org.member1, parent=reply_to)  # a reply: not counted
    put(make_problem(org), ProblemState.VERIFIED)
    put(make_problem(org, ledger_number="W-2"), ProblemState.IN_PROGRESS)
    make_problem(org, ledger_number="W-3")  # a draft: not on the ledger yet
    prov = make_campaign(org.root, "prov-up", stages=0)
    make_brief(camp, org.branch1, org.contact1, reviews=[(camp, ReviewState.ADOPTED)])
    make_brief(
        camp,
        org.branch1,
        org.contact1,
        title="二",
        reviews=[(camp, ReviewState.ADOPTED), (prov, ReviewState.ADOPTED)],
    )
    make_brief(camp, org.branch2, org.contact2, title="三", reviews=[(camp, ReviewState.PENDING)])
    make_brief(camp, org.branch2, org.contact2, title="草稿")  # a draft is not submitted
    make_case(camp, org.branch1, org.contact1, name="康复医生张某", state=CaseState.APPROVED)
    make_case(camp, org.branch1, org.contact1, name="未通过", state=CaseState.NOMINATED)
    make_outcome(camp, org.root, org.office, title="机关工作规则")
    return org


def test_facts_count_what_the_campaign_recorded(data):
    facts = summary_facts(data.campaign)
    assert facts.records == 4 and facts.records_accepted == 3 and facts.meetings_held == 1
    assert [(s.number, s.actions, s.records_accepted, s.meetings_held) for s in facts.stages] == [
        (1, 2, 2, 1),
        (2, 2, 1, 0),
    ]
    assert (facts.materials, facts.study_logs, facts.study_minutes) == (1, 3, 90)
    assert facts.studying_people == 2
    assert (facts.reflections, facts.excellent_reflections) == (2, 1)
    assert (facts.topics, facts.opinions, facts.opinions_answered) == (1, 2, 1)
    assert facts.problems == 2 and facts.problems_fixed == 1
    assert facts.problems_by_state[ProblemState.DRAFT] == 1
    assert facts.briefs_submitted == 3
    assert [(lv.level, lv.campaign, lv.received, lv.adopted) for lv in facts.brief_levels] == [
        (1, "camp 大讨论", 3, 2),
        (2, "prov-up 大讨论", 1, 1),
    ]
    assert facts.cases == ["康复医生张某"]
    assert facts.outcomes == [("机关工作规则", "晋残联发〔2019〕12号")]


def test_facts_change_when_the_data_changes(data):
    before = summary_facts(data.campaign)
    record(data, data.campaign.actions.order_by("number").last())
    put(make_problem(data, ledger_number="W-9"), ProblemState.VERIFIED)
    after = summary_facts(data.campaign)
    assert after.records_accepted == before.records_accepted + 1
    assert after.stages[1].records_accepted == before.stages[1].records_accepted + 1
    assert after.problems_fixed == before.problems_fixed + 1


def test_facts_take_a_handful_of_queries_whatever_the_size(data):
    with CaptureQueriesContext(connection) as small:
        summary_facts(data.campaign)
    for action in data.campaign.actions.all():
        for _ in range(3):
            record(data, action)
    for n in range(5):
        make_outcome(data.campaign, data.root, data.office, title=f"规则{n}")
    with CaptureQueriesContext(connection) as large:
        summary_facts(data.campaign)
    assert len(small.captured_queries) == len(large.captured_queries) <= 6


def test_the_assembled_draft_has_numbered_parts_with_the_numbers(data):
    summary = summary_assemble(actor=data.office, campaign=data.campaign)
    assert summary.state == SummaryState.DRAFT
    assert summary.title == "Summary of camp 大讨论"
    body = summary.body
    for heading in (
        "一、What each stage did",
        "二、Study and discussion",
        "三、Problems found and fixed",
        "四、Briefs and typical cases",
        "五、Institutional outcomes",
        "六、Experience and next steps",
    ):
        assert f"<h2>{heading}</h2>" in body
    assert "<h3>（一）阶段1</h3>" in body and "<h3>（二）阶段2</h3>" in body
    facts = summary_facts(data.campaign)
    assert f"In all {facts.records} activity records were kept" in body
    assert f"{facts.problems} problems were put on the ledger and {facts.problems_fixed}" in body
    assert "At level 2 (the office of prov-up 大讨论): 1 received, 1 adopted." in body
    assert "康复医生张某" in body and "未通过" not in body
    assert "1.机关工作规则（晋残联发〔2019〕12号）" in body


def test_assembling_again_replaces_the_draft_with_current_numbers(data):
    first = summary_assemble(actor=data.office, campaign=data.campaign)
    summary_edit(actor=data.office, summary=first, title="总结", body="<p>手写</p>")
    make_outcome(data.campaign, data.root, data.office, title="新规则")
    again = summary_assemble(actor=data.office, campaign=data.campaign)
    assert again.pk == first.pk
    assert "手写" not in again.body and "新规则" in again.body
    assert CampaignSummary.objects.count() == 1


def test_only_the_office_assembles_edits_and_finalises(data):
    for who in (data.leader, data.supervisor, data.contact1, data.member1, data.outsider):
        with pytest.raises(PermissionDenied):
            summary_assemble(actor=who, campaign=data.campaign)
    summary = summary_assemble(actor=data.office, campaign=data.campaign)
    for who in (data.leader, data.contact1):
        with pytest.raises(PermissionDenied):
            summary_edit(actor=who, summary=summary, title="x", body="y")
        with pytest.raises(PermissionDenied):
            summary_finalise(actor=who, summary=summary)


def test_edit_stores_sanitised_text_and_refuses_empty_fields(data):
    summary = summary_assemble(actor=data.office, campaign=data.campaign)
    body = '<p onclick="x()">好</p><script>alert(1)</script><a href="javascript:go()">链</a>'
    summary_edit(actor=data.office, summary=summary, title=" 总结 ", body=body)
    summary.refresh_from_db()
    assert summary.title == "总结"
    assert "onclick" not in summary.body and "script" not in summary.body
    assert "javascript" not in summary.body and "好" in summary.body
    with pytest.raises(ValidationError) as caught:
        summary_edit(actor=data.office, summary=summary, title="", body="<p> </p>")
    assert set(caught.value.error_dict) == {"title", "body"}
    summary.refresh_from_db()
    assert summary.title == "总结"


def test_a_final_summary_is_no_longer_changed(data, travel):
    travel(dt.date(2019, 6, 20))
    summary = summary_assemble(actor=data.office, campaign=data.campaign)
    summary_finalise(actor=data.office, summary=summary)
    summary.refresh_from_db()
    assert summary.state == SummaryState.FINAL
    assert summary.finalised_by == data.office
    assert localdate(summary.finalised_at) == dt.date(2019, 6, 20)
    with pytest.raises(ValidationError):
        summary_edit(actor=data.office, summary=summary, title="x", body="y")
    with pytest.raises(ValidationError):
        summary_assemble(actor=data.office, campaign=data.campaign)
    with pytest.raises(ValidationError):
        summary_finalise(actor=data.office, summary=summary)


def test_a_draft_is_read_by_office_leaders_and_supervisors_a_final_one_by_all(data):
    summary = summary_assemble(actor=data.office, campaign=data.campaign)
    for who in (data.office, data.leader, data.supervisor):
        assert summary_for_user(who, data.campaign) == summary
    for who in (data.contact1, data.member1):
        assert summary_for_user(who, data.campaign) is None
    summary_finalise(actor=data.office, summary=summary)
    assert summary_for_user(data.member1, data.campaign) == summary


# ---------------------------------------------------------------- pages


def url(name: str, slug: str = "camp") -> str:
    return reverse(f"reporting:{name}", args=[slug])


def test_the_office_assembles_edits_and_finalises_through_the_pages(client, data):
    client.force_login(data.office)
    page = client.get(url("summary")).content.decode()
    assert "Assemble the draft from the data" in page
    assert client.post(url("summary_assemble")).status_code == 302
    page = client.get(url("summary")).content.decode()
    assert "一、What each stage did" in page and "Draft" in page
    assert 'href="/campaigns/camp/documents/summary.docx"' in page
    # Assembling again asks first.
    confirm = client.get(url("summary_assemble")).content.decode()
    assert "will be replaced" in confirm
    response = client.post(url("summary_edit"), {"title": "总结", "body": "<p>新的</p>"})
    assert response.status_code == 302
    assert CampaignSummary.objects.get().body == "<p>新的</p>"
    assert client.post(url("summary_finalise")).status_code == 302
    page = client.get(url("summary")).content.decode()
    assert "Final" in page and url("summary_edit") not in page
    assert client.get(url("summary_edit")).status_code == 302


def test_a_refused_edit_keeps_what_was_typed_and_names_the_field(client, data):
    summary_assemble(actor=data.office, campaign=data.campaign)
    client.force_login(data.office)
    response = client.post(url("summary_edit"), {"title": "我的标题", "body": "<p> </p>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="我的标题"' in html
    assert "The summary has no text." in html
    assert CampaignSummary.objects.get().title != "我的标题"


def test_others_may_not_write_and_outsiders_do_not_see_the_page(client, data):
    summary_assemble(actor=data.office, campaign=data.campaign)
    client.force_login(data.leader)
    assert client.get(url("summary")).status_code == 200
    assert client.post(url("summary_assemble")).status_code == 403
    assert client.post(url("summary_edit"), {"title": "x", "body": "y"}).status_code == 403
    assert client.post(url("summary_finalise")).status_code == 403
    client.force_login(data.member1)
    page = client.get(url("summary")).content.decode()
    assert "not final yet" in page and "What each stage did" not in page
    assert client.get(url("summary_edit")).status_code == 404
    client.force_login(data.outsider)
    assert client.get(url("summary")).status_code == 404


def test_the_summary_page_takes_few_queries(client, data, django_assert_max_num_queries):
    summary_assemble(actor=data.office, campaign=data.campaign)
    client.force_login(data.office)
    client.get(url("summary"))
    with django_assert_max_num_queries(14):
        assert client.get(url("summary")).status_code == 200
