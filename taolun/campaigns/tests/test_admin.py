"""The back office for campaigns: scoped like the pages, and keeping the status table current."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib import admin

from taolun.campaigns.models import (
    Action,
    ActionKind,
    ActionStatus,
    Approval,
    Campaign,
    LeadingGroupMember,
    Stage,
    Theme,
    UnitPlan,
)
from taolun.campaigns.services import (
    campaign_sync_statuses,
    self_selected_action_propose,
    unit_plan_save,
)
from taolun.campaigns.tests.factories import make_campaign
from taolun.core.tests.admin_utils import make_staff, url
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit

pytestmark = pytest.mark.django_db
D = dt.date
CAMPAIGN_MODELS = (Campaign, Action, UnitPlan, ActionStatus)


def all_perms(*models: str, app: str = "campaigns") -> list[str]:
    return [f"{app}.{verb}_{m}" for m in models for verb in ("view", "add", "change", "delete")]


STAFF_PERMS = (
    *all_perms("campaign", "action", "unitplan", "theme", "stage", "leadinggroupmember"),
    "campaigns.view_actionstatus",
)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", name="超级管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def plans(org):
    return {
        name: unit_plan_save(
            actor=getattr(org, contact),
            campaign=org.campaign,
            unit=getattr(org, name),
            title=f"{unit_name}实施方案",
            body="方案",
        )
        for name, contact, unit_name in (
            ("branch1", "contact1", "第一支部"),
            ("branch2", "contact2", "第二支部"),
        )
    }


@pytest.fixture
def own_actions(org):
    stage = org.campaign.stages.get(number=1)
    return {
        name: self_selected_action_propose(
            actor=getattr(org, contact),
            campaign=org.campaign,
            unit=getattr(org, name),
            stage=stage,
            name=title,
            due_on=D(2019, 3, 10),
        )
        for name, contact, title in (
            ("branch1", "contact1", "参观红色教育基地"),
            ("branch2", "contact2", "走访残疾人家庭"),
        )
    }


@pytest.fixture
def staff1(org, client):
    """branch1's contact, also its office: only the office role writes in the back office."""
    grant(org.contact1, org.branch1, Role.OFFICE)
    user = make_staff(org.contact1, *STAFF_PERMS, "org.view_unit", "org.view_user")
    client.force_login(user)
    return user


@pytest.fixture
def office_staff(org, client):
    user = make_staff(org.office, *STAFF_PERMS, "org.view_unit", "org.view_user")
    client.force_login(user)
    return user


