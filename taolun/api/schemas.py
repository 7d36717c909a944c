"""The shapes the API reads and writes (ninja Schemas, published in the OpenAPI schema).

Strings refuse the NUL character (PostgreSQL cannot store it) and ids stay within a
64-bit integer, so no input a client can send reaches the database as an error.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

NO_NUL = r"^[^\x00]*$"
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Slug = Annotated[str, StringConstraints(max_length=60, pattern=r"^[A-Za-z0-9_-]+$")]
Short = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Long = Annotated[str, StringConstraints(max_length=100_000, pattern=NO_NUL)]
# Dates a campaign can concern: years outside this range are typing mistakes.
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2999, 12, 31))]


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


# ---------------------------------------------------------------- campaigns and units


class CampaignOut(Schema):
    slug: str
    name: str
    parent: str | None = Field(None, description="The parent campaign's slug.")
    owner_unit: str = Field(description="The slug of the unit that runs the campaign.")
    starts_on: dt.date
    ends_on: dt.date
    launched_on: dt.date | None


class ActionOut(Schema):
    id: int
    number: int
    name: str
    due_on: dt.date | None


class StageOut(Schema):
    number: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    prescribed_actions: list[ActionOut]


class CampaignDetailOut(CampaignOut):
    basis_number: str
    basis_title: str
    stages: list[StageOut]


class CampaignPage(Schema):
    count: int
    items: list[CampaignOut]


class UnitOut(Schema):
    slug: str
    name: str
    short_name: str
    kind: str = Field(description="The kind's code (organisation, organ, branch …).")
    depth: int
    parent: str | None = Field(None, description="The parent unit's slug.")


class UnitDetailOut(UnitOut):
    children_count: int


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


class CellOut(Schema):
    action_id: int
    label: str
    name: str
    kind: str
    due_on: dt.date | None
    status: str
    status_label: str
    records_count: int
    completed_on: dt.date | None


class MatrixStageOut(Schema):
    number: int
    name: str
    cells: list[CellOut]


class MatrixOut(Schema):
    campaign: str
    unit: str
    today: dt.date
    stages: list[MatrixStageOut]


# ---------------------------------------------------------------- the ledger


class ProblemOut(Schema):
    id: int
    ledger_number: str
    campaign: str
    unit: str
    description: str = Field(description="Sanitised HTML.")
    source: str
    level: str
    kind: str
    state: str
    state_label: str
    light: str
    light_label: str
    deadline: dt.date | None


class MeasureOut(Schema):
    text: str
    deadline: dt.date
    done: bool
    done_on: dt.date | None


class ProgressOut(Schema):
    id: int
    text: str
    reported_on: dt.date
    author: str


class ProblemDetailOut(ProblemOut):
    target_standard: str
    completed_on: dt.date | None
    verified_on: dt.date | None
    measures: list[MeasureOut]
    progress: list[ProgressOut]


class ProblemPage(Schema):
    count: int
    items: list[ProblemOut]


class MeasureIn(Schema):
    text: Short
    deadline: Day


class ProblemIn(Schema):
    unit: Slug = Field(description="The responsible unit's slug.")
    description: Long
    ledger_number: Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)] = ""
    source: Short = "other"
    source_note: Long = ""
    theme: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        None, description="The number of one of the campaign's themes."
    )
    level: Short = "unit"
    kind: Short = "deadline"
    deadline: Day | None = None
    target_standard: Long = ""
    measures: Annotated[list[MeasureIn], Field(max_length=100)] = []
    open: bool = Field(False, description="Open the problem at once instead of a draft.")


class ProgressIn(Schema):
    text: Long
    reported_on: Day | None = None


# ---------------------------------------------------------------- records


class RecordIn(Schema):
    unit: Slug
    action: Id = Field(description="The action's id (see the campaign's detail).")
    title: Short
    held_on: Day
    place: Short = ""
    participant_count: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    content: Long = ""
    submit: bool = Field(False, description="Submit the record for review at once.")


class RecordOut(Schema):
    id: int
    campaign: str
    unit: str
    action_id: int
    title: str
    held_on: dt.date
    status: str
    status_label: str


# ---------------------------------------------------------------- briefs


class ReviewOut(Schema):
    level: int
    campaign: str
    state: str
    received_at: dt.datetime
    decided_at: dt.datetime | None


class BriefOut(Schema):
    id: int
    campaign: str
    unit: str
    kind: str
    title: str
    state: str
    state_label: str
    levels_reached: list[int] = Field(
        description="Levels of review the brief has reached (1: its campaign's office)."
    )
    adopted_levels: list[int]
    updated_at: dt.datetime


class BriefDetailOut(BriefOut):
    body: str = Field(description="Sanitised HTML.")
    byline: str
    reviews: list[ReviewOut]


class BriefPage(Schema):
    count: int
    items: list[BriefOut]


class BriefIn(Schema):
    unit: Slug
    title: Short
    body: Long
    phone: Annotated[str, StringConstraints(max_length=30, pattern=NO_NUL)]
    kind: Short = "news"
    action: Id | None = None
    byline: Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)] = ""


# ---------------------------------------------------------------- work targets


class IndicatorValueIn(Schema):
    unit: Slug
    period_start: Day
    value: Annotated[Decimal, Field(max_digits=16, decimal_places=2)]
    note: Long = ""


class IndicatorValueOut(Schema):
    id: int
    indicator_id: int
    unit: str
    period_start: dt.date
    value: Decimal
    note: str


# ---------------------------------------------------------------- dashboard figures


class StatusCountsOut(Schema):
    stage: int | None = Field(description="The stage's number; null for all stages.")
    total: int
    done: int
    done_late: int
    overdue: int
    awaiting_review: int
    in_progress: int
    not_started: int


class FiguresOut(Schema):
    unit: str
    name: str
    has_children: bool
    completion_rate: float | None
    timeliness: float | None
    prescribed: list[StatusCountsOut]
    self_selected: list[StatusCountsOut]
    problems_total: int
    problems_open: int
    problems_overdue: int
    problems_verified: int
    problems_verified_on_time: int
    problems_carried_over: int
    briefs_adopted_here: int
    briefs_adopted_above: int
    study_logs: int
    reflections: int
    opinions: int
    members: int
    findings: int


class FiguresResponse(Schema):
    campaign: str
    today: dt.date
    figures_as_of: dt.datetime | None = Field(
        description="When a big subtree's figures were computed (a snapshot); null when live."
    )
    unit_figures: FiguresOut = Field(description="The unit's whole subtree.")
    child_rollups: list[FiguresOut] = Field(description="One per direct child, over its subtree.")
