"""Sensitive personal data: who may see a person's disability record, the writes to it, and
everything the platform holds about a person, handed to them on request (个人信息查询).

The rule, in one place: the person themself, and a campaign office whose scope holds the
person's home unit. Nobody else: not leaders, contacts, members or supervisors, not an
office over another subtree, and not a superuser without the office role (三员分立: the
system administrator's account reads no one's personal data). Every read by someone other
than the person is written to the audit trail (``access_person``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import IO, Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taolun.core.audit import audited
from taolun.core.audit_events import record_event
from taolun.core.models import AuditEvent, AuditEventKind
from taolun.org.models import DisabilityCategory, DisabilityRecord, Post, RoleAssignment, Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import scope_for

# ---------------------------------------------------------------- the rule


def office_paths(user: User | None) -> tuple[str, ...]:
    """Paths of the units the user holds the office role over; none for a superuser as such."""
    return scope_for(user).paths_for([Role.OFFICE])


def _unit_under(paths: tuple[str, ...], field_name: str = "unit") -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field_name}__path__startswith": p}) for p in paths))


@rules.predicate
def sees_personal_data(user: User | None, person: User | None) -> bool:
    """The person themself, or an office over the person's home unit."""
    if user is None or person is None or not user.is_authenticated or not user.is_active:
        return False
    if user.pk == person.pk:
        return True
    unit = person.unit
    return unit is not None and any(unit.path.startswith(p) for p in office_paths(user))


def people_visible_to(user: User) -> QuerySet[User]:
    """The people whose sensitive data ``user`` may see: ``sees_personal_data`` in SQL."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    return User.objects.filter(Q(pk=user.pk) | _unit_under(office_paths(user)))


def get_person_for_user(user: User, pk: int) -> User:
    """The person with their home unit and disability record loaded, or 404 when they do
    not exist or their sensitive data is not ``user``'s to see."""
    person = people_visible_to(user).select_related("unit", "disability").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def record_of(person: User) -> DisabilityRecord | None:
    """The person's record as loaded with them (``get_person_for_user``), or None."""
    try:
        return person.disability
    except DisabilityRecord.DoesNotExist:
        return None


def access_person(request: HttpRequest, pk: int, *, what: str) -> User:
    """``get_person_for_user`` that also writes the view to the audit trail when the reader
    is not the person: a view cannot show someone's sensitive data and forget to say so."""
    person = get_person_for_user(request.user, pk)
    if person.pk != request.user.pk:
        record_event(
            request,
            AuditEventKind.SENSITIVE_VIEW,
            detail=f"{what}: {person.name} ({person.username})",
        )
    return person


def office_units(user: User) -> list[Unit]:
    """The units the user holds the office role over, in tree order (usually one)."""
    paths = office_paths(user)
    if not paths:
        return []
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


def disability_records_for_office(
    user: User, unit: Unit, *, name: str = ""
) -> QuerySet[DisabilityRecord]:
    """Records of the people whose home unit lies in ``unit``'s subtree; 404 unless the user
    holds the office role over ``unit`` (one of ``office_units``)."""
    if unit.path not in office_paths(user):
        raise Http404
    records = DisabilityRecord.objects.filter(person__unit__path__startswith=unit.path)
    if name:
        records = records.filter(Q(person__name__icontains=name) | Q(person__username=name))
    return records.select_related("person", "person__unit").order_by(
        "person__unit__path", "person__name", "pk"
    )


def find_person_for_office(user: User, username: str) -> User | None:
    """A person of the office's units by user name, to record what they told the office."""
    return people_visible_to(user).filter(username=username).first()


# ---------------------------------------------------------------- writes

CERTIFICATE_LENGTH = 20
# The 19th and 20th characters of a certificate number (第二代残疾人证: the identity card
# number, then the category and the grade).
CATEGORY_DIGITS = {
    DisabilityCategory.VISUAL: "1",
    DisabilityCategory.HEARING: "2",
    DisabilityCategory.SPEECH: "3",
    DisabilityCategory.PHYSICAL: "4",
    DisabilityCategory.INTELLECTUAL: "5",
    DisabilityCategory.MENTAL: "6",
    DisabilityCategory.MULTIPLE: "7",
}


def normalise_certificate_number(value: str) -> str:
    return "".join(value.split()).upper()


