"""Reads of the discussion, scoped to the user, with anonymity resolved here.

Every opinion a selector hands to a page carries ``shown_author`` and ``shown_unit``:
the author's name and unit, or "Anonymous" for an anonymous opinion read by anyone
but its author. Templates show those and never ``opinion.author``, so no role (not
the office, not a superuser) learns from a page who wrote an anonymous opinion.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign, Theme
from taolun.discussion.models import Opinion, Topic
from taolun.org.models import Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import paths_taking_part, scope_for

INBOX_PAGE_SIZE = 50


def _topic_q(user: User, prefix: str = "") -> Q:
    """Topics whose unit the user's scope reaches from above or from below.

    From below counts the user's home unit as well as their roles: a member without
    a role takes part in the topics opened to their unit or to a unit above it (as
    ``reaches_topic`` does).
    """
    scope = scope_for(user)
    if scope.is_everything:
        return Q()
    below = paths_taking_part(user)
    if not below:
        return Q(pk__in=[])
    unit = f"{prefix}unit"
    owner = f"{prefix}campaign__owner_unit"
    reaches = Q(**{f"{unit}__path__in": below})
    campaign = Q(**{f"{owner}__path__in": below})
    if scope.paths:
        reaches |= scope.q(unit)
        campaign |= scope.q(owner)
    return reaches & campaign


def topics_for_user(user: User, campaign: Campaign | None = None) -> QuerySet[Topic]:
    """Topics the user reads, each with ``opinion_count`` (replies not counted)."""
    qs = (
        Topic.objects.filter(_topic_q(user))
        .select_related("campaign__owner_unit", "unit", "theme", "stage")
        .annotate(
            opinion_count=Count("opinions", filter=Q(opinions__parent__isnull=True)),
            reply_count=Count("opinions", filter=Q(opinions__parent__isnull=False)),
        )
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def get_topic_for_user(user: User, pk: int) -> Topic:
    """The topic, or 404 when it does not exist or the user's scope does not reach it."""
    topic = topics_for_user(user).filter(pk=pk).first()
    if topic is None:
        raise Http404
    return topic


def opinions_for_user(user: User) -> QuerySet[Opinion]:
    """Opinions (and replies) on topics the user reads."""
    return Opinion.objects.filter(_topic_q(user, "topic__")).select_related(
        "topic__campaign", "topic__unit"
    )


def get_opinion_for_user(user: User, pk: int) -> Opinion:
    """The opinion, or 404 when the user cannot read its topic."""
    opinion = (
        opinions_for_user(user)
        .select_related("topic__campaign__owner_unit", "author", "unit", "theme")
        .filter(pk=pk)
        .first()
    )
    if opinion is None:
        raise Http404
    show_authors(user, [opinion])
    return opinion


# ---------------------------------------------------------------- anonymity


def show_authors(user: User, opinions: Iterable[Opinion]) -> None:
    """Set ``shown_author``, ``shown_unit`` and ``is_own`` on each opinion for ``user``."""
    anonymous = _("Anonymous")
    for opinion in opinions:
        opinion.is_own = opinion.author_id == user.pk
        if opinion.anonymous and not opinion.is_own:
            opinion.shown_author = anonymous
            opinion.shown_unit = ""
        else:
            opinion.shown_author = str(opinion.author)
            opinion.shown_unit = opinion.unit.display_name


# ---------------------------------------------------------------- the topic page


def _problems_by_opinion(user: User, ids: list[int]) -> dict[int, list]:
    """The problems in the user's scope recorded from these opinions: one query."""
    if not ids:
        return {}
    from taolun.rectification.selectors import problems_for_user

    rows = (
        problems_for_user(user, related=())  # a link by its number: no related rows
        .filter(
            source_type__app_label=Opinion._meta.app_label,
            source_type__model=Opinion._meta.model_name,
            source_id__in=ids,
        )
        .order_by("ledger_number")
    )
    found: dict[int, list] = defaultdict(list)
    for problem in rows:
        found[problem.source_id].append(problem)
    return found


# Opinions (with their replies) a page: an office's page carries two forms an opinion, and a
# page of fifty cost a busy server a third of a second.
OPINIONS_PAGE_SIZE = 20


