"""Reads for the brief pages, all built on ``selectors.briefs_for_user`` and
``selectors.reviews_for_user``: a list here never shows a row those would not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from taolun.activities.models import Meeting
from taolun.campaigns.models import Action, ActionKind, Approval, Campaign
from taolun.campaigns.selectors import paths_held_here
from taolun.campaigns.services import campaign_units
from taolun.org.models import Post, Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import scope_for
from taolun.reporting.models import (
    Brief,
    BriefEvent,
    BriefPhoto,
    BriefReview,
    BriefState,
)
from taolun.reporting.selectors import REVIEW_READERS, briefs_for_user, reviews_for_user


def units_for_briefs(campaign: Campaign, user: User) -> QuerySet[Unit]:
    """Units of the campaign where ``user`` may write a brief (``add_brief`` in SQL)."""
    units = campaign_units(campaign).order_by("path")
    if scope_for(user).is_everything:
        return units
    held = paths_held_here(user, campaign, (Role.CONTACT, Role.OFFICE))
    if not held:
        return units.none()
    q = Q()
    for path in held:
        q |= Q(path__startswith=path)
    return units.filter(q)


def actions_for_briefs(campaign: Campaign, user: User) -> QuerySet[Action]:
    """The campaign's prescribed actions, and the self-selected ones of units in scope."""
    return (
        Action.objects.filter(campaign=campaign, approval=Approval.APPROVED)
        .filter(Q(kind=ActionKind.PRESCRIBED) | scope_for(user).q())
        .select_related("stage")
        .order_by("stage__number", "number", "pk")
    )


def meetings_for_briefs(campaign: Campaign, user: User) -> QuerySet[Meeting]:
    """Meetings of the campaign held by units in the user's scope."""
    return (
        Meeting.objects.filter(record__campaign=campaign)
        .filter(scope_for(user).q(unit_field="record__unit"))
        .select_related("record__unit")
        .order_by("-record__held_on", "-pk")
    )


def _own_unit_q(user: User) -> Q:
    """Briefs of the user's own unit work: written by them, of units they are contact for,
    or of units where they hold a post (the head who signs off)."""
    return (
        Q(author=user)
        | scope_for(user).q_in_campaign((Role.CONTACT,))
        | Q(unit_id__in=Post.objects.filter(holder=user).values("unit_id"))
    )


def unit_briefs(user: User, campaign: Campaign, *, state: str | None = None) -> QuerySet[Brief]:
    """ "Our unit's briefs": what the user's units wrote in the campaign, newest first."""
    qs = briefs_for_user(user).filter(campaign=campaign).filter(_own_unit_q(user))
    if state:
        qs = qs.filter(state=state)
    return qs.select_related("unit", "author").order_by("-updated_at", "-pk")


def briefs_to_sign(user: User, campaign: Campaign) -> QuerySet[Brief]:
    """Briefs awaiting the user's sign-off: as the unit's head or a leader of the campaign,
    never their own."""
    heads = Q(unit_id__in=Post.objects.filter(holder=user).values("unit_id"))
    leaders = scope_for(user).q_in_campaign((Role.LEADER,))
    return (
        briefs_for_user(user)
        .filter(campaign=campaign, state=BriefState.SIGNING)
        .filter(heads | leaders)
        .exclude(author=user)
        .select_related("unit", "author")
        .order_by("updated_at", "pk")
    )


def reads_reviews_here(user: User, campaign: Campaign) -> bool:
    """Whether the user works in this campaign's office (office, leader or supervisor over
    its owner unit): the "received by our office" list is theirs."""
    scope = scope_for(user)
    return scope.covers_in_campaign(campaign.owner_unit, campaign.owner_unit.path, REVIEW_READERS)


@dataclass(frozen=True)
class ReviewFilters:
    state: str | None = None
    unit: Unit | None = None
    month: dt.date | None = None


def received_reviews(
    user: User, campaign: Campaign, filters: ReviewFilters = ReviewFilters()
) -> QuerySet[BriefReview]:
    """What reached this campaign's office: its own units' briefs (level 1) and those
    forwarded from child campaigns (level 2 and up), newest first."""
    qs = reviews_for_user(user).filter(campaign=campaign)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.unit is not None:
        qs = qs.filter(brief__unit__path__startswith=filters.unit.path)
    if filters.month is not None:
        qs = qs.filter(received_at__year=filters.month.year, received_at__month=filters.month.month)
    return qs.select_related("brief__unit", "brief__campaign", "decided_by").order_by(
        "-received_at", "-pk"
    )


def review_units(user: User, campaign: Campaign) -> QuerySet[Unit]:
    """Units whose briefs reached this office, for the filter."""
    unit_ids = reviews_for_user(user).filter(campaign=campaign).values("brief__unit_id")
    return Unit.objects.filter(pk__in=unit_ids).order_by("path")


def brief_reviews(brief: Brief) -> list[BriefReview]:
    """Each level's review, bottom up, with its office and deciders."""
    return list(
        brief.reviews.select_related(
            "campaign__owner_unit", "campaign__office_unit", "decided_by", "sent_by"
        ).order_by("level")
    )


def brief_events(brief: Brief) -> list[BriefEvent]:
    return list(brief.events.select_related("actor").order_by("at", "pk"))


def brief_photos(brief: Brief) -> list[BriefPhoto]:
    return list(brief.photos.order_by("order", "pk"))


def get_review_for_user(user: User, pk: int) -> BriefReview:
    """A review of a brief the user may read, or 404."""
    review = (
        BriefReview.objects.filter(pk=pk, brief__in=briefs_for_user(user))
        .select_related(
            "campaign__owner_unit",
            "campaign__parent",
            "brief__unit",
            "brief__campaign__owner_unit",
            "brief__author",
        )
        .prefetch_related(Prefetch("brief__reviews", BriefReview.objects.order_by("level")))
        .first()
    )
    if review is None:
        raise Http404
    return review


def get_photo_for_user(user: User, pk: int) -> BriefPhoto:
    photo = (
        BriefPhoto.objects.filter(pk=pk, brief__in=briefs_for_user(user))
        .select_related("brief__campaign__owner_unit", "brief__unit")
        .first()
    )
    if photo is None:
        raise Http404
    return photo
