"""Reads for activity records, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from taolun.activities.models import ActivityRecord, Attachment, RecordStatus
from taolun.org.models import User
from taolun.org.roles import REVIEWING_ROLES, Role
from taolun.org.selectors import scope_for, scoped


def records_for_user(user: User) -> QuerySet[ActivityRecord]:
    return scoped(ActivityRecord.objects.all(), user).select_related(
        "campaign__owner_unit", "action", "action__stage", "unit", "created_by", "reviewed_by"
    )


def get_record_for_user(user: User, pk: int) -> ActivityRecord:
    record = records_for_user(user).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def record_attachments(record: ActivityRecord) -> list[Attachment]:
    return list(record.attachments.order_by("id"))


def get_attachment_for_user(user: User, pk: int) -> Attachment:
    attachment = (
        scoped(Attachment.objects.all(), user, unit_field="record__unit")
        .select_related("record")
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def records_to_review(user: User) -> QuerySet[ActivityRecord]:
    return (
        ActivityRecord.objects.filter(status=RecordStatus.SUBMITTED)
        .filter(scope_for(user).q_in_campaign(REVIEWING_ROLES))
        .select_related("campaign__owner_unit", "action", "unit", "created_by")
        .order_by("submitted_at", "id")
    )


def records_returned_to(user: User) -> QuerySet[ActivityRecord]:
    """Returned records the user wrote, or of units they are contact for: theirs to mend."""
    in_contact_scope = scope_for(user).q(roles=[Role.CONTACT])
    return (
        ActivityRecord.objects.filter(status=RecordStatus.RETURNED)
        .filter(Q(created_by=user) | in_contact_scope)
        .select_related("campaign", "action", "unit", "reviewed_by")
        .order_by("reviewed_at", "id")
    )


def records_with_counts(qs: QuerySet[ActivityRecord]) -> QuerySet[ActivityRecord]:
    return qs.annotate(attachment_count=Count("attachments"))


@dataclass(frozen=True)
class HistoryRow:
    entry: LogEntry
    changes: list[str]

    @property
    def action_label(self) -> str:
        # auditlog ships no Chinese: name the kind of change in our own catalogue.
        return str(AUDIT_ACTIONS.get(self.entry.action, self.entry.get_action_display()))


AUDIT_ACTIONS = {
    LogEntry.Action.CREATE: _("created"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
    LogEntry.Action.ACCESS: _("viewed"),
}


def record_history(record: ActivityRecord) -> list[HistoryRow]:
    """The record's audit trail in one query, described without further lookups."""
    entries = (
        LogEntry.objects.filter(
            content_type__app_label="activities",
            content_type__model="activityrecord",
            object_id=record.pk,
        )
        .select_related("actor")
        .order_by("timestamp", "id")
    )
    return [HistoryRow(entry=e, changes=_describe_changes(e)) for e in entries]


HIDDEN_IN_HISTORY = frozenset({"id", "updated_at", "created_at", "attachments"})


def _describe_changes(entry: LogEntry) -> list[str]:
    """Name the changed fields (and the status move); a creation needs no list."""
    if entry.action == LogEntry.Action.CREATE:
        return []
    described = []
    for name, values in (entry.changes_dict or {}).items():
        if name in HIDDEN_IN_HISTORY:
            continue
        try:
            field = ActivityRecord._meta.get_field(name)
        except FieldDoesNotExist:
            described.append(name)
            continue
        label = capfirst(str(getattr(field, "verbose_name", name)))
        if name == "status" and isinstance(values, list | tuple) and len(values) == 2:
            before, after = (_status_label(v) for v in values)
            described.append(f"{label}: {before} → {after}" if before else f"{label}: {after}")
        else:
            described.append(label)
    return described


def _status_label(value: str | None) -> str:
    try:
        return str(RecordStatus(value).label)
    except ValueError:
        return ""