def _certificate_errors(number: str, category: str, grade: int | None) -> list[str]:
    if not number:
        return []
    well_formed = (
        len(number) == CERTIFICATE_LENGTH
        and number[:17].isdigit()
        and (number[17].isdigit() or number[17] == "X")
        and number[18] in "1234567"
        and number[19] in "1234"
    )
    if not well_formed:
        return [
            _(
                "A certificate number has 20 characters: the 18 of the identity card "
                "number, then the category (1–7) and the grade (1–4)."
            )
        ]
    errors = []
    if CATEGORY_DIGITS.get(category) not in (None, number[18]):
        named = dict(DisabilityCategory.choices)[_category_of_digit(number[18])]
        errors.append(
            _("This certificate number is for the category “%(category)s”, not the one chosen.")
            % {"category": named}
        )
    if grade is not None and str(grade) != number[19]:
        errors.append(
            _("This certificate number is for grade %(grade)s, not the one chosen.")
            % {"grade": number[19]}
        )
    return errors


def _category_of_digit(digit: str) -> str:
    return next(c for c, d in CATEGORY_DIGITS.items() if d == digit)


@transaction.atomic
def disability_record_save(
    *,
    actor: User,
    person: User,
    category: str,
    grade: int | None,
    certificate_number: str,
    accommodations: str,
) -> DisabilityRecord:
    """Create or change the person's record: by the person, or by their office recording
    what the person told it. Errors name the field; nothing is written when there are any."""
    if not sees_personal_data(actor, person):
        raise PermissionDenied
    number = normalise_certificate_number(certificate_number)
    errors: dict[str, list[str]] = {}
    if category not in CATEGORY_DIGITS:
        errors["category"] = [_("Choose one of the categories of the certificate.")]
    if grade is not None and grade not in (1, 2, 3, 4):
        errors["grade"] = [_("Choose a grade from 1 to 4, or none.")]
    if not errors and (cert_errors := _certificate_errors(number, category, grade)):
        errors["certificate_number"] = cert_errors
    if errors:
        raise ValidationError(errors)
    record = DisabilityRecord.objects.select_for_update().filter(person=person).first()
    if record is None:
        record = DisabilityRecord(person=person)
    record.category = category
    record.grade = grade
    record.certificate_number = number
    record.accommodations = accommodations.strip()
    record.updated_by = actor
    record.full_clean()
    with audited(actor):
        record.save()
    return record


@transaction.atomic
def disability_record_delete(*, actor: User, person: User) -> bool:
    """Remove the person's record (they withdrew it); False when there was none."""
    if not sees_personal_data(actor, person):
        raise PermissionDenied
    record = DisabilityRecord.objects.filter(person=person).first()
    if record is None:
        return False
    with audited(actor):
        record.delete()
    return True


# ---------------------------------------------------------------- the person's data on request
#
# One JSON file per kind of record in a .zip: every value of a long text whole (a sheet's
# cell holds 32,767 characters), nothing a spreadsheet would run as a formula, readable by
# any program and by a screen reader in a text editor. Each file names its fields in the
# reader's language. One query per kind, whatever the number of rows.

# Sign-in events of the person's account, as their account page lists them.
SIGN_IN_KINDS = (
    AuditEventKind.LOGIN,
    AuditEventKind.LOGIN_FAILED,
    AuditEventKind.LOCKED_OUT,
    AuditEventKind.LOGOUT,
    AuditEventKind.LOGOUT_EVERYWHERE,
    AuditEventKind.IDLE_TIMEOUT,
    AuditEventKind.PASSWORD_CHANGED,
    AuditEventKind.SECOND_FACTOR_ON,
    AuditEventKind.SECOND_FACTOR_OFF,
    AuditEventKind.SECOND_FACTOR_FAILED,
)


@dataclass(frozen=True)
class Part:
    """One kind of record in the export: which rows are the person's, and which values.

    ``fields`` are ``values()`` lookups, or (lookup, label) where the first field's name
    would not say what the value is."""

    name: str
    model: type[models.Model]
    rows: Callable[[User], Q]
    fields: tuple[str | tuple[str, Any], ...]
    title: Any = None
    order_by: tuple[str, ...] = field(default_factory=tuple)

    @property
    def heading(self) -> str:
        return capfirst(str(self.title or self.model._meta.verbose_name_plural))


