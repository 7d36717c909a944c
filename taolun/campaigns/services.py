"""Writes for campaigns: creation with cascade, plans, self-selected actions, statuses."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from taolun.campaigns.models import (
    Action,
    ActionKind,
    ActionStatus,
    Approval,
    Campaign,
    RecordState,
    Stage,
    Theme,
    UnitPlan,
)
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.sanitize import clean_html
from taolun.org.models import Unit, User
from taolun.org.predicates import InCampaign

STATUS_BATCH = 5000


@transaction.atomic
def campaign_create(
    *,
    actor: User | None,
    slug: str,
    name: str,
    owner_unit: Unit,
    starts_on: dt.date,
    ends_on: dt.date,
    parent: Campaign | None = None,
    **fields,
) -> Campaign:
    """Create a campaign; under a parent it inherits the parent's themes, stages and actions."""
    with audited(actor):
        campaign = Campaign(
            slug=slug,
            name=name,
            owner_unit=owner_unit,
            starts_on=starts_on,
            ends_on=ends_on,
            parent=parent,
            **fields,
        )
        for text_field in ("general_requirements", "main_tasks", "methods", "organisation"):
            setattr(campaign, text_field, clean_html(getattr(campaign, text_field)))
        campaign.full_clean()
        if ends_on < starts_on:
            raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
        campaign.save()
        if parent is not None:
            _copy_from_parent(campaign, parent)
        campaign_sync_statuses(campaign=campaign)
        if parent is not None:
            campaign_sync_statuses(campaign=parent)  # its units now act in the child
    return campaign


def _copy_from_parent(campaign: Campaign, parent: Campaign) -> None:
    Theme.objects.bulk_create(
        Theme(
            campaign=campaign,
            number=t.number,
            break_with=t.break_with,
            focus_on=t.focus_on,
            adhere_to=t.adhere_to,
            origin=t,
        )
        for t in parent.themes.all()
    )
    stage_map: dict[int, Stage] = {}
    for s in parent.stages.all():
        stage_map[s.pk] = Stage.objects.create(
            campaign=campaign,
            number=s.number,
            name=s.name,
            directive=s.directive,
            description=s.description,
            starts_on=s.starts_on,
            ends_on=s.ends_on,
            origin=s,
        )
    for a in parent.actions.filter(kind=ActionKind.PRESCRIBED):
        Action.objects.create(
            campaign=campaign,
            stage=stage_map[a.stage_id],
            kind=ActionKind.PRESCRIBED,
            number=a.number,
            name=a.name,
            description=a.description,
            due_on=a.due_on,
            origin=a,
        )


def campaign_units(campaign: Campaign) -> QuerySet[Unit]:
    """The units that carry out this campaign's actions.

    That is the owner's subtree, less the subtrees that run a child campaign of their own
    (those units act in the child, which reports up through its origin links), and less
    units whose kind only groups others (an organ, a department).
    """
    owner_path = campaign.owner_unit.path
    units = Unit.objects.filter(path__startswith=owner_path, kind__takes_part=True)
    for child_path in Campaign.objects.filter(parent=campaign).values_list(
        "owner_unit__path", flat=True
    ):
        units = units.exclude(path__startswith=child_path)
    return units


@transaction.atomic
def campaign_sync_statuses(*, campaign: Campaign) -> int:
    """Create the missing (unit, action) status rows; return how many were added."""
    unit_ids = list(campaign_units(campaign).values_list("pk", flat=True))
    actions = list(
        campaign.actions.filter(approval=Approval.APPROVED).values_list(
            "pk", "stage_id", "due_on", "kind", "unit_id"
        )
    )
    existing = set(
        ActionStatus.objects.filter(campaign=campaign).values_list("unit_id", "action_id")
    )
    unit_set = set(unit_ids)
    rows: list[ActionStatus] = []
    added = 0
    for action_id, stage_id, due_on, kind, own_unit in actions:
        targets = (
            unit_ids
            if kind == ActionKind.PRESCRIBED
            else ([own_unit] if own_unit in unit_set else [])
        )
        for unit_id in targets:
            if (unit_id, action_id) in existing:
                continue
            rows.append(
                ActionStatus(
                    campaign=campaign,
                    unit_id=unit_id,
                    action_id=action_id,
                    stage_id=stage_id,
                    due_on=due_on,
                )
            )
            if len(rows) >= STATUS_BATCH:
                ActionStatus.objects.bulk_create(rows, ignore_conflicts=True)
                added += len(rows)
                rows = []
    if rows:
        ActionStatus.objects.bulk_create(rows, ignore_conflicts=True)
        added += len(rows)
    # Children run their own actions: drop rows of units that moved into a child campaign.
    ActionStatus.objects.filter(campaign=campaign, record_state=RecordState.NONE).exclude(
        unit__in=campaign_units(campaign).values("pk")
    ).delete()
    return added


