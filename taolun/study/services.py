"""Writes for study: the office's materials, members' logs and reflections, group sessions.

Each service checks the actor's permission (``study/rules.py``), validates with errors
keyed by the form field they concern, and writes under ``audited(actor)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from taolun.activities.models import Meeting
from taolun.campaigns.models import Campaign, Stage, Theme
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.recycle import recycle
from taolun.core.sanitize import clean_html, has_text
from taolun.org.models import Unit, User
from taolun.org.predicates import is_campaign_contact_or_office
from taolun.study.models import Reflection, StudyLog, StudyMaterial, StudyMode
from taolun.study.rules import may_delete_log, may_edit_reflection, takes_part_in

MAX_MINUTES = 1440
DEFAULT_SESSION_MINUTES = 60
MATERIAL_FIELDS = frozenset(
    {"title", "source", "body", "stage", "theme", "required", "due_on", "order"}
)


# ---------------------------------------------------------------- materials


def _validate_material(
    material: StudyMaterial, for_units: Sequence[Unit] | None, upload: UploadedFile | None
) -> None:
    campaign = material.campaign
    errors: dict[str, str] = {}
    if not material.title.strip():
        errors["title"] = _("Give the material a title.")
    if not has_text(material.body) and not material.file and upload is None:
        errors["body"] = _("Give the text of the material or attach it as a file.")
    if material.stage_id and material.stage.campaign_id != campaign.pk:
        errors["stage"] = _("Choose one of this campaign's stages.")
    if material.theme_id and material.theme.campaign_id != campaign.pk:
        errors["theme"] = _("Choose one of this campaign's themes.")
    if material.due_on and material.due_on < campaign.starts_on:
        errors["due_on"] = _("The date to study by is before the campaign starts (%(day)s).") % {
            "day": campaign.starts_on
        }
    owner_path = campaign.owner_unit.path
    if for_units is not None and any(not u.path.startswith(owner_path) for u in for_units):
        errors["for_units"] = _("Choose units that take part in this campaign.")
    if errors:
        raise ValidationError(errors)
    if upload is not None:
        material.attach(upload)


@transaction.atomic
def material_create(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    source: str = "",
    body: str = "",
    stage: Stage | None = None,
    theme: Theme | None = None,
    required: bool = True,
    due_on: dt.date | None = None,
    order: int = 0,
    for_units: Sequence[Unit] = (),
    upload: UploadedFile | None = None,
    publish: bool = False,
) -> StudyMaterial:
    """The office adds a material; it stays a draft, seen by the office only, until published."""
    if not actor.has_perm("study.add_material", campaign):
        raise PermissionDenied
    material = StudyMaterial(
        campaign=campaign,
        title=title.strip(),
        source=source.strip(),
        body=clean_html(body),
        stage=stage,
        theme=theme,
        required=required,
        due_on=due_on,
        order=order,
        created_by=actor,
        published_at=clock.now() if publish else None,
    )
    units = list(for_units)
    _validate_material(material, units, upload)
    with audited(actor):
        material.save()
        material.for_units.set(units)
    return material


@transaction.atomic
def material_update(
    *,
    actor: User,
    material: StudyMaterial,
    for_units: Sequence[Unit] | None = None,
    upload: UploadedFile | None = None,
    remove_file: bool = False,
    **fields,
) -> StudyMaterial:
    """Edit a material (published or not); ``for_units`` None leaves the units as they are."""
    unknown = set(fields) - MATERIAL_FIELDS
    if unknown:
        raise TypeError(f"material_update got unknown fields: {sorted(unknown)}")
    if not actor.has_perm("study.change_material", material):
        raise PermissionDenied
    for name, value in fields.items():
        if name == "body":
            value = clean_html(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(material, name, value)
    if remove_file and upload is None:
        material.clear_file()
    units = list(for_units) if for_units is not None else None
    try:
        _validate_material(material, units, upload)
    except ValidationError:
        material.refresh_from_db()
        raise
    with audited(actor):
        material.save()
        if units is not None:
            material.for_units.set(units)
    return material


@transaction.atomic
def material_publish(*, actor: User, material: StudyMaterial) -> StudyMaterial:
    """Publish a draft: from now on every member it is for sees it."""
    if not actor.has_perm("study.change_material", material):
        raise PermissionDenied
    if material.is_published:
        raise ValidationError(_("This material is already published."), code="published")
    material.published_at = clock.now()
    with audited(actor):
        material.save(update_fields=["published_at", "updated_at"])
    return material


# ---------------------------------------------------------------- study logs


def _check_material(campaign: Campaign, material: StudyMaterial | None) -> str | None:
    if material is None:
        return None
    if material.campaign_id != campaign.pk or not material.is_published:
        return _("Choose one of this campaign's published materials.")
    return None


@transaction.atomic
def log_add(
    *,
    actor: User,
    campaign: Campaign,
    material: StudyMaterial | None = None,
    other_title: str = "",
    studied_on: dt.date,
    minutes: int,
    note: str = "",
) -> StudyLog:
    """A member logs a sitting of study on their own, for their own account."""
    if not takes_part_in(actor, campaign):
        raise PermissionDenied
    other_title = other_title.strip()
    errors: dict[str, str] = {}
    if (message := _check_material(campaign, material)) is not None:
        errors["material"] = message
    elif material is None and not other_title:
        errors["other_title"] = _("Choose a material, or name what you studied.")
    if studied_on > clock.today():
        errors["studied_on"] = _("The date cannot be in the future.")
    elif not campaign.starts_on <= studied_on <= campaign.ends_on:
        errors["studied_on"] = _("Give a date within the campaign, from %(start)s to %(end)s.") % {
            "start": campaign.starts_on,
            "end": campaign.ends_on,
        }
    if not 1 <= minutes <= MAX_MINUTES:
        errors["minutes"] = _("Give the minutes spent, from 1 to %(max)s.") % {"max": MAX_MINUTES}
    if errors:
        raise ValidationError(errors)
    log = StudyLog(
        campaign=campaign,
        person=actor,
        unit=actor.unit,
        material=material,
        other_title="" if material is not None else other_title,
        studied_on=studied_on,
        minutes=minutes,
        mode=StudyMode.ALONE,
        note=note.strip(),
    )
    with audited(actor):
        log.save()
    return log


@transaction.atomic
def log_delete(*, actor: User, log: StudyLog) -> None:
    """Take back one's own log of study alone (into the recycle bin of its unit's office);
    group sessions follow the meeting's attendance."""
    if not may_delete_log.test(actor, log):
        raise PermissionDenied
    recycle(log, actor=actor, unit=log.unit)


