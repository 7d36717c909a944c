"""Reads of meetings, scoped to the user, and the flags the meeting rules raise.

A meeting is read by whoever may read its record (the record's unit is in scope) and
by its attendees, who see the meeting they took part in even outside their roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from taolun.activities.models import (
    EDITABLE,
    Attendance,
    CheckMaterial,
    HeartTalk,
    Meeting,
    MeetingKind,
    MeetingStep,
    PreparationStep,
    Statement,
)
from taolun.org.models import RoleAssignment, Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import people_for_user, scope_for, units_for_user

MEETING_RELATED = (
    "record__campaign__owner_unit",
    "record__action__stage",
    "record__unit",
    "record__created_by",
    "kind",
    "chair",
)


def meetings_for_user(user: User) -> QuerySet[Meeting]:
    """Meetings whose record is in the user's scope, and those the user attended."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Meeting.objects.none()
    attended = Attendance.objects.filter(person=user).values("meeting_id")
    visible = scope_for(user).q(unit_field="record__unit") | Q(pk__in=attended)
    return Meeting.objects.filter(visible).select_related(*MEETING_RELATED)


def get_meeting_for_user(user: User, pk: int) -> Meeting:
    """The meeting, or 404 when it does not exist or the user may not read it."""
    meeting = meetings_for_user(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def get_statement_for_user(user: User, pk: int) -> Statement:
    statement = (
        Statement.objects.filter(meeting__in=meetings_for_user(user).values("pk"), pk=pk)
        .select_related(*(f"meeting__{name}" for name in MEETING_RELATED))
        .first()
    )
    if statement is None:
        raise Http404
    return statement


def get_check_material_for_user(user: User, pk: int) -> CheckMaterial:
    """The material, or 404 outside the meeting's readers.

    A draft (not yet submitted) is its author's work in progress: only the author and
    those who prepare the meeting read it; to everyone else it does not exist yet.
    """
    material = (
        CheckMaterial.objects.filter(meeting__in=meetings_for_user(user).values("pk"), pk=pk)
        .select_related("person", *(f"meeting__{name}" for name in MEETING_RELATED))
        .first()
    )
    if material is None:
        raise Http404
    if (
        material.submitted_at is None
        and material.person_id != user.pk
        and not user.has_perm("activities.prepare_meeting", material.meeting)
    ):
        raise Http404
    return material


def meeting_kinds() -> list[MeetingKind]:
    return list(MeetingKind.objects.order_by("order", "code"))


def meetings_listed(
    qs: QuerySet[Meeting], *, kind: MeetingKind | None = None, unit_path: str | None = None
) -> QuerySet[Meeting]:
    """Meetings for a list page, with their attendance counted in the same query."""
    if kind is not None:
        qs = qs.filter(kind=kind)
    if unit_path:
        qs = qs.filter(record__unit__path__startswith=unit_path)
    return qs.annotate(
        present_count=Count("attendances", filter=Q(attendances__present=True)),
        absent_count=Count("attendances", filter=Q(attendances__present=False)),
    ).order_by("-record__held_on", "-pk")


# ---------------------------------------------------------------- the rules' flags


def attendance_shortfall(kind: MeetingKind, present: int, absent: int) -> str | None:
    """ "Attendance 80% is below the required 90%" when the kind sets a share and it is missed.

    The share shown is rounded down, so a meeting below the rule never reads as meeting it.
    """
    required = kind.required_attendance_percent
    total = present + absent
    if not required or not total or present * 100 >= required * total:
        return None
    return _("Attendance %(share)s%% is below the required %(required)s%%") % {
        "share": present * 100 // total,
        "required": required,
    }


def report_shortfall(meeting: Meeting) -> str | None:
    """The plan must reach the higher body ``kind.report_days_ahead`` days before the meeting."""
    days = meeting.kind.report_days_ahead
    if not days:
        return None
    if meeting.reported_up_on is None:
        return _(
            "The plan has not been reported to the higher body; %(days)s days ahead required"
        ) % {"days": days}
    ahead = (meeting.record.held_on - meeting.reported_up_on).days
    if ahead >= days:
        return None
    return _("Plan reported %(ahead)s days ahead; %(days)s required") % {
        "ahead": ahead,
        "days": days,
    }


@dataclass(frozen=True)
class ListRow:
    meeting: Meeting
    flags: list[str]


def list_rows(meetings: list[Meeting]) -> list[ListRow]:
    """Rows of a list page; needs ``meetings_listed``'s counts, asks nothing more."""
    rows = []
    for meeting in meetings:
        flags = [
            flag
            for flag in (
                attendance_shortfall(meeting.kind, meeting.present_count, meeting.absent_count),
                report_shortfall(meeting),
            )
            if flag
        ]
        rows.append(ListRow(meeting=meeting, flags=flags))
    return rows


# ---------------------------------------------------------------- one meeting


@dataclass(frozen=True)
class StepRow:
    step: str
    label: str
    done: MeetingStep | None


@dataclass(frozen=True)
class CheckRow:
    person: User
    material: CheckMaterial | None

    @property
    def submitted(self) -> bool:
        return self.material is not None and self.material.submitted_at is not None


@dataclass(frozen=True)
class MeetingView:
    """Everything the meeting page shows, read in a fixed number of queries."""

    attendances: list[Attendance]
    statements: list[Statement]
    steps: list[StepRow]
    talks: list[HeartTalk]
    checks: list[CheckRow]
    attendance_flag: str | None
    report_flag: str | None

    @property
    def present(self) -> list[Attendance]:
        return [a for a in self.attendances if a.present]

    @property
    def absent(self) -> list[Attendance]:
        return [a for a in self.attendances if not a.present]

    @property
    def checks_missing(self) -> list[CheckRow]:
        return [row for row in self.checks if not row.submitted]


def meeting_attendances(meeting: Meeting) -> list[Attendance]:
    return list(
        meeting.attendances.select_related("person", "person__unit").order_by(
            "-present", "person__name", "person__pk"
        )
    )


def meeting_statements(meeting: Meeting) -> list[Statement]:
    return list(meeting.statements.select_related("speaker", "about").order_by("order", "id"))


def meeting_view(meeting: Meeting) -> MeetingView:
    attendances = meeting_attendances(meeting)
    prepared = meeting.kind.prepared
    steps: list[StepRow] = []
    talks: list[HeartTalk] = []
    checks: list[CheckRow] = []
    if prepared:
        done = {s.step: s for s in meeting.steps.select_related("recorded_by")}
        steps = [
            StepRow(step=s.value, label=str(s.label), done=done.get(s.value))
            for s in PreparationStep
        ]
        talks = list(meeting.talks.select_related("person", "other").order_by("held_on", "id"))
        materials = {m.person_id: m for m in meeting.check_materials.all()}
        checks = [
            CheckRow(person=a.person, material=materials.get(a.person_id)) for a in attendances
        ]
    present = sum(1 for a in attendances if a.present)
    return MeetingView(
        attendances=attendances,
        statements=meeting_statements(meeting),
        steps=steps,
        talks=talks,
        checks=checks,
        attendance_flag=attendance_shortfall(meeting.kind, present, len(attendances) - present),
        report_flag=report_shortfall(meeting),
    )


def is_attendee(user: User, meeting: Meeting) -> bool:
    return Attendance.objects.filter(meeting=meeting, person_id=user.pk).exists()


# ---------------------------------------------------------------- choices for the forms


def units_for_meetings(campaign, user: User) -> QuerySet:
    """Units of the campaign for which the user may hold meetings (record its actions).

    Only roles held inside the campaign's tree count, as for ``activities.add_record``.
    """
    from taolun.campaigns.selectors import campaign_units_for_user

    units = campaign_units_for_user(campaign, user)
    scope = scope_for(user)
    if scope.is_everything:
        return units
    owner = campaign.owner_unit.path
    held = sorted(
        {
            p
            for role in (Role.CONTACT, Role.OFFICE)
            for p in scope.by_role.get(role, ())
            if p.startswith(owner)
        }
    )
    if not held:
        return units.none()
    return units.filter(reduce(or_, (Q(path__startswith=p) for p in held)))


def actions_for_meetings(campaign, units: QuerySet) -> QuerySet:
    """Approved actions of the campaign that at least one of ``units`` carries out."""
    from taolun.campaigns.models import Action, ActionStatus, Approval

    return (
        Action.objects.filter(
            campaign=campaign,
            approval=Approval.APPROVED,
            pk__in=ActionStatus.objects.filter(campaign=campaign, unit__in=units).values(
                "action_id"
            ),
        )
        .select_related("stage", "unit")
        .order_by("stage__number", "kind", "number")
    )


def unit_members(unit: Unit) -> QuerySet[User]:
    """The people of a unit: those whose home it is, and those who hold its member role.

    A leader whose home is the organisation above still takes part in their branch's
    organisational life as a member of it (a RoleAssignment of role member there).
    """
    members = RoleAssignment.objects.filter(unit=unit, role=Role.MEMBER).values("user_id")
    return User.objects.filter(Q(unit=unit) | Q(pk__in=members))


def people_for_meeting(unit: Unit, meeting: Meeting | None = None) -> QuerySet[User]:
    """Whom the chair, speaker, talk and "addressed to" selects offer: the people of the
    meeting's unit (see ``unit_members``) and whoever is recorded as attending.

    Not the unit's subtree: an organisation's meeting would list the whole province.
    """
    wanted = Q(pk__in=unit_members(unit).values("pk"))
    if meeting is not None and meeting.pk:
        wanted |= Q(pk__in=Attendance.objects.filter(meeting=meeting).values("person_id"))
    return User.objects.filter(wanted).select_related("unit").order_by("unit__path", "name", "pk")


def people_allowed(actor: User, unit: Unit, meeting: Meeting | None = None) -> QuerySet[User]:
    """Whom ``actor`` (who writes the meeting) may name at a meeting of ``unit``.

    People in their scope; the members by role of the unit and the units below it, whom
    the attendance page lists though their home may lie above; and the meeting's
    attendees, so a leader the office recorded stays valid when the contact saves again.
    """
    members = RoleAssignment.objects.filter(
        role=Role.MEMBER, unit__path__startswith=unit.path
    ).values("user_id")
    allowed = Q(pk__in=people_for_user(actor).values("pk")) | Q(pk__in=members)
    if meeting is not None and meeting.pk:
        allowed |= Q(pk__in=Attendance.objects.filter(meeting=meeting).values("person_id"))
    return User.objects.filter(allowed)


ATTENDANCE_UNIT_LEVELS = 3


def attendance_units(user: User, meeting: Meeting) -> QuerySet[Unit]:
    """Units whose people the attendance page can list: the meeting's unit and the top
    ``ATTENDANCE_UNIT_LEVELS`` levels below it that the user reaches (not a province's
    100,000 units)."""
    unit = meeting.record.unit
    return (
        units_for_user(user)
        .filter(path__startswith=unit.path, depth__lt=unit.depth + ATTENDANCE_UNIT_LEVELS)
        .order_by("path")
    )


def attendance_people(meeting: Meeting, attendances: list[Attendance], unit: Unit) -> list[User]:
    """The rows of the attendance page: who is recorded (``attendances``, as read by
    ``meeting_attendances``), then the other people of ``unit``. One query more."""
    recorded = Attendance.objects.filter(meeting=meeting).values("person_id")
    others = (
        unit_members(unit)
        .exclude(pk__in=recorded)
        .select_related("unit")
        .order_by("unit__path", "name", "pk")
    )
    return [a.person for a in attendances] + list(others)


def published_materials(campaign) -> QuerySet:
    from taolun.study.models import StudyMaterial

    return StudyMaterial.objects.filter(campaign=campaign, published_at__isnull=False).order_by(
        "order", "id"
    )


def previous_choices(user: User, *, units: QuerySet, exclude: Meeting | None = None):
    """Meetings of prepared kinds of these units: candidates for "previous round"."""
    qs = (
        meetings_for_user(user)
        .filter(kind__prepared=True, record__unit__in=units)
        .order_by("-record__held_on", "-pk")
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs


def is_meeting_record(record) -> bool:
    """Whether the record is a meeting's: then only the meeting's pages write it."""
    return Meeting.objects.filter(record_id=record.pk).exists()


def get_record_with_meeting_for_user(user: User, pk: int):
    """A record in scope with its meeting (if it is one) joined, for the record's page."""
    from taolun.activities.selectors import records_for_user

    record = records_for_user(user).select_related("meeting").filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


# ---------------------------------------------------------------- the to-do list


def check_materials_due(user: User) -> QuerySet[Meeting]:
    """Meetings being prepared (a prepared kind, the record still draft or returned) that
    the user attends and has submitted no comparison-and-check material for.

    Every attendee is asked, present or not, as on the meeting's page. Empty, without a
    query, for a user with neither a home unit nor a role: nobody may record them.
    """
    if not user.is_authenticated or not user.is_active:
        return Meeting.objects.none()
    scope = scope_for(user)
    if user.unit_id is None and not scope.by_role and not scope.is_everything:
        return Meeting.objects.none()
    submitted = CheckMaterial.objects.filter(
        meeting=OuterRef("pk"), person=user, submitted_at__isnull=False
    )
    return (
        Meeting.objects.filter(
            kind__prepared=True,
            record__status__in=EDITABLE,
            pk__in=Attendance.objects.filter(person=user).values("meeting_id"),
        )
        .filter(~Exists(submitted))
        .select_related("record__campaign", "record__unit", "kind")
        .order_by("record__held_on", "pk")
    )
