"""Reads for campaigns, always scoped to the user asking."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from taolun.campaigns.models import (
    Action,
    ActionKind,
    ActionStatus,
    Approval,
    Campaign,
    CellStatus,
    LeadingGroupMember,
    Stage,
    UnitPlan,
    status_expression,
)
from taolun.org.models import Unit, User
from taolun.org.selectors import paths_taking_part, scope_for


def campaigns_for_user(user: User) -> QuerySet[Campaign]:
    """Campaigns run at or above a unit in scope or the user's own unit (the user takes
    part: studies, writes, gives opinions), or inside the scope."""
    scope = scope_for(user)
    if scope.is_everything:
        return Campaign.objects.all()
    above = paths_taking_part(user)
    if not above:
        return Campaign.objects.none()
    return Campaign.objects.filter(Q(owner_unit__path__in=above) | scope.q("owner_unit"))


def paths_held_here(user: User, campaign: Campaign, roles: Iterable[str]) -> list[str]:
    """Paths where ``user`` holds one of ``roles`` inside the campaign's own tree and
    outside the trees of its child campaigns, topmost first.

    A federation's office sits inside the province's tree but works in the federation's
    campaign: it neither writes nor decides in the province's. The child campaigns' units
    are read once per campaign object.
    """
    owner = campaign.owner_unit.path
    below = getattr(campaign, "_taolun_child_paths", None)
    if below is None:
        below = tuple(campaign.children.values_list("owner_unit__path", flat=True))
        campaign._taolun_child_paths = below
    scope = scope_for(user)
    held = sorted(
        {
            p
            for role in roles
            for p in scope.by_role.get(role, ())
            if p.startswith(owner) and not any(p.startswith(c) for c in below)
        }
    )
    return [p for i, p in enumerate(held) if not any(p.startswith(k) for k in held[:i])]


def get_campaign_for_user(user: User, slug: str, *, related: tuple[str, ...] = ()) -> Campaign:
    """The campaign ``slug`` if ``user`` may see it, else 404; with its owner unit, which
    scope checks read, and the ``related`` the page shows (``parent``, ``office_unit``):
    most pages show neither, and every joined table costs each page's query its build."""
    campaign = (
        campaigns_for_user(user).select_related("owner_unit", *related).filter(slug=slug).first()
    )
    if campaign is None:
        raise Http404
    return campaign


def unit_campaigns_for_user(user: User, unit: Unit) -> QuerySet[Campaign]:
    """Campaigns ``unit`` takes part in that ``user`` may see, most recent first.

    A unit takes part in a campaign run at or above it, unless a child of that
    campaign is run at or above it too (then it acts in the child).
    """
    if not unit.kind.takes_part:
        return Campaign.objects.none()
    paths = unit.ancestor_paths()
    return (
        campaigns_for_user(user)
        .filter(owner_unit__path__in=paths)
        .exclude(children__owner_unit__path__in=paths)
        .order_by("-starts_on", "slug")
    )


def campaign_stages(campaign: Campaign) -> list[Stage]:
    """Stages with their approved prescribed actions, in order (two queries)."""
    prescribed = Action.objects.filter(kind=ActionKind.PRESCRIBED).order_by("number")
    return list(
        campaign.stages.order_by("number").prefetch_related(
            Prefetch("actions", queryset=prescribed, to_attr="prescribed_actions")
        )
    )


def campaign_leading_group(campaign: Campaign) -> list[LeadingGroupMember]:
    return list(campaign.leading_group.select_related("person").order_by("order", "id"))


def unit_plan(campaign: Campaign, unit: Unit) -> UnitPlan | None:
    return (
        UnitPlan.objects.filter(campaign=campaign, unit=unit).select_related("updated_by").first()
    )


def unit_own_actions(campaign: Campaign, unit: Unit) -> list[Action]:
    return list(
        Action.objects.filter(campaign=campaign, unit=unit, kind=ActionKind.SELF_SELECTED)
        .select_related("campaign__owner_unit", "stage", "unit", "proposed_by", "decided_by")
        .order_by("number")
    )


@dataclass(frozen=True)
class MatrixCell:
    action: Action
    status: str
    row: ActionStatus

    @property
    def status_label(self) -> str:
        return CellStatus(self.status).label


