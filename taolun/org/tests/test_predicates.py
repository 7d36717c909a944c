import pytest

from taolun.activities.models import ActivityRecord, RecordStatus
from taolun.org.predicates import InCampaign


@pytest.mark.parametrize(
    ("who", "perm", "unit", "allowed"),
    [
        ("contact1", "activities.add_record", "branch1", True),
        ("contact1", "activities.add_record", "branch2", False),
        ("contact1", "activities.add_record", "organ", False),
        ("member1", "activities.add_record", "branch1", False),
        ("supervisor", "activities.add_record", "branch1", False),
        ("leader", "activities.add_record", "branch1", False),
        ("office", "activities.add_record", "branch2", True),
        ("outsider", "activities.add_record", "branch1", False),
        ("contact1", "campaigns.change_unit_plan", "branch1", True),
        ("contact2", "campaigns.change_unit_plan", "branch1", False),
        ("member1", "campaigns.change_unit_plan", "branch1", False),
        ("contact1", "campaigns.propose_action", "branch1", True),
        ("member1", "org.view_unit", "branch1", True),
        ("member1", "org.view_unit", "branch2", False),
        ("supervisor", "org.view_unit", "branch2", True),
    ],
)
def test_unit_permissions(org, who, perm, unit, allowed):
    target = getattr(org, unit)
    if not perm.startswith("org."):
        target = InCampaign(target, org.campaign)
    assert getattr(org, who).has_perm(perm, target) is allowed


def test_roles_held_above_a_campaign_only_read_in_it(org):
    """The parent campaign's office reads a child campaign's units but writes nothing there."""
    from taolun.campaigns.tests.factories import make_campaign

    child = make_campaign(org.organ, "organ-camp", parent=org.campaign)
    in_child = InCampaign(org.branch1, child)
    assert org.office.has_perm("org.view_unit", org.branch1)
    for perm in ("activities.add_record", "campaigns.change_unit_plan", "campaigns.propose_action"):
        assert not org.office.has_perm(perm, in_child)
        assert org.contact1.has_perm(perm, in_child)


@pytest.mark.parametrize(
    ("status", "who", "perm", "allowed"),
    [
        (RecordStatus.DRAFT, "contact1", "activities.change_record", True),
        (RecordStatus.RETURNED, "contact1", "activities.change_record", True),
        (RecordStatus.SUBMITTED, "contact1", "activities.change_record", False),
        (RecordStatus.ACCEPTED, "contact1", "activities.change_record", False),
        (RecordStatus.DRAFT, "contact2", "activities.change_record", False),
        (RecordStatus.SUBMITTED, "office", "activities.review_record", True),
        (RecordStatus.SUBMITTED, "leader", "activities.review_record", False),
        (RecordStatus.SUBMITTED, "supervisor", "activities.review_record", False),
        (RecordStatus.SUBMITTED, "contact1", "activities.review_record", False),
        (RecordStatus.SUBMITTED, "supervisor", "activities.view_record", True),
        (RecordStatus.SUBMITTED, "contact2", "activities.view_record", False),
    ],
)
def test_record_permissions(org, status, who, perm, allowed):
    record = ActivityRecord(
        campaign=org.campaign,
        action=org.campaign.actions.first(),
        unit=org.branch1,
        status=status,
        created_by=org.contact1,
    )
    assert getattr(org, who).has_perm(perm, record) is allowed


def test_decide_action_is_for_office_and_leaders(org):
    from taolun.campaigns.models import Action, ActionKind, Approval

    action = Action(
        campaign=org.campaign,
        kind=ActionKind.SELF_SELECTED,
        unit=org.branch1,
        approval=Approval.PROPOSED,
    )
    assert org.office.has_perm("campaigns.decide_action", action)
    assert org.leader.has_perm("campaigns.decide_action", action)
    assert not org.contact1.has_perm("campaigns.decide_action", action)
    assert not org.supervisor.has_perm("campaigns.decide_action", action)


def test_nobody_reviews_their_own_work(org):
    from taolun.campaigns.models import Action, ActionKind, Approval

    record = ActivityRecord(
        campaign=org.campaign,
        action=org.campaign.actions.first(),
        unit=org.branch1,
        status=RecordStatus.SUBMITTED,
        created_by=org.office,
    )
    assert not org.office.has_perm("activities.review_record", record)
    action = Action(
        campaign=org.campaign,
        kind=ActionKind.SELF_SELECTED,
        unit=org.branch1,
        approval=Approval.PROPOSED,
        proposed_by=org.leader,
    )
    assert not org.leader.has_perm("campaigns.decide_action", action)
    assert org.office.has_perm("campaigns.decide_action", action)
