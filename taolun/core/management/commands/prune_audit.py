"""Remove audit records past the retention period, and only those.

The records of changes (django-auditlog) and the events (sign-ins, exports …) are kept at
least ``TAOLUN_AUDIT_RETENTION_DAYS`` days (180, as 等级保护 2.0 asks); nothing in the
application changes or deletes them, and this command refuses to cut shorter than that.
"""

from __future__ import annotations

import datetime as dt
import logging

from auditlog.models import LogEntry
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.utils import timezone

from taolun.core.audit_events import record_event
from taolun.core.models import AuditEvent, AuditEventKind

logger = logging.getLogger("taolun.audit")

BATCH = 10_000


def retention_days() -> int:
    return int(getattr(settings, "TAOLUN_AUDIT_RETENTION_DAYS", 180))


def _delete_in_batches(qs: models.QuerySet, delete) -> int:
    """Delete ``qs`` a batch at a time, so that no single transaction holds millions of
    rows; ``delete`` removes one batch's queryset and returns how many went."""
    total = 0
    model = qs.model
    while True:
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        with transaction.atomic():
            total += delete(model._base_manager.filter(pk__in=ids))


def prune_audit(*, older_than_days: int) -> tuple[int, int]:
    """Delete changes and events older than ``older_than_days`` days; (changes, events)."""
    minimum = retention_days()
    if older_than_days < minimum:
        raise ValueError(f"audit records are kept at least {minimum} days")
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    # The one place audit records are deleted: LogEntry's pre_delete guard and AuditEvent's
    # queryset refuse the ORM's delete(), so the rows go by the base QuerySet's own SQL.
    changes = _delete_in_batches(
        LogEntry.objects.filter(timestamp__lt=cutoff), lambda qs: qs._raw_delete(qs.db)
    )
    events = _delete_in_batches(
        AuditEvent.objects.filter(at__lt=cutoff), lambda qs: models.QuerySet.delete(qs)[0]
    )
    return changes, events


class Command(BaseCommand):
    help = "Delete audit records older than the given number of days (at least the retention)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            required=True,
            metavar="DAYS",
            help="Delete records older than DAYS days; refused below the retention period.",
        )

    def handle(self, *args, **options) -> None:
        days = options["older_than"]
        try:
            changes, events = prune_audit(older_than_days=days)
        except ValueError as exc:
            raise CommandError(
                f"Refused: {exc} (TAOLUN_AUDIT_RETENTION_DAYS); asked for {days}."
            ) from exc
        logger.warning(
            "prune_audit: deleted %d changes and %d events older than %d days",
            changes,
            events,
            days,
        )
        # The pruning itself stays in the trail (it is younger than anything it removed).
        record_event(
            None,
            AuditEventKind.PRUNED,
            username="manage.py",
            detail=f"{changes} changes, {events} events older than {days} days",
        )
        self.stdout.write(
            f"Deleted {changes} records of changes and {events} events older than {days} days."
        )
