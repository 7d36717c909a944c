"""Reads for study, scoped to the user asking.

A material is *for* a person when it names no unit or one of its units is the person's
home unit or above it; that is a test of the person's ancestor paths against the
material's units, done in SQL for lists and in Python for the few required materials
of a completion page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from taolun.activities.models import Attendance
from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import campaigns_for_user
from taolun.core import clock
from taolun.discussion.models import Opinion
from taolun.org.models import RoleAssignment, Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import scope_for, units_for_user
from taolun.study.models import Reflection, StudyLog, StudyMaterial
from taolun.study.rules import READER_ROLES, is_office_of_campaign, takes_part_in

COMPLETION_PAGE_SIZE = 50

# ---------------------------------------------------------------- materials


def member_paths(user: User) -> tuple[str, ...]:
    """The paths of the units ``user`` belongs to: their home unit (a department) and the
    units they are a member of (a party branch). No query: the scope is cached."""
    paths = list(scope_for(user).by_role.get(Role.MEMBER, ()))
    if user.unit is not None:
        paths.append(user.unit.path)
    return tuple(sorted(set(paths)))


def _ancestors(paths: Iterable[str]) -> set[str]:
    steplen = Unit.steplen
    return {p[: i * steplen] for p in paths for i in range(1, len(p) // steplen + 1)}


def materials_for_paths_q(paths: Iterable[str]) -> Q:
    """Materials meant for people of the units at ``paths``: for everyone, or for a unit
    at or above one of them."""
    through = StudyMaterial.for_units.through
    named = through.objects.filter(studymaterial=OuterRef("pk"))
    return ~Exists(named) | Exists(named.filter(unit__path__in=_ancestors(paths)))


def is_for(material: StudyMaterial, paths: Iterable[str]) -> bool:
    """Python twin of ``materials_for_paths_q``; ``material.for_units`` should be prefetched."""
    units = list(material.for_units.all())
    if not units:
        return True
    return any(p.startswith(u.path) for p in paths for u in units)


def materials_for_user(user: User, campaign: Campaign) -> QuerySet[StudyMaterial]:
    """The campaign's published materials, and its drafts for its office.

    The caller has fetched ``campaign`` through ``get_campaign_for_user``.
    """
    qs = StudyMaterial.objects.filter(campaign=campaign)
    if not is_office_of_campaign.test(user, campaign):
        qs = qs.filter(published_at__isnull=False)
    return qs.select_related("stage", "theme").prefetch_related("for_units")


def get_material_for_user(user: User, pk: int) -> StudyMaterial:
    """The material, or 404: missing, of a campaign out of sight, or another office's draft."""
    material = (
        StudyMaterial.objects.select_related("campaign__owner_unit", "stage", "theme")
        .filter(pk=pk, campaign__in=campaigns_for_user(user))
        .first()
    )
    if material is None or (
        not material.is_published and not is_office_of_campaign.test(user, material.campaign)
    ):
        raise Http404
    return material


@dataclass(frozen=True)
class MyMaterial:
    material: StudyMaterial
    done: bool
    minutes: int
    overdue: bool


def my_study(user: User, campaign: Campaign) -> list[MyMaterial]:
    """The published materials meant for me, required ones first, with my study of each."""
    mine = StudyLog.objects.filter(person=user, material=OuterRef("pk"))
    minutes = mine.order_by().values("material").annotate(total=Sum("minutes")).values("total")[:1]
    rows = (
        StudyMaterial.objects.filter(campaign=campaign, published_at__isnull=False)
        .filter(materials_for_paths_q(member_paths(user)))
        .select_related("stage", "theme")
        .annotate(
            done=Exists(mine),
            my_minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), Value(0)),
        )
        .order_by("-required", "stage__number", "order", "id")
    )
    today = clock.today()
    return [
        MyMaterial(
            material=m,
            done=m.done,
            minutes=m.my_minutes,
            overdue=bool(m.due_on and m.due_on < today and not m.done),
        )
        for m in rows
    ]


# ---------------------------------------------------------------- logs and reflections


def logs_for_user(user: User, campaign: Campaign) -> QuerySet[StudyLog]:
    """One's own logs, and the logs of people in units one reads as contact, office,
    leader or supervisor."""
    visible = Q(person=user) | scope_for(user).q(roles=READER_ROLES)
    return (
        StudyLog.objects.filter(campaign=campaign)
        .filter(visible)
        .select_related("person", "unit", "material", "meeting__record")
    )


def my_logs(user: User, campaign: Campaign) -> QuerySet[StudyLog]:
    return StudyLog.objects.filter(campaign=campaign, person=user).select_related(
        "material", "meeting__record"
    )


def reflections_visible_q(user: User) -> Q:
    submitted = Q(submitted_at__isnull=False)
    return (
        Q(author=user)
        | (submitted & Q(excellent=True))
        | (submitted & scope_for(user).q(roles=READER_ROLES))
    )


