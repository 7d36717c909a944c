"""Writes for meetings: the meeting and its record, attendance, statements, preparation.

A meeting is the activity record of its action: it is created through ``record_create``
(same permission, same matrix update) and its title, date, place, unit and review live
on the record. Present attendees are the record's participants, kept equal here.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from taolun.activities.models import (
    Attendance,
    CheckMaterial,
    HeartTalk,
    Meeting,
    MeetingKind,
    MeetingStep,
    PreparationStep,
    Statement,
    StatementKind,
)
from taolun.activities.services import record_create, record_update
from taolun.campaigns.models import Action
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.models import OptionalFile
from taolun.core.sanitize import TAG, clean_html
from taolun.core.uploads import check_upload
from taolun.org.models import Unit, User

RECORD_FIELDS = frozenset({"title", "held_on", "place"})
MEETING_FIELDS = frozenset(
    {
        "chair",
        "theme",
        "agenda",
        "attendees_note",
        "minutes",
        "duration_minutes",
        "reported_up_on",
        "previous",
    }
)
RICH_FIELDS = frozenset({"agenda", "minutes"})


def _has_text(cleaned: str) -> bool:
    """Whether sanitised HTML says anything once its tags are gone (``<p> </p>`` does not)."""
    return bool(html.unescape(TAG.sub("", cleaned)).strip())


def _name(person: User) -> str:
    return person.name or person.username


def _not_in_scope(actor: User, people: Iterable[User | None]) -> list[User]:
    from taolun.org.selectors import people_for_user

    wanted = {p.pk: p for p in people if p is not None}
    allowed = set(people_for_user(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    return [p for pk, p in wanted.items() if pk not in allowed]


def _check_people(actor: User, **fields: User | None) -> None:
    """Each named person must be someone the actor can see; the error names the field."""
    errors = {}
    for field, person in fields.items():
        if person is not None and _not_in_scope(actor, [person]):
            errors[field] = _("%(name)s is not in a unit you can see.") % {"name": _name(person)}
    if errors:
        raise ValidationError(errors)


def _validate_meeting(meeting: Meeting, actor: User) -> None:
    errors: dict[str, str] = {}
    previous = meeting.previous
    if previous is not None:
        if previous.pk == meeting.pk:
            errors["previous"] = _("A meeting cannot be its own previous round.")
        elif (
            previous.kind_id != meeting.kind_id or previous.record.unit_id != meeting.record.unit_id
        ):
            errors["previous"] = _(
                "The previous round must be a meeting of the same unit and kind."
            )
        elif previous.record.held_on > meeting.record.held_on:
            errors["previous"] = _("The previous round must have been held before this meeting.")
    if meeting.reported_up_on and meeting.reported_up_on > clock.today():
        errors["reported_up_on"] = _("The date the plan was reported cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    _check_people(actor, chair=meeting.chair)
    meeting.full_clean(exclude=["record"])


def _study_sync(meeting: Meeting) -> None:
    """Group study sessions log their present attendees' study (the study app decides how)."""
    if meeting.kind.study:
        from taolun.study.services import session_logs_sync

        session_logs_sync(meeting=meeting)


def _set_materials(actor: User, meeting: Meeting, materials: Sequence | None) -> None:
    if materials is None or not meeting.kind.study:
        return
    from taolun.study.services import session_materials_set

    session_materials_set(actor=actor, meeting=meeting, materials=materials)


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    kind: MeetingKind,
    action: Action,
    unit: Unit,
    title: str,
    held_on: dt.date,
    place: str = "",
    chair: User | None = None,
    theme: str = "",
    agenda: str = "",
    attendees_note: str = "",
    minutes: str = "",
    duration_minutes: int | None = None,
    reported_up_on: dt.date | None = None,
    previous: Meeting | None = None,
    files: Sequence[UploadedFile] = (),
    materials: Sequence | None = None,
) -> Meeting:
    """Hold a meeting for ``action``: its record proves the action was carried out."""
    record = record_create(
        actor=actor,
        action=action,
        unit=unit,
        title=title,
        held_on=held_on,
        place=place,
        files=files,
    )
    with audited(actor):
        meeting = Meeting(
            record=record,
            kind=kind,
            chair=chair,
            theme=theme.strip(),
            agenda=clean_html(agenda),
            attendees_note=attendees_note.strip(),
            minutes=clean_html(minutes),
            duration_minutes=duration_minutes,
            reported_up_on=reported_up_on,
            previous=previous,
        )
        _validate_meeting(meeting, actor)
        meeting.save()
        _set_materials(actor, meeting, materials)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    files: Sequence[UploadedFile] = (),
    materials: Sequence | None = None,
    **fields,
) -> Meeting:
    """Edit the meeting and its record while the record is a draft or returned."""
    if not actor.has_perm("activities.change_meeting", meeting):
        raise PermissionDenied
    unknown = set(fields) - RECORD_FIELDS - MEETING_FIELDS
    if unknown:
        raise TypeError(f"meeting_update got unknown fields: {sorted(unknown)}")
    record_fields = {k: v for k, v in fields.items() if k in RECORD_FIELDS}
    record_update(actor=actor, record=meeting.record, files=files, **record_fields)
    with audited(actor):
        for name, value in fields.items():
            if name not in MEETING_FIELDS:
                continue
            if name in RICH_FIELDS:
                value = clean_html(value)
            elif isinstance(value, str):
                value = value.strip()
            setattr(meeting, name, value)
        _validate_meeting(meeting, actor)
        meeting.save()
        _set_materials(actor, meeting, materials)
    return meeting


