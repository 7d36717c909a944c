"""Reads for work targets: areas, indicators and rolled-up values, scoped to the reader.

A unit's rolled-up value for a period is the sum (or the average) of the values its
subtree's units reported for themselves, computed in SQL over the materialised path:
children are grouped by ``Substr(unit__path, 1, len)`` as in ``reporting/stats.py``, so
a page costs the same few queries whatever the number of units or indicators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from auditlog.models import LogEntry
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import campaigns_for_user
from taolun.org.models import Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import scope_for
from taolun.targets.access import may_report, value_paths
from taolun.targets.models import Aggregation, Indicator, IndicatorReport, TargetArea
from taolun.targets.periods import Period, headline_period, latest_closed, period_list

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figure:
    """A rolled-up value: ``value`` is None when nobody in the subtree reported."""

    total: Decimal
    reported: int
    aggregation: str

    @property
    def value(self) -> Decimal | None:
        if not self.reported:
            return None
        if self.aggregation == Aggregation.AVERAGE:
            return (self.total / self.reported).quantize(CENT)
        return self.total.quantize(CENT)


def _figure(indicator: Indicator, total: Decimal | None = None, reported: int = 0) -> Figure:
    return Figure(Decimal(total or 0), reported, indicator.aggregation)


def progress(indicator: Indicator, value: Decimal | None) -> Decimal | None:
    """How far ``value`` has come from the baseline towards the target, in per cent.

    For "higher is better" that is (value − baseline) / (target − baseline); for "lower
    is better" (baseline − value) / (baseline − target) — the same quotient, so one
    formula serves both. None when nothing was reported (not 0 %). It may fall below 0
    (worse than the baseline) or pass 100 (target exceeded): the page says so.
    """
    if value is None:
        return None
    span = indicator.target - indicator.baseline
    return ((value - indicator.baseline) / span * HUNDRED).quantize(Decimal("0.1"))


def bar_width(percent: Decimal | None) -> int:
    """The width of a progress bar: the per cent clipped to 0 … 100."""
    if percent is None:
        return 0
    return int(max(Decimal(0), min(HUNDRED, percent)))


# ---------------------------------------------------------------- areas and indicators


def target_campaigns_for_user(user: User) -> QuerySet[Campaign]:
    """Campaigns the user can see that have target areas, or whose office the user is."""
    scope = scope_for(user)
    visible = campaigns_for_user(user)
    office = scope.by_role.get(Role.OFFICE, ())
    wanted = Q(target_areas__isnull=False)
    if scope.is_everything:
        wanted = Q()
    elif office:
        wanted |= Q(owner_unit__path__in=office)
    return (
        visible.filter(wanted)
        .annotate(area_count=Count("target_areas", distinct=True))
        .select_related("owner_unit")
        .order_by("-starts_on", "slug")
    )


def _indicators() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("responsible_unit").order_by("number")


def areas_for_user(user: User, campaign: Campaign) -> list[TargetArea]:
    """The campaign's target areas with their indicators (two queries).

    Everyone who can see the campaign reads them; the caller got ``campaign`` through
    ``get_campaign_for_user``, which is the check.
    """
    areas = list(
        TargetArea.objects.filter(campaign=campaign)
        .order_by("number")
        .prefetch_related(Prefetch("indicators", queryset=_indicators(), to_attr="indicator_list"))
    )
    for area in areas:
        # The permission checks read indicator.area.campaign.owner_unit: no query each.
        area.campaign = campaign
    return areas


def get_area_for_user(user: User, pk: int) -> TargetArea:
    area = (
        TargetArea.objects.filter(pk=pk, campaign__in=campaigns_for_user(user))
        .select_related("campaign__owner_unit")
        .first()
    )
    if area is None:
        raise Http404
    return area


def get_indicator_for_user(user: User, pk: int) -> Indicator:
    """The indicator, or 404 when it does not exist or its campaign is out of sight."""
    indicator = (
        Indicator.objects.filter(pk=pk, area__campaign__in=campaigns_for_user(user))
        .select_related("area__campaign__owner_unit", "responsible_unit__kind")
        .first()
    )
    if indicator is None:
        raise Http404
    return indicator


def periods(indicator: Indicator) -> list[Period]:
    return period_list(indicator.period, indicator.starts_on, indicator.ends_on)


def get_period(indicator: Indicator, key: str | None) -> Period | None:
    """The indicator's period that starts on the ISO day ``key``, or None."""
    return next((p for p in periods(indicator) if p.key == key), None)