@transaction.atomic
def unit_statuses_ensure(*, unit: Unit) -> int:
    """Give a newly added unit its status rows in the campaigns it takes part in."""
    added = 0
    for campaign in Campaign.objects.filter(owner_unit__path__in=unit.ancestor_paths()):
        if not campaign_units(campaign).filter(pk=unit.pk).exists():
            continue
        rows = [
            ActionStatus(
                campaign=campaign, unit=unit, action_id=pk, stage_id=stage_id, due_on=due_on
            )
            for pk, stage_id, due_on in campaign.actions.filter(
                kind=ActionKind.PRESCRIBED, approval=Approval.APPROVED
            ).values_list("pk", "stage_id", "due_on")
        ]
        added += len(ActionStatus.objects.bulk_create(rows, ignore_conflicts=True))
    return added


@transaction.atomic
def unit_plan_save(
    *, actor: User, campaign: Campaign, unit: Unit, title: str, body: str
) -> UnitPlan:
    if not actor.has_perm("campaigns.change_unit_plan", InCampaign(unit, campaign)):
        raise PermissionDenied
    if not campaign_units(campaign).filter(pk=unit.pk).exists():
        raise ValidationError(_("This unit does not take part in this campaign."))
    with audited(actor):
        plan = UnitPlan.objects.filter(campaign=campaign, unit=unit).first() or UnitPlan(
            campaign=campaign, unit=unit
        )
        plan.title = title.strip()
        plan.body = clean_html(body)
        plan.updated_by = actor
        plan.full_clean()
        plan.save()
    return plan


def _check_within_campaign(campaign: Campaign, stage: Stage, due_on: dt.date | None) -> None:
    if stage.campaign_id != campaign.pk:
        raise ValidationError({"stage": _("Choose a stage of this campaign.")})
    if due_on and not (campaign.starts_on <= due_on <= campaign.ends_on):
        raise ValidationError(
            {
                "due_on": _("The due date must fall within the campaign (%(start)s – %(end)s).")
                % {"start": campaign.starts_on, "end": campaign.ends_on}
            }
        )


@transaction.atomic
def self_selected_action_propose(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    stage: Stage,
    name: str,
    description: str = "",
    due_on: dt.date | None = None,
) -> Action:
    """A unit adds its own action (自选动作) to its plan; the office approves it."""
    if not actor.has_perm("campaigns.propose_action", InCampaign(unit, campaign)):
        raise PermissionDenied
    if not campaign_units(campaign).filter(pk=unit.pk).exists():
        raise ValidationError(_("This unit does not take part in this campaign."))
    _check_within_campaign(campaign, stage, due_on)
    with audited(actor):
        # Lock the unit: concurrent proposals of one unit must not take the same number.
        Unit.objects.select_for_update().filter(pk=unit.pk).exists()
        last = Action.objects.filter(
            campaign=campaign, unit=unit, kind=ActionKind.SELF_SELECTED
        ).aggregate(m=Max("number"))["m"]
        action = Action(
            campaign=campaign,
            stage=stage,
            kind=ActionKind.SELF_SELECTED,
            unit=unit,
            number=(last or 0) + 1,
            name=name.strip(),
            description=clean_html(description),
            due_on=due_on,
            approval=Approval.PROPOSED,
            proposed_by=actor,
        )
        action.full_clean()
        action.save()
    from taolun.notifications.services import notify_action_proposed

    transaction.on_commit(lambda: notify_action_proposed(action))
    return action


@transaction.atomic
def self_selected_action_decide(
    *, actor: User, action: Action, approve: bool, comment: str = ""
) -> Action:
    if action.kind != ActionKind.SELF_SELECTED:
        raise ValidationError(_("Only self-selected actions need approval."))
    if not actor.has_perm("campaigns.decide_action", action):
        raise PermissionDenied
    if action.approval != Approval.PROPOSED:
        raise ValidationError(_("This action has already been decided."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say why the action is not approved.")})
    with audited(actor):
        action.approval = Approval.APPROVED if approve else Approval.REJECTED
        action.decided_by = actor
        action.decided_at = clock.now()
        action.decision_comment = comment.strip()
        action.save(update_fields=["approval", "decided_by", "decided_at", "decision_comment"])
        if approve:
            ActionStatus.objects.get_or_create(
                unit=action.unit,
                action=action,
                defaults={
                    "campaign": action.campaign,
                    "stage": action.stage,
                    "due_on": action.due_on,
                },
            )
    from taolun.notifications.services import notify_action_decided

    transaction.on_commit(lambda: notify_action_decided(action))
    return action


def action_statuses_refresh_due(*, action: Action) -> None:
    """Carry a changed due date or stage into the status rows."""
    ActionStatus.objects.filter(action=action).update(due_on=action.due_on, stage=action.stage)


__all__ = [
    "campaign_create",
    "campaign_sync_statuses",
    "campaign_units",
    "self_selected_action_decide",
    "self_selected_action_propose",
    "unit_plan_save",
    "unit_statuses_ensure",
]
