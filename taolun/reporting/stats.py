"""Counts of briefs, quotas, points and league tables (信息报送 statistics).

Everything is counted from ``BriefReview``: a brief counts as *submitted* at an office
when its review there was received, and as *adopted* at a level when that level's
review was adopted (on its decision day). Counts are relative to the office asking:
for a campaign's page, level 1 is the campaign's own office ("here") and level 2 the
office above; a parent campaign's office counts only what was forwarded to it, at its
level and above. Rollups over the unit tree group by materialised-path prefix, so a
page costs the same few queries whether it lists three units or three thousand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Substr, TruncMonth
from django.http import Http404
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import paths_held_here
from taolun.core import clock
from taolun.core.audit import audited
from taolun.org.models import Unit, UnitKind, User
from taolun.org.predicates import InCampaign
from taolun.org.roles import Role
from taolun.org.selectors import scope_for
from taolun.reporting.models import (
    BriefPoints,
    BriefQuota,
    BriefReview,
    LeagueTable,
    QuotaMeasure,
    QuotaPeriod,
    ReviewState,
)
from taolun.reporting.selectors import REVIEW_READERS

# Points per adopted brief at each level (1 = the campaign's own office) when the
# campaign set none; a level past the last one earns the last one's points.
DEFAULT_POINTS: dict[int, Decimal] = {1: Decimal(1), 2: Decimal(3), 3: Decimal(5)}

# Campaign levels above a campaign that the pages show (the province, the nation).
MAX_LEVELS = 3


# ---------------------------------------------------------------- who reads what


@dataclass(frozen=True)
class StatsAccess:
    """What a user reads of a campaign's counts: ``full`` readers (office, leaders,
    supervisors of the campaign) browse the tree below ``roots``; a contact sees only
    the rows of the units in ``roots``."""

    roots: tuple[Unit, ...]
    full: bool

    def covers(self, unit: Unit) -> bool:
        return any(unit.path.startswith(root.path) for root in self.roots)


def stats_access(user: User, campaign: Campaign) -> StatsAccess:
    """The user's reach over the campaign's counts, or 404 when they have none.

    Only roles held inside the campaign's own tree count: the province's office reads
    the province campaign's counts (what was forwarded to it), not the federation's.
    """
    owner = campaign.owner_unit
    scope = scope_for(user)
    if scope.is_everything:
        return StatsAccess(roots=(owner,), full=True)

    readers = paths_held_here(user, campaign, REVIEW_READERS)
    full = bool(readers)
    kept = readers or paths_held_here(user, campaign, (Role.CONTACT,))
    if not kept:
        raise Http404
    units = Unit.objects.select_related("kind").filter(path__in=kept).order_by("path")
    return StatsAccess(roots=tuple(units), full=full)


def stats_reader(user: User, campaign: Campaign) -> StatsAccess | None:
    """The user's reach when they read the whole tree below it (office, leaders,
    supervisors of the campaign), else None: the live ranking is theirs only."""
    try:
        access = stats_access(user, campaign)
    except Http404:
        return None
    return access if access.full else None


def get_stats_unit(access: StatsAccess, slug: str | None) -> Unit | None:
    """The unit a full reader drills into, or None for the default; 404 outside reach."""
    if not slug or not access.full:
        return None
    unit = Unit.objects.select_related("kind").filter(slug=slug).first()
    if unit is None or not access.covers(unit):
        raise Http404
    return unit


def unit_trail(unit: Unit, access: StatsAccess) -> list[Unit]:
    """The units from the reader's root down to ``unit``'s parent, to drill back up."""
    root = next(r for r in access.roots if unit.path.startswith(r.path))
    paths = [unit.path[:end] for end in range(len(root.path), len(unit.path), Unit.steplen)]
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


def campaign_unit_kinds(campaign: Campaign) -> list[UnitKind]:
    """Categories of the units in the campaign's tree: the rows of the quota form."""
    return list(
        UnitKind.objects.filter(units__path__startswith=campaign.owner_unit.path).distinct()
    )


def can_manage(user: User, campaign: Campaign) -> bool:
    """The campaign's office edits quotas and points and publishes league tables."""
    return user.has_perm("reporting.manage_quotas", InCampaign(campaign.owner_unit, campaign))


def can_publish(user: User, campaign: Campaign) -> bool:
    return user.has_perm(
        "reporting.publish_league_table", InCampaign(campaign.owner_unit, campaign)
    )


# ---------------------------------------------------------------- levels and months


@dataclass(frozen=True)
class Level:
    """A review level seen from the campaign: 1 is its own office."""

    number: int
    campaign: Campaign

    @property
    def is_here(self) -> bool:
        return self.number == 1


