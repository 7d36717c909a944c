"""Rollup snapshots are recomputed as tasks: a province's takes seconds, too long for a page."""

from __future__ import annotations

from django_tasks import task

from taolun.campaigns.models import Campaign
from taolun.org.models import Unit


@task()
def refresh_rollup_snapshot(campaign_id: int, unit_id: int, depth: int) -> bool:
    """Recompute one snapshot (queued by a page that served it stale); False when its
    campaign or unit was deleted meanwhile."""
    from taolun.supervision.snapshots import snapshot_refresh

    campaign = Campaign.objects.select_related("owner_unit").filter(pk=campaign_id).first()
    unit = Unit.objects.filter(pk=unit_id).first()
    if campaign is None or unit is None:
        return False
    snapshot_refresh(campaign, unit, depth)
    return True