# ---------------------------------------------------------------- reflections


@transaction.atomic
def reflection_save(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    body: str,
    material: StudyMaterial | None = None,
    theme: Theme | None = None,
    reflection: Reflection | None = None,
    submit: bool = False,
) -> Reflection:
    """Write or edit one's reflection; ``submit`` hands it in (it counts for the unit).

    A submitted reflection stays submitted when edited again; once marked excellent it
    is shared and locked.
    """
    if reflection is None:
        if not takes_part_in(actor, campaign):
            raise PermissionDenied
        reflection = Reflection(campaign=campaign, author=actor, unit=actor.unit)
    else:
        # Read again under lock: the office may have marked it excellent meanwhile, and a
        # save from the stale copy would undo the mark.
        reflection = Reflection.objects.select_for_update().get(pk=reflection.pk)
        if reflection.campaign_id != campaign.pk or not may_edit_reflection.test(actor, reflection):
            raise PermissionDenied
    cleaned = clean_html(body)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give your reflection a title.")
    if not has_text(cleaned):
        errors["body"] = _("Write your reflection.")
    if (message := _check_material(campaign, material)) is not None:
        errors["material"] = message
    if theme is not None and theme.campaign_id != campaign.pk:
        errors["theme"] = _("Choose one of this campaign's themes.")
    if errors:
        raise ValidationError(errors)
    reflection.title = title.strip()
    reflection.body = cleaned
    reflection.material = material
    reflection.theme = theme
    if submit and reflection.submitted_at is None:
        reflection.submitted_at = clock.now()
    with audited(actor):
        reflection.save()
    return reflection


@transaction.atomic
def reflection_mark(*, actor: User, reflection: Reflection, excellent: bool) -> Reflection:
    """The campaign office marks a submitted reflection excellent (shared) or takes it back."""
    if not actor.has_perm("study.mark_reflection", reflection):
        raise PermissionDenied
    reflection.excellent = excellent
    reflection.marked_by = actor if excellent else None
    reflection.marked_at = clock.now() if excellent else None
    with audited(actor):
        reflection.save(update_fields=["excellent", "marked_by", "marked_at", "updated_at"])
    return reflection


# ---------------------------------------------------------------- group study sessions


@transaction.atomic
def session_materials_set(
    *, actor: User, meeting: Meeting, materials: Sequence[StudyMaterial]
) -> None:
    """Name the materials a group session studied; its present attendees' logs follow.

    Whoever records the meeting (a contact or the office of the campaign over its unit)
    may set them, to the published materials of the meeting's campaign.
    """
    record = meeting.record
    if not is_campaign_contact_or_office.test(actor, record):
        raise PermissionDenied
    chosen = list(materials)
    if any(m.campaign_id != record.campaign_id or not m.is_published for m in chosen):
        raise ValidationError(
            {"materials": _("Choose published materials of the meeting's campaign.")}
        )
    with audited(actor):
        meeting.materials.set(chosen)
    session_logs_sync(meeting=meeting)


@transaction.atomic
def session_logs_sync(*, meeting: Meeting) -> None:
    """Make the session's logs one per (present attendee with a unit, material).

    Called after attendance or materials change. The logs are derived from the
    attendance, which is itself audited, so they are written in bulk without log
    entries: a session of hundreds costs a handful of queries, not one per person.
    """
    record = meeting.record
    material_ids = list(meeting.materials.values_list("pk", flat=True))
    present = dict(
        meeting.attendances.filter(present=True, person__unit__isnull=False).values_list(
            "person_id", "person__unit_id"
        )
    )
    minutes = min(
        MAX_MINUTES,
        max(1, (meeting.duration_minutes or DEFAULT_SESSION_MINUTES) // max(len(material_ids), 1)),
    )
    wanted = {(p, m): u for p, u in present.items() for m in material_ids}
    existing = StudyLog.objects.filter(meeting=meeting)
    stale: list[int] = []
    kept: set[tuple[int, int]] = set()
    for pk, person_id, material_id, unit_id in existing.values_list(
        "pk", "person_id", "material_id", "unit_id"
    ):
        key = (person_id, material_id)
        if wanted.get(key) != unit_id or key in kept:
            stale.append(pk)
        else:
            kept.add(key)
    with disable_auditlog():
        if stale:
            StudyLog.objects.filter(pk__in=stale).delete()
        existing.update(studied_on=record.held_on, minutes=minutes, campaign=record.campaign_id)
        StudyLog.objects.bulk_create(
            [
                StudyLog(
                    campaign_id=record.campaign_id,
                    person_id=person_id,
                    unit_id=unit_id,
                    material_id=material_id,
                    studied_on=record.held_on,
                    minutes=minutes,
                    mode=StudyMode.GROUP,
                    meeting=meeting,
                )
                for (person_id, material_id), unit_id in wanted.items()
                if (person_id, material_id) not in kept
            ]
        )