def reflections_for_user(user: User, campaign: Campaign) -> QuerySet[Reflection]:
    """Own reflections (drafts too), excellent ones, and submitted ones in one's reading scope."""
    return (
        Reflection.objects.filter(campaign=campaign)
        .filter(reflections_visible_q(user))
        .select_related("author", "unit", "material", "theme")
    )


def get_reflection_for_user(user: User, pk: int) -> Reflection:
    reflection = (
        Reflection.objects.filter(pk=pk, campaign__in=campaigns_for_user(user))
        .filter(reflections_visible_q(user))
        .select_related("campaign__owner_unit", "author", "unit", "material", "theme", "marked_by")
        .first()
    )
    if reflection is None:
        raise Http404
    return reflection


def reflection_list(
    qs: QuerySet[Reflection],
    *,
    unit: Unit | None = None,
    material: StudyMaterial | None = None,
    excellent: bool | None = None,
) -> QuerySet[Reflection]:
    """Filter an already scoped queryset the way the reflections page asks."""
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if material is not None:
        qs = qs.filter(material=material)
    if excellent is not None:
        qs = qs.filter(excellent=excellent)
    return qs.order_by("-submitted_at", "-id")


def is_reader_in(user: User, campaign: Campaign) -> bool:
    """Whether the user reads anyone else's study in the campaign (contacts, office …)."""
    scope = scope_for(user)
    if scope.is_everything:
        return True
    owner = campaign.owner_unit.path
    return any(p.startswith(owner) or owner.startswith(p) for p in scope.paths_for(READER_ROLES))


def reader_units(user: User, campaign: Campaign) -> QuerySet[Unit]:
    """The topmost units of the campaign the user reads study in (their completion pages)."""
    owner = campaign.owner_unit
    scope = scope_for(user)
    if scope.is_everything:
        return Unit.objects.filter(pk=owner.pk)
    paths = [
        owner.path if owner.path.startswith(p) else p
        for p in scope.paths_for(READER_ROLES)
        if p.startswith(owner.path) or owner.path.startswith(p)
    ]
    return Unit.objects.filter(path__in=sorted(set(paths))).order_by("path")


# ---------------------------------------------------------------- unit completion


def get_completion_unit_for_user(user: User, campaign: Campaign, slug: str) -> Unit:
    """A unit of the campaign that the user reads as contact, office, leader or supervisor."""
    unit = (
        units_for_user(user, roles=READER_ROLES)
        .filter(slug=slug, path__startswith=campaign.owner_unit.path)
        .select_related("kind")
        .first()
    )
    if unit is None:
        raise Http404
    return unit


@dataclass(frozen=True)
class PersonCompletion:
    person: User
    required_done: int
    required_total: int
    minutes: int
    reflections: int

    @property
    def has_reflection(self) -> bool:
        return self.reflections > 0


@dataclass(frozen=True)
class CompletionSummary:
    people: int
    with_reflection: int

    @property
    def share(self) -> int:
        """Whole percent of people with a submitted reflection."""
        return round(100 * self.with_reflection / self.people) if self.people else 0


@dataclass(frozen=True)
class Completion:
    page: Page
    rows: list[PersonCompletion]
    summary: CompletionSummary


def _people(campaign: Campaign, unit: Unit) -> QuerySet[User]:
    reflections = Reflection.objects.filter(
        campaign=campaign, author=OuterRef("pk"), submitted_at__isnull=False
    )
    minutes = (
        StudyLog.objects.filter(campaign=campaign, person=OuterRef("pk"))
        .order_by()
        .values("person")
        .annotate(total=Sum("minutes"))
        .values("total")[:1]
    )
    counted = reflections.order_by().values("author").annotate(n=Count("pk")).values("n")[:1]
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(unit__path__startswith=unit.path)
            | Q(
                pk__in=RoleAssignment.objects.filter(
                    role=Role.MEMBER, unit__path__startswith=unit.path
                ).values("user")
            )
        )
        .select_related("unit")
        .annotate(
            study_minutes=Coalesce(Subquery(minutes, output_field=IntegerField()), Value(0)),
            reflection_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
        )
        .order_by("unit__path", "name", "pk")
    )