# ---------------------------------------------------------------- attendance


@transaction.atomic
def attendance_set(
    *,
    actor: User,
    meeting: Meeting,
    present: Sequence[User],
    absent: Sequence[tuple[User, str]],
) -> Meeting:
    """Say who was there and who was not (with the reason); the record's participants follow."""
    if not actor.has_perm("activities.change_meeting", meeting):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    present_ids = {p.pk for p in present}
    for person, reason in absent:
        if person.pk in present_ids:
            errors.setdefault("absent", []).append(
                _("%(name)s is marked both present and absent.") % {"name": _name(person)}
            )
        elif not reason.strip():
            errors.setdefault("absent", []).append(
                _("Give the reason why %(name)s was absent.") % {"name": _name(person)}
            )
    for field, people in (("present", present), ("absent", [p for p, _r in absent])):
        for person in _not_in_scope(actor, people):
            errors.setdefault(field, []).append(
                _("%(name)s is not in a unit you can see.") % {"name": _name(person)}
            )
    if errors:
        raise ValidationError(errors)
    wanted = {p.pk: (True, "") for p in present}
    wanted.update({p.pk: (False, reason.strip()) for p, reason in absent})
    with audited(actor):
        existing = {a.person_id: a for a in meeting.attendances.all()}
        for person_id, row in existing.items():
            if person_id not in wanted:
                row.delete()
        for person_id, (is_present, reason) in wanted.items():
            row = existing.get(person_id)
            if row is None:
                Attendance.objects.create(
                    meeting=meeting, person_id=person_id, present=is_present, absence_reason=reason
                )
            elif (row.present, row.absence_reason) != (is_present, reason):
                row.present, row.absence_reason = is_present, reason
                row.save(update_fields=["present", "absence_reason"])
        record = meeting.record
        record.participants.set(list(present))
        record.participant_count = len(present_ids)
        record.save(update_fields=["participant_count", "updated_at"])
        _study_sync(meeting)
    return meeting


# ---------------------------------------------------------------- statements


def _store_file(obj: OptionalFile, upload: UploadedFile | None, field: str) -> None:
    if upload is None:
        return
    try:
        checked = check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    # The FieldFile is reused by save(): remember the replaced file's name first.
    replaced, storage = (obj.file.name or ""), obj.file.storage
    obj.original_name = checked.original_name
    obj.content_type = checked.content_type
    obj.size = checked.size
    obj.file.save(checked.stored_name, upload, save=False)
    if replaced:
        transaction.on_commit(lambda: storage.delete(replaced))


def _clear_file(obj: OptionalFile) -> None:
    if not obj.file:
        return
    name, storage = obj.file.name, obj.file.storage
    obj.file = ""
    obj.original_name = obj.content_type = ""
    obj.size = None
    transaction.on_commit(lambda: storage.delete(name))


def _validate_statement(actor: User, statement: Statement) -> None:
    errors = {}
    if statement.speaker_id is None and not statement.speaker_title:
        errors["speaker"] = _("Choose the speaker, or give their post when they are not named.")
    if statement.kind != StatementKind.CRITICISM and statement.about_id is not None:
        errors["about"] = _("Only criticism is addressed to someone.")
    if errors:
        raise ValidationError(errors)
    _check_people(actor, speaker=statement.speaker, about=statement.about)
    statement.full_clean()


@transaction.atomic
def statement_create(
    *,
    actor: User,
    meeting: Meeting,
    kind: str,
    speaker: User | None = None,
    speaker_title: str = "",
    about: User | None = None,
    title: str = "",
    text: str = "",
    upload: UploadedFile | None = None,
    order: int | None = None,
) -> Statement:
    """A speech, statement, reading or criticism made at the meeting; last unless ``order``."""
    if not actor.has_perm("activities.change_meeting", meeting):
        raise PermissionDenied
    if order is None:
        last = meeting.statements.aggregate(last=Max("order"))["last"]
        order = 1 if last is None else last + 1
    statement = Statement(
        meeting=meeting,
        kind=kind,
        speaker=speaker,
        speaker_title=speaker_title.strip(),
        about=about,
        title=title.strip(),
        text=clean_html(text),
        order=order,
    )
    _validate_statement(actor, statement)
    with audited(actor):
        _store_file(statement, upload, "upload")
        statement.save()
    return statement