def topic_opinions(user: User, topic: Topic, page: int | str | None = None) -> Page:
    """One page of the topic's opinions, oldest first, each with its replies and problems.

    Four queries whatever the number of opinions: the count, the page, its replies and
    their problems. A province's topic may gather thousands of opinions.
    """
    replies = Opinion.objects.select_related("author", "unit").order_by("created_at", "id")
    top_level = (
        topic.opinions.filter(parent__isnull=True)
        .select_related("author", "unit", "theme", "answered_by")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="reply_list"))
        .order_by("created_at", "id")
    )
    paged = Paginator(top_level, OPINIONS_PAGE_SIZE).get_page(page)
    opinions = list(paged.object_list)
    paged.object_list = opinions
    problems = _problems_by_opinion(user, [o.pk for o in opinions])
    for opinion in opinions:
        opinion.topic = topic
        opinion.problems = problems.get(opinion.pk, [])
        for reply in opinion.reply_list:
            reply.topic = topic
        show_authors(user, [opinion, *opinion.reply_list])
    return paged


def opinion_page_number(opinion: Opinion) -> int:
    """The page of its topic an opinion (or, for a reply, its opinion) stands on."""
    anchor = opinion.parent if opinion.parent_id else opinion
    earlier = Opinion.objects.filter(topic_id=anchor.topic_id, parent__isnull=True).filter(
        Q(created_at__lt=anchor.created_at) | Q(created_at=anchor.created_at, id__lt=anchor.id)
    )
    return earlier.count() // OPINIONS_PAGE_SIZE + 1


def with_theme_suggestions(campaign: Campaign, opinions: Iterable[Opinion]) -> None:
    """Set ``theme_suggestions`` on each opinion the office has not classified yet.

    The campaign's themes matched against the opinion's words (``taolun.textmine.themes``),
    best first; one matcher serves the whole page. Classified opinions get none: the
    office has decided, and its choice is shown instead.
    """
    from taolun.textmine.themes import suggestions_for

    opinions = list(opinions)
    found = suggestions_for(campaign, {o.pk: o.body for o in opinions if o.theme_id is None})
    for opinion in opinions:
        opinion.theme_suggestions = found.get(opinion.pk, [])


# ---------------------------------------------------------------- the office's inbox


def _problem_exists() -> Exists:
    from taolun.rectification.models import Problem

    return Exists(
        Problem.objects.filter(
            source_type__app_label=Opinion._meta.app_label,
            source_type__model=Opinion._meta.model_name,
            source_id=OuterRef("pk"),
        )
    )


def inbox_opinions(user: User, campaign: Campaign) -> QuerySet[Opinion]:
    """Top-level opinions on the campaign's topics over which the user is the office."""
    office = scope_for(user).q_in_campaign(
        [Role.OFFICE], unit_field="topic__unit", owner_field="topic__campaign__owner_unit"
    )
    return Opinion.objects.filter(office, topic__campaign=campaign, parent__isnull=True)


@dataclass(frozen=True)
class InboxFilters:
    theme: Theme | None = None
    unclassified: bool = False
    unanswered: bool = False
    topic: Topic | None = None
    became_problem: bool | None = None


def opinions_inbox(
    user: User, campaign: Campaign, filters: InboxFilters | None = None
) -> QuerySet[Opinion]:
    """The office's inbox, newest first, filtered; each row knows whether it became a problem.

    Resolve the shown authors of the page's rows with ``inbox_page``.
    """
    filters = filters or InboxFilters()
    qs = (
        inbox_opinions(user, campaign)
        .select_related("topic", "author", "unit", "theme")
        .annotate(
            became_problem=_problem_exists(),
            reply_count=Count("replies"),
        )
    )
    if filters.theme is not None:
        qs = qs.filter(theme=filters.theme)
    if filters.unclassified:
        qs = qs.filter(theme__isnull=True)
    if filters.unanswered:
        qs = qs.filter(answer="")
    if filters.topic is not None:
        qs = qs.filter(topic=filters.topic)
    if filters.became_problem is not None:
        qs = qs.filter(became_problem=filters.became_problem)
    return qs.order_by("-created_at", "-id")


def inbox_page(user: User, opinions: list[Opinion]) -> list[Opinion]:
    """Resolve shown authors and the problems recorded from the rows of one page."""
    problems = _problems_by_opinion(user, [o.pk for o in opinions])
    for opinion in opinions:
        opinion.problems = problems.get(opinion.pk, [])
    show_authors(user, opinions)
    return opinions