def _parts() -> tuple[Part, ...]:
    # Imported here: these apps import org, not the other way round.
    from taolun.activities.models import (
        ActivityRecord,
        Attendance,
        CheckMaterial,
        HeartTalk,
        Meeting,
        Statement,
    )
    from taolun.api.models import ApiToken
    from taolun.campaigns.models import LeadingGroupMember
    from taolun.discussion.models import Opinion
    from taolun.rectification.models import Problem, ProgressUpdate
    from taolun.reporting.models import Brief, TypicalCase
    from taolun.study.models import Reflection, StudyLog
    from taolun.supervision.models import Inspection

    meeting_title = ("meeting__record__title", Statement._meta.get_field("meeting").verbose_name)
    meeting_day = (
        "meeting__record__held_on",
        ActivityRecord._meta.get_field("held_on").verbose_name,
    )
    return (
        Part(
            "account",
            User,
            lambda p: Q(pk=p.pk),
            (
                "username",
                "name",
                "email",
                "phone",
                "unit__name",
                "date_joined",
                "last_login",
                "is_active",
                "must_change_password",
                "password_changed_at",
                "second_factor",
                "admin_duty",
            ),
            title=gettext_lazy("Account"),
        ),
        Part("roles", RoleAssignment, lambda p: Q(user=p), ("role", "unit__name")),
        Part("posts", Post, lambda p: Q(holder=p), ("title", "unit__name")),
        Part(
            "disability",
            DisabilityRecord,
            lambda p: Q(person=p),
            (
                "category",
                "grade",
                "certificate_number",
                "accommodations",
                "updated_at",
                "updated_by__name",
            ),
        ),
        Part(
            "leading_groups",
            LeadingGroupMember,
            lambda p: Q(person=p),
            ("campaign__name", "role", "position", "duties"),
        ),
        Part(
            "study_logs",
            StudyLog,
            lambda p: Q(person=p),
            (
                "campaign__name",
                "unit__name",
                "studied_on",
                "minutes",
                "mode",
                "material__title",
                "other_title",
                "note",
                "created_at",
            ),
        ),
        Part(
            "reflections",
            Reflection,
            lambda p: Q(author=p),
            (
                "campaign__name",
                "material__title",
                "title",
                "body",
                "submitted_at",
                "excellent",
                "created_at",
                "updated_at",
            ),
        ),
        # Signed opinions only: an anonymous one is never linked to its author, not even
        # here (the file may be read by others than its author).
        Part(
            "opinions",
            Opinion,
            lambda p: Q(author=p, anonymous=False),
            (
                "topic__question",
                "parent_id",
                "kind",
                "body",
                "created_at",
                "answer",
                "answered_at",
            ),
        ),
        Part(
            "activity_records",
            ActivityRecord,
            lambda p: (
                Q(created_by=p)
                | Q(meeting__chair=p)
                | Q(
                    pk__in=ActivityRecord.participants.through.objects.filter(user=p).values(
                        "activityrecord_id"
                    )
                )
            ),
            (
                "campaign__name",
                "action__name",
                "unit__name",
                "title",
                "held_on",
                "place",
                "content",
                "status",
                "created_by__name",
                ("meeting__chair__name", Meeting._meta.get_field("chair").verbose_name),
                "created_at",
            ),
        ),
        Part(
            "attendance",
            Attendance,
            lambda p: Q(person=p),
            (meeting_title, meeting_day, "present", "absence_reason"),
        ),
        Part(
            "statements",
            Statement,
            lambda p: Q(speaker=p) | Q(about=p),
            (
                meeting_title,
                meeting_day,
                "kind",
                "speaker__name",
                "speaker_title",
                "about__name",
                "title",
                "text",
                "original_name",
            ),
        ),
        Part(
            "heart_talks",
            HeartTalk,
            lambda p: Q(person=p) | Q(other=p),
            (meeting_title, "person__name", "other__name", "held_on", "note"),
        ),
        Part(
            "check_materials",
            CheckMaterial,
            lambda p: Q(person=p),
            (meeting_title, "body", "submitted_at", "original_name"),
        ),
        Part(
            "briefs",
            Brief,
            lambda p: Q(author=p),
            (
                "campaign__name",
                "unit__name",
                "kind",
                "title",
                "body",
                "byline",
                "phone",
                "state",
                "submitted_at",
                "created_at",
            ),
        ),
        Part(
            "typical_cases",
            TypicalCase,
            lambda p: Q(person=p),
            ("campaign__name", "kind", "name", "summary", "story", "state", "nominated_at"),
        ),
        Part(
            "problems",
            Problem,
            lambda p: Q(responsible_leader=p) | Q(person_in_charge=p),
            (
                "campaign__name",
                "ledger_number",
                "description",
                "unit__name",
                "responsible_leader__name",
                "person_in_charge__name",
                "target_standard",
                "deadline",
                "state",
                "completed_on",
            ),
        ),
        Part(
            "progress_updates",
            ProgressUpdate,
            lambda p: Q(author=p),
            ("problem__ledger_number", "reported_on", "text", "created_at"),
        ),
        Part(
            "inspections",
            Inspection,
            lambda p: (
                Q(recorded_by=p)
                | Q(
                    pk__in=Inspection.members.through.objects.filter(user=p).values("inspection_id")
                )
            ),
            ("campaign__name", "unit__name", "visited_on", "team_name", "checked", "summary"),
        ),
        Part(
            "api_tokens",
            ApiToken,
            lambda p: Q(user=p),
            ("name", "prefix", "created_at", "expires_on", "last_used_at", "revoked_at"),
        ),
        Part(
            "sign_ins",
            AuditEvent,
            lambda p: Q(username=p.username, kind__in=SIGN_IN_KINDS),
            ("at", "kind", "address"),
            title=gettext_lazy("Sign-ins to the account"),
        ),
    )


