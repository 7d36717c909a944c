"""Rollups of big subtrees read from a snapshot, small ones computed live.

Grouping a province's million action cells takes seconds, not the tenth of a second a
page may take; a township's few hundred take milliseconds. So a subtree of at least
``TAOLUN_ROLLUP_SNAPSHOT_UNITS`` units (default 2000) is read from its
``RollupSnapshot``: the same ``rollups`` code, run in the background and stored as JSON.

- fresh (computed today, less than ``TAOLUN_ROLLUP_SNAPSHOT_SECONDS`` ago, default 600):
  served as it is;
- stale: served, and one refresh task is queued. Only one: the request that queues it
  first moves the row's ``computed_at`` to now with an ``UPDATE … WHERE computed_at =``
  the value it read, so the others see a snapshot being refreshed. The figures' own time
  stays in the data (``computed_at`` there), which is what the pages show;
- missing: computed now and stored.

``manage.py refresh_rollups`` recomputes them all (for cron, after the date changes), and
the pages' "Refresh now" button one of them. Units are stored by id and loaded in one
query on read, so a renamed or moved unit shows as it is now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.org.models import Unit, User
from taolun.supervision.models import RollupSnapshot
from taolun.supervision.rollups import (
    _COUNTS,
    ActionFigures,
    AsOf,
    Rollup,
    StatusCounts,
    UnitFigures,
    _shown,
    level_rollups,
    max_depth_below,
    rollup,
)

SNAPSHOT_MIN_UNITS = 2000
SNAPSHOT_TTL = 600
_FORMAT = 1


def min_units() -> int:
    """Subtrees of at least this many units (the unit included) are read from snapshots."""
    return int(getattr(settings, "TAOLUN_ROLLUP_SNAPSHOT_UNITS", SNAPSHOT_MIN_UNITS))


def ttl_seconds() -> int:
    """How old a snapshot may be before a page asks for a fresh one."""
    return int(getattr(settings, "TAOLUN_ROLLUP_SNAPSHOT_SECONDS", SNAPSHOT_TTL))


def is_big(unit: Unit) -> bool:
    """Whether ``unit``'s subtree is read from a snapshot: one COUNT that stops at the
    threshold, so it costs the same for a township and for the province."""
    n = min_units()
    return Unit.objects.filter(path__startswith=unit.path)[:n].count() >= n


# ---------------------------------------------------------------- to and from JSON


def _kind_to_json(figures: ActionFigures) -> dict[str, dict[str, int]]:
    return {str(number): dict(counts.counts) for number, counts in figures.by_stage.items()}


def _kind_from_json(data: dict[str, dict[str, int]]) -> ActionFigures:
    return ActionFigures(
        by_stage={int(number): StatusCounts(counts=dict(c)) for number, c in data.items()}
    )


def figures_to_json(figures: UnitFigures) -> dict[str, Any]:
    """The counts of ``figures`` (not its unit), leaving out what is empty or zero."""
    out: dict[str, Any] = {
        name: getattr(figures, name) for name in _COUNTS if getattr(figures, name)
    }
    if figures.prescribed.by_stage:
        out["prescribed"] = _kind_to_json(figures.prescribed)
    if figures.self_selected.by_stage:
        out["self_selected"] = _kind_to_json(figures.self_selected)
    if figures.findings_deduction:
        out["findings_deduction"] = str(figures.findings_deduction)
    return out


def figures_from_json(data: dict[str, Any], unit: Unit) -> UnitFigures:
    """The figures ``figures_to_json`` wrote, for ``unit`` as it is now."""
    return UnitFigures(
        unit=unit,
        has_children=unit.numchild > 0,
        prescribed=_kind_from_json(data.get("prescribed", {})),
        self_selected=_kind_from_json(data.get("self_selected", {})),
        findings_deduction=Decimal(data.get("findings_deduction", "0")),
        **{name: data.get(name, 0) for name in _COUNTS},
    )


# ---------------------------------------------------------------- computing and storing


def _compute(campaign: Campaign, unit: Unit, depth: int, today: dt.date) -> dict[str, Any]:
    """The figures a snapshot stores: depth 1 is the dashboard (total, own and children),
    deeper the units of that level; units by id."""
    if depth == 1:
        result = rollup(campaign, unit, today)
        return {
            "total": figures_to_json(result.total),
            "own": figures_to_json(result.own),
            "units": {str(f.unit.pk): figures_to_json(f) for f in result.children},
        }
    level = level_rollups(campaign, unit, depth, today)
    return {"units": {str(f.unit.pk): figures_to_json(f) for f in level}}


def snapshot_refresh(
    campaign: Campaign, unit: Unit, depth: int, today: dt.date | None = None
) -> RollupSnapshot:
    """Compute the figures of ``unit`` at ``depth`` now and store them."""
    today = today or clock.today()
    data = _compute(campaign, unit, depth, today)
    now = clock.now()
    data["format"] = _FORMAT
    data["computed_at"] = now.isoformat()
    snapshot, _created = RollupSnapshot.objects.update_or_create(
        campaign=campaign,
        unit=unit,
        depth=depth,
        defaults={
            "day": today,
            "computed_at": now,
            "units_below": Unit.objects.filter(path__startswith=unit.path).count() - 1,
            "data": data,
        },
    )
    return snapshot


def _needs_refresh(snapshot: RollupSnapshot, today: dt.date, now: dt.datetime) -> bool:
    """Older than the TTL, or of another day and not already being refreshed today."""
    if snapshot.computed_at <= now - dt.timedelta(seconds=ttl_seconds()):
        return True
    return snapshot.day != today and timezone.localdate(snapshot.computed_at) != today


def _claim_refresh(snapshot: RollupSnapshot, now: dt.datetime) -> bool:
    """Mark the snapshot as being refreshed; False when another request did first."""
    return bool(
        RollupSnapshot.objects.filter(pk=snapshot.pk, computed_at=snapshot.computed_at).update(
            computed_at=now
        )
    )


def _enqueue_refresh(snapshot: RollupSnapshot) -> None:
    from taolun.supervision.tasks import refresh_rollup_snapshot

    ids = {
        "campaign_id": snapshot.campaign_id,
        "unit_id": snapshot.unit_id,
        "depth": snapshot.depth,
    }
    transaction.on_commit(lambda: refresh_rollup_snapshot.enqueue(**ids))


def _snapshot(campaign: Campaign, unit: Unit, depth: int, today: dt.date) -> RollupSnapshot:
    """The stored snapshot (queuing a refresh when stale), or a new one computed now."""
    snapshot = RollupSnapshot.objects.filter(campaign=campaign, unit=unit, depth=depth).first()
    if snapshot is None:
        return snapshot_refresh(campaign, unit, depth, today)
    if snapshot.data.get("format") != _FORMAT:
        return snapshot_refresh(campaign, unit, depth, today)
    now = clock.now()
    if _needs_refresh(snapshot, today, now) and _claim_refresh(snapshot, now):
        _enqueue_refresh(snapshot)
    return snapshot


def as_of(snapshot: RollupSnapshot) -> AsOf:
    """When the snapshot's figures were computed (not when a refresh was last asked for)."""
    return AsOf(
        computed_at=dt.datetime.fromisoformat(snapshot.data["computed_at"]),
        refresh_seconds=ttl_seconds(),
    )


