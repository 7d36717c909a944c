"""From an imported plan to a campaign: who may do it, the draft shown for review, the creation.

An office receives its plan as a Word file or text; :func:`taolun.textmine.plan.parse_plan`
reads it into a :class:`~taolun.textmine.plan.PlanDraft`. Nothing is saved until a person
has reviewed and corrected that draft: :func:`plan_review_initial` turns it into the values
the review form starts from, and :func:`campaign_create_from_plan` creates the campaign, its
themes, stages and leading group in one audited transaction.

Creating a campaign is the campaign office's work: an office creates campaigns run by its
own unit or a unit under it. People named in the plan are matched to accounts by full name
within the actor's scope; a name nobody (or more than one person) has stays unmatched and is
never turned into an account.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from taolun.campaigns.models import (
    Campaign,
    LeadingGroupMember,
    LeadingGroupRole,
    Stage,
    Theme,
)
from taolun.campaigns.services import campaign_create
from taolun.core import clock
from taolun.core.audit import audited
from taolun.org.models import Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import scope_for
from taolun.textmine.plan import PlanDraft

# How many levels below an office's unit the owner choice offers: a province's office reaches
# 100,000 units, and a campaign is run by a unit near the top of its tree.
OWNER_LEVELS = 3

# The roles of a 领导小组 as plans write them; other roles a plan names (党支部书记 …) are
# posts in units, not seats in the campaign's leading group.
LEADING_GROUP_ROLES: dict[str, str] = {
    "组长": LeadingGroupRole.HEAD,
    "副组长": LeadingGroupRole.DEPUTY,
    "成员": LeadingGroupRole.MEMBER,
    "办公室主任": LeadingGroupRole.OFFICE_DIRECTOR,
}

# Posts are written one after another with 、 in a plan (党组书记、理事长).
POST_SEPARATOR = "、"
_POST_SPLIT_RE = re.compile(r"[、，,;；/]+")


# ---------------------------------------------------------------------------------------------
# Who may import, and for which units


def may_import_plan(user: User) -> bool:
    """True for the office of some unit (and the superuser): they set up campaigns."""
    scope = scope_for(user)
    return scope.is_everything or bool(scope.by_role.get(Role.OFFICE))


def plan_owner_units(user: User) -> QuerySet[Unit]:
    """Units the user may have a new campaign run by: those under its offices, a few levels
    down (see ``OWNER_LEVELS``), in tree order."""
    scope = scope_for(user)
    units = Unit.objects.order_by("path")
    if scope.is_everything:
        return units.filter(depth__lte=OWNER_LEVELS)
    paths = scope.paths_for([Role.OFFICE])
    if not paths:
        return units.none()
    steplen = Unit.steplen
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path, depth__lt=len(path) // steplen + OWNER_LEVELS)
    return units.filter(condition)


# ---------------------------------------------------------------------------------------------
# Matching the people a plan names to accounts


@dataclass(frozen=True)
class PersonMatch:
    """The account a name was matched to, or why it was not (``count`` people have it)."""

    name: str
    user: User | None
    count: int

    @property
    def matched(self) -> bool:
        return self.user is not None


def people_match(*, actor: User, names: list[str]) -> dict[str, PersonMatch]:
    """Match full names to accounts in the actor's scope, one query for all of them.

    Only a name exactly one person in scope has is matched: a shared name is left for the
    user to settle (an account is never guessed, nor created).
    """
    wanted = sorted({name.strip() for name in names if name and name.strip()})
    found: dict[str, list[User]] = defaultdict(list)
    if wanted:
        people = User.objects.filter(scope_for(actor).q("unit"), name__in=wanted, is_active=True)
        for person in people.select_related("unit").order_by("pk"):
            found[person.name].append(person)
    return {
        name: PersonMatch(
            name=name,
            user=found[name][0] if len(found[name]) == 1 else None,
            count=len(found[name]),
        )
        for name in wanted
    }


# ---------------------------------------------------------------------------------------------
# The review form's starting values


@dataclass
class PlanReviewInitial:
    """What the review form starts from: the campaign's fields and one dict per row."""

    campaign: dict[str, Any]
    themes: list[dict[str, str]]
    stages: list[dict[str, Any]]
    members: list[dict[str, str]]
    # Empty stage rows to add, when the plan announces more stages than it names.
    missing_stages: int = 0
    notes: list[str] = field(default_factory=list)


