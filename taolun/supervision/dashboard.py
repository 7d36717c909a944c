"""Reads behind the supervision dashboards and the lagging list, scoped to the reader.

Who reads is ``access.reader_paths``: the office, leaders and supervisors over their
subtree, a contact over their own unit. Everything counted comes from ``rollups`` (through
``snapshots`` for big subtrees), so a page costs the same queries whatever the number of
units it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from taolun.campaigns.models import ActionKind, Campaign, CellStatus, Stage
from taolun.campaigns.selectors import MatrixStage, campaigns_for_user, unit_matrix
from taolun.org.models import Unit, User
from taolun.rectification.models import Problem
from taolun.rectification.selectors import unit_live_problems
from taolun.supervision.access import reader_paths
from taolun.supervision.rollups import (
    AsOf,
    Rollup,
    UnitFigures,
    campaign_family,
    max_depth_below,
)
from taolun.supervision.snapshots import dashboard_rollup, level_figures

# A unit lags when its completion rate is below this share of its level's rate.
LAGGING_SHARE = 0.6
LAGGING_PAGE_SIZE = 50

# Statuses in the order charts stack them and tables list them.
STATUS_ORDER = (
    CellStatus.DONE,
    CellStatus.DONE_LATE,
    CellStatus.AWAITING_REVIEW,
    CellStatus.IN_PROGRESS,
    CellStatus.NOT_STARTED,
    CellStatus.OVERDUE,
)


# ---------------------------------------------------------------- where the reader may go


def supervised_campaigns(user: User) -> list[Campaign]:
    """Campaigns in which ``user`` reads at least one unit's dashboard: one query."""
    campaigns = campaigns_for_user(user).select_related("owner_unit").order_by("-starts_on", "slug")
    return [c for c in campaigns if reader_paths(user, c)]


def get_dashboard_unit(user: User, campaign: Campaign, slug: str | None) -> Unit:
    """The unit whose dashboard is shown: ``slug``, or the reader's topmost unit.

    404 when the user reads nothing in the campaign or the unit lies outside reach.
    """
    paths = reader_paths(user, campaign)
    if not paths:
        raise Http404
    units = Unit.objects.select_related("kind")
    unit = units.filter(slug=slug).first() if slug else units.filter(path=paths[0]).first()
    if unit is None or not any(unit.path.startswith(p) for p in paths):
        raise Http404
    return unit


def trail(user: User, campaign: Campaign, unit: Unit) -> list[Unit]:
    """Units from the reader's topmost unit down to ``unit``'s parent, to drill back up."""
    root = next(p for p in reader_paths(user, campaign) if unit.path.startswith(p))
    paths = [unit.path[:end] for end in range(len(root), len(unit.path), Unit.steplen)]
    return list(Unit.objects.filter(path__in=paths).order_by("path")) if paths else []


# ---------------------------------------------------------------- one unit's dashboard


@dataclass(frozen=True)
class StageRow:
    """One stage's action cells of one kind, in ``STATUS_ORDER``."""

    number: int
    name: str
    counts: list[int]
    total: int
    completion_rate: float | None


@dataclass
class Dashboard:
    unit: Unit
    figures: Rollup
    prescribed_stages: list[StageRow]
    self_selected_stages: list[StageRow]
    acting_campaign: Campaign | None = None
    matrix: list[MatrixStage] | None = None
    live_problems: list[Problem] | None = None

    @property
    def total(self) -> UnitFigures:
        return self.figures.total

    @property
    def children(self) -> list[UnitFigures]:
        return self.figures.children

    @property
    def is_leaf(self) -> bool:
        return not self.unit.numchild

    def stage_chart(self) -> dict:
        """Data of the stacked bar chart of completion by stage (prescribed actions)."""
        return {
            "categories": [row.name for row in self.prescribed_stages],
            "series": [
                {
                    "name": str(status.label),
                    "status": status.value,
                    "data": [row.counts[i] for row in self.prescribed_stages],
                }
                for i, status in enumerate(STATUS_ORDER)
            ],
        }

    def children_chart(self) -> dict:
        """Data of the bar chart of completion rate by child unit (percent)."""
        return {
            "categories": [c.unit.display_name for c in self.children],
            "series": [
                {
                    "name": _("Completion rate (%)"),
                    "data": [
                        None if c.completion_rate is None else round(c.completion_rate * 100, 1)
                        for c in self.children
                    ],
                }
            ],
        }


def _stage_rows(figures: UnitFigures, kind: str, stages: dict[int, str]) -> list[StageRow]:
    by_kind = figures.kind(kind)
    numbers = sorted(set(stages) | set(by_kind.by_stage))
    rows = []
    for number in numbers:
        counts = by_kind.stage(number)
        if kind == ActionKind.SELF_SELECTED and not counts.total:
            continue
        rows.append(
            StageRow(
                number=number,
                name=stages.get(number) or _("Stage %(n)s") % {"n": number},
                counts=[counts.of(s) for s in STATUS_ORDER],
                total=counts.total,
                completion_rate=counts.completion_rate,
            )
        )
    return rows


