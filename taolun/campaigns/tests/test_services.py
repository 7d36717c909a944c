import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taolun.campaigns.models import (
    Action,
    ActionKind,
    ActionStatus,
    Approval,
    CellStatus,
    RecordState,
    status_expression,
)
from taolun.campaigns.selectors import status_counts, unit_matrix
from taolun.campaigns.services import (
    campaign_create,
    campaign_sync_statuses,
    campaign_units,
    self_selected_action_decide,
    self_selected_action_propose,
    unit_plan_save,
)
from taolun.org.tests.factories import make_unit

D = dt.date


def test_child_campaign_copies_themes_stages_and_actions_with_origins(org):
    child = campaign_create(
        actor=org.office,
        slug="child",
        name="子讨论",
        owner_unit=org.organ,
        starts_on=D(2019, 2, 22),
        ends_on=D(2019, 6, 30),
        parent=org.campaign,
    )
    assert child.themes.count() == org.campaign.themes.count()
    assert [s.name for s in child.stages.all()] == [s.name for s in org.campaign.stages.all()]
    for action in child.actions.all():
        assert action.origin.campaign == org.campaign
        assert action.origin.number == action.number
        assert action.stage.origin == action.origin.stage
    assert {t.origin_id for t in child.themes.all()} == set(
        org.campaign.themes.values_list("pk", flat=True)
    )


def test_units_of_a_child_campaign_act_in_the_child_only(org):
    child = campaign_create(
        actor=org.office,
        slug="child",
        name="子讨论",
        owner_unit=org.organ,
        starts_on=D(2019, 2, 22),
        ends_on=D(2019, 6, 30),
        parent=org.campaign,
    )
    assert set(campaign_units(org.campaign).values_list("slug", flat=True)) == {"root"}
    assert set(campaign_units(child).values_list("slug", flat=True)) == {
        "organ",
        "branch1",
        "branch2",
    }
    campaign_sync_statuses(campaign=org.campaign)
    assert not ActionStatus.objects.filter(campaign=org.campaign, unit=org.branch1).exists()
    assert ActionStatus.objects.filter(campaign=child, unit=org.branch1).count() == 4


def test_sync_adds_rows_for_new_units_and_is_idempotent(org):
    before = ActionStatus.objects.count()
    assert campaign_sync_statuses(campaign=org.campaign) == 0
    make_unit("新支部", "branch3", org.organ, sync=False)
    assert campaign_sync_statuses(campaign=org.campaign) == 4
    assert ActionStatus.objects.count() == before + 4


def test_end_before_start_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        campaign_create(
            actor=None,
            slug="bad",
            name="x",
            owner_unit=org.root,
            starts_on=D(2019, 6, 1),
            ends_on=D(2019, 5, 1),
        )
    assert "ends_on" in exc.value.message_dict


def propose(org, who="contact1", unit="branch1", **kw):
    stage = org.campaign.stages.first()
    return self_selected_action_propose(
        actor=getattr(org, who),
        campaign=org.campaign,
        unit=getattr(org, unit),
        stage=stage,
        name=kw.pop("name", "红色教育基地参观"),
        due_on=kw.pop("due_on", D(2019, 3, 10)),
        **kw,
    )


def test_self_selected_action_is_proposed_then_approved_into_the_matrix(org, travel):
    travel(D(2019, 3, 1))
    action = propose(org)
    assert action.approval == Approval.PROPOSED and action.number == 1
    assert not ActionStatus.objects.filter(action=action).exists()
    self_selected_action_decide(actor=org.office, action=action, approve=True)
    row = ActionStatus.objects.get(action=action)
    assert row.unit == org.branch1
    cells = [
        c.action for s in unit_matrix(org.campaign, org.branch1, D(2019, 3, 1)) for c in s.cells
    ]
    assert action in cells
    other = [
        c.action for s in unit_matrix(org.campaign, org.branch2, D(2019, 3, 1)) for c in s.cells
    ]
    assert action not in other
    assert propose(org, name="第二个").number == 2


def test_rejecting_needs_a_reason_and_keeps_it_out_of_the_matrix(org):
    action = propose(org)
    with pytest.raises(ValidationError) as exc:
        self_selected_action_decide(actor=org.leader, action=action, approve=False)
    assert "comment" in exc.value.message_dict
    self_selected_action_decide(actor=org.leader, action=action, approve=False, comment="重复")
    action.refresh_from_db()
    assert action.approval == Approval.REJECTED
    assert not ActionStatus.objects.filter(action=action).exists()
    with pytest.raises(ValidationError):
        self_selected_action_decide(actor=org.office, action=action, approve=True)