# ---------------------------------------------------------------- rollups


def _reports_under(indicator: Indicator, unit: Unit) -> QuerySet[IndicatorReport]:
    return IndicatorReport.objects.filter(
        indicator=indicator, unit__path__startswith=unit.path
    ).order_by()


def rollup(indicator: Indicator, unit: Unit, period_start: dt.date) -> Figure:
    """``unit``'s rolled-up value for the period: its whole subtree's reports, one query."""
    row = (
        _reports_under(indicator, unit)
        .filter(period_start=period_start)
        .aggregate(total=Sum("value"), n=Count("id"))
    )
    return _figure(indicator, row["total"], row["n"])


def rollups_by_period(indicator: Indicator, unit: Unit) -> dict[dt.date, Figure]:
    """``unit``'s rolled-up value for every period reported, one query."""
    rows = (
        _reports_under(indicator, unit)
        .values("period_start")
        .annotate(total=Sum("value"), n=Count("id"))
    )
    return {r["period_start"]: _figure(indicator, r["total"], r["n"]) for r in rows}


@dataclass(frozen=True)
class UnitFigure:
    """One row of a drill-down: a unit's own report, or a child's whole subtree."""

    unit: Unit
    figure: Figure
    own_only: bool = False


@dataclass(frozen=True)
class Breakdown:
    """A unit's rolled-up value, its own report and each direct child's rolled-up value."""

    unit: Unit
    total: Figure
    own: UnitFigure
    children: list[UnitFigure]


def child_values(indicator: Indicator, unit: Unit, period_start: dt.date) -> Breakdown:
    """The unit's figures for one period with one row per direct child (two queries)."""
    steplen = Unit.steplen
    rows = (
        _reports_under(indicator, unit)
        .filter(period_start=period_start)
        .annotate(prefix=Substr("unit__path", 1, len(unit.path) + steplen))
        .values("prefix")
        .annotate(total=Sum("value"), n=Count("id"))
    )
    by_prefix = {r["prefix"]: (r["total"], r["n"]) for r in rows}
    children = [
        UnitFigure(child, _figure(indicator, *by_prefix.get(child.path, (None, 0))))
        for child in Unit.objects.get_children(unit).select_related("kind")
    ]
    own = UnitFigure(unit, _figure(indicator, *by_prefix.get(unit.path, (None, 0))), True)
    total = sum((t or Decimal(0) for t, _n in by_prefix.values()), Decimal(0))
    reported = sum(n for _t, n in by_prefix.values())
    return Breakdown(unit, _figure(indicator, total, reported), own, children)


# ---------------------------------------------------------------- the campaign page


@dataclass(frozen=True)
class Headline:
    """An indicator's headline period with its responsible unit's rolled-up value."""

    indicator: Indicator
    period: Period | None
    figure: Figure | None
    due: int

    @property
    def value(self) -> Decimal | None:
        return self.figure.value if self.figure else None

    @property
    def progress(self) -> Decimal | None:
        return progress(self.indicator, self.value)

    @property
    def bar(self) -> int:
        return bar_width(self.progress)

    @property
    def reported(self) -> int:
        return self.figure.reported if self.figure else 0

    @property
    def all_reported(self) -> bool:
        return self.due > 0 and self.reported >= self.due


def due_counts(paths: Sequence[str]) -> dict[str, int]:
    """How many units that take part lie in each path's subtree (one query for all)."""
    paths = sorted(set(paths))
    if not paths:
        return {}
    counts = Unit.objects.filter(kind__takes_part=True).aggregate(
        **{f"p{i}": Count("pk", filter=Q(path__startswith=p)) for i, p in enumerate(paths)}
    )
    return {p: counts[f"p{i}"] for i, p in enumerate(paths)}


