"""Empty the recycle bin of what has stayed past the retention period, files included."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError, CommandParser

from taolun.core.recycle import purge, retention_days

logger = logging.getLogger("taolun.audit")


class Command(BaseCommand):
    help = "Delete for good the recycle bin's records older than DAYS days, and their files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="DAYS",
            help="Records deleted more than DAYS days ago (default: TAOLUN_RECYCLE_DAYS, 90).",
        )

    def handle(self, *args, **options) -> None:
        days = options["older_than"]
        if days is None:
            days = retention_days()
        if days < 0:
            raise CommandError(f"--older-than must be 0 or more days; got {days}.")
        count = purge(days)
        logger.warning("purge_recycle_bin: %d records deleted more than %d days ago", count, days)
        self.stdout.write(f"Purged {count} records deleted more than {days} days ago.")