def test_only_contacts_and_office_propose_and_only_office_or_leader_decide(org):
    with pytest.raises(PermissionDenied):
        propose(org, who="contact2")
    with pytest.raises(PermissionDenied):
        propose(org, who="member1")
    action = propose(org)
    for who in ("contact1", "supervisor", "member1"):
        with pytest.raises(PermissionDenied):
            self_selected_action_decide(actor=getattr(org, who), action=action, approve=True)


def test_proposal_due_outside_the_campaign_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        propose(org, due_on=D(2020, 1, 1))
    assert "due_on" in exc.value.message_dict
    assert not Action.objects.filter(kind=ActionKind.SELF_SELECTED).exists()


def test_unit_plan_is_sanitised_and_scoped(org):
    plan = unit_plan_save(
        actor=org.contact1,
        campaign=org.campaign,
        unit=org.branch1,
        title="一支部实施方案",
        body="<p onclick='x()'>学习</p><script>x()</script>",
    )
    assert plan.body == "<p>学习</p>"
    with pytest.raises(PermissionDenied):
        unit_plan_save(
            actor=org.contact1, campaign=org.campaign, unit=org.branch2, title="x", body=""
        )


def test_plan_changes_are_audited_with_the_actor(org):
    from auditlog.models import LogEntry

    plan = unit_plan_save(
        actor=org.contact1, campaign=org.campaign, unit=org.branch1, title="方案", body="内容"
    )
    entry = LogEntry.objects.get_for_object(plan).latest("timestamp")
    assert entry.actor == org.contact1


STATES = list(RecordState)
DUES = [None, D(2019, 3, 10)]
COMPLETED = [None, D(2019, 3, 5), D(2019, 3, 20)]
TODAYS = [D(2019, 3, 1), D(2019, 3, 10), D(2019, 3, 11)]


def test_sql_status_matches_python_status_in_every_case(org):
    """The dashboard's SQL and the matrix's Python must agree on every combination."""
    row = ActionStatus.objects.filter(unit=org.branch1).first()
    for state, due, completed, today in itertools.product(STATES, DUES, COMPLETED, TODAYS):
        ActionStatus.objects.filter(pk=row.pk).update(
            record_state=state, due_on=due, completed_on=completed
        )
        row.refresh_from_db()
        sql = (
            ActionStatus.objects.filter(pk=row.pk)
            .annotate(s=status_expression(today))
            .values_list("s", flat=True)
            .get()
        )
        assert sql == row.status(today), (state, due, completed, today)


@pytest.mark.parametrize(
    ("state", "completed", "today", "expected"),
    [
        (RecordState.NONE, None, D(2019, 3, 10), CellStatus.NOT_STARTED),
        (RecordState.NONE, None, D(2019, 3, 11), CellStatus.OVERDUE),
        (RecordState.WORKING, None, D(2019, 3, 1), CellStatus.IN_PROGRESS),
        (RecordState.WORKING, None, D(2019, 3, 11), CellStatus.OVERDUE),
        (RecordState.SUBMITTED, None, D(2019, 3, 1), CellStatus.AWAITING_REVIEW),
        (RecordState.SUBMITTED, None, D(2019, 4, 1), CellStatus.OVERDUE),
        (RecordState.ACCEPTED, D(2019, 3, 10), D(2019, 9, 1), CellStatus.DONE),
        (RecordState.ACCEPTED, D(2019, 3, 11), D(2019, 9, 1), CellStatus.DONE_LATE),
    ],
)
def test_cell_status_follows_the_clock(org, state, completed, today, expected):
    row = ActionStatus(record_state=state, due_on=D(2019, 3, 10), completed_on=completed)
    assert row.status(today) == expected


def test_status_counts_cover_every_status(org):
    counts = status_counts(ActionStatus.objects.filter(campaign=org.campaign), D(2019, 3, 1))
    assert set(counts) == {s.value for s in CellStatus}
    assert (
        counts[CellStatus.NOT_STARTED] == ActionStatus.objects.filter(campaign=org.campaign).count()
    )


def test_a_unit_added_later_gets_its_rows_at_once(org):
    village = make_unit("新支部", "branch3", org.organ)
    assert ActionStatus.objects.filter(unit=village, campaign=org.campaign).count() == 4
