"""Write operations: each finds its objects through the scoping selectors (404 outside
scope) and calls the one service the pages call, which checks permission (403) and
input (422, naming the fields) and writes under audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.responses import Status

from taolun.activities.models import ActivityRecord, RecordStatus
from taolun.activities.services import record_create
from taolun.api.endpoints import brief_detail_row, problem_detail_row, router
from taolun.api.schemas import (
    BriefDetailOut,
    BriefIn,
    ErrorOut,
    Id,
    IndicatorValueIn,
    IndicatorValueOut,
    ProblemDetailOut,
    ProblemIn,
    ProgressIn,
    ProgressOut,
    RecordIn,
    RecordOut,
    Slug,
    ValidationErrorOut,
)
from taolun.campaigns.selectors import get_action_for_user, get_campaign_for_user
from taolun.org.selectors import get_unit_for_user
from taolun.rectification.models import ProblemKind, ProblemLevel, ProblemSource
from taolun.rectification.selectors import get_problem_for_user
from taolun.rectification.services import MeasureInput, problem_create, progress_add
from taolun.reporting.briefs import brief_create
from taolun.reporting.models import BriefKind
from taolun.targets.selectors import get_indicator_for_user
from taolun.targets.services import report_value

# One router for reads and writes: ninja answers a path from one router only, and a
# collection is read and written at the same path.
WRITE = ["write"]


def created(ok: Any) -> dict[int, Any]:
    return {
        201: ok,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    }


def _choice(field: str, value: str, choices: type) -> str:
    """Refuse a value outside a field's choices, naming the field, before any write."""
    if value not in choices.values:
        raise ValidationError(
            {field: _("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)}}
        )
    return value


def record_row(record: ActivityRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "campaign": record.campaign.slug,
        "unit": record.unit.slug,
        "action_id": record.action_id,
        "title": record.title,
        "held_on": record.held_on,
        "status": record.status,
        "status_label": str(RecordStatus(record.status).label),
    }


@router.post(
    "/records", tags=WRITE, response=created(RecordOut), summary="Record an action carried out"
)
def record_add(request: HttpRequest, payload: RecordIn) -> Status:
    user = request.auth
    unit = get_unit_for_user(user, payload.unit)
    action = get_action_for_user(user, payload.action)
    record = record_create(
        actor=user,
        action=action,
        unit=unit,
        title=payload.title,
        held_on=payload.held_on,
        place=payload.place,
        participant_count=payload.participant_count,
        content=payload.content,
        submit=payload.submit,
    )
    return Status(201, record_row(record))


@router.post(
    "/campaigns/{slug}/problems",
    tags=WRITE,
    response=created(ProblemDetailOut),
    summary="Record a problem in the ledger",
)
def problem_add(request: HttpRequest, slug: Slug, payload: ProblemIn) -> Status:
    user = request.auth
    campaign = get_campaign_for_user(user, slug)
    unit = get_unit_for_user(user, payload.unit)
    theme = None
    if payload.theme is not None:
        theme = campaign.themes.filter(number=payload.theme).first()
        if theme is None:
            raise ValidationError({"theme": _("Choose one of this campaign's themes.")})
    problem = problem_create(
        actor=user,
        campaign=campaign,
        unit=unit,
        description=payload.description,
        ledger_number=payload.ledger_number,
        source=_choice("source", payload.source, ProblemSource),
        source_note=payload.source_note,
        theme=theme,
        level=_choice("level", payload.level, ProblemLevel),
        kind=_choice("kind", payload.kind, ProblemKind),
        deadline=payload.deadline,
        target_standard=payload.target_standard,
        measures=[MeasureInput(text=m.text, deadline=m.deadline) for m in payload.measures],
        open_now=payload.open,
    )
    return Status(201, problem_detail_row(problem))


@router.post(
    "/problems/{pk}/progress", tags=WRITE, response=created(ProgressOut), summary="Report progress"
)
def progress_report(request: HttpRequest, pk: Id, payload: ProgressIn) -> Status:
    user = request.auth
    problem = get_problem_for_user(user, pk)
    update = progress_add(
        actor=user, problem=problem, text=payload.text, reported_on=payload.reported_on
    )
    return Status(
        201,
        {
            "id": update.pk,
            "text": update.text,
            "reported_on": update.reported_on,
            "author": user.name or user.username,
        },
    )


@router.post(
    "/campaigns/{slug}/briefs",
    tags=WRITE,
    response=created(BriefDetailOut),
    summary="Write a draft brief",
)
def brief_add(request: HttpRequest, slug: Slug, payload: BriefIn) -> Status:
    user = request.auth
    campaign = get_campaign_for_user(user, slug)
    unit = get_unit_for_user(user, payload.unit)
    action = None
    if payload.action is not None:
        action = get_action_for_user(user, payload.action)
    brief = brief_create(
        actor=user,
        campaign=campaign,
        unit=unit,
        title=payload.title,
        body=payload.body,
        phone=payload.phone,
        kind=_choice("kind", payload.kind, BriefKind),
        action=action,
        byline=payload.byline,
    )
    brief.review_list = []
    return Status(201, brief_detail_row(brief))


@router.post(
    "/indicators/{pk}/values",
    tags=WRITE,
    response=created(IndicatorValueOut),
    summary="Report a unit's value of a work-target indicator for a period",
)
def indicator_value_report(request: HttpRequest, pk: Id, payload: IndicatorValueIn) -> Status:
    user = request.auth
    indicator = get_indicator_for_user(user, pk)
    unit = get_unit_for_user(user, payload.unit)
    report = report_value(user, indicator, unit, payload.period_start, payload.value, payload.note)
    return Status(
        201,
        {
            "id": report.pk,
            "indicator_id": indicator.pk,
            "unit": unit.slug,
            "period_start": report.period_start,
            "value": report.value,
            "note": report.note,
        },
    )
