"""Who reads which briefs, cases, outcomes and publications: every read starts here.

A unit sees only its own briefs (its contacts and head, all of them; the campaign's
leaders, once they left the draft); an office sees the briefs that reached it — its
own campaign's once submitted, a parent campaign's office only those forwarded to it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from taolun.campaigns.selectors import campaigns_for_user
from taolun.org.models import Post, User
from taolun.org.roles import Role
from taolun.org.selectors import scope_for
from taolun.reporting.models import (
    Brief,
    BriefReview,
    BriefState,
    CaseState,
    InstitutionalOutcome,
    Publication,
    PublicationState,
    TypicalCase,
)

# Roles that read what reached an office: its own office and leaders, and supervisors.
REVIEW_READERS = (Role.OFFICE, Role.LEADER, Role.SUPERVISOR)


def reviews_for_user(user: User) -> QuerySet[BriefReview]:
    """Reviews at offices where the user works (office, leader or supervisor inside the
    reviewing campaign's tree, over the brief's unit)."""
    scope = scope_for(user)
    return BriefReview.objects.filter(
        scope.q_in_campaign(
            REVIEW_READERS, unit_field="brief__unit", owner_field="campaign__owner_unit"
        )
    )


def briefs_q(user: User) -> Q:
    """The filter of every brief ``user`` may read."""
    scope = scope_for(user)
    if scope.is_everything:
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])
    return (
        Q(author=user)
        | scope.q_in_campaign((Role.CONTACT,))
        | Q(unit_id__in=Post.objects.filter(holder=user).values("unit_id"))
        | (scope.q_in_campaign((Role.LEADER,)) & ~Q(state=BriefState.DRAFT))
        | Q(pk__in=reviews_for_user(user).values("brief_id"))
    )


def briefs_for_user(user: User) -> QuerySet[Brief]:
    return Brief.objects.filter(briefs_q(user))


def get_brief_for_user(user: User, pk: int) -> Brief:
    """The brief, or 404 when the user may not read it."""
    brief = (
        briefs_for_user(user)
        .select_related("campaign__owner_unit", "campaign__parent", "unit", "author")
        .filter(pk=pk)
        .first()
    )
    if brief is None:
        raise Http404
    return brief


def cases_for_user(user: User) -> QuerySet[TypicalCase]:
    """Cases the user may read: approved ones with everyone taking part in the campaign;
    the others with their nominator, the unit's contacts and the campaign's office,
    leaders and supervisors."""
    scope = scope_for(user)
    if scope.is_everything:
        return TypicalCase.objects.all()
    if not user.is_authenticated:
        return TypicalCase.objects.none()
    return TypicalCase.objects.filter(
        Q(nominated_by=user)
        | scope.q_in_campaign((Role.CONTACT, *REVIEW_READERS))
        | Q(state=CaseState.APPROVED, campaign__in=campaigns_for_user(user))
    )


def get_case_for_user(user: User, pk: int) -> TypicalCase:
    case = (
        cases_for_user(user)
        .select_related("campaign__owner_unit", "unit", "person", "theme", "nominated_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


def outcomes_for_user(user: User) -> QuerySet[InstitutionalOutcome]:
    """Rules made in the campaign are read by everyone taking part in it."""
    return InstitutionalOutcome.objects.filter(campaign__in=campaigns_for_user(user))


def get_outcome_for_user(user: User, pk: int) -> InstitutionalOutcome:
    outcome = (
        outcomes_for_user(user)
        .select_related("campaign__owner_unit", "unit", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if outcome is None:
        raise Http404
    return outcome


def publications_for_user(user: User) -> QuerySet[Publication]:
    """Publications of campaigns where the user works in the office, leads or supervises."""
    scope = scope_for(user)
    if scope.is_everything:
        return Publication.objects.all()
    return Publication.objects.filter(
        scope.q_in_campaign(REVIEW_READERS, unit_field="campaign__owner_unit")
    )


def public_publications() -> QuerySet[Publication]:
    """What anonymous visitors may read: published on a public channel, nothing else."""
    return Publication.objects.filter(state=PublicationState.PUBLISHED, channel__is_public=True)