def campaign_levels(campaign: Campaign) -> list[Level]:
    """The campaign and the campaigns above it, as levels 1, 2, … (at most MAX_LEVELS)."""
    levels = [Level(1, campaign)]
    current = campaign
    while current.parent_id and len(levels) < MAX_LEVELS:
        current = current.parent
        levels.append(Level(len(levels) + 1, current))
    return levels


def campaign_months(campaign: Campaign) -> list[dt.date]:
    """The first day of every calendar month the campaign runs in."""
    months = []
    month = campaign.starts_on.replace(day=1)
    while month <= campaign.ends_on:
        months.append(month)
        month = _next_month(month)
    return months


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    return _next_month(month) - dt.timedelta(days=1)


# ---------------------------------------------------------------- the reviews counted


def reviews_reaching(campaign: Campaign) -> QuerySet[BriefReview]:
    """Reviews of the briefs that reached the campaign's office, at its level and above,
    each annotated with ``rel``: 1 for the review here, 2 for the office above, …

    One join of each review to the same brief's review at this campaign.
    """
    return BriefReview.objects.filter(
        brief__reviews__campaign=campaign, level__gte=F("brief__reviews__level")
    ).annotate(rel=F("level") - F("brief__reviews__level") + 1)


def _month(field: str) -> TruncMonth:
    return TruncMonth(field, output_field=DateField())


def _in_range(field: str, starts_on: dt.date | None, ends_on: dt.date | None) -> Q:
    q = Q()
    if starts_on is not None:
        q &= Q(**{f"{field}__date__gte": starts_on})
    if ends_on is not None:
        q &= Q(**{f"{field}__date__lte": ends_on})
    return q


def points_table(campaign: Campaign) -> dict[int, Decimal]:
    """Points per adopted brief by level: the campaign's own rules, or DEFAULT_POINTS."""
    rules = dict(campaign.brief_points.values_list("level", "points"))
    return rules or dict(DEFAULT_POINTS)


def _points_expression(points: dict[int, Decimal]) -> Case:
    """Points of one adopted review by its relative level, as SQL."""
    last = points[max(points)]
    return Case(
        *(When(rel=level, then=Value(value)) for level, value in sorted(points.items())),
        default=Value(last),
        output_field=DecimalField(max_digits=7, decimal_places=1),
    )


# ---------------------------------------------------------------- counts by unit and month


@dataclass
class Cell:
    """Counts of one unit in one month (or in total): submitted here, adopted by level."""

    submitted: int = 0
    adopted: dict[int, int] = field(default_factory=dict)
    points: Decimal = Decimal(0)

    def adopted_at(self, level: int) -> int:
        return self.adopted.get(level, 0)

    def add(self, other: Cell) -> None:
        self.submitted += other.submitted
        for level, n in other.adopted.items():
            self.adopted[level] = self.adopted.get(level, 0) + n
        self.points += other.points


@dataclass
class CountRow:
    """One unit's counts (its whole subtree unless ``own_only``) per month and in total."""

    unit: Unit
    own_only: bool
    months: dict[dt.date, Cell]
    total: Cell

    def values(self, levels: Sequence[Level]) -> list[int]:
        """The row's numbers in column order: each month's, then the total's."""
        return [
            n
            for cell in [*self.months.values(), self.total]
            for n in (cell.submitted, *(cell.adopted_at(lv.number) for lv in levels))
        ]


@dataclass
class CountTable:
    levels: list[Level]
    months: list[dt.date]
    rows: list[CountRow]
    total: CountRow | None

    def lines(self) -> list[tuple[CountRow, list[int]]]:
        """Each row with its numbers in column order, for pages and downloads."""
        return [(row, row.values(self.levels)) for row in self.rows]

    @property
    def total_values(self) -> list[int]:
        return self.total.values(self.levels) if self.total else []


