"""Recompute the rollup snapshots of big subtrees: run from cron after the date changes
(and as often as the figures should be fresh), or after loading a province."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from taolun.campaigns.models import Campaign
from taolun.supervision.snapshots import min_units, refresh_all


class Command(BaseCommand):
    help = "Recompute the dashboard snapshots of every unit with a big subtree."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--campaign", help="only this campaign (slug); default: all")

    def handle(self, *args, campaign: str | None = None, **options) -> None:
        campaigns = Campaign.objects.select_related("owner_unit").order_by("slug")
        if campaign:
            campaigns = campaigns.filter(slug=campaign)
            if not campaigns.exists():
                raise CommandError(f"No campaign with slug {campaign!r}.")
        for found in campaigns:
            done = refresh_all(found)
            self.stdout.write(
                f"{found.slug}: {done} snapshots of subtrees of {min_units()} units or more."
            )