STATEMENT_FIELDS = frozenset(
    {"kind", "speaker", "speaker_title", "about", "title", "text", "order"}
)


@transaction.atomic
def statement_update(
    *,
    actor: User,
    statement: Statement,
    upload: UploadedFile | None = None,
    remove_file: bool = False,
    **fields,
) -> Statement:
    """Correct a statement, move it in the order, replace or remove its file."""
    if not actor.has_perm("activities.change_meeting", statement.meeting):
        raise PermissionDenied
    unknown = set(fields) - STATEMENT_FIELDS
    if unknown:
        raise TypeError(f"statement_update got unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name == "text":
            value = clean_html(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(statement, name, value)
    _validate_statement(actor, statement)
    with audited(actor):
        if remove_file and upload is None:
            _clear_file(statement)
        _store_file(statement, upload, "upload")
        statement.save()
    return statement


@transaction.atomic
def statement_delete(*, actor: User, statement: Statement) -> None:
    if not actor.has_perm("activities.change_meeting", statement.meeting):
        raise PermissionDenied
    with audited(actor):
        _clear_file(statement)
        statement.delete()


# ---------------------------------------------------------------- preparation


def _require_prepared(meeting: Meeting) -> None:
    if not meeting.kind.prepared:
        raise ValidationError(
            _("%(kind)s meetings do not follow the preparation steps.")
            % {"kind": meeting.kind.name}
        )


def _not_future(day: dt.date | None, field: str) -> None:
    if day is not None and day > clock.today():
        raise ValidationError({field: _("The date cannot be in the future.")})


@transaction.atomic
def meeting_step_record(
    *, actor: User, meeting: Meeting, step: str, done_on: dt.date, note: str = ""
) -> MeetingStep:
    """Record (or correct) that one preparation step was done, and when."""
    if not actor.has_perm("activities.prepare_meeting", meeting):
        raise PermissionDenied
    _require_prepared(meeting)
    if step not in PreparationStep.values:
        raise ValidationError({"step": _("Choose one of the preparation steps.")})
    _not_future(done_on, "done_on")
    with audited(actor):
        row, _created = MeetingStep.objects.update_or_create(
            meeting=meeting,
            step=step,
            defaults={"done_on": done_on, "note": note.strip(), "recorded_by": actor},
        )
    return row


@transaction.atomic
def heart_talk_add(
    *, actor: User, meeting: Meeting, person: User, other: User, held_on: dt.date, note: str = ""
) -> HeartTalk:
    """谈心谈话: who talked with whom before the meeting."""
    if not actor.has_perm("activities.prepare_meeting", meeting):
        raise PermissionDenied
    _require_prepared(meeting)
    if person.pk == other.pk:
        raise ValidationError({"other": _("A heart-to-heart talk is held with someone else.")})
    _not_future(held_on, "held_on")
    _check_people(actor, person=person, other=other)
    with audited(actor):
        return HeartTalk.objects.create(
            meeting=meeting, person=person, other=other, held_on=held_on, note=note.strip()
        )


@transaction.atomic
def check_material_save(
    *,
    actor: User,
    meeting: Meeting,
    body: str,
    upload: UploadedFile | None = None,
    submit: bool = False,
    person: User | None = None,
) -> CheckMaterial:
    """对照检查材料: an attendee writes their own; the unit's contact or office may record one
    for an attendee. Once submitted it is what the meeting had before it, and stays as is."""
    person = person or actor
    if not actor.has_perm("activities.write_check_material", meeting):
        raise PermissionDenied
    if person.pk != actor.pk and not actor.has_perm("activities.prepare_meeting", meeting):
        raise PermissionDenied
    _require_prepared(meeting)
    if not meeting.attendances.filter(person=person).exists():
        raise ValidationError(
            {"person": _("%(name)s is not an attendee of this meeting.") % {"name": _name(person)}}
        )
    material = CheckMaterial.objects.filter(meeting=meeting, person=person).first()
    if material is not None and material.submitted_at is not None:
        raise ValidationError(_("This material was submitted and can no longer be changed."))
    material = material or CheckMaterial(meeting=meeting, person=person)
    material.body = clean_html(body)
    if not _has_text(material.body) and upload is None and not material.file:
        raise ValidationError({"body": _("Write the material, or attach it as a file.")})
    with audited(actor):
        _store_file(material, upload, "upload")
        if submit:
            material.submitted_at = timezone.now()
        material.full_clean()
        material.save()
    return material