def unit_completion(
    user: User,
    campaign: Campaign,
    unit: Unit,
    page: int | str | None = None,
    *,
    without_reflection: bool = False,
) -> Completion:
    """Who in ``unit``'s subtree (by home unit or as a member) has studied what is required
    and written a reflection.

    ``unit`` comes from ``get_completion_unit_for_user``. A fixed number of queries
    whatever the size: people with their minutes and reflection counts (one query per
    page plus the count), the required materials with their units (two), the member units
    and the (person, material) pairs done of the people of the page (one each).
    """
    people = _people(campaign, unit)
    summary = people.aggregate(
        people=Count("pk"), with_reflection=Count("pk", filter=Q(reflection_count__gt=0))
    )
    if without_reflection:
        people = people.filter(reflection_count=0)
    paged = Paginator(people, COMPLETION_PAGE_SIZE).get_page(page)
    persons = list(paged.object_list)
    required = list(
        StudyMaterial.objects.filter(
            campaign=campaign, required=True, published_at__isnull=False
        ).prefetch_related("for_units")
    )
    done = set(
        StudyLog.objects.filter(
            campaign=campaign, person__in=persons, material__in=[m.pk for m in required]
        )
        .values_list("person_id", "material_id")
        .distinct()
    )
    paths: dict[int, list[str]] = defaultdict(list)
    for person_id, path in RoleAssignment.objects.filter(
        role=Role.MEMBER, user__in=persons
    ).values_list("user_id", "unit__path"):
        paths[person_id].append(path)
    rows = []
    for person in persons:
        belongs = paths[person.pk] + ([person.unit.path] if person.unit else [])
        mine = [m.pk for m in required if is_for(m, belongs)]
        rows.append(
            PersonCompletion(
                person=person,
                required_done=sum((person.pk, pk) in done for pk in mine),
                required_total=len(mine),
                minutes=person.study_minutes,
                reflections=person.reflection_count,
            )
        )
    return Completion(
        page=paged,
        rows=rows,
        summary=CompletionSummary(
            people=summary["people"], with_reflection=summary["with_reflection"]
        ),
    )


# ---------------------------------------------------------------- the member's page


@dataclass(frozen=True)
class MemberPage:
    study: list[MyMaterial]
    logs: list[StudyLog]
    reflections: list[Reflection]
    opinions: list[Opinion]
    attendances: list[Attendance]
    takes_part: bool

    @property
    def required_left(self) -> int:
        return sum(1 for row in self.study if row.material.required and not row.done)

    @property
    def minutes(self) -> int:
        return sum(log.minutes for log in self.logs)


def member_page(user: User, campaign: Campaign) -> MemberPage:
    """Everything of mine in the campaign: what to study, what I did, wrote and attended."""
    return MemberPage(
        study=my_study(user, campaign),
        logs=list(my_logs(user, campaign)),
        reflections=list(
            Reflection.objects.filter(campaign=campaign, author=user).select_related(
                "material", "theme"
            )
        ),
        opinions=list(
            Opinion.objects.filter(author=user, topic__campaign=campaign)
            .select_related("topic", "parent")
            .order_by("-created_at", "-id")
        ),
        attendances=list(
            Attendance.objects.filter(person=user, meeting__record__campaign=campaign)
            .select_related("meeting__record", "meeting__kind")
            .order_by("-meeting__record__held_on", "-id")
        ),
        takes_part=takes_part_in(user, campaign),
    )


# ---------------------------------------------------------------- the to-do list


def study_due(user: User, *, within_days: int) -> QuerySet[StudyMaterial]:
    """Required materials meant for the user that they have not studied yet (no log of
    theirs names them), overdue or due within ``within_days`` days, each with ``overdue``.

    Only running campaigns the user takes part in (``takes_part_in``: their home unit lies
    under the owner), since only there can they log study; the material is meant for them as
    in ``my_study``. Empty, without a query, for a user without a home unit.
    """
    if not user.is_authenticated or not user.is_active or user.unit is None:
        return StudyMaterial.objects.none()
    today = clock.today()
    studied = StudyLog.objects.filter(person=user, material=OuterRef("pk"))
    return (
        StudyMaterial.objects.filter(
            campaign__owner_unit__path__in=user.unit.ancestor_paths(),
            published_at__isnull=False,
            required=True,
            due_on__lte=today + timedelta(days=within_days),
            # Once the campaign is over, study left undone is for its summary, not a to-do.
            campaign__ends_on__gte=today,
        )
        .filter(materials_for_paths_q(member_paths(user)))
        .filter(~Exists(studied))
        .annotate(overdue=ExpressionWrapper(Q(due_on__lt=today), output_field=BooleanField()))
        .select_related("campaign")
        .order_by("due_on", "campaign_id", "order", "id")
    )


__all__ = [
    "COMPLETION_PAGE_SIZE",
    "Completion",
    "MemberPage",
    "MyMaterial",
    "get_completion_unit_for_user",
    "get_material_for_user",
    "get_reflection_for_user",
    "is_for",
    "is_reader_in",
    "logs_for_user",
    "materials_for_paths_q",
    "materials_for_user",
    "member_page",
    "member_paths",
    "my_logs",
    "my_study",
    "reader_units",
    "reflection_list",
    "reflections_for_user",
    "study_due",
    "unit_completion",
]
