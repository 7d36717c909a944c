"""Read operations: thin callers of the scoping selectors the pages use.

Lists are paged by ``limit``/``offset`` and give the ``count`` of all matching rows;
each list costs a fixed number of queries whatever its length.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router

from taolun.api.schemas import (
    BriefDetailOut,
    BriefPage,
    CampaignDetailOut,
    CampaignPage,
    ErrorOut,
    FiguresResponse,
    Id,
    MatrixOut,
    ProblemDetailOut,
    ProblemPage,
    Slug,
    UnitDetailOut,
    UnitPage,
    ValidationErrorOut,
)
from taolun.campaigns.models import Campaign, CellStatus
from taolun.campaigns.selectors import (
    campaign_stages,
    campaigns_for_user,
    get_campaign_for_user,
    unit_campaigns_for_user,
    unit_matrix,
)
from taolun.core import clock
from taolun.org.models import Unit
from taolun.org.selectors import get_unit_for_user, units_for_user
from taolun.rectification.models import Light, Problem, ProblemState
from taolun.rectification.selectors import (
    get_problem_for_user,
    ledger,
    problem_updates,
    problems_for_user,
)
from taolun.reporting.models import Brief, BriefReview, BriefState, ReviewState
from taolun.reporting.selectors import briefs_for_user, get_brief_for_user
from taolun.supervision.dashboard import get_dashboard_unit
from taolun.supervision.rollups import SHOWN_COUNTS
from taolun.supervision.snapshots import dashboard_rollup

router = Router(tags=["read"])  # writes.py adds its operations here

MAX_LIMIT = 200
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
# Far beyond any real list, and within what every database accepts as an OFFSET.
Offset = Annotated[int, Field(ge=0, le=10**9)]


def errors(ok: Any, *codes: int) -> dict[int, Any]:
    """The responses of an operation: its result and the errors it may answer."""
    responses: dict[int, Any] = {200: ok, 401: ErrorOut, 422: ValidationErrorOut}
    responses.update({code: ErrorOut for code in codes})
    return responses


def page(qs: QuerySet, limit: int, offset: int, row) -> dict[str, Any]:
    return {"count": qs.count(), "items": [row(obj) for obj in qs[offset : offset + limit]]}


# ---------------------------------------------------------------- campaigns


def campaign_row(campaign: Campaign) -> dict[str, Any]:
    return {
        "slug": campaign.slug,
        "name": campaign.name,
        "parent": campaign.parent.slug if campaign.parent_id else None,
        "owner_unit": campaign.owner_unit.slug,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "launched_on": campaign.launched_on,
    }


@router.get("/campaigns", response=errors(CampaignPage), summary="Campaigns I can see")
def campaign_list(request: HttpRequest, limit: Limit = 50, offset: Offset = 0) -> dict:
    qs = (
        campaigns_for_user(request.auth)
        .select_related("parent", "owner_unit")
        .order_by("-starts_on", "slug")
    )
    return page(qs, limit, offset, campaign_row)


@router.get(
    "/campaigns/{slug}", response=errors(CampaignDetailOut, 404), summary="A campaign's plan"
)
def campaign_detail(request: HttpRequest, slug: Slug) -> dict:
    campaign = get_campaign_for_user(request.auth, slug, related=("parent",))
    return {
        **campaign_row(campaign),
        "basis_number": campaign.basis_number,
        "basis_title": campaign.basis_title,
        "stages": [
            {
                "number": stage.number,
                "name": stage.name,
                "starts_on": stage.starts_on,
                "ends_on": stage.ends_on,
                "prescribed_actions": [
                    {"id": a.pk, "number": a.number, "name": a.name, "due_on": a.due_on}
                    for a in stage.prescribed_actions
                ],
            }
            for stage in campaign_stages(campaign)
        ],
    }


# ---------------------------------------------------------------- units


def _parent_slugs(user, units: list[Unit]) -> dict[str, str]:
    """Slugs of the parents of ``units`` that the user may see (one query)."""
    steplen = Unit.steplen
    paths = {u.path[:-steplen] for u in units if u.depth > 1}
    if not paths:
        return {}
    return dict(units_for_user(user).filter(path__in=paths).values_list("path", "slug"))


def _unit_rows(user, units: list[Unit]) -> list[dict[str, Any]]:
    parents = _parent_slugs(user, units)
    return [
        {
            "slug": u.slug,
            "name": u.name,
            "short_name": u.short_name,
            "kind": u.kind.code,
            "depth": u.depth,
            "parent": parents.get(u.path[: -Unit.steplen]),
        }
        for u in units
    ]


@router.get("/units", response=errors(UnitPage, 404), summary="Units in my scope")
def unit_list(
    request: HttpRequest,
    parent: Annotated[Slug | None, Query(description="Only this unit's children.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    user = request.auth
    qs = units_for_user(user).select_related("kind").order_by("path")
    if parent:
        above = get_unit_for_user(user, parent)
        qs = qs.filter(path__startswith=above.path, depth=above.depth + 1)
    units = list(qs[offset : offset + limit])
    return {"count": qs.count(), "items": _unit_rows(user, units)}


@router.get("/units/{slug}", response=errors(UnitDetailOut, 404), summary="A unit")
def unit_detail(request: HttpRequest, slug: Slug) -> dict:
    unit = get_unit_for_user(request.auth, slug)
    return {**_unit_rows(request.auth, [unit])[0], "children_count": unit.numchild}


@router.get(
    "/campaigns/{slug}/units/{unit}/matrix",
    response=errors(MatrixOut, 404),
    summary="Each action's status for a unit",
)
def matrix(request: HttpRequest, slug: Slug, unit: Slug) -> dict:
    user = request.auth
    campaign = get_campaign_for_user(user, slug)
    unit_obj = get_unit_for_user(user, unit)
    if not unit_campaigns_for_user(user, unit_obj).filter(pk=campaign.pk).exists():
        raise Http404
    today = clock.today()
    return {
        "campaign": campaign.slug,
        "unit": unit_obj.slug,
        "today": today,
        "stages": [
            {
                "number": block.stage.number,
                "name": block.stage.name,
                "cells": [
                    {
                        "action_id": cell.action.pk,
                        "label": str(cell.action.label),
                        "name": cell.action.name,
                        "kind": cell.action.kind,
                        "due_on": cell.row.due_on,
                        "status": cell.status,
                        "status_label": str(CellStatus(cell.status).label),
                        "records_count": cell.row.records_count,
                        "completed_on": cell.row.completed_on,
                    }
                    for cell in block.cells
                ],
            }
            for block in unit_matrix(campaign, unit_obj, today)
        ],
    }


# ---------------------------------------------------------------- the ledger


def problem_row(problem: Problem, light: str) -> dict[str, Any]:
    return {
        "id": problem.pk,
        "ledger_number": problem.ledger_number,
        "campaign": problem.campaign.slug,
        "unit": problem.unit.slug,
        "description": problem.description,
        "source": problem.source,
        "level": problem.level,
        "kind": problem.kind,
        "state": problem.state,
        "state_label": str(ProblemState(problem.state).label),
        "light": light,
        "light_label": str(Light(light).label),
        "deadline": problem.deadline,
    }


def problem_detail_row(problem: Problem) -> dict[str, Any]:
    return {
        **problem_row(problem, problem.light(clock.today())),
        "target_standard": problem.target_standard,
        "completed_on": problem.completed_on,
        "verified_on": problem.verified_on,
        "measures": [
            {"text": m.text, "deadline": m.deadline, "done": m.done, "done_on": m.done_on}
            for m in problem.measures.order_by("order", "id")
        ],
        "progress": [
            {
                "id": u.pk,
                "text": u.text,
                "reported_on": u.reported_on,
                "author": u.author.name or u.author.username if u.author_id else "",
            }
            for u in problem_updates(problem)
        ],
    }


@router.get("/campaigns/{slug}/problems", response=errors(ProblemPage, 404), summary="The ledger")
def problem_list(
    request: HttpRequest,
    slug: Slug,
    state: ProblemState | None = None,
    unit: Annotated[Slug | None, Query(description="This unit and the units below.")] = None,
    overdue: Annotated[bool | None, Query(description="Only (or, false, no) red lights.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    user = request.auth
    campaign = get_campaign_for_user(user, slug)
    if unit:
        unit = get_unit_for_user(user, unit).slug
    # A row shows the problem's own fields and its unit's slug: no other related row.
    rows = problems_for_user(user, campaign, related=("unit",))
    qs = ledger(rows, today=clock.today(), unit=unit, state=state, overdue=overdue)

    def row(problem: Problem) -> dict[str, Any]:
        problem.campaign = campaign  # every row's, already read
        return problem_row(problem, problem.lamp)

    return page(qs, limit, offset, row)


@router.get("/problems/{pk}", response=errors(ProblemDetailOut, 404), summary="A problem")
def problem_detail(request: HttpRequest, pk: Id) -> dict:
    return problem_detail_row(get_problem_for_user(request.auth, pk))


# ---------------------------------------------------------------- briefs


def _reviews_prefetch() -> Prefetch:
    return Prefetch(
        "reviews",
        queryset=BriefReview.objects.select_related("campaign").order_by("level"),
        to_attr="review_list",
    )


def brief_row(brief: Brief) -> dict[str, Any]:
    reviews = brief.review_list
    return {
        "id": brief.pk,
        "campaign": brief.campaign.slug,
        "unit": brief.unit.slug,
        "kind": brief.kind,
        "title": brief.title,
        "state": brief.state,
        "state_label": str(BriefState(brief.state).label),
        "levels_reached": [r.level for r in reviews],
        "adopted_levels": [r.level for r in reviews if r.state == ReviewState.ADOPTED],
        "updated_at": brief.updated_at,
    }


@router.get("/campaigns/{slug}/briefs", response=errors(BriefPage, 404), summary="Briefs")
def brief_list(
    request: HttpRequest,
    slug: Slug,
    state: BriefState | None = None,
    unit: Annotated[Slug | None, Query(description="This unit and the units below.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict:
    user = request.auth
    campaign = get_campaign_for_user(user, slug)
    qs = (
        briefs_for_user(user)
        .filter(campaign=campaign)
        .select_related("campaign", "unit")
        .prefetch_related(_reviews_prefetch())
        .order_by("-updated_at", "-pk")
    )
    if state:
        qs = qs.filter(state=state)
    if unit:
        qs = qs.filter(unit__path__startswith=get_unit_for_user(user, unit).path)
    return page(qs, limit, offset, brief_row)


def brief_detail_row(brief: Brief) -> dict[str, Any]:
    if not hasattr(brief, "review_list"):
        brief.review_list = list(brief.reviews.select_related("campaign").order_by("level"))
    return {
        **brief_row(brief),
        "body": brief.body,
        "byline": brief.byline,
        "reviews": [
            {
                "level": r.level,
                "campaign": r.campaign.slug,
                "state": r.state,
                "received_at": r.received_at,
                "decided_at": r.decided_at,
            }
            for r in brief.review_list
        ],
    }


@router.get("/briefs/{pk}", response=errors(BriefDetailOut, 404), summary="A brief")
def brief_detail(request: HttpRequest, pk: Id) -> dict:
    return brief_detail_row(get_brief_for_user(request.auth, pk))


__all__ = ["router"]


# ---------------------------------------------------------------- dashboard figures


def _counts_row(stage: int | None, counts) -> dict[str, Any]:
    return {
        "stage": stage,
        "total": counts.total,
        "done": counts.done,
        "done_late": counts.done_late,
        "overdue": counts.overdue,
        "awaiting_review": counts.awaiting_review,
        "in_progress": counts.in_progress,
        "not_started": counts.not_started,
    }


def _by_stage(figures) -> list[dict[str, Any]]:
    rows = [_counts_row(n, c) for n, c in sorted(figures.by_stage.items())]
    return [*rows, _counts_row(None, figures.overall)]


def figures_row(figures) -> dict[str, Any]:
    return {
        "unit": figures.unit.slug,
        "name": figures.unit.name,
        "has_children": figures.has_children,
        "completion_rate": figures.completion_rate,
        "timeliness": figures.timeliness,
        "prescribed": _by_stage(figures.prescribed),
        "self_selected": _by_stage(figures.self_selected),
        **{name: getattr(figures, name) for name in SHOWN_COUNTS},
    }


@router.get(
    "/campaigns/{slug}/figures",
    response=errors(FiguresResponse, 404),
    summary="Dashboard figures of a unit and of each child",
)
def figures(
    request: HttpRequest,
    slug: Slug,
    unit: Annotated[Slug | None, Query(description="Default: the topmost unit you read.")] = None,
) -> dict:
    """What a higher-level platform pulls: the dashboard's numbers, for readers of dashboards
    (office, leaders, supervisors) over the unit."""
    user = request.auth
    campaign = get_campaign_for_user(user, slug)
    unit_obj = get_dashboard_unit(user, campaign, unit)
    today = clock.today()
    rolled = dashboard_rollup(campaign, unit_obj, today)
    return {
        "campaign": campaign.slug,
        "today": today,
        "figures_as_of": rolled.as_of.computed_at if rolled.as_of else None,
        "unit_figures": figures_row(rolled.total),
        "child_rollups": [figures_row(child) for child in rolled.children],
    }