def headlines(indicators: Sequence[Indicator], today: dt.date) -> dict[int, Headline]:
    """Each indicator's headline period (``headline_period``) and rolled-up value over
    its responsible unit's subtree: two queries for the page, whatever its indicators."""
    latest = {i.pk: headline_period(periods(i), today) for i in indicators}
    starts = {p.start for p in latest.values() if p is not None}
    figures: dict[tuple[int, dt.date], tuple[Decimal, int]] = {}
    if starts:
        rows = (
            IndicatorReport.objects.filter(
                indicator__in=[i.pk for i in indicators],
                period_start__in=starts,
                unit__path__startswith=F("indicator__responsible_unit__path"),
            )
            .order_by()
            .values("indicator_id", "period_start")
            .annotate(total=Sum("value"), n=Count("id"))
        )
        figures = {(r["indicator_id"], r["period_start"]): (r["total"], r["n"]) for r in rows}
    due = due_counts([i.responsible_unit.path for i in indicators])
    out = {}
    for indicator in indicators:
        period = latest[indicator.pk]
        figure = None
        if period is not None:
            figure = _figure(indicator, *figures.get((indicator.pk, period.start), (None, 0)))
        out[indicator.pk] = Headline(
            indicator, period, figure, due.get(indicator.responsible_unit.path, 0)
        )
    return out


@dataclass(frozen=True)
class Unreported:
    indicator: Indicator
    unit: Unit
    period: Period


def unreported_for_user(
    user: User, indicators: Sequence[Indicator], today: dt.date
) -> list[Unreported]:
    """Indicators the user's own unit has not reported for the last closed period, where
    the user reports for that unit (one query)."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return []
    wanted = []
    for indicator in indicators:
        period = latest_closed(periods(indicator), today)
        if period is not None and may_report(user, indicator, unit):
            wanted.append((indicator, period))
    if not wanted:
        return []
    done = set(
        IndicatorReport.objects.filter(
            unit=unit, indicator__in=[i.pk for i, _p in wanted]
        ).values_list("indicator_id", "period_start")
    )
    return [
        Unreported(indicator, unit, period)
        for indicator, period in wanted
        if (indicator.pk, period.start) not in done
    ]


# ---------------------------------------------------------------- drilling down


def drill_unit(user: User, indicator: Indicator, slug: str | None) -> Unit | None:
    """The unit whose figures the indicator page shows below the headline.

    ``slug`` chosen: that unit, 404 outside what the user reads. None: the responsible
    unit if the user reads it, else the user's topmost unit in reach below it, else None
    (the user reads the headline only).
    """
    paths = value_paths(user, indicator)
    if slug:
        unit = Unit.objects.select_related("kind").filter(slug=slug).first()
        if unit is None or not any(unit.path.startswith(p) for p in paths):
            raise Http404
        return unit
    if not paths:
        return None
    if paths[0] == indicator.responsible_unit.path:
        return indicator.responsible_unit
    return Unit.objects.select_related("kind").get(path=paths[0])


def unit_trail(user: User, indicator: Indicator, unit: Unit) -> list[Unit]:
    """The units from the reader's topmost unit above ``unit`` down to its parent."""
    root = next(p for p in value_paths(user, indicator) if unit.path.startswith(p))
    wanted = [unit.path[:end] for end in range(len(root), len(unit.path), Unit.steplen)]
    if not wanted:
        return []
    return list(Unit.objects.filter(path__in=wanted).order_by("path"))


def own_report(indicator: Indicator, unit: Unit, period_start: dt.date) -> IndicatorReport | None:
    """The unit's own report for the period, to show and to start the report form from."""
    return (
        IndicatorReport.objects.filter(indicator=indicator, unit=unit, period_start=period_start)
        .select_related("reported_by")
        .first()
    )


@dataclass(frozen=True)
class ValueChange:
    """One write of a report as the audit log kept it: the value before and after."""

    at: dt.datetime
    actor: User | None
    before: str | None
    after: str | None


def report_history(report: IndicatorReport) -> list[ValueChange]:
    """Every value the report held, newest first (one query): updating keeps the past."""
    entries = LogEntry.objects.get_for_object(report).select_related("actor").order_by("-timestamp")
    out = []
    for entry in entries:
        change = (entry.changes_dict or {}).get("value")
        if not change:
            continue
        before, after = (None if v in (None, "None") else v for v in change)
        out.append(ValueChange(entry.timestamp, entry.actor, before, after))
    return out