@dataclass(frozen=True)
class ThemeCount:
    theme: Theme | None  # None: not classified yet
    opinions: int
    answered: int


def inbox_theme_counts(user: User, campaign: Campaign) -> list[ThemeCount]:
    """Opinions and answers per theme of the campaign, unclassified last: two queries."""
    rows = (
        inbox_opinions(user, campaign)
        .order_by()
        .values("theme")
        .annotate(n=Count("id"), answered=Count("id", filter=~Q(answer="")))
    )
    counted = {row["theme"]: row for row in rows}
    result = [
        ThemeCount(
            theme=theme,
            opinions=counted.get(theme.pk, {}).get("n", 0),
            answered=counted.get(theme.pk, {}).get("answered", 0),
        )
        for theme in campaign.themes.order_by("number")
    ]
    loose = counted.get(None, {})
    result.append(ThemeCount(None, loose.get("n", 0), loose.get("answered", 0)))
    return result


def inbox_topics(user: User, campaign: Campaign) -> QuerySet[Topic]:
    """Topics the inbox may be filtered by: those with the user as their office."""
    office = scope_for(user).q_in_campaign([Role.OFFICE])
    return Topic.objects.filter(office, campaign=campaign).order_by("-opens_on", "-id")


# ---------------------------------------------------------------- forms' choices


def units_for_topics(campaign: Campaign, user: User) -> QuerySet[Unit]:
    """Units of the campaign a topic may be opened to by ``user``: ``add_topic`` in SQL.

    The office or contact role counts only where it is held inside the campaign's tree.
    """
    owner = campaign.owner_unit.path
    scope = scope_for(user)
    units = Unit.objects.filter(path__startswith=owner).order_by("path")
    if scope.is_everything:
        return units
    held = [
        p
        for role in (Role.OFFICE, Role.CONTACT)
        for p in scope.by_role.get(role, ())
        if p.startswith(owner)
    ]
    if not held:
        return Unit.objects.none()
    return units.filter(reduce(or_, (Q(path__startswith=p) for p in held)))


# ---------------------------------------------------------------- a member's own


def opinions_of(user: User, campaign: Campaign | None = None) -> list[Opinion]:
    """The user's own opinions and replies, newest first, for their personal page."""
    qs = (
        Opinion.objects.filter(author=user)
        .filter(_topic_q(user, "topic__"))
        .select_related("topic", "author", "unit", "theme")
        .order_by("-created_at", "-id")
    )
    if campaign is not None:
        qs = qs.filter(topic__campaign=campaign)
    opinions = list(qs)
    show_authors(user, opinions)
    return opinions


def topic_phase(topic: Topic, today: dt.date) -> str:
    """ "upcoming", "open" or "closed" on ``today``."""
    if today < topic.opens_on:
        return "upcoming"
    if today > topic.closes_on:
        return "closed"
    return "open"


# ---------------------------------------------------------------- the to-do list


def unanswered_opinions(user: User) -> QuerySet[Opinion]:
    """Top-level opinions not answered yet, on topics over which the user is the campaign's
    office (the ``moderate_opinion`` reach, as in ``inbox_opinions``), in every campaign.

    Empty, without a query, for a user holding no office role.
    """
    scope = scope_for(user)
    if not scope.is_everything and not scope.by_role.get(Role.OFFICE):
        return Opinion.objects.none()
    office = scope.q_in_campaign(
        [Role.OFFICE], unit_field="topic__unit", owner_field="topic__campaign__owner_unit"
    )
    return Opinion.objects.filter(office, parent__isnull=True, answer="")


@dataclass(frozen=True)
class Unanswered:
    """How many opinions of one campaign wait for the office's answer."""

    campaign_slug: str
    campaign_name: str
    count: int


def unanswered_by_campaign(user: User) -> list[Unanswered]:
    """``unanswered_opinions`` counted per campaign, in one query: a province's office may
    have thousands, so the to-do list shows one line per campaign."""
    rows = (
        unanswered_opinions(user)
        .order_by()
        .values("topic__campaign__slug", "topic__campaign__name")
        .annotate(n=Count("id"))
        .order_by("topic__campaign__name", "topic__campaign__slug")
    )
    return [
        Unanswered(
            campaign_slug=row["topic__campaign__slug"],
            campaign_name=row["topic__campaign__name"],
            count=row["n"],
        )
        for row in rows
    ]