# ---------------------------------------------------------------- what pages read


def dashboard_rollup(campaign: Campaign, unit: Unit, today: dt.date) -> Rollup:
    """``rollups.rollup`` for the dashboard: live for a small subtree, else from the
    snapshot (``as_of`` set). Three queries from a snapshot, whatever the units shown."""
    if not is_big(unit):
        return rollup(campaign, unit, today)
    snapshot = _snapshot(campaign, unit, 1, today)
    data = snapshot.data
    children = _shown(Unit.objects.get_children(unit))
    return Rollup(
        total=figures_from_json(data["total"], unit),
        own=figures_from_json(data["own"], unit),
        children=[figures_from_json(data["units"].get(str(c.pk), {}), c) for c in children],
        as_of=as_of(snapshot),
    )


@dataclass
class LevelFigures:
    """The units of one level below a root, each with its subtree's figures."""

    units: list[UnitFigures]
    as_of: AsOf | None = None


def level_figures(campaign: Campaign, root: Unit, depth: int, today: dt.date) -> LevelFigures:
    """``rollups.level_rollups``, live for a small subtree, else from the snapshot."""
    if not is_big(root):
        return LevelFigures(units=level_rollups(campaign, root, depth, today))
    snapshot = _snapshot(campaign, root, depth, today)
    stored = snapshot.data["units"]
    units = _shown(Unit.objects.filter(path__startswith=root.path, depth=root.depth + depth))
    return LevelFigures(
        units=[figures_from_json(stored.get(str(u.pk), {}), u) for u in units],
        as_of=as_of(snapshot),
    )


# ---------------------------------------------------------------- "Refresh now"


def snapshot_refresh_now(
    *, actor: User, campaign: Campaign, unit: Unit, depth: int
) -> RollupSnapshot | None:
    """Recompute the snapshot a page showed, at once; None when ``unit``'s subtree is small
    (its figures are live). PermissionDenied for anyone but the office, leaders and
    supervisors over the unit; ValidationError for a level the tree does not have."""
    from taolun.supervision.scores import may_refresh

    if not may_refresh(actor, campaign, unit):
        raise PermissionDenied
    if depth < 1 or depth > max_depth_below(unit):
        raise ValidationError(
            {"depth": _("There is no level %(depth)s below this unit.") % {"depth": depth}}
        )
    if not is_big(unit):
        return None
    return snapshot_refresh(campaign, unit, depth)


# ---------------------------------------------------------------- all of them, for cron


def big_units(campaign: Campaign) -> list[Unit]:
    """Units of the campaign's tree whose subtree is read from snapshots: one grouped
    query per level of the tree."""
    owner = campaign.owner_unit
    n = min_units()
    steplen = Unit.steplen
    under = Unit.objects.filter(path__startswith=owner.path)
    deepest = max(under.values_list("depth", flat=True).order_by("-depth")[:1], default=0)
    paths: list[str] = []
    for depth in range(owner.depth, deepest + 1):
        paths += (
            under.filter(depth__gte=depth)
            .order_by()
            .annotate(prefix=Substr("path", 1, depth * steplen))
            .values("prefix")
            .annotate(n=Count("id"))
            .filter(n__gte=n)
            .values_list("prefix", flat=True)
        )
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


def refresh_all(campaign: Campaign, today: dt.date | None = None) -> int:
    """Recompute the dashboard snapshot of every big unit of the campaign's tree and every
    other snapshot already stored for them (the levels someone looked at); return how
    many were computed. Snapshots of units no longer big are deleted."""
    today = today or clock.today()
    units = big_units(campaign)
    depths: dict[int, set[int]] = {u.pk: {1} for u in units}
    stored = RollupSnapshot.objects.filter(campaign=campaign)
    for unit_id, depth in stored.values_list("unit_id", "depth"):
        if unit_id in depths:
            depths[unit_id].add(depth)
    stored.exclude(unit_id__in=list(depths)).delete()
    done = 0
    for unit in units:
        for depth in sorted(depths[unit.pk]):
            snapshot_refresh(campaign, unit, depth, today)
            done += 1
    return done