def acting_campaign(campaign: Campaign, unit: Unit) -> Campaign | None:
    """The campaign (this one or a descendant) in which ``unit`` acts: the one run
    nearest above it."""
    return (
        Campaign.objects.filter(
            pk__in=campaign_family(campaign), owner_unit__path__in=unit.ancestor_paths()
        )
        .order_by("-owner_unit__depth")
        .first()
    )


def dashboard(user: User, campaign: Campaign, unit: Unit, today: dt.date) -> Dashboard:
    """Everything a unit's dashboard shows; a leaf also gets its matrix and live problems."""
    figures = dashboard_rollup(campaign, unit, today)
    stages = dict(Stage.objects.filter(campaign=campaign).values_list("number", "name"))
    board = Dashboard(
        unit=unit,
        figures=figures,
        prescribed_stages=_stage_rows(figures.total, ActionKind.PRESCRIBED, stages),
        self_selected_stages=_stage_rows(figures.total, ActionKind.SELF_SELECTED, stages),
    )
    if board.is_leaf:
        acting = acting_campaign(campaign, unit)
        board.acting_campaign = acting
        if acting is not None:
            board.matrix = unit_matrix(acting, unit, today)
            board.live_problems = unit_live_problems(user, acting, unit, today)
    return board


# ---------------------------------------------------------------- lagging units


@dataclass
class Lagging:
    figures: UnitFigures
    reasons: list[str]

    @property
    def unit(self) -> Unit:
        return self.figures.unit


LAGGING_SORTS = {
    "unit": lambda row: row.unit.path,
    "overdue_actions": lambda row: -row.figures.prescribed.overall.overdue,
    "completion": lambda row: (
        row.figures.completion_rate if row.figures.completion_rate is not None else 2.0
    ),
    "overdue_problems": lambda row: -row.figures.problems_overdue,
}


@dataclass
class LaggingList:
    root: Unit
    depth: int
    max_depth: int
    level_rate: float | None
    rows: list[Lagging]
    as_of: AsOf | None = None

    @property
    def threshold(self) -> float | None:
        return None if self.level_rate is None else self.level_rate * LAGGING_SHARE


def lagging_units(
    campaign: Campaign, root: Unit, depth: int, today: dt.date, *, sort: str = "unit"
) -> LaggingList:
    """Units ``depth`` levels below ``root`` that lag, each with its reasons in words.

    A unit lags when it has overdue prescribed actions, when its completion rate is
    below ``LAGGING_SHARE`` of its level's (all the level's action cells together), or
    when it has overdue problems. The rollup's queries, whatever the number of units.
    """
    deepest = max_depth_below(root)
    depth = max(1, min(depth, deepest)) if deepest else 0
    measured = level_figures(campaign, root, depth, today) if depth else None
    level = measured.units if measured else []
    done = sum(f.actions.completed for f in level)
    cells = sum(f.actions.total for f in level)
    level_rate = done / cells if cells else None
    rows = []
    for figures in level:
        reasons = []
        overdue = figures.prescribed.overall.overdue
        if overdue:
            reasons.append(_("%(n)s prescribed action cells overdue") % {"n": overdue})
        rate = figures.completion_rate
        if rate is not None and level_rate and rate < level_rate * LAGGING_SHARE:
            reasons.append(
                _("completion %(rate)s%% against the level's %(level)s%%")
                % {"rate": round(rate * 100), "level": round(level_rate * 100)}
            )
        if figures.problems_overdue:
            reasons.append(_("%(n)s problems overdue") % {"n": figures.problems_overdue})
        if reasons:
            rows.append(Lagging(figures=figures, reasons=reasons))
    rows.sort(key=LAGGING_SORTS.get(sort, LAGGING_SORTS["unit"]))
    return LaggingList(
        root=root,
        depth=depth,
        max_depth=deepest,
        level_rate=level_rate,
        rows=rows,
        as_of=measured.as_of if measured else None,
    )


# Levels of the tree the "under unit" filter lists below each topmost unit in reach.
FILTER_LEVELS = 3


def filter_units(paths: list[str], current: Unit | None = None) -> list[Unit]:
    """Units the "under unit" filter offers: the top levels below each path in reach, and
    the unit chosen now if it lies deeper (one query; a province has 100,000 units)."""
    if not paths:
        return []
    steplen = Unit.steplen
    q = Q(numchild__gt=0) & reduce(
        or_,
        (Q(path__startswith=p, depth__lt=len(p) // steplen + FILTER_LEVELS) for p in paths),
    )
    q |= Q(path__in=paths)
    if current is not None:
        q |= Q(pk=current.pk)
    return list(Unit.objects.filter(q).order_by("path"))