def inline_data(response) -> dict:
    """Management-form data for every inline of an add/change page, with no rows changed."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for i, form in enumerate(formset.initial_forms):
            data[f"{formset.prefix}-{i}-id"] = form.instance.pk
            data[f"{formset.prefix}-{i}-campaign"] = form.instance.campaign_id
            for name in form.fields:
                if name in ("id", "campaign", "DELETE"):
                    continue
                value = form.initial.get(name)
                data[f"{formset.prefix}-{i}-{name}"] = getattr(value, "pk", value) or ""
    return data


def campaign_form(**overrides) -> dict:
    data = {
        "name": "子讨论",
        "slug": "child",
        "parent": "",
        "owner_unit": "",
        "office_unit": "",
        "basis_number": "",
        "basis_title": "",
        "launched_on": "",
        "launch_place": "",
        "starts_on": "2019-02-22",
        "ends_on": "2019-06-30",
        "general_requirements": "",
        "main_tasks": "",
        "methods": "",
        "organisation": "",
        "leading_group_name": "",
    }
    data.update(overrides)
    return data


def test_every_campaign_model_is_registered():
    for model in CAMPAIGN_MODELS:
        assert model in admin.site._registry
    inlines = {i.model for i in admin.site._registry[Campaign].inlines}
    assert inlines == {Theme, Stage, LeadingGroupMember}


def test_superuser_sees_every_changelist_and_add_page(org, plans, own_actions, superuser, client):
    client.force_login(superuser)
    for model in CAMPAIGN_MODELS:
        assert client.get(url(model)).status_code == 200, model
    for model in (Campaign, Action, UnitPlan):
        assert client.get(url(model, "add")).status_code == 200, model
    # The status table is kept by the services: no one adds rows by hand.
    assert client.get(url(ActionStatus, "add")).status_code == 403
    status = ActionStatus.objects.filter(unit=org.branch2).first()
    assert client.get(url(ActionStatus, "change", status.pk)).status_code == 200
    assert client.get(url(Campaign, "change", org.campaign.pk)).status_code == 200


def test_unit_plans_are_scoped(org, plans, staff1, client):
    shown = list(client.get(url(UnitPlan)).context["cl"].result_list)
    assert shown == [plans["branch1"]]
    assert client.get(url(UnitPlan, "change", plans["branch1"].pk)).status_code == 200
    for view in ("change", "delete", "history"):
        assert client.get(url(UnitPlan, view, plans["branch2"].pk)).status_code == 404


def test_unit_plan_search_in_chinese(org, plans, superuser, client):
    client.force_login(superuser)
    found = list(client.get(url(UnitPlan), {"q": "第二支部"}).context["cl"].result_list)
    assert found == [plans["branch2"]]
    found = list(client.get(url(UnitPlan), {"q": "第一党支部"}).context["cl"].result_list)
    assert found == [plans["branch1"]]


def test_status_rows_are_scoped_and_read_only(org, staff1, client):
    shown = client.get(url(ActionStatus)).context["cl"].result_list
    assert {row.unit for row in shown} == {org.branch1}
    assert len(shown) == 4
    other = ActionStatus.objects.filter(unit=org.branch2).first()
    assert client.get(url(ActionStatus, "change", other.pk)).status_code == 404
    mine = ActionStatus.objects.filter(unit=org.branch1).first()
    response = client.get(url(ActionStatus, "change", mine.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert client.post(url(ActionStatus, "change", mine.pk), {}).status_code == 403


def test_actions_show_prescribed_and_own_but_not_other_units(org, own_actions, staff1, client):
    shown = set(client.get(url(Action)).context["cl"].result_list)
    prescribed = set(Action.objects.filter(kind=ActionKind.PRESCRIBED))
    assert shown == prescribed | {own_actions["branch1"]}
    assert client.get(url(Action, "change", own_actions["branch2"].pk)).status_code == 404
    found = list(client.get(url(Action), {"q": "走访残疾人"}).context["cl"].result_list)
    assert found == []
    found = list(client.get(url(Action), {"q": "红色教育"}).context["cl"].result_list)
    assert found == [own_actions["branch1"]]


def test_campaign_taken_part_in_is_readable_not_writable(org, staff1, client):
    assert list(client.get(url(Campaign)).context["cl"].result_list) == [org.campaign]
    response = client.get(url(Campaign, "change", org.campaign.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    data = campaign_form(name="改名", slug="camp", owner_unit=org.root.pk)
    assert client.post(url(Campaign, "change", org.campaign.pk), data).status_code == 403
    org.campaign.refresh_from_db()
    assert org.campaign.name != "改名"
    prescribed = Action.objects.filter(kind=ActionKind.PRESCRIBED).first()
    response = client.get(url(Action, "change", prescribed.pk))
    assert not response.context["has_change_permission"]


def test_campaigns_of_other_subtrees_answer_404(org, staff1, client):
    other = make_campaign(org.branch2, "branch2-camp")
    assert client.get(url(Campaign, "change", other.pk)).status_code == 404
    assert client.get(url(Campaign, "history", other.pk)).status_code == 404


def test_child_campaign_added_in_admin_copies_its_parent(org, superuser, client):
    client.force_login(superuser)
    page = client.get(url(Campaign, "add"))
    data = {
        **campaign_form(
            parent=org.campaign.pk,
            owner_unit=org.organ.pk,
            general_requirements="<script>x</script><p>总体要求</p>",
        ),
        **inline_data(page),
    }
    response = client.post(url(Campaign, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    child = Campaign.objects.get(slug="child")
    assert child.themes.count() == 1 and child.stages.count() == 2
    assert child.actions.filter(kind=ActionKind.PRESCRIBED).count() == 4
    assert ActionStatus.objects.filter(campaign=child, unit=org.branch1).count() == 4
    assert child.general_requirements == "<p>总体要求</p>"
    entry = LogEntry.objects.get_for_object(child).get()
    assert entry.actor == superuser


def test_child_campaign_refuses_extra_rows_that_would_collide(org, superuser, client):
    client.force_login(superuser)
    data = {
        **campaign_form(parent=org.campaign.pk, owner_unit=org.organ.pk),
        **inline_data(client.get(url(Campaign, "add"))),
    }
    data.update(
        {
            "themes-TOTAL_FORMS": 1,
            "themes-0-number": 1,
            "themes-0-break_with": "破除",
            "themes-0-focus_on": "着力",
            "themes-0-adhere_to": "坚持",
        }
    )
    response = client.post(url(Campaign, "add"), data)
    assert response.status_code == 200
    assert not Campaign.objects.filter(slug="child").exists()


def test_campaign_dates_are_checked(org, superuser, client):
    client.force_login(superuser)
    data = {
        **campaign_form(owner_unit=org.root.pk, starts_on="2019-06-01", ends_on="2019-05-01"),
        **inline_data(client.get(url(Campaign, "add"))),
    }
    response = client.post(url(Campaign, "add"), data)
    assert "ends_on" in response.context["adminform"].form.errors
    assert response.context["adminform"].form["name"].value() == "子讨论"
    assert not Campaign.objects.filter(slug="child").exists()


def test_prescribed_action_added_in_admin_reaches_every_unit(org, office_staff, client):
    stage = org.campaign.stages.get(number=2)
    response = client.post(
        url(Action, "add"),
        {
            "campaign": org.campaign.pk,
            "stage": stage.pk,
            "number": 5,
            "name": "回顾总结",
            "description": "",
            "due_on": "2019-04-18",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(name="回顾总结")
    assert action.kind == ActionKind.PRESCRIBED and action.approval == Approval.APPROVED
    assert set(ActionStatus.objects.filter(action=action).values_list("unit__slug", flat=True)) == {
        "root",
        "organ",
        "branch1",
        "branch2",
    }
    assert LogEntry.objects.get_for_object(action).get().actor == office_staff


def test_action_stage_and_due_date_must_belong_to_the_campaign(org, superuser, client):
    client.force_login(superuser)
    other = make_campaign(org.root, "other", start=D(2020, 1, 1))
    data = {
        "campaign": org.campaign.pk,
        "stage": other.stages.first().pk,
        "number": 5,
        "name": "回顾总结",
        "description": "",
        "due_on": "2019-04-18",
    }
    response = client.post(url(Action, "add"), data)
    assert "stage" in response.context["adminform"].form.errors
    data.update(stage=org.campaign.stages.first().pk, due_on="2020-01-01")
    response = client.post(url(Action, "add"), data)
    assert "due_on" in response.context["adminform"].form.errors
    assert not Action.objects.filter(name="回顾总结").exists()


def test_contact_cannot_add_prescribed_actions_to_a_campaign_run_above(org, staff1, client):
    response = client.post(
        url(Action, "add"),
        {
            "campaign": org.campaign.pk,
            "stage": org.campaign.stages.first().pk,
            "number": 5,
            "name": "回顾总结",
            "description": "",
            "due_on": "2019-03-01",
        },
    )
    assert "campaign" in response.context["adminform"].form.errors
    assert not Action.objects.filter(name="回顾总结").exists()


def test_changed_due_date_reaches_the_status_table(org, superuser, client):
    client.force_login(superuser)
    action = Action.objects.get(campaign=org.campaign, number=1)
    response = client.post(
        url(Action, "change", action.pk),
        {
            "stage": action.stage_id,
            "number": 1,
            "name": action.name,
            "description": "",
            "due_on": "2019-03-25",
        },
    )
    assert response.status_code == 302
    assert set(ActionStatus.objects.filter(action=action).values_list("due_on", flat=True)) == {
        D(2019, 3, 25)
    }


def test_approval_is_not_decided_in_the_admin(org, own_actions, superuser, client):
    client.force_login(superuser)
    action = own_actions["branch1"]
    response = client.get(url(Action, "change", action.pk))
    assert "approval" not in response.context["adminform"].form.fields
    client.post(
        url(Action, "change", action.pk),
        {
            "stage": action.stage_id,
            "number": action.number,
            "name": action.name,
            "description": "",
            "due_on": "2019-03-10",
            "approval": Approval.APPROVED,
        },
    )
    action.refresh_from_db()
    assert action.approval == Approval.PROPOSED


def test_unit_plan_change_is_sanitised_and_audited(org, plans, staff1, client):
    plan = plans["branch1"]
    response = client.post(
        url(UnitPlan, "change", plan.pk),
        {
            "campaign": org.campaign.pk,
            "unit": org.branch1.pk,
            "title": "新方案",
            "body": '<p onclick="x()">内容</p><script>alert(1)</script>',
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.body == "<p>内容</p>"
    assert plan.updated_by == staff1
    entry = LogEntry.objects.get_for_object(plan).filter(action=LogEntry.Action.UPDATE).first()
    assert entry.actor == staff1
    assert entry.changes_dict["title"][1] == "新方案"


def test_unit_plan_cannot_move_to_another_unit(org, plans, staff1, client):
    plan = plans["branch1"]
    response = client.post(
        url(UnitPlan, "change", plan.pk),
        {
            "campaign": org.campaign.pk,
            "unit": org.branch2.pk,
            "title": "新方案",
            "body": "",
        },
    )
    assert "unit" in response.context["adminform"].form.errors
    plan.refresh_from_db()
    assert plan.unit == org.branch1


def _more_units(org, n: int, start: int) -> None:
    for i in range(start, start + n):
        unit = make_unit(f"党小组{i}", f"group-{i}", org.branch1)
        unit_plan_save(
            actor=org.office, campaign=org.campaign, unit=unit, title=f"党小组{i}方案", body=""
        )
    campaign_sync_statuses(campaign=org.campaign)


@pytest.mark.parametrize("model", [ActionStatus, UnitPlan, Action, Campaign])
def test_changelist_queries_do_not_grow_with_rows(
    org, own_actions, staff1, client, model, django_assert_max_num_queries
):
    _more_units(org, 2, 0)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url(model)).status_code == 200
    _more_units(org, 10, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(model)).status_code == 200


def test_office_edits_its_campaign_and_leading_group(org, office_staff, client):
    page = client.get(url(Campaign, "change", org.campaign.pk))
    assert page.context["has_change_permission"]
    data = {
        **campaign_form(
            name="改名大讨论",
            slug="camp",
            owner_unit=org.root.pk,
            starts_on="2019-02-18",
            ends_on="2019-04-19",
        ),
        **inline_data(page),
    }
    data.update(
        {
            "leading_group-TOTAL_FORMS": 1,
            "leading_group-0-role": "head",
            "leading_group-0-order": 0,
            "leading_group-0-person": org.leader.pk,
            "leading_group-0-position": "党组书记",
            "leading_group-0-duties": "全面负责",
        }
    )
    response = client.post(url(Campaign, "change", org.campaign.pk), data)
    assert response.status_code == 302, response.context["errors"]
    org.campaign.refresh_from_db()
    assert org.campaign.name == "改名大讨论"
    assert org.campaign.leading_group.get().person == org.leader
    entry = (
        LogEntry.objects.get_for_object(org.campaign).filter(action=LogEntry.Action.UPDATE).first()
    )
    assert entry.actor == office_staff


# --- A campaign's place under its parent keeps the parent's rows current ------------------


def change_campaign(client, campaign, **overrides):
    page = client.get(url(Campaign, "change", campaign.pk))
    data = {
        **campaign_form(
            name=campaign.name,
            slug=campaign.slug,
            parent=campaign.parent_id or "",
            owner_unit=campaign.owner_unit_id,
            starts_on=campaign.starts_on.isoformat(),
            ends_on=campaign.ends_on.isoformat(),
        ),
        **inline_data(page),
    }
    data.update(overrides)
    return client.post(url(Campaign, "change", campaign.pk), data)


def rows(campaign, unit) -> int:
    return ActionStatus.objects.filter(campaign=campaign, unit=unit).count()


def test_new_child_campaign_takes_its_units_out_of_the_parent(org, superuser, client):
    client.force_login(superuser)
    assert rows(org.campaign, org.branch1) == 4
    data = {
        **campaign_form(parent=org.campaign.pk, owner_unit=org.branch1.pk),
        **inline_data(client.get(url(Campaign, "add"))),
    }
    assert client.post(url(Campaign, "add"), data).status_code == 302
    child = Campaign.objects.get(slug="child")
    assert rows(child, org.branch1) == 4
    assert rows(org.campaign, org.branch1) == 0
    assert rows(org.campaign, org.branch2) == 4


def test_campaign_moved_under_a_parent_and_back_resyncs_both(org, superuser, client):
    client.force_login(superuser)
    local = make_campaign(org.branch1, "local")
    assert rows(org.campaign, org.branch1) == 4
    response = change_campaign(client, local, parent=org.campaign.pk)
    assert response.status_code == 302, response.context["errors"]
    assert rows(org.campaign, org.branch1) == 0
    local.refresh_from_db()
    response = change_campaign(client, local, parent="")
    assert response.status_code == 302, response.context["errors"]
    assert rows(org.campaign, org.branch1) == 4


def test_child_campaign_given_another_owner_resyncs_the_parent(org, superuser, client):
    client.force_login(superuser)
    child = make_campaign(org.branch1, "child", parent=org.campaign)
    assert (rows(org.campaign, org.branch1), rows(org.campaign, org.branch2)) == (0, 4)
    response = change_campaign(client, child, owner_unit=org.branch2.pk)
    assert response.status_code == 302, response.context["errors"]
    assert (rows(org.campaign, org.branch1), rows(org.campaign, org.branch2)) == (4, 0)
    assert (rows(child, org.branch1), rows(child, org.branch2)) == (0, 4)


def test_action_checks_are_the_services(org):
    from taolun.campaigns import admin as campaigns_admin

    assert not hasattr(campaigns_admin, "_check_action")
    assert campaigns_admin._check_within_campaign.__module__ == "taolun.campaigns.services"


def test_branch_contact_without_office_only_reads(org, plans, client):
    reader = make_staff(org.contact1, *STAFF_PERMS)
    client.force_login(reader)
    plan = plans["branch1"]
    assert client.get(url(UnitPlan, "change", plan.pk)).status_code == 200
    response = client.post(
        url(UnitPlan, "change", plan.pk),
        {"campaign": org.campaign.pk, "unit": org.branch1.pk, "title": "改", "body": ""},
    )
    assert response.status_code == 403
    assert client.get(url(UnitPlan, "add")).status_code == 403
    plan.refresh_from_db()
    assert plan.title != "改"
