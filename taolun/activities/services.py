"""Writes for activity records: create, edit, submit, review, attach evidence.

The record's legal moves are the TRANSITIONS table in models; every write here
refreshes the (unit, action) row of the status table in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _

from taolun.activities.meeting_selectors import is_meeting_record
from taolun.activities.models import TRANSITIONS, ActivityRecord, Attachment, RecordStatus
from taolun.campaigns.models import Action, ActionStatus, Approval, RecordState
from taolun.campaigns.services import campaign_units
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.recycle import recycle
from taolun.core.sanitize import clean_html
from taolun.core.uploads import check_upload, check_uploads
from taolun.org.models import Unit, User
from taolun.org.predicates import InCampaign

RECORD_FIELDS = ("title", "held_on", "place", "participant_count", "content")


def _move(record: ActivityRecord, to: str, verb: str) -> None:
    if TRANSITIONS.get((record.status, to)) != verb:
        raise ValidationError(
            _("A record that is “%(state)s” cannot be %(verb)s.")
            % {"state": record.get_status_display(), "verb": _verb_label(verb)},
            code="illegal_transition",
        )
    record.status = to


def _verb_label(verb: str) -> str:
    return {"submit": _("submitted"), "accept": _("accepted"), "return": _("returned")}[verb]


def status_refresh(*, unit_id: int, action_id: int) -> None:
    """Recompute one row of the status table from that (unit, action)'s records."""
    agg = ActivityRecord.objects.filter(unit_id=unit_id, action_id=action_id).aggregate(
        total=Count("id"),
        accepted=Count("id", filter=Q(status=RecordStatus.ACCEPTED)),
        submitted=Count("id", filter=Q(status=RecordStatus.SUBMITTED)),
        completed_on=Min("held_on", filter=Q(status=RecordStatus.ACCEPTED)),
    )
    if agg["accepted"]:
        state = RecordState.ACCEPTED
    elif agg["submitted"]:
        state = RecordState.SUBMITTED
    elif agg["total"]:
        state = RecordState.WORKING
    else:
        state = RecordState.NONE
    latest = (
        ActivityRecord.objects.filter(unit_id=unit_id, action_id=action_id)
        .order_by("-updated_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    ActionStatus.objects.filter(unit_id=unit_id, action_id=action_id).update(
        record_state=state,
        completed_on=agg["completed_on"],
        records_count=agg["total"],
        latest_record_id=latest,
        updated_at=clock.now(),
    )


def _validate_fields(record: ActivityRecord) -> None:
    campaign = record.campaign
    errors: dict[str, str] = {}
    if record.held_on and record.held_on < campaign.starts_on - dt.timedelta(days=31):
        errors["held_on"] = _("The date is long before the campaign began (%(start)s).") % {
            "start": campaign.starts_on
        }
    if record.held_on and record.held_on > clock.today():
        errors["held_on"] = _("A record proves what was done: the date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    record.full_clean(exclude=["participants"])


def _attach(actor: User, record: ActivityRecord, files: Iterable[UploadedFile]) -> None:
    for upload in files:
        checked = check_upload(upload)
        attachment = Attachment(
            record=record,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=actor,
        )
        attachment.file.save(checked.stored_name, upload, save=False)
        attachment.save()


@transaction.atomic
def record_create(
    *,
    actor: User,
    action: Action,
    unit: Unit,
    title: str,
    held_on: dt.date,
    place: str = "",
    participant_count: int | None = None,
    participants: Iterable[User] = (),
    content: str = "",
    files: Sequence[UploadedFile] = (),
    submit: bool = False,
) -> ActivityRecord:
    """Record that ``unit`` carried out ``action``; optionally submit it for review at once."""
    if not actor.has_perm("activities.add_record", InCampaign(unit, action.campaign)):
        raise PermissionDenied
    if action.approval != Approval.APPROVED:
        raise ValidationError({"action": _("This action has not been approved yet.")})
    if action.unit_id is not None and action.unit_id != unit.pk:
        raise ValidationError({"action": _("This self-selected action belongs to another unit.")})
    if not campaign_units(action.campaign).filter(pk=unit.pk).exists():
        raise ValidationError({"action": _("This unit does not take part in this campaign.")})
    check_uploads(files, field="attachments")
    with audited(actor):
        record = ActivityRecord(
            campaign=action.campaign,
            action=action,
            unit=unit,
            title=title.strip(),
            held_on=held_on,
            place=place.strip(),
            participant_count=participant_count,
            content=clean_html(content),
            created_by=actor,
        )
        _validate_fields(record)
        record.save()
        record.participants.set(_participants_in_scope(actor, participants))
        _attach(actor, record, files)
        if submit:
            _submit(actor, record)
        status_refresh(unit_id=unit.pk, action_id=action.pk)
    return record


def _participants_in_scope(actor: User, participants: Iterable[User]) -> list[User]:
    from taolun.org.selectors import people_for_user

    wanted = [p.pk for p in participants]
    allowed = set(people_for_user(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    if len(allowed) != len(set(wanted)):
        raise ValidationError({"participants": _("Choose people of units you can see.")})
    return [p for p in participants if p.pk in allowed]


@transaction.atomic
def record_update(
    *,
    actor: User,
    record: ActivityRecord,
    participants: Iterable[User] | None = None,
    files: Sequence[UploadedFile] = (),
    submit: bool = False,
    **fields,
) -> ActivityRecord:
    """Edit a draft or returned record (and optionally send it for review).

    A meeting's record is refused: its participants, their number and its date follow
    the meeting's attendance (and a study session's logs), which only the meeting's
    services keep in step (``meeting_update`` calls ``_record_update``).
    """
    if not actor.has_perm("activities.change_record", record):
        raise PermissionDenied
    if is_meeting_record(record):
        raise ValidationError(
            _(
                "This record is a meeting: edit it on the meeting's page, where the "
                "attendance keeps its participants and date in step."
            ),
            code="meeting_record",
        )
    return _record_update(
        actor=actor, record=record, participants=participants, files=files, submit=submit, **fields
    )


def _record_update(
    *,
    actor: User,
    record: ActivityRecord,
    participants: Iterable[User] | None = None,
    files: Sequence[UploadedFile] = (),
    submit: bool = False,
    **fields,
) -> ActivityRecord:
    """The write shared by ``record_update`` and ``meeting_update`` (inside their transaction)."""
    if not actor.has_perm("activities.change_record", record):
        raise PermissionDenied
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"record_update got unknown fields: {sorted(unknown)}")
    check_uploads(files, field="attachments")
    with audited(actor):
        for name, value in fields.items():
            if name == "content":
                value = clean_html(value)
            elif isinstance(value, str):
                value = value.strip()
            setattr(record, name, value)
        _validate_fields(record)
        record.save()
        if participants is not None:
            record.participants.set(_participants_in_scope(actor, participants))
        _attach(actor, record, files)
        if submit:
            _submit(actor, record)
        status_refresh(unit_id=record.unit_id, action_id=record.action_id)
    return record


def _submit(actor: User, record: ActivityRecord) -> None:
    _move(record, RecordStatus.SUBMITTED, "submit")
    record.submitted_at = clock.now()
    record.save(update_fields=["status", "submitted_at", "updated_at"])
    from taolun.notifications.services import notify_record_submitted

    transaction.on_commit(lambda: notify_record_submitted(record))


@transaction.atomic
def record_submit(*, actor: User, record: ActivityRecord) -> ActivityRecord:
    if not actor.has_perm("activities.change_record", record):
        raise PermissionDenied
    with audited(actor):
        _submit(actor, record)
        status_refresh(unit_id=record.unit_id, action_id=record.action_id)
    return record


@transaction.atomic
def record_review(
    *, actor: User, record: ActivityRecord, accept: bool, comment: str = ""
) -> ActivityRecord:
    """The office accepts a submitted record, or returns it with a comment saying why."""
    record = (
        ActivityRecord.objects.select_for_update()
        .select_related("campaign__owner_unit", "unit")
        .get(pk=record.pk)
    )
    if not actor.has_perm("activities.review_record", record):
        raise PermissionDenied
    target = RecordStatus.ACCEPTED if accept else RecordStatus.RETURNED
    _move(record, target, "accept" if accept else "return")
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("Say what must change before the record is accepted.")})
    with audited(actor):
        record.reviewed_by = actor
        record.reviewed_at = clock.now()
        record.review_comment = comment.strip()
        record.save(
            update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"]
        )
        status_refresh(unit_id=record.unit_id, action_id=record.action_id)
    from taolun.notifications.services import notify_record_reviewed

    transaction.on_commit(lambda: notify_record_reviewed(record))
    return record


@transaction.atomic
def attachment_delete(*, actor: User, attachment: Attachment) -> None:
    """Delete an attachment into the recycle bin of its record's unit; the file stays stored
    until the bin lets the attachment go."""
    if not actor.has_perm("activities.change_record", attachment.record):
        raise PermissionDenied
    recycle(attachment, actor=actor, unit=attachment.record.unit)