def _prefix_counts(
    campaign: Campaign,
    *,
    within: str,
    prefix_len: int,
    months: Sequence[dt.date],
    points: dict[int, Decimal],
) -> dict[str, dict[dt.date, Cell]]:
    """Counts grouped by the first ``prefix_len`` characters of the brief's unit path
    (the row unit whose subtree holds it) and by month: two queries."""
    first, last = months[0], _month_end(months[-1])
    base = (
        reviews_reaching(campaign)
        .filter(brief__unit__path__startswith=within)
        .annotate(prefix=Substr("brief__unit__path", 1, prefix_len))
        .order_by()
    )
    out: dict[str, dict[dt.date, Cell]] = defaultdict(lambda: defaultdict(Cell))
    submitted = (
        base.filter(Q(rel=1) & _in_range("received_at", first, last))
        .annotate(month=_month("received_at"))
        .values("prefix", "month")
        .annotate(n=Count("id"))
    )
    for row in submitted:
        out[row["prefix"]][row["month"]].submitted += row["n"]
    adopted = (
        base.filter(Q(state=ReviewState.ADOPTED) & _in_range("decided_at", first, last))
        .annotate(month=_month("decided_at"))
        .values("prefix", "month", "rel")
        .annotate(n=Count("id"), pts=Sum(_points_expression(points)))
    )
    for row in adopted:
        cell = out[row["prefix"]][row["month"]]
        cell.adopted[row["rel"]] = cell.adopted.get(row["rel"], 0) + row["n"]
        cell.points += row["pts"] or Decimal(0)
    return out


def _row(unit: Unit, own_only: bool, counted: dict[dt.date, Cell], months: Sequence[dt.date]):
    row = CountRow(unit=unit, own_only=own_only, months={}, total=Cell())
    for month in months:
        cell = counted.get(month) or Cell()
        row.months[month] = cell
        row.total.add(cell)
    return row


def count_table(
    campaign: Campaign,
    access: StatsAccess,
    *,
    parent: Unit | None = None,
    months: Sequence[dt.date] | None = None,
) -> CountTable:
    """Units × months of submitted and adopted briefs.

    A full reader sees ``parent``'s own briefs and one row per child of ``parent``
    (each its whole subtree), with a total; a contact sees the rows of their own
    units. ``months`` narrows the columns (default: every month of the campaign).
    """
    levels = campaign_levels(campaign)
    months = list(months or campaign_months(campaign))
    points = points_table(campaign)
    if not access.full:
        rows = []
        for unit in access.roots:  # a contact's own units: one or two
            counted = _prefix_counts(
                campaign, within=unit.path, prefix_len=len(unit.path), months=months, points=points
            )
            rows.append(_row(unit, False, counted.get(unit.path, {}), months))
        return CountTable(levels=levels, months=months, rows=rows, total=None)
    parent = parent or access.roots[0]
    if not access.covers(parent):
        raise Http404
    children = list(Unit.objects.get_children(parent).select_related("kind"))
    counted = _prefix_counts(
        campaign,
        within=parent.path,
        prefix_len=len(parent.path) + Unit.steplen,
        months=months,
        points=points,
    )
    rows = [_row(parent, True, counted.get(parent.path, {}), months)]
    rows += [_row(child, False, counted.get(child.path, {}), months) for child in children]
    total = _row(parent, False, {}, months)
    for row in rows:
        for month, cell in row.months.items():
            total.months[month].add(cell)
        total.total.add(row.total)
    return CountTable(levels=levels, months=months, rows=rows, total=total)


# ---------------------------------------------------------------- quotas


