"""Create the missing (unit, action) status rows, e.g. after units were added in bulk."""

from django.core.management.base import BaseCommand, CommandError

from taolun.campaigns.models import Campaign
from taolun.campaigns.services import campaign_sync_statuses


class Command(BaseCommand):
    help = "Create missing status rows for a campaign's units and actions."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="campaign slug, e.g. sxdpf-2019")

    def handle(self, *args, campaign: str, **options):
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(f"No campaign with slug {campaign!r}.")
        added = campaign_sync_statuses(campaign=found)
        self.stdout.write(f"{found.slug}: {added} status rows added.")
