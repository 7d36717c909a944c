"""Writes for meetings: the meeting and its record, attendance, statements, preparation.

A meeting is the activity record of its action: it is created through ``record_create``
(same permission, same matrix update) and its title, date, place, unit and review live
on the record. Present attendees are the record's participants, kept equal here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from taolun.activities.meeting_selectors import people_allowed
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
from taolun.activities.services import _record_update, record_create
from taolun.campaigns.models import Action
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.recycle import recycle
from taolun.core.sanitize import clean_html, has_text
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


def _name(person: User) -> str:
    return person.name or person.username


def _not_allowed(
    actor: User, people: Iterable[User | None], unit: Unit, meeting: Meeting | None
) -> list[User]:
    """Those of ``people`` the actor may not name at this meeting (see ``people_allowed``)."""
    wanted = {p.pk: p for p in people if p is not None}
    if not wanted:
        return []
    allowed = set(
        people_allowed(actor, unit, meeting).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    return [p for pk, p in wanted.items() if pk not in allowed]


def _check_people(actor: User, meeting: Meeting, **fields: User | None) -> None:
    """Each named person must be someone the actor may name; the error names the field."""
    unit = meeting.record.unit
    errors = {}
    for field, person in fields.items():
        if person is not None and _not_allowed(actor, [person], unit, meeting):
            errors[field] = _("%(name)s is not in a unit you can see.") % {"name": _name(person)}
    if errors:
        raise ValidationError(errors)


def _validate_meeting(meeting: Meeting, actor: User, *, stored_chair_id: int | None = None) -> None:
    """The meeting's own rules; a chair already stored stays valid (someone else named them)."""
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
    if meeting.chair_id != stored_chair_id:
        _check_people(actor, meeting, chair=meeting.chair)
    meeting.full_clean(exclude=["record"])


def _study_sync(meeting: Meeting) -> None:
    """Group study sessions log their present attendees' study (the study app decides how)."""
    if meeting.kind.study:
        from taolun.study.services import session_logs_sync

        session_logs_sync(meeting=meeting)


def _plan_step_follow(actor: User, meeting: Meeting) -> None:
    """The "plan reported" step says the same as ``reported_up_on``, which the flag reads.

    Setting the date records the step (or moves its date); clearing it removes the step.
    Call inside the caller's audited transaction.
    """
    if not meeting.kind.prepared:
        return
    steps = MeetingStep.objects.filter(meeting=meeting, step=PreparationStep.PLAN_REPORTED)
    if meeting.reported_up_on is None:
        for row in steps:
            row.delete()
        return
    row = steps.first()
    if row is None:
        MeetingStep.objects.create(
            meeting=meeting,
            step=PreparationStep.PLAN_REPORTED,
            done_on=meeting.reported_up_on,
            recorded_by=actor,
        )
    elif row.done_on != meeting.reported_up_on:
        row.done_on, row.recorded_by = meeting.reported_up_on, actor
        row.save(update_fields=["done_on", "recorded_by", "recorded_at"])


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
        if reported_up_on is not None:
            _plan_step_follow(actor, meeting)
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
    _record_update(actor=actor, record=meeting.record, files=files, **record_fields)
    reported_before, chair_before = meeting.reported_up_on, meeting.chair_id
    with audited(actor):
        for name, value in fields.items():
            if name not in MEETING_FIELDS:
                continue
            if name in RICH_FIELDS:
                value = clean_html(value)
            elif isinstance(value, str):
                value = value.strip()
            setattr(meeting, name, value)
        _validate_meeting(meeting, actor, stored_chair_id=chair_before)
        meeting.save()
        if meeting.reported_up_on != reported_before:
            _plan_step_follow(actor, meeting)
        if materials is None:
            # The study logs carry the date and length: they follow an edit of either.
            _study_sync(meeting)
        else:
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
    shown: Sequence[User] | None = None,
) -> Meeting:
    """Say who was there and who was not (with the reason); the record's participants follow.

    ``shown`` are the people the form listed: rows of anyone else are kept as they are
    (the page lists one unit at a time). Without it, everyone not present or absent is
    taken off the list. Only people newly added must be in the actor's reach: a leader
    the office recorded does not stop the unit's contact from saving again.
    """
    if not actor.has_perm("activities.change_meeting", meeting):
        raise PermissionDenied
    existing = {a.person_id: a for a in meeting.attendances.all()}
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
    unit = meeting.record.unit
    for field, people in (("present", present), ("absent", [p for p, _r in absent])):
        added = [p for p in people if p.pk not in existing]
        for person in _not_allowed(actor, added, unit, None):
            errors.setdefault(field, []).append(
                _("%(name)s is not in a unit you can see.") % {"name": _name(person)}
            )
    if errors:
        raise ValidationError(errors)
    wanted = {p.pk: (True, "") for p in present}
    wanted.update({p.pk: (False, reason.strip()) for p, reason in absent})
    listed = None if shown is None else {p.pk for p in shown} | set(wanted)
    with audited(actor):
        for person_id, row in existing.items():
            if person_id not in wanted and (listed is None or person_id in listed):
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
        there = list(meeting.attendances.filter(present=True).values_list("person_id", flat=True))
        record = meeting.record
        record.participants.set(there)
        record.participant_count = len(there)
        record.save(update_fields=["participant_count", "updated_at"])
        _study_sync(meeting)
    return meeting


# ---------------------------------------------------------------- statements


def _validate_statement(
    actor: User, statement: Statement, *, stored: dict[str, int | None] | None = None
) -> None:
    """A statement's rules; people already stored on it (``stored``: field → id) stay valid."""
    stored = stored or {}
    errors = {}
    if statement.speaker_id is None and not statement.speaker_title:
        errors["speaker"] = _("Choose the speaker, or give their post when they are not named.")
    if statement.kind != StatementKind.CRITICISM and statement.about_id is not None:
        errors["about"] = _("Only criticism is addressed to someone.")
    if errors:
        raise ValidationError(errors)
    people = {"speaker": statement.speaker, "about": statement.about}
    _check_people(
        actor,
        statement.meeting,
        **{
            field: person
            for field, person in people.items()
            if person is None or person.pk != stored.get(field)
        },
    )
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
        if upload is not None:
            statement.attach(upload)
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
    stored = {"speaker": statement.speaker_id, "about": statement.about_id}
    for name, value in fields.items():
        if name == "text":
            value = clean_html(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(statement, name, value)
    _validate_statement(actor, statement, stored=stored)
    with audited(actor):
        if upload is not None:
            statement.attach(upload)
        elif remove_file:
            statement.clear_file()
        statement.save()
    return statement


@transaction.atomic
def statement_delete(*, actor: User, statement: Statement) -> None:
    """Delete a statement into the recycle bin of its meeting's unit; its file stays stored
    until the bin lets the statement go."""
    if not actor.has_perm("activities.change_meeting", statement.meeting):
        raise PermissionDenied
    recycle(statement, actor=actor, unit=statement.meeting.record.unit)


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
        if step == PreparationStep.PLAN_REPORTED and meeting.reported_up_on != done_on:
            # The "plan not reported" flag reads the meeting's date: keep the two equal.
            meeting.reported_up_on = done_on
            meeting.save(update_fields=["reported_up_on"])
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
    _check_people(actor, meeting, person=person, other=other)
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
    if not has_text(material.body) and upload is None and not material.file:
        raise ValidationError({"body": _("Write the material, or attach it as a file.")})
    with audited(actor):
        if upload is not None:
            material.attach(upload)
        if submit:
            material.submitted_at = clock.now()
        material.full_clean()
        material.save()
    return material