@dataclass(frozen=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date
    kind: str

    @property
    def label(self) -> str:
        if self.kind == QuotaPeriod.MONTH:
            return f"{self.starts_on:%Y-%m}"
        if self.kind == QuotaPeriod.QUARTER:
            return _("%(year)s Q%(quarter)s") % {
                "year": self.starts_on.year,
                "quarter": (self.starts_on.month - 1) // 3 + 1,
            }
        return _("whole campaign")


def quota_periods(campaign: Campaign, kind: str, today: dt.date) -> list[Period]:
    """The periods of ``kind`` that have begun by ``today``, clipped to the campaign."""
    if kind == QuotaPeriod.CAMPAIGN:
        periods = [Period(campaign.starts_on, campaign.ends_on, kind)]
    else:
        step = 1 if kind == QuotaPeriod.MONTH else 3
        month = campaign.starts_on.replace(day=1)
        if step == 3:
            month = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        periods = []
        while month <= campaign.ends_on:
            end = month
            for _i in range(step):
                end = _next_month(end)
            periods.append(
                Period(
                    max(month, campaign.starts_on),
                    min(end - dt.timedelta(days=1), campaign.ends_on),
                    kind,
                )
            )
            month = end
    return [p for p in periods if p.starts_on <= today]


@dataclass(frozen=True)
class Shortfall:
    """A unit that owes briefs in a period: ``so_far`` when the period is still running."""

    unit: Unit
    quota: BriefQuota
    period: Period
    count: int
    so_far: bool

    @property
    def missing(self) -> int:
        return self.quota.count - self.count


def campaign_quotas(campaign: Campaign) -> list[BriefQuota]:
    return list(campaign.brief_quotas.select_related("unit_kind"))


def quota_shortfalls(
    campaign: Campaign,
    today: dt.date,
    *,
    within: Unit | None = None,
    current_month_only: bool = False,
) -> list[Shortfall]:
    """Units whose own briefs fall short of their kind's quota, per period that has ended
    and for the running period ("so far"), in tree order. Three queries.

    ``within`` keeps one subtree; ``current_month_only`` keeps monthly quotas of the
    running month (the "short this month" list).
    """
    quotas = campaign_quotas(campaign)
    if current_month_only:
        quotas = [q for q in quotas if q.period == QuotaPeriod.MONTH]
    if not quotas:
        return []
    root = within or campaign.owner_unit
    kinds = {q.unit_kind_id for q in quotas}
    units = list(
        Unit.objects.filter(path__startswith=root.path, kind_id__in=kinds)
        .select_related("kind")
        .order_by("path")
    )
    counts = _own_counts_by_month(campaign, root, kinds)
    out = []
    for unit in units:
        for quota in quotas:
            if quota.unit_kind_id != unit.kind_id:
                continue
            for period in quota_periods(campaign, quota.period, today):
                so_far = period.ends_on >= today
                if current_month_only and not so_far:
                    continue
                n = sum(
                    counts.get((unit.pk, quota.measure, month), 0)
                    for month in _months_between(period.starts_on, period.ends_on)
                )
                if n < quota.count:
                    out.append(Shortfall(unit, quota, period, n, so_far))
    return out


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def _own_counts_by_month(
    campaign: Campaign, root: Unit, kinds: set[int]
) -> dict[tuple[int, str, dt.date], int]:
    """(unit id, measure, month) → briefs of the unit itself submitted / adopted here."""
    base = (
        reviews_reaching(campaign)
        .filter(rel=1, brief__unit__path__startswith=root.path, brief__unit__kind_id__in=kinds)
        .order_by()
    )
    out: dict[tuple[int, str, dt.date], int] = {}
    for measure, date_field, extra in (
        (QuotaMeasure.SUBMITTED, "received_at", Q()),
        (QuotaMeasure.ADOPTED, "decided_at", Q(state=ReviewState.ADOPTED)),
    ):
        rows = (
            base.filter(extra)
            .annotate(month=_month(date_field))
            .values("brief__unit_id", "month")
            .annotate(n=Count("id"))
        )
        for row in rows:
            out[(row["brief__unit_id"], measure, row["month"])] = row["n"]
    return out


@dataclass(frozen=True)
class QuotaSpec:
    """One quota as the office sets it: ``period`` None means no quota."""

    unit_kind: UnitKind
    measure: str
    period: str | None
    count: int | None


def quota_field(kind: UnitKind, measure: str, what: str) -> str:
    """The name a quota's input goes by, in forms and in the service's errors."""
    return f"{kind.code}__{measure}__{what}"


@transaction.atomic
def quotas_set(*, actor: User, campaign: Campaign, specs: Sequence[QuotaSpec]) -> None:
    """Replace the campaign's quotas for the kinds given; all or nothing."""
    if not can_manage(actor, campaign):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    for spec in specs:
        if spec.period is None:
            continue
        name = quota_field(spec.unit_kind, spec.measure, "count")
        if spec.period not in QuotaPeriod.values:
            errors[quota_field(spec.unit_kind, spec.measure, "period")] = [_("Choose a period.")]
        if spec.count is None:
            errors[name] = [_("Say how many briefs, or choose “no quota”.")]
        elif spec.count < 1:
            errors[name] = [_("A quota is at least one brief.")]
    if errors:
        raise ValidationError(errors)
    with audited(actor):
        for spec in specs:
            existing = BriefQuota.objects.filter(
                campaign=campaign, unit_kind=spec.unit_kind, measure=spec.measure
            )
            if spec.period is None:
                for quota in existing:
                    quota.delete()
                continue
            BriefQuota.objects.update_or_create(
                campaign=campaign,
                unit_kind=spec.unit_kind,
                measure=spec.measure,
                defaults={"period": spec.period, "count": spec.count},
            )


@transaction.atomic
def points_set(*, actor: User, campaign: Campaign, points: dict[int, Decimal | None]) -> None:
    """Replace the campaign's points per adopted brief by level; all or nothing."""
    if not can_manage(actor, campaign):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    for level, value in points.items():
        if value is None:
            errors[f"level_{level}"] = [_("Give the points, 0 for none.")]
        elif value < 0:
            errors[f"level_{level}"] = [_("Points cannot be negative.")]
        elif value >= 10000:
            errors[f"level_{level}"] = [_("At most 9999.9 points.")]
    if errors:
        raise ValidationError(errors)
    with audited(actor):
        for rule in campaign.brief_points.exclude(level__in=list(points)):
            rule.delete()
        for level, value in points.items():
            BriefPoints.objects.update_or_create(
                campaign=campaign, level=level, defaults={"points": value}
            )


# ---------------------------------------------------------------- league tables


@dataclass
class LeagueRow:
    unit_id: int
    unit: str
    submitted: int
    adopted: dict[int, int]
    points: Decimal
    rank: int = 0

    @property
    def adopted_list(self) -> list[dict[str, int]]:
        """Adoptions by level, lowest first, as the snapshot keeps them."""
        return [{"level": lv, "count": n} for lv, n in sorted(self.adopted.items())]

    def as_json(self) -> dict:
        return {
            "unit": self.unit,
            "submitted": self.submitted,
            "adopted": self.adopted_list,
            "points": str(self.points.quantize(Decimal("0.1"))),
            "rank": self.rank,
        }


def league_rows(
    campaign: Campaign, starts_on: dt.date, ends_on: dt.date, *, within: Unit | None = None
) -> list[LeagueRow]:
    """Units ranked by the points their own briefs earned in the period (submitted and
    adopted counted on the day of each review); units with a quota take part with zero.
    Ties share a rank (1, 1, 3). Three queries."""
    root = within or campaign.owner_unit
    points = points_table(campaign)
    levels = [lv.number for lv in campaign_levels(campaign)]
    base = reviews_reaching(campaign).filter(brief__unit__path__startswith=root.path).order_by()
    rows: dict[int, LeagueRow] = {}

    def row_for(unit_id: int, name: str) -> LeagueRow:
        if unit_id not in rows:
            rows[unit_id] = LeagueRow(unit_id, name, 0, {lv: 0 for lv in levels}, Decimal(0))
        return rows[unit_id]

    for row in (
        base.filter(Q(rel=1) & _in_range("received_at", starts_on, ends_on))
        .values("brief__unit_id", "brief__unit__name")
        .annotate(n=Count("id"))
    ):
        row_for(row["brief__unit_id"], row["brief__unit__name"]).submitted = row["n"]
    for row in (
        base.filter(Q(state=ReviewState.ADOPTED) & _in_range("decided_at", starts_on, ends_on))
        .values("brief__unit_id", "brief__unit__name", "rel")
        .annotate(n=Count("id"), pts=Sum(_points_expression(points)))
    ):
        target = row_for(row["brief__unit_id"], row["brief__unit__name"])
        target.adopted[row["rel"]] = target.adopted.get(row["rel"], 0) + row["n"]
        target.points += row["pts"] or Decimal(0)
    kinds = list(campaign.brief_quotas.values_list("unit_kind_id", flat=True))
    if kinds:
        for unit_id, name in Unit.objects.filter(
            path__startswith=root.path, kind_id__in=kinds
        ).values_list("pk", "name"):
            row_for(unit_id, name)
    ranked = sorted(rows.values(), key=lambda r: (-r.points, -r.submitted, r.unit))
    previous: Decimal | None = None
    for position, row in enumerate(ranked, start=1):
        row.rank = ranked[position - 2].rank if row.points == previous else position
        previous = row.points
    return ranked


@transaction.atomic
def league_table_publish(
    *, actor: User, campaign: Campaign, title: str, starts_on: dt.date, ends_on: dt.date
) -> LeagueTable:
    """Publish the ranking for the period as a snapshot: later adoptions leave it as is."""
    if not can_publish(actor, campaign):
        raise PermissionDenied
    title = title.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the table a title.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The period ends before it starts.")]
    if errors:
        raise ValidationError(errors)
    rows = league_rows(campaign, starts_on, ends_on)
    with audited(actor):
        return LeagueTable.objects.create(
            campaign=campaign,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            rows=[row.as_json() for row in rows],
            published_by=actor,
            published_at=clock.now(),
        )


def league_tables_for_user(user: User, campaign: Campaign) -> QuerySet[LeagueTable]:
    """Published tables of a campaign the user takes part in (the caller got the campaign
    through ``get_campaign_for_user``, which is the check)."""
    return LeagueTable.objects.filter(campaign=campaign).select_related("published_by")


def get_league_table_for_user(user: User, campaign: Campaign, pk: int) -> LeagueTable:
    table = league_tables_for_user(user, campaign).filter(pk=pk).first()
    if table is None:
        raise Http404
    return table