def _resolve(model: type[models.Model], lookup: str) -> models.Field:
    """The model field at the end of a ``values()`` lookup (``parent_id`` is ``parent``)."""
    current: Any = model
    found: Any = None
    for part in lookup.split("__"):
        found = current._meta.get_field(part.removesuffix("_id"))
        current = found.related_model
    return found


def _columns(part: Part) -> list[tuple[str, str, dict]]:
    """(lookup, label, choice labels) per field of the part."""
    columns = []
    for spec in part.fields:
        lookup, label = spec if isinstance(spec, tuple) else (spec, None)
        first = part.model._meta.get_field(lookup.split("__")[0].removesuffix("_id"))
        last = _resolve(part.model, lookup)
        choices = {k: str(v) for k, v in last.flatchoices} if last.choices else {}
        columns.append((lookup, str(label or first.verbose_name), choices))
    return columns


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(part: Part, person: User, columns: list[tuple[str, str, dict]]) -> Iterator[dict]:
    lookups = [c[0] for c in columns]
    qs = part.model._base_manager.filter(part.rows(person)).values(*lookups)
    if part.order_by:
        qs = qs.order_by(*part.order_by)
    for row in qs.iterator(chunk_size=2000):
        yield {
            lookup: _plain(choices.get(row[lookup], row[lookup]) if choices else row[lookup])
            for lookup, _label, choices in columns
        }


def _write_part(out: IO[str], part: Part, person: User, exported_at: str) -> int:
    """Write the part's JSON row by row; return the number of rows."""
    columns = _columns(part)
    head = {
        "kind": part.heading,
        "person": f"{person.name} ({person.username})",
        "exported_at": exported_at,
        "fields": {lookup: label for lookup, label, _choices in columns},
    }
    out.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2])
    out.write(',\n "rows": [')
    count = 0
    for row in _rows(part, person, columns):
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(row, ensure_ascii=False, default=str))
        count += 1
    out.write("\n ]\n}\n")
    return count


def _readme(person: User, counts: list[tuple[Part, int]], exported_at: str) -> str:
    lines = [
        _("Personal data of %(name)s (%(username)s) held by taolun, as of %(when)s.")
        % {"name": person.name, "username": person.username, "when": exported_at},
        "",
        _("One file per kind of record; each names its fields and holds the rows."),
        "",
    ]
    lines += [f"{part.name}.json  {part.heading}: {count}" for part, count in counts]
    lines += [
        "",
        _(
            "Not in these files: your password (only a one-way fingerprint of it is kept); "
            "opinions you posted anonymously and your satisfaction votes, which the platform "
            "never links to you anywhere; uploaded files, which stay downloadable from their "
            "pages (their names are listed)."
        ),
        "",
    ]
    return "\n".join(lines)


def personal_data_archive(person: User, target: IO[bytes]) -> list[tuple[Part, int]]:
    """Write the .zip of everything held about ``person`` into ``target``; the caller has
    checked ``sees_personal_data``. Returns each part with its number of rows."""
    exported_at = timezone.localtime().isoformat(timespec="seconds")
    counts: list[tuple[Part, int]] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in _parts():
            with (
                archive.open(f"{part.name}.json", "w") as raw,
                io.TextIOWrapper(raw, encoding="utf-8") as out,
            ):
                counts.append((part, _write_part(out, part, person, exported_at)))
        archive.writestr("README.txt", _readme(person, counts, exported_at))
    return counts


def personal_data_file(person: User) -> tempfile.SpooledTemporaryFile:
    """The archive in a file spooled to disk past a few MiB, rewound."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    personal_data_archive(person, out)
    out.seek(0)
    return out
