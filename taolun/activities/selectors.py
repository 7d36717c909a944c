"""Reads for activity records, scoped to the user."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from taolun.activities.models import ActivityRecord, Attachment, RecordStatus
from taolun.org.models import User
from taolun.org.roles import REVIEWING_ROLES
from taolun.org.selectors import scoped


def records_for_user(user: User) -> QuerySet[ActivityRecord]:
    return scoped(ActivityRecord.objects.all(), user).select_related(
        "campaign", "action", "action__stage", "unit", "created_by", "reviewed_by"
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
        scoped(ActivityRecord.objects.filter(status=RecordStatus.SUBMITTED), user,
               roles=REVIEWING_ROLES)
        .select_related("campaign", "action", "unit", "created_by")
        .order_by("submitted_at", "id")
    )


def records_returned_to(user: User) -> QuerySet[ActivityRecord]:
    """Returned records the user wrote: they are the one who must act on them."""
    return (
        ActivityRecord.objects.filter(status=RecordStatus.RETURNED, created_by=user)
        .select_related("campaign", "action", "unit", "reviewed_by")
        .order_by("reviewed_at", "id")
    )


def records_with_counts(qs: QuerySet[ActivityRecord]) -> QuerySet[ActivityRecord]:
    return qs.annotate(attachment_count=Count("attachments"))
