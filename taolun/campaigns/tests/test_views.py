"""Campaign pages and forms: scope (404), permission (403), bad input, content, queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taolun.campaigns import views
from taolun.campaigns.models import (
    Action,
    ActionKind,
    ActionStatus,
    Approval,
    LeadingGroupMember,
    LeadingGroupRole,
    Stage,
    Theme,
    UnitPlan,
)
from taolun.campaigns.services import campaign_sync_statuses, self_selected_action_propose
from taolun.campaigns.tests.factories import make_campaign
from taolun.org.tests.factories import UserFactory, make_unit

pytestmark = pytest.mark.django_db

ROLES = ["office", "leader", "supervisor", "contact1", "member1"]


def login(client, user):
    client.force_login(user)
    return client


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def plan_url(unit="branch1", campaign="camp"):
    return reverse("campaigns:plan_edit", args=[campaign, unit])


def propose_url(unit="branch1", campaign="camp"):
    return reverse("campaigns:action_propose", args=[campaign, unit])


def decide_url(action):
    return reverse("campaigns:action_decide", args=[action.pk])


def propose(org, unit=None, actor=None, name="走访残疾人家庭"):
    return self_selected_action_propose(
        actor=actor or org.contact1,
        campaign=org.campaign,
        unit=unit or org.branch1,
        stage=org.campaign.stages.first(),
        name=name,
    )


# --- anonymous, list, detail, overview -------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/campaigns/",
        "/campaigns/camp/",
        "/campaigns/camp/matrix/",
        "/campaigns/camp/units/branch1/plan/",
        "/campaigns/camp/units/branch1/actions/new/",
    ],
)
def test_anonymous_is_sent_to_login(client, org, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ROLES)
def test_campaign_pages_render_for_every_role(client, org, who):
    login(client, getattr(org, who))
    for url in ("/campaigns/", "/campaigns/camp/", "/campaigns/camp/matrix/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "camp 大讨论" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "offered"), [("office", True), ("leader", False), ("member1", False)]
)
def test_the_list_and_detail_offer_plan_import_and_near_copies_to_the_office(
    client, org, who, offered
):
    login(client, getattr(org, who))
    listing = client.get("/campaigns/").content.decode()
    assert (f'href="{reverse("textmine:plan_import")}"' in listing) is offered
    detail = client.get("/campaigns/camp/").content.decode()
    assert (f'href="{reverse("textmine:copies", args=["camp"])}"' in detail) is offered


def test_outsider_sees_no_campaign(client, org):
    login(client, org.outsider)
    assert "camp 大讨论" not in client.get("/campaigns/").content.decode()
    assert client.get("/campaigns/camp/").status_code == 404
    assert client.get("/campaigns/camp/matrix/").status_code == 404


def test_a_person_without_a_role_takes_part_in_their_own_units_campaign(client, org):
    """Members study and give opinions in the campaign of their unit; a role is not needed
    for that, and it reaches no further: no other unit's campaign, no unit's records."""
    from taolun.campaigns.tests.factories import make_campaign

    org.outsider.unit = org.branch2
    org.outsider.save()
    elsewhere = make_campaign(org.branch1, "branch1-own")
    login(client, org.outsider)
    assert client.get("/campaigns/camp/").status_code == 200
    assert client.get(f"/campaigns/{elsewhere.slug}/").status_code == 404
    assert client.get(f"/units/{org.branch2.slug}/").status_code == 404


def test_detail_shows_plan_themes_stages_and_leading_group(client, org):
    campaign = org.campaign
    campaign.basis_number = "晋办发〔2019〕1号"
    campaign.basis_title = "实施方案"
    campaign.launched_on = dt.date(2019, 2, 18)
    campaign.launch_place = "太原"
    campaign.general_requirements = "<p>以新思想为指导</p><script>x()</script>"
    campaign.leading_group_name = "大讨论活动领导小组"
    campaign.save()
    Theme.objects.create(
        campaign=campaign,
        number=2,
        break_with="破除安于现状",
        focus_on="着力解决不思进取问题",
        adhere_to="坚持改革创新",
    )
    stage = campaign.stages.first()
    stage.directive = "打响动员的“第一枪”"
    stage.save()
    LeadingGroupMember.objects.create(
        campaign=campaign,
        person=org.leader,
        order=1,
        position="党组书记、理事长",
        role=LeadingGroupRole.HEAD,
        duties="全面负责",
    )
    LeadingGroupMember.objects.create(
        campaign=campaign, person=None, order=2, role=LeadingGroupRole.MEMBER
    )

    page = login(client, org.contact1).get("/campaigns/camp/").content.decode()
    main = page.split("<main", 1)[1]
    assert "晋办发〔2019〕1号" in main and "太原" in main and "2019-02-18" in main
    assert "<p>以新思想为指导</p>" in main and "<script>" not in main
    first = "破除僵化保守，着力解决改革意识不强问题，坚持以改革破解发展难题"
    assert f'<li value="1">{first}</li>' in main
    assert '<li value="2">破除安于现状，着力解决不思进取问题，坚持改革创新</li>' in main
    assert "打响动员的“第一枪”" in main and "规定动作4" in main and "2019-04-18" in main
    assert "大讨论活动领导小组" in main
    assert "Head" in main and "领导" in main and "党组书记、理事长" in main
    assert "全面负责" in main and "to be named" in main
    assert reverse("campaigns:overview", args=["camp"]) in main


def test_detail_links_parent_and_visible_children(client, org):
    in_organ = make_campaign(org.organ, "organ-camp", parent=org.campaign)
    in_branch2 = make_campaign(org.branch2, "branch2-camp", parent=org.campaign)
    login(client, org.contact1)
    page = client.get("/campaigns/camp/").content.decode()
    assert in_organ.get_absolute_url() in page
    assert in_branch2.get_absolute_url() not in page
    child = client.get(in_organ.get_absolute_url()).content.decode()
    assert f'href="{org.campaign.get_absolute_url()}"' in child
    assert client.get(in_branch2.get_absolute_url()).status_code == 404
    login(client, org.office)
    assert in_branch2.get_absolute_url() in client.get("/campaigns/camp/").content.decode()


def test_detail_queries_do_not_grow(client, org, django_assert_max_num_queries):
    login(client, org.office)
    client.get("/campaigns/camp/")
    before = count_queries(client, "/campaigns/camp/")
    campaign = org.campaign
    for n in range(3, 9):
        stage = Stage.objects.create(
            campaign=campaign,
            number=n,
            name=f"阶段{n}",
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
        )
        Action.objects.create(campaign=campaign, stage=stage, number=10 + n, name=f"动作{n}")
        Theme.objects.create(
            campaign=campaign,
            number=n,
            break_with=f"破除{n}",
            focus_on=f"着力{n}",
            adhere_to=f"坚持{n}",
        )
        LeadingGroupMember.objects.create(
            campaign=campaign, person=UserFactory(), role=LeadingGroupRole.MEMBER, order=n
        )
        make_campaign(make_unit(f"单位{n}", f"unit-{n}", org.organ), f"child-{n}", parent=campaign)
    with django_assert_max_num_queries(before):
        page = client.get("/campaigns/camp/").content.decode()
    assert "阶段8" in page and "破除8" in page and "child-8" in page
    assert count_queries(client, "/campaigns/camp/") == before


def test_overview_shows_status_words_for_the_scope(client, org, travel):
    travel(dt.date(2019, 3, 25))
    page = login(client, org.contact1).get("/campaigns/camp/matrix/").content.decode()
    assert "机关第一党支部" in page and "机关第二党支部" not in page
    assert 'status-overdue">Overdue' in page and 'status-not_started">Not started' in page
    assert f"{reverse('org:unit_detail', args=['branch1'])}?campaign=camp" in page
    page = login(client, org.office).get("/campaigns/camp/matrix/").content.decode()
    assert all(name in page for name in ("省残联", "机关", "机关第一党支部", "机关第二党支部"))


def test_overview_is_paged(client, org, monkeypatch):
    monkeypatch.setattr(views, "OVERVIEW_PAGE_SIZE", 3)
    login(client, org.office)
    first = client.get("/campaigns/camp/matrix/").content.decode()
    second = client.get("/campaigns/camp/matrix/?page=2").content.decode()
    assert "省残联" in first and "机关第二党支部" not in first and "?page=2" in first
    assert "机关第二党支部" in second and "省残联" not in second


def test_overview_queries_do_not_grow_with_units(
    client, org, travel, django_assert_max_num_queries
):
    travel(dt.date(2019, 3, 1))
    login(client, org.office)
    client.get("/campaigns/camp/matrix/")
    before = count_queries(client, "/campaigns/camp/matrix/")
    for i in range(60):
        make_unit(f"支部{i}", f"extra-{i}", org.organ)
    stage = org.campaign.stages.last()
    for n in range(5, 10):
        Action.objects.create(
            campaign=org.campaign, stage=stage, number=n, name=f"动作{n}", due_on=stage.ends_on
        )
    campaign_sync_statuses(campaign=org.campaign)
    assert ActionStatus.objects.filter(campaign=org.campaign).count() == 64 * 9
    with django_assert_max_num_queries(before):
        page = client.get("/campaigns/camp/matrix/").content.decode()
    assert page.count('<th scope="row"') == views.OVERVIEW_PAGE_SIZE
    assert count_queries(client, "/campaigns/camp/matrix/?page=2") == before


# --- unit plan -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["office", "contact1"])
def test_plan_edit_renders_for_writers(client, org, who):
    response = login(client, getattr(org, who)).get(plan_url())
    assert response.status_code == 200
    assert 'for="id_title"' in response.content.decode()


@pytest.mark.parametrize("who", ["member1", "leader", "supervisor"])
def test_plan_edit_in_scope_but_not_allowed_is_403(client, org, who):
    login(client, getattr(org, who))
    assert client.get(plan_url()).status_code == 403
    assert client.post(plan_url(), {"title": "方案", "body": ""}).status_code == 403
    assert not UnitPlan.objects.exists()


def test_plan_edit_of_another_branch_is_404(client, org):
    login(client, org.contact1)
    assert client.get(plan_url("branch2")).status_code == 404
    assert client.post(plan_url("branch2"), {"title": "方案", "body": ""}).status_code == 404
    assert not UnitPlan.objects.exists()


def test_plan_edit_saves_sanitised_and_says_so(client, org):
    login(client, org.contact1)
    response = client.post(
        plan_url(),
        {"title": " 第一支部方案 ", "body": "第一条\n<script>alert(1)</script>"},
        follow=True,
    )
    plan = UnitPlan.objects.get(campaign=org.campaign, unit=org.branch1)
    assert plan.title == "第一支部方案" and plan.updated_by == org.contact1
    assert "<script" not in plan.body
    assert response.redirect_chain[-1][0] == (
        f"{reverse('org:unit_detail', args=['branch1'])}?campaign=camp"
    )
    assert "The unit plan has been saved." in response.content.decode()
    # Editing again shows what is stored.
    assert "第一支部方案" in client.get(plan_url()).content.decode()


def test_plan_edit_empty_title_keeps_the_input(client, org):
    login(client, org.contact1)
    response = client.post(plan_url(), {"title": "  ", "body": "我们的方案正文"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "我们的方案正文" in page
    assert 'href="#id_title"' in page and "This field is required." in page
    assert not UnitPlan.objects.exists()


def test_plan_edit_for_a_unit_outside_the_campaign_is_404(client, org):
    make_campaign(org.organ, "organ-camp", parent=org.campaign)
    login(client, org.contact1)
    assert client.get(plan_url("branch1")).status_code == 404
    assert client.get(plan_url("branch1", "organ-camp")).status_code == 200
    # The parent campaign's office reads the child's units but writes nothing in them.
    login(client, org.office)
    assert client.get(plan_url("branch1", "organ-camp")).status_code == 403


# --- self-selected actions: propose ----------------------------------------------------


def test_propose_offers_only_this_campaigns_stages(client, org):
    other = make_campaign(org.root, "other")
    page = login(client, org.contact1).get(propose_url()).content.decode()
    for stage in org.campaign.stages.all():
        assert f'value="{stage.pk}"' in page
    for stage in other.stages.all():
        assert f'value="{stage.pk}"' not in page
    response = client.post(propose_url(), {"stage": other.stages.first().pk, "name": "走访"})
    assert response.status_code == 200
    assert 'href="#id_stage"' in response.content.decode()
    assert not Action.objects.filter(kind=ActionKind.SELF_SELECTED).exists()


def test_propose_creates_a_pending_action(client, org):
    login(client, org.contact1)
    stage = org.campaign.stages.last()
    response = client.post(
        propose_url(),
        {
            "stage": stage.pk,
            "name": "走访残疾人家庭",
            "description": "每名党员走访一户",
            "due_on": "2019-04-10",
        },
        follow=True,
    )
    action = Action.objects.get(kind=ActionKind.SELF_SELECTED)
    assert (action.unit, action.stage, action.approval) == (org.branch1, stage, Approval.PROPOSED)
    assert action.due_on == dt.date(2019, 4, 10) and action.proposed_by == org.contact1
    page = response.content.decode()
    assert "The action has been proposed" in page and "走访残疾人家庭" in page
    assert not ActionStatus.objects.filter(action=action).exists()


def test_propose_bad_input_keeps_what_was_typed(client, org):
    login(client, org.contact1)
    stage = org.campaign.stages.first()
    page = client.post(
        propose_url(), {"stage": stage.pk, "name": "", "description": "说明文字"}
    ).content.decode()
    assert 'href="#id_name"' in page and "说明文字" in page

    response = client.post(
        propose_url(), {"stage": stage.pk, "name": "走访", "due_on": "2020-01-01"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_due_on"' in page and "The due date must fall within the campaign" in page
    assert 'value="走访"' in page and 'value="2020-01-01"' in page
    assert f'<option value="{stage.pk}" selected>' in page
    assert not Action.objects.filter(kind=ActionKind.SELF_SELECTED).exists()


def test_propose_for_another_branch_is_404(client, org):
    login(client, org.contact1)
    stage = org.campaign.stages.first()
    assert client.get(propose_url("branch2")).status_code == 404
    assert (
        client.post(propose_url("branch2"), {"stage": stage.pk, "name": "走访"}).status_code == 404
    )
    assert not Action.objects.filter(kind=ActionKind.SELF_SELECTED).exists()


def test_member_may_not_propose(client, org):
    login(client, org.member1)
    assert client.get(propose_url()).status_code == 403
    assert (
        client.post(
            propose_url(), {"stage": org.campaign.stages.first().pk, "name": "走访"}
        ).status_code
        == 403
    )


# --- self-selected actions: decide -----------------------------------------------------


@pytest.mark.parametrize("who", ["office", "leader"])
def test_decide_page_renders_for_deciders(client, org, who):
    action = propose(org)
    page = login(client, getattr(org, who)).get(decide_url(action)).content.decode()
    assert "走访残疾人家庭" in page and 'name="decision" value="approve"' in page


def test_office_approves_and_the_action_enters_the_matrix(client, org):
    action = propose(org)
    login(client, org.office)
    response = client.post(decide_url(action), {"decision": "approve", "comment": ""}, follow=True)
    action.refresh_from_db()
    assert action.approval == Approval.APPROVED and action.decided_by == org.office
    assert ActionStatus.objects.filter(action=action, unit=org.branch1).exists()
    page = response.content.decode()
    assert "The action has been approved." in page
    assert "Own 1 走访残疾人家庭" in page.split('class="table table-sm matrix-table"')[1]


def test_reject_needs_a_comment(client, org):
    action = propose(org)
    login(client, org.office)
    response = client.post(decide_url(action), {"decision": "reject", "comment": ""})
    assert response.status_code == 200
    assert 'href="#id_comment"' in response.content.decode()
    action.refresh_from_db()
    assert action.approval == Approval.PROPOSED
    response = client.post(
        decide_url(action), {"decision": "reject", "comment": "与规定动作重复"}, follow=True
    )
    action.refresh_from_db()
    assert action.approval == Approval.REJECTED and action.decision_comment == "与规定动作重复"
    assert "与规定动作重复" in response.content.decode()
    assert not ActionStatus.objects.filter(action=action).exists()


def test_deciding_twice_changes_nothing(client, org):
    action = propose(org)
    login(client, org.office)
    client.post(decide_url(action), {"decision": "approve"})
    response = client.post(
        decide_url(action), {"decision": "reject", "comment": "不行"}, follow=True
    )
    assert "This action has already been decided." in response.content.decode()
    action.refresh_from_db()
    assert action.approval == Approval.APPROVED


def test_deciding_another_branchs_action_is_404(client, org):
    from taolun.org.roles import Role
    from taolun.org.tests.factories import grant

    action = propose(org, unit=org.branch2, actor=org.contact2)
    # Even an office role over branch1 does not reach branch2's actions.
    grant(org.contact1, org.branch1, Role.OFFICE)
    login(client, org.contact1)
    assert client.get(decide_url(action)).status_code == 404
    assert client.post(decide_url(action), {"decision": "approve"}).status_code == 404
    action.refresh_from_db()
    assert action.approval == Approval.PROPOSED


@pytest.mark.parametrize("who", ["contact1", "member1", "supervisor"])
def test_deciding_in_scope_without_the_right_is_403(client, org, who):
    action = propose(org)
    login(client, getattr(org, who))
    assert client.get(decide_url(action)).status_code == 403
    assert client.post(decide_url(action), {"decision": "approve"}).status_code == 403
    action.refresh_from_db()
    assert action.approval == Approval.PROPOSED


def test_prescribed_actions_have_no_decide_page(client, org):
    prescribed = org.campaign.actions.filter(kind=ActionKind.PRESCRIBED).first()
    assert login(client, org.office).get(decide_url(prescribed)).status_code == 404


# --- the rectification ledger on the campaign page ---------------------------------------


def _rectification(page: str) -> str:
    return page.split('id="rectification"', 1)[1].split("</section>", 1)[0]


def test_detail_shows_rectification_counts_for_the_scope(client, org, travel):
    from taolun.rectification.tests.factories import make_problem

    travel(dt.date(2019, 3, 1))
    make_problem(org, deadline=dt.date(2019, 3, 5), open_now=True)
    make_problem(org, unit="branch2", open_now=True)
    make_problem(org, unit="branch2", open_now=True)
    travel(dt.date(2019, 3, 10))

    section = _rectification(login(client, org.office).get("/campaigns/camp/").content.decode())
    assert "the whole campaign" in section
    assert re.search(r"Being rectified</dt><dd[^>]*>3<", section)
    assert re.search(r"Overdue</dt><dd[^>]*><a href=\"/ledger/camp/\?overdue=yes\">1<", section)
    assert 'href="/ledger/camp/"' in section

    section = _rectification(login(client, org.contact2).get("/campaigns/camp/").content.decode())
    assert "the units within your reach" in section
    assert re.search(r"Being rectified</dt><dd[^>]*>2<", section)
    assert re.search(r"Overdue</dt><dd[^>]*>0<", section)


def test_detail_rectification_queries_do_not_grow(client, org, travel):
    from taolun.rectification.tests.factories import evidence, make_problem

    travel(dt.date(2019, 3, 10))
    make_problem(org, open_now=True)
    for who in ("office", "contact1"):
        login(client, getattr(org, who))
        client.get("/campaigns/camp/")
        before = count_queries(client, "/campaigns/camp/")
        for i in range(6):
            evidence(make_problem(org, unit="branch1", open_now=True), org.contact1, f"进展{i}")
        assert count_queries(client, "/campaigns/camp/") == before, who
