"""Figures of a campaign rolled up over the unit tree, in SQL.

Every source table is counted grouped by a prefix of the row's unit path
(``SUBSTR(path, 1, n)``), all of them in one statement: the prefix of length
``len(unit.path) + steplen`` names the direct child whose subtree holds the row, so a
dashboard over three children or three thousand costs the same two queries (the counts,
the units). The campaign's descendant campaigns count too (a federation's branches act in
the federation's campaign under the province's), stages matched by their number.

Definitions, shared by the pages, scores and the API:

- completion rate = (done + done late) ÷ all action cells;
- timeliness = done on time ÷ (done + done late + overdue);
- open problems are on the ledger and not closed (open, in progress, completed awaiting
  verification); overdue ones show the red light (``light_expression``); a verified
  problem was on time when its completion was claimed by its deadline, or it had none
  (as on the rectification pages);
- rectification rate = verified on time ÷ (verified + overdue);
- adopted briefs count once per brief: adopted by its own office (level 1), and adopted
  by an office above (level 2 or higher);
- participation counts study logs, submitted reflections and opinions (replies
  included) by the unit they were written for; members are people whose home unit is
  in the subtree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Max, Q, QuerySet

from taolun.campaigns.models import ActionKind, Campaign, CellStatus, RecordState
from taolun.org.models import Unit
from taolun.rectification.models import LIVE, ProblemState
from taolun.reporting.models import ReviewState
from taolun.supervision.models import Finding, FindingKind

KINDS = (ActionKind.PRESCRIBED.value, ActionKind.SELF_SELECTED.value)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class StatusCounts:
    """Action cells by status (``CellStatus`` values)."""

    counts: dict[str, int] = field(default_factory=dict)

    def of(self, status: str) -> int:
        """Cells in ``status`` (a method, not indexing: templates would take
        ``counts.done`` for ``counts["done"]``)."""
        return self.counts.get(status, 0)

    def add(self, status: str, n: int) -> None:
        self.counts[status] = self.counts.get(status, 0) + n

    def merge(self, other: StatusCounts) -> None:
        for status, n in other.counts.items():
            self.add(status, n)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.of(CellStatus.DONE)

    @property
    def done_late(self) -> int:
        return self.of(CellStatus.DONE_LATE)

    @property
    def overdue(self) -> int:
        return self.of(CellStatus.OVERDUE)

    @property
    def awaiting_review(self) -> int:
        return self.of(CellStatus.AWAITING_REVIEW)

    @property
    def in_progress(self) -> int:
        return self.of(CellStatus.IN_PROGRESS)

    @property
    def not_started(self) -> int:
        return self.of(CellStatus.NOT_STARTED)

    @property
    def completed(self) -> int:
        return self.done + self.done_late

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.completed, self.total)

    @property
    def timeliness(self) -> float | None:
        return _rate(self.done, self.done + self.done_late + self.overdue)


@dataclass
class ActionFigures:
    """Action cells of one kind (prescribed or self-selected), by stage number.

    ``overall`` is read several times per row of a dashboard (seventy rows for a
    township), so it is summed once and kept until the figures change."""

    by_stage: dict[int, StatusCounts] = field(default_factory=dict)
    _overall: StatusCounts | None = field(default=None, init=False, repr=False, compare=False)

    def stage(self, number: int) -> StatusCounts:
        return self.by_stage.get(number) or StatusCounts()

    def add(self, stage: int, status: str, n: int) -> None:
        self._overall = None
        self.by_stage.setdefault(stage, StatusCounts()).add(status, n)

    def merge(self, other: ActionFigures) -> None:
        self._overall = None
        for number, counts in other.by_stage.items():
            self.by_stage.setdefault(number, StatusCounts()).merge(counts)

    @property
    def overall(self) -> StatusCounts:
        """All stages together (shared: read it, never change it)."""
        if self._overall is None:
            total = StatusCounts()
            for counts in self.by_stage.values():
                total.merge(counts)
            self._overall = total
        return self._overall


_COUNTS = (
    "problems_total",
    "problems_open",
    "problems_overdue",
    "problems_verified",
    "problems_verified_on_time",
    "problems_carried_over",
    "briefs_adopted_here",
    "briefs_adopted_above",
    "study_logs",
    "reflections",
    "opinions",
    "members",
    "findings",
    "findings_default",
)
# The counts a reader is given (the API's figures): all but the scores' own tally of
# findings that take the scheme's default deduction.
SHOWN_COUNTS = tuple(name for name in _COUNTS if name != "findings_default")


@dataclass
class UnitFigures:
    """One subtree's raw counts; rates are properties, None when nothing is counted.

    ``findings`` counts problem findings; ``findings_default`` those of them without
    their own deduction (the scoring scheme's default applies), ``findings_deduction``
    the sum of the deductions set on the others.
    """

    unit: Unit | None = None
    has_children: bool = False
    prescribed: ActionFigures = field(default_factory=ActionFigures)
    self_selected: ActionFigures = field(default_factory=ActionFigures)
    problems_total: int = 0
    problems_open: int = 0
    problems_overdue: int = 0
    problems_verified: int = 0
    problems_verified_on_time: int = 0
    problems_carried_over: int = 0
    briefs_adopted_here: int = 0
    briefs_adopted_above: int = 0
    study_logs: int = 0
    reflections: int = 0
    opinions: int = 0
    members: int = 0
    findings: int = 0
    findings_default: int = 0
    findings_deduction: Decimal = Decimal(0)

    def merge(self, other: UnitFigures) -> None:
        self.prescribed.merge(other.prescribed)
        self.self_selected.merge(other.self_selected)
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.findings_deduction += other.findings_deduction

    def kind(self, kind: str) -> ActionFigures:
        return self.prescribed if kind == ActionKind.PRESCRIBED else self.self_selected

    @property
    def actions(self) -> StatusCounts:
        total = StatusCounts()
        total.merge(self.prescribed.overall)
        total.merge(self.self_selected.overall)
        return total

    @property
    def completion_rate(self) -> float | None:
        p, s = self.prescribed.overall, self.self_selected.overall
        return _rate(p.completed + s.completed, p.total + s.total)

    @property
    def timeliness(self) -> float | None:
        p, s = self.prescribed.overall, self.self_selected.overall
        return _rate(
            p.done + s.done, p.done + s.done + p.done_late + s.done_late + p.overdue + s.overdue
        )

    @property
    def problems_due(self) -> int:
        """Problems the rectification rate is measured on: verified, or overdue."""
        return self.problems_verified + self.problems_overdue

    @property
    def rectification_rate(self) -> float | None:
        return _rate(self.problems_verified_on_time, self.problems_due)

    @property
    def participation(self) -> int:
        return self.study_logs + self.reflections + self.opinions

    @property
    def participation_per_member(self) -> float | None:
        return _rate(self.participation, self.members)


# ---------------------------------------------------------------- the campaigns counted


@dataclass(frozen=True)
class _Family:
    """The campaign's family: ids, and where each child campaign takes over from its parent."""

    ids: list[int]
    # (parent campaign id, child campaign's owner path): the parent's action cells under
    # that path were left behind when the child was created and are counted in the child.
    handed_over: list[tuple[int, str]]


def _family(campaign: Campaign) -> _Family:
    """The campaign and its descendant campaigns: one query, kept on the object.

    Descendants are run at or below the campaign's owner, so only those are read.
    """
    cached = getattr(campaign, "_taolun_family", None)
    if cached is not None:
        return cached
    rows = Campaign.objects.filter(
        owner_unit__path__startswith=campaign.owner_unit.path
    ).values_list("id", "parent_id", "owner_unit__path")
    children: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    for pk, parent, owner_path in rows:
        children[parent].append((pk, owner_path))
    ids, handed_over, todo = [campaign.pk], [], [campaign.pk]
    while todo:
        parent = todo.pop()
        for pk, owner_path in children.get(parent, []):
            ids.append(pk)
            handed_over.append((parent, owner_path))
            todo.append(pk)
    family = _Family(ids=ids, handed_over=handed_over)
    campaign._taolun_family = family
    return family


def campaign_family(campaign: Campaign) -> list[int]:
    """Ids of the campaign and its descendant campaigns (one query, kept on the object)."""
    return _family(campaign).ids


# ---------------------------------------------------------------- grouped counts
#
# The eight grouped counts are one statement written by hand: built through the ORM they
# cost a township's dashboard more in Python (about 35 ms: building and compiling eight
# querysets) than PostgreSQL took to run them (about 19 ms). The rules they count by are
# the models' own (``ActionStatus.status``, ``Problem.light``): the rollups' recount test
# checks the statement against them row by row on random trees, on SQLite and PostgreSQL.
# The SQL is the subset both databases share (no FILTER, no arrays, no boolean literals).

_CELL = """CASE
        WHEN s.record_state = %(r_accepted)s AND s.due_on IS NOT NULL
             AND s.completed_on > s.due_on THEN %(c_done_late)s
        WHEN s.record_state = %(r_accepted)s THEN %(c_done)s
        WHEN s.due_on < %(today)s THEN %(c_overdue)s
        WHEN s.record_state = %(r_submitted)s THEN %(c_awaiting_review)s
        WHEN s.record_state = %(r_working)s THEN %(c_in_progress)s
        ELSE %(c_not_started)s END"""

# A live problem's red light (``light_expression``): a completion claimed after its
# deadline, or, not yet completed, a deadline passed.
_RED = """p.deadline IS NOT NULL AND (
            (p.state = %(p_completed)s AND p.completed_on > p.deadline)
            OR (p.state <> %(p_completed)s AND p.deadline < %(today)s))"""
_LATE = "p.completed_on IS NOT NULL AND p.deadline IS NOT NULL AND p.completed_on > p.deadline"

# Columns: part, prefix, action kind, stage number, cell status, six counts, points.
_STATEMENT = """
SELECT 'actions', {prefix}, a.kind, st.number, {cell}, COUNT(*), 0, 0, 0, 0, 0, 0
FROM campaigns_actionstatus s
JOIN org_unit u ON u.id = s.unit_id
JOIN campaigns_action a ON a.id = s.action_id
JOIN campaigns_stage st ON st.id = s.stage_id
WHERE s.campaign_id {family} AND {under}{handed_over}
GROUP BY 2, 3, 4, 5
UNION ALL
SELECT 'problems', {prefix}, '', 0, '',
    COUNT(*),
    COUNT(CASE WHEN p.state {live} THEN 1 END),
    COUNT(CASE WHEN p.state {live} AND {red} THEN 1 END),
    COUNT(CASE WHEN p.state = %(p_verified)s THEN 1 END),
    COUNT(CASE WHEN p.state = %(p_verified)s AND NOT ({late}) THEN 1 END),
    COUNT(CASE WHEN p.state = %(p_carried_over)s THEN 1 END),
    0
FROM rectification_problem p
JOIN org_unit u ON u.id = p.unit_id
WHERE p.campaign_id {family} AND p.state <> %(p_draft)s AND {under}
GROUP BY 2
UNION ALL
SELECT 'briefs', {prefix}, '', 0, '',
    COUNT(DISTINCT CASE WHEN r.level = 1 THEN r.brief_id END),
    COUNT(DISTINCT CASE WHEN r.level >= 2 THEN r.brief_id END),
    0, 0, 0, 0, 0
FROM reporting_briefreview r
JOIN reporting_brief b ON b.id = r.brief_id
JOIN org_unit u ON u.id = b.unit_id
WHERE b.campaign_id {family} AND r.state = %(adopted)s AND {under}
GROUP BY 2
UNION ALL
SELECT 'study_logs', {prefix}, '', 0, '', COUNT(*), 0, 0, 0, 0, 0, 0
FROM study_studylog x
JOIN org_unit u ON u.id = x.unit_id
WHERE x.campaign_id {family} AND {under}
GROUP BY 2
UNION ALL
SELECT 'reflections', {prefix}, '', 0, '', COUNT(*), 0, 0, 0, 0, 0, 0
FROM study_reflection x
JOIN org_unit u ON u.id = x.unit_id
WHERE x.campaign_id {family} AND x.submitted_at IS NOT NULL AND {under}
GROUP BY 2
UNION ALL
SELECT 'opinions', {prefix}, '', 0, '', COUNT(*), 0, 0, 0, 0, 0, 0
FROM discussion_opinion x
JOIN discussion_topic t ON t.id = x.topic_id
JOIN org_unit u ON u.id = x.unit_id
WHERE t.campaign_id {family} AND {under}
GROUP BY 2
UNION ALL
SELECT 'members', {prefix}, '', 0, '', COUNT(*), 0, 0, 0, 0, 0, 0
FROM org_user x
JOIN org_unit u ON u.id = x.unit_id
WHERE {under}
GROUP BY 2
UNION ALL
SELECT 'findings', {prefix}, '', 0, '',
    COUNT(*), COUNT(CASE WHEN f.deduction IS NULL THEN 1 END), 0, 0, 0, 0,
    COALESCE(SUM(f.deduction), 0)
FROM supervision_finding f
JOIN supervision_inspection i ON i.id = f.inspection_id
JOIN org_unit u ON u.id = f.unit_id
WHERE i.campaign_id {family} AND f.kind = %(problem)s AND {under}
GROUP BY 2
"""


def _statement(
    campaign: Campaign, within: str, prefix_len: int, today: dt.date, min_depth: int | None
) -> tuple[str, dict[str, object]]:
    """The counting statement and its named parameters (both databases take them)."""
    family = _family(campaign)
    params: dict[str, object] = {
        "prefix_len": prefix_len,
        "within": f"{within}%",
        "today": connection.ops.adapt_datefield_value(today),
        "min_depth": min_depth,
        **{f"f{i}": pk for i, pk in enumerate(family.ids)},
        **{f"r_{state.value}": state.value for state in RecordState},
        **{f"c_{status.value}": status.value for status in CellStatus},
        **{f"p_{state.value}": state.value for state in ProblemState},
        "adopted": ReviewState.ADOPTED.value,
        "problem": FindingKind.PROBLEM.value,
    }
    live = sorted(LIVE)
    params.update({f"live{i}": state.value for i, state in enumerate(live)})
    # A child campaign created after its units had worked leaves their recorded cells in
    # the parent (``campaign_sync_statuses`` deletes only the untouched ones) while the
    # child gets its own: the parent's cells under each child's owner are left out.
    handed_over = ""
    if family.handed_over:
        clauses = []
        for i, (parent, path) in enumerate(family.handed_over):
            params[f"h{i}"], params[f"h{i}path"] = parent, f"{path}%"
            clauses.append(f"(s.campaign_id = %(h{i})s AND u.path LIKE %(h{i}path)s)")
        handed_over = " AND NOT (" + " OR ".join(clauses) + ")"
    under = "u.path LIKE %(within)s"
    if min_depth is not None:
        under += " AND u.depth >= %(min_depth)s"
    sql = _STATEMENT.format(
        prefix="SUBSTR(u.path, 1, %(prefix_len)s)",
        cell=_CELL,
        family="IN (" + ", ".join(f"%(f{i})s" for i in range(len(family.ids))) + ")",
        under=under,
        handed_over=handed_over,
        live="IN (" + ", ".join(f"%(live{i})s" for i in range(len(live))) + ")",
        red=_RED,
        late=_LATE,
    )
    return sql, params


_POINTS = Decimal(1).scaleb(-Finding._meta.get_field("deduction").decimal_places)


def _collect(
    campaign: Campaign,
    within: str,
    prefix_len: int,
    today: dt.date,
    *,
    min_depth: int | None = None,
) -> dict[str, UnitFigures]:
    """Figures per path prefix of length ``prefix_len`` (shorter paths group under
    themselves) of the rows under ``within`` (at ``min_depth`` or deeper): one query."""
    sql, params = _statement(campaign, within, prefix_len, today, min_depth)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out: dict[str, UnitFigures] = defaultdict(UnitFigures)
    for part, prefix, kind, stage, cell, n1, n2, n3, n4, n5, n6, points in rows:
        f = out[prefix]
        if part == "actions":
            f.kind(kind).add(stage, cell, n1)
        elif part == "problems":
            f.problems_total, f.problems_open, f.problems_overdue = n1, n2, n3
            f.problems_verified, f.problems_verified_on_time, f.problems_carried_over = (
                n4,
                n5,
                n6,
            )
        elif part == "briefs":
            f.briefs_adopted_here, f.briefs_adopted_above = n1, n2
        elif part == "findings":
            f.findings, f.findings_default = n1, n2
            # SQLite sums a decimal column as a float: back to the field's places.
            f.findings_deduction = Decimal(str(points)).quantize(_POINTS)
        else:
            setattr(f, part, n1)
    return out


def _shown(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Units that take part in campaigns or have units under them, in tree order."""
    return (
        units.filter(Q(kind__takes_part=True) | Q(numchild__gt=0))
        .select_related("kind")
        .order_by("path")
    )


def _figures_for(unit: Unit, counted: dict[str, UnitFigures]) -> UnitFigures:
    figures = counted.get(unit.path) or UnitFigures()
    figures.unit = unit
    figures.has_children = unit.numchild > 0
    return figures


@dataclass(frozen=True)
class AsOf:
    """When figures read from a snapshot were computed, and how often they are refreshed."""

    computed_at: dt.datetime
    refresh_seconds: int

    @property
    def refresh_minutes(self) -> int:
        return max(1, round(self.refresh_seconds / 60))


@dataclass
class Rollup:
    """A unit's dashboard figures: its subtree's total, its own rows, and each child's.

    ``as_of`` is set when they come from a snapshot (``snapshots.py``), None when live.
    """

    total: UnitFigures
    own: UnitFigures
    children: list[UnitFigures]
    as_of: AsOf | None = None


def rollup(campaign: Campaign, unit: Unit, today: dt.date) -> Rollup:
    """The subtree total, the unit's own figures and one per direct child: nine queries."""
    counted = _collect(campaign, unit.path, len(unit.path) + Unit.steplen, today)
    children = [_figures_for(child, counted) for child in _shown(Unit.objects.get_children(unit))]
    own = _figures_for(unit, counted)
    total = UnitFigures(unit=unit, has_children=unit.numchild > 0)
    for figures in counted.values():
        total.merge(figures)
    return Rollup(total=total, own=own, children=children)


def child_rollups(campaign: Campaign, unit: Unit, today: dt.date) -> list[UnitFigures]:
    """One figure set per direct child of ``unit`` (each over its subtree), tree order."""
    return rollup(campaign, unit, today).children


def unit_figures(campaign: Campaign, unit: Unit, today: dt.date) -> UnitFigures:
    """The figures of ``unit``'s whole subtree."""
    counted = _collect(campaign, unit.path, len(unit.path), today)
    return _figures_for(unit, counted)


def level_rollups(campaign: Campaign, root: Unit, depth: int, today: dt.date) -> list[UnitFigures]:
    """Every unit ``depth`` levels below ``root`` (``depth`` ≥ 1) with its subtree's
    figures, in tree order; rows of units above that level are left out."""
    level = root.depth + depth
    counted = _collect(
        campaign,
        root.path,
        len(root.path) + depth * Unit.steplen,
        today,
        min_depth=level,
    )
    units = _shown(Unit.objects.filter(path__startswith=root.path, depth=level))
    return [_figures_for(unit, counted) for unit in units]


def max_depth_below(root: Unit) -> int:
    """How many levels the tree goes below ``root`` (0 for a leaf): one query."""
    deepest = Unit.objects.filter(path__startswith=root.path).aggregate(d=Max("depth"))["d"]
    return (deepest or root.depth) - root.depth
