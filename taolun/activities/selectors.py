"""Reads for activity records, scoped to the user."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from taolun.activities.models import ActivityRecord, Attachment, RecordStatus
from taolun.core.history import HistoryRow, object_history
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
    if not scope_for(user).holds(REVIEWING_ROLES):
        return ActivityRecord.objects.none()
    return (
        ActivityRecord.objects.filter(status=RecordStatus.SUBMITTED)
        .filter(scope_for(user).q_in_campaign(REVIEWING_ROLES, unit_index_first=True))
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


HIDDEN_IN_HISTORY = frozenset({"id", "updated_at", "created_at", "attachments"})


def record_history(record: ActivityRecord) -> list[HistoryRow]:
    """The record's audit trail in one query, described without further lookups."""
    return object_history(
        record, hidden=HIDDEN_IN_HISTORY, state_field="status", states=RecordStatus
    )