@dataclass(frozen=True)
class MatrixStage:
    stage: Stage
    cells: list[MatrixCell]


def unit_matrix(campaign: Campaign, unit: Unit, today: dt.date) -> list[MatrixStage]:
    """The unit's stage × action matrix: one query over the status table."""
    rows = (
        ActionStatus.objects.filter(campaign=campaign, unit=unit)
        .select_related("action", "stage", "latest_record")
        .order_by("stage__number", "action__kind", "action__number")
    )
    stages: dict[int, MatrixStage] = {}
    for row in rows:
        bucket = stages.setdefault(row.stage_id, MatrixStage(stage=row.stage, cells=[]))
        bucket.cells.append(MatrixCell(action=row.action, status=row.status(today), row=row))
    return list(stages.values())


def matrix_counts(matrix: list[MatrixStage]) -> dict[str, int]:
    """How many of a unit's cells are in each status: counted from its matrix, no query."""
    counts = Counter({status.value: 0 for status in CellStatus})
    counts.update(cell.status for stage in matrix for cell in stage.cells)
    return dict(counts)


def status_counts(rows: QuerySet[ActionStatus], today: dt.date) -> dict[str, int]:
    """How many cells are in each status, counted in SQL."""
    counted = rows.annotate(cell=status_expression(today)).values("cell").annotate(n=Count("id"))
    counts = Counter({status.value: 0 for status in CellStatus})
    counts.update({row["cell"]: row["n"] for row in counted})
    return dict(counts)


@dataclass(frozen=True)
class OverviewRow:
    unit: Unit
    cells: list[str | None]


def campaign_overview(
    campaign: Campaign, user: User, today: dt.date, *, units: list[Unit]
) -> tuple[list[Action], list[OverviewRow]]:
    """Units × prescribed actions for the given units (already scoped and paged)."""
    actions = list(
        campaign.actions.filter(kind=ActionKind.PRESCRIBED, approval=Approval.APPROVED)
        .select_related("stage")
        .order_by("stage__number", "number")
    )
    cells = {
        (r["unit_id"], r["action_id"]): r["cell"]
        for r in ActionStatus.objects.filter(
            campaign=campaign,
            unit__in=[u.pk for u in units],
            action__kind=ActionKind.PRESCRIBED,
        )
        .annotate(cell=status_expression(today))
        .values("unit_id", "action_id", "cell")
    }
    rows = [OverviewRow(unit=u, cells=[cells.get((u.pk, a.pk)) for a in actions]) for u in units]
    return actions, rows


def campaign_units_for_user(campaign: Campaign, user: User) -> QuerySet[Unit]:
    """Units of the campaign (they have status rows) that the user may see, in tree order."""
    scope = scope_for(user)
    unit_ids = ActionStatus.objects.filter(campaign=campaign).values("unit_id")
    return (
        Unit.objects.filter(pk__in=unit_ids)
        .filter(scope.q(unit_field=""))
        .select_related("kind")
        .order_by("path")
    )


def pending_actions_for_user(user: User) -> QuerySet[Action]:
    """Self-selected actions awaiting a decision this user may make."""
    from taolun.org.roles import APPROVING_ROLES

    if not scope_for(user).holds(APPROVING_ROLES):
        return Action.objects.none()
    return (
        Action.objects.filter(kind=ActionKind.SELF_SELECTED, approval=Approval.PROPOSED)
        .filter(scope_for(user).q_in_campaign(APPROVING_ROLES))
        .select_related("campaign__owner_unit", "unit", "stage", "proposed_by")
        .order_by("id")
    )


def get_action_for_user(user: User, pk: int) -> Action:
    """An action the user can see: prescribed ones of a visible campaign, own ones in scope."""
    action = (
        Action.objects.select_related("campaign__owner_unit", "stage", "unit")
        .filter(pk=pk)
        .filter(
            Q(kind=ActionKind.PRESCRIBED, campaign__in=campaigns_for_user(user))
            | (Q(kind=ActionKind.SELF_SELECTED) & scope_for(user).q())
        )
        .first()
    )
    if action is None:
        raise Http404
    return action