def theme_fields(clauses: list[str]) -> dict[str, str]:
    """A theme's clauses as (break with, focus on, adhere to): first, middle, last.

    A theme of two clauses leaves "focus on" for the user to write; one of more than three
    keeps the middle ones together.
    """
    parts = [c.strip() for c in clauses if c.strip()]
    if not parts:
        return {"break_with": "", "focus_on": "", "adhere_to": ""}
    if len(parts) == 1:
        return {"break_with": parts[0], "focus_on": "", "adhere_to": ""}
    return {
        "break_with": parts[0],
        "focus_on": "，".join(parts[1:-1]),
        "adhere_to": parts[-1],
    }


def suggest_slug(owner: Unit | None, year: int) -> str:
    """``<unit slug>-<year>``, with ``-2``, ``-3`` … when taken (one query)."""
    base = f"{owner.slug if owner else 'campaign'}"[:50].rstrip("-") + f"-{year}"
    taken = set(Campaign.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def plan_review_initial(*, actor: User, draft: PlanDraft, owner: Unit | None) -> PlanReviewInitial:
    """The draft as form values, for the user to correct; nothing is saved.

    Dates: the campaign is launched and starts on the plan's issuing date (else its first
    date) and ends on the latest later date the plan gives; with none, the user sets it.
    """
    launched = draft.issued_on or (min(draft.dates) if draft.dates else None)
    later = [day for day in draft.dates if launched and day > launched]
    ends = max(later) if later else None
    year = (launched or clock.today()).year
    campaign = {
        "name": draft.title,
        "slug": suggest_slug(owner, year),
        "owner_unit": owner.pk if owner else None,
        "basis_number": draft.doc_number,
        "basis_title": draft.title,
        "launched_on": launched,
        "starts_on": launched,
        "ends_on": ends,
    }
    themes = [theme_fields(theme.clauses) for theme in draft.themes]
    stages = [
        {"name": item.stage, "directive": item.text.removeprefix("要")}
        for item in draft.stage_directives
    ]
    missing = max(0, (draft.stage_count or 0) - len(stages))
    members = [
        {
            "name": person.name,
            "role": LEADING_GROUP_ROLES[person.role],
            "posts": POST_SEPARATOR.join(person.posts),
        }
        for person in draft.people
        if person.role in LEADING_GROUP_ROLES
    ]
    notes: list[str] = []
    if ends is None:
        notes.append(_("The plan gives no end date: set when the campaign ends."))
    return PlanReviewInitial(
        campaign=campaign,
        themes=themes,
        stages=stages,
        members=members,
        missing_stages=missing,
        notes=notes,
    )


# ---------------------------------------------------------------------------------------------
# Creating the campaign


@dataclass(frozen=True)
class ThemeInput:
    break_with: str
    focus_on: str
    adhere_to: str


@dataclass(frozen=True)
class StageInput:
    name: str
    directive: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass(frozen=True)
class MemberInput:
    name: str
    role: str
    posts: str = ""


def _row_errors(model: type, label: str, number: int, error: ValidationError) -> list[str]:
    """A model's validation errors, each named by its row and field ("Theme 2, break with: …")."""
    messages: list[str] = []
    for name, errors in error.message_dict.items():
        for message in errors:
            if name == "__all__":
                messages.append(
                    _("%(row)s %(number)s: %(message)s")
                    % {"row": label, "number": number, "message": message}
                )
                continue
            messages.append(
                _("%(row)s %(number)s, %(field)s: %(message)s")
                % {
                    "row": label,
                    "number": number,
                    "field": model._meta.get_field(name).verbose_name,
                    "message": message,
                }
            )
    return messages


def _stage_rows(campaign: Campaign, stages: list[StageInput]) -> tuple[list[Stage], list[str]]:
    """Stages as rows of ``campaign``; a stage without dates spans the campaign."""
    rows: list[Stage] = []
    errors: list[str] = []
    for number, item in enumerate(stages, start=1):
        stage = Stage(
            campaign=campaign,
            number=number,
            name=item.name.strip(),
            directive=item.directive.strip(),
            starts_on=item.starts_on or campaign.starts_on,
            ends_on=item.ends_on or campaign.ends_on,
        )
        try:
            stage.full_clean(
                exclude=["campaign"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors += _row_errors(Stage, _("Stage"), number, error)
            continue
        if stage.ends_on < stage.starts_on:
            errors.append(
                _("Stage %(number)s: the end date must not be before the start date.")
                % {"number": number}
            )
        elif stage.starts_on < campaign.starts_on or stage.ends_on > campaign.ends_on:
            errors.append(
                _("Stage %(number)s must fall within the campaign (%(start)s – %(end)s).")
                % {"number": number, "start": campaign.starts_on, "end": campaign.ends_on}
            )
        rows.append(stage)
    return rows, errors


def _theme_rows(campaign: Campaign, themes: list[ThemeInput]) -> tuple[list[Theme], list[str]]:
    rows: list[Theme] = []
    errors: list[str] = []
    for number, item in enumerate(themes, start=1):
        theme = Theme(
            campaign=campaign,
            number=number,
            break_with=item.break_with.strip(),
            focus_on=item.focus_on.strip(),
            adhere_to=item.adhere_to.strip(),
        )
        try:
            theme.full_clean(
                exclude=["campaign"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors += _row_errors(Theme, _("Theme"), number, error)
            continue
        rows.append(theme)
    return rows, errors


def _member_rows(
    *, actor: User, campaign: Campaign, members: list[MemberInput]
) -> tuple[list[LeadingGroupMember], list[str]]:
    """Leading group rows of the members matched to an account; the rest are left out."""
    matches = people_match(actor=actor, names=[m.name for m in members])
    rows: list[LeadingGroupMember] = []
    errors: list[str] = []
    for number, item in enumerate(members, start=1):
        match = matches.get(item.name.strip())
        if match is None or match.user is None:
            continue
        posts = [p for p in _POST_SPLIT_RE.split(item.posts) if p.strip()]
        member = LeadingGroupMember(
            campaign=campaign,
            person=match.user,
            role=item.role,
            position=POST_SEPARATOR.join(p.strip() for p in posts),
            order=number,
        )
        try:
            member.full_clean(exclude=["campaign"])
        except ValidationError as error:
            errors += _row_errors(LeadingGroupMember, _("Leading group member"), number, error)
            continue
        rows.append(member)
    return rows, errors


@transaction.atomic
def campaign_create_from_plan(
    *,
    actor: User,
    owner_unit: Unit,
    slug: str,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    basis_number: str = "",
    basis_title: str = "",
    launched_on: dt.date | None = None,
    themes: list[ThemeInput],
    stages: list[StageInput],
    members: list[MemberInput],
) -> Campaign:
    """Create the reviewed campaign with its themes, stages and matched leading group.

    All or nothing: any error (named by its field or row) leaves no row behind. Rows are
    saved one by one so that the audit log has each of them under the actor.
    """
    if not scope_for(actor).covers(owner_unit, [Role.OFFICE]):
        raise PermissionDenied
    with audited(actor):
        campaign = campaign_create(
            actor=actor,
            slug=slug.strip(),
            name=name.strip(),
            owner_unit=owner_unit,
            starts_on=starts_on,
            ends_on=ends_on,
            basis_number=basis_number.strip(),
            basis_title=basis_title.strip(),
            launched_on=launched_on,
        )
        theme_rows, errors = _theme_rows(campaign, themes)
        stage_rows, stage_errors = _stage_rows(campaign, stages)
        member_rows, member_errors = _member_rows(actor=actor, campaign=campaign, members=members)
        problems: dict[str, list[str]] = {
            key: value
            for key, value in (
                ("themes", errors),
                ("stages", stage_errors),
                ("members", member_errors),
            )
            if value
        }
        if problems:
            raise ValidationError(problems)
        for row in (*theme_rows, *stage_rows, *member_rows):
            row.save()
    return campaign


__all__ = [
    "LEADING_GROUP_ROLES",
    "MemberInput",
    "PersonMatch",
    "PlanReviewInitial",
    "StageInput",
    "ThemeInput",
    "campaign_create_from_plan",
    "may_import_plan",
    "people_match",
    "plan_owner_units",
    "plan_review_initial",
    "suggest_slug",
]
