"""What is waiting for a user: derived from the work itself, so it can never go stale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from taolun.activities.meeting_selectors import check_materials_due
from taolun.activities.models import ActivityRecord, Meeting
from taolun.activities.selectors import records_returned_to, records_to_review
from taolun.campaigns.models import Action
from taolun.campaigns.selectors import pending_actions_for_user
from taolun.core.queries import count_each
from taolun.discussion.selectors import Unanswered, unanswered_by_campaign, unanswered_opinions
from taolun.org.models import Post, Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import scope_for
from taolun.rectification.models import ExtensionRequest, Problem, warning_days
from taolun.rectification.selectors import (
    TODO_COUNT_CAP,
    evaluations_to_vote,
    extensions_to_decide,
    flagged_problems,
    ledger_todo_count,
    problems_sent_back,
    problems_to_verify,
)
from taolun.reporting.models import Brief, BriefEvent, BriefReview, BriefState, ReviewState
from taolun.study.models import StudyMaterial
from taolun.study.selectors import study_due

# How many items of one kind the to-do page lists; the rest are one link away.
TODO_LIST_LIMIT = 20
# Items per page when the to-do page shows one kind in full (``?all=<kind>``).
TODO_PAGE_SIZE = 50
# The header counter shows "99+" from here on, so each kind is read up to this many rows:
# below it the page's total is exact and the header needs no query of its own.
TODO_COUNTED = TODO_COUNT_CAP

# The kinds of items, in the order of the page; each is a list field of ``Todo``.
TODO_KINDS: tuple[str, ...] = (
    "to_review",
    "returned",
    "to_approve",
    "to_verify",
    "extensions",
    "flagged",
    "sent_back",
    "to_evaluate",
    "to_study",
    "to_check",
    "to_answer",
    "briefs_to_sign",
    "briefs_to_review",
    "briefs_returned",
)


@dataclass(frozen=True)
class Waiting:
    """How many items of one kind wait, as far as they were read, and how many are shown."""

    shown: int
    found: int
    exact: bool = True

    @property
    def cut(self) -> bool:
        """More wait than the page lists: it links to the full list."""
        return self.found > self.shown

    @property
    def badge(self) -> str:
        return str(self.found) if self.exact else f"{self.found}+"


@dataclass
class Todo:
    """What waits for a user, kind by kind: at most ``TODO_LIST_LIMIT`` items of each are
    listed; ``waiting`` says how many were found (its absence means: as many as listed)."""

    to_review: list[ActivityRecord] = field(default_factory=list)
    returned: list[ActivityRecord] = field(default_factory=list)
    to_approve: list[Action] = field(default_factory=list)
    # The ledger (rectification).
    to_verify: list[Problem] = field(default_factory=list)
    extensions: list[ExtensionRequest] = field(default_factory=list)
    flagged: list[Problem] = field(default_factory=list)
    sent_back: list[Problem] = field(default_factory=list)
    to_evaluate: list[Problem] = field(default_factory=list)
    # Participation: study, check materials, the office's unanswered opinions.
    to_study: list[StudyMaterial] = field(default_factory=list)
    to_check: list[Meeting] = field(default_factory=list)
    to_answer: list[Unanswered] = field(default_factory=list)
    # Briefs (信息报送): sign-off, the office's review, returned to their writer.
    briefs_to_sign: list[Brief] = field(default_factory=list)
    briefs_to_review: list[BriefsWaiting] = field(default_factory=list)
    briefs_returned: list[Brief] = field(default_factory=list)
    waiting: dict[str, Waiting] = field(default_factory=dict)

    def found(self, kind: str) -> int:
        counted = self.waiting.get(kind)
        return counted.found if counted else len(getattr(self, kind))

    @property
    def total(self) -> int:
        """How many items wait, as the header counter counts them (exact below
        ``TODO_COUNTED``, at least that many from there on)."""
        return sum(self.found(kind) for kind in TODO_KINDS)

    @property
    def cut(self) -> bool:
        """Some kind lists fewer items than wait."""
        return any(w.cut for w in self.waiting.values())


@dataclass(frozen=True)
class BriefsWaiting:
    """How many briefs wait for one campaign office's decision (one line per campaign)."""

    campaign_slug: str
    campaign_name: str
    count: int


def _to_sign_q(user: User) -> Q:
    """Sent for sign-off in a unit where the user holds a post (its head), or which a
    leader of the campaign reaches; never one the user wrote or edited
    (``reporting.sign_brief``)."""
    written = BriefEvent.objects.filter(actor=user, verb__in=("create", "edit"))
    return (
        Q(state=BriefState.SIGNING)
        & (
            Q(unit_id__in=Post.objects.filter(holder=user).values("unit_id"))
            | scope_for(user).q_in_campaign((Role.LEADER,))
        )
        & ~Q(author=user)
        & ~Q(pk__in=written.values("brief_id"))
    )


def _returned_q(user: User) -> Q:
    """The user's own briefs that their office returned: to edit and send again."""
    return Q(author=user, state=BriefState.RETURNED)


def briefs_to_sign(user: User) -> QuerySet[Brief]:
    if not user.is_authenticated:
        return Brief.objects.none()
    return Brief.objects.filter(_to_sign_q(user))


def brief_reviews_pending(user: User) -> QuerySet[BriefReview]:
    """Reviews waiting at an office where the user holds the office role inside the reviewing
    campaign's tree, over the brief's unit; not of briefs they wrote or signed
    (``decide_review``)."""
    own_office = _own_office_q(user)
    if own_office is None:
        return BriefReview.objects.none()
    return (
        BriefReview.objects.filter(state=ReviewState.PENDING)
        .filter(own_office)
        .exclude(brief__author=user)
        .exclude(brief__signed_by=user)
    )


def _own_office_q(user: User) -> Q | None:
    """Reviews at a campaign whose office the user is: the role held at or below the
    campaign's unit and over the brief's unit, but not inside a child campaign's tree (the
    federation's office works for the federation's campaign, not for the province's)."""
    scope = scope_for(user)
    if scope.is_everything:
        return Q()
    held = scope.by_role.get(Role.OFFICE, ())
    if not held:
        return None
    q = Q(pk__in=[])
    for path in held:
        above = [path[:end] for end in range(Unit.steplen, len(path) + 1, Unit.steplen)]
        q |= Q(brief__unit__path__startswith=path, campaign__owner_unit__path__in=above) & ~Q(
            campaign__children__owner_unit__path__in=above
        )
    return q


def briefs_to_review_by_campaign(user: User) -> list[BriefsWaiting]:
    """``brief_reviews_pending`` counted per reviewing campaign, in one query: a province's
    office may receive hundreds, so the to-do list shows one line per campaign."""
    if not user.is_authenticated:
        return []
    rows = (
        brief_reviews_pending(user)
        .order_by()
        .values("campaign__slug", "campaign__name")
        .annotate(n=Count("id"))
        .order_by("campaign__name", "campaign__slug")
    )
    return [
        BriefsWaiting(
            campaign_slug=r["campaign__slug"], campaign_name=r["campaign__name"], count=r["n"]
        )
        for r in rows
    ]


def briefs_returned_to(user: User) -> QuerySet[Brief]:
    if not user.is_authenticated:
        return Brief.objects.none()
    return Brief.objects.filter(_returned_q(user))


def _brief_kinds(user: User) -> list[QuerySet]:
    """What ``todo_for`` lists of briefs, as querysets to count (reviews one per campaign)."""
    if not user.is_authenticated:
        return []
    return [
        briefs_to_sign(user).order_by().values("pk"),
        brief_reviews_pending(user).order_by().values("campaign").distinct(),
        briefs_returned_to(user).order_by().values("pk"),
    ]


def briefs_todo_count(user: User) -> int:
    """How many brief items wait for the user, as ``todo_for`` lists them: one query."""
    return _count_kinds(user, _brief_kinds(user))


def _rows_to_read() -> int:
    """Rows read per kind: enough to list the kind and to count it as far as the header
    does, so neither the page nor its header counts anything apart."""
    return max(TODO_LIST_LIMIT + 1, TODO_COUNTED)


def _bounded(rows: list, read: int) -> tuple[list, Waiting]:
    """The first ``TODO_LIST_LIMIT`` of ``rows`` (read with at most ``read`` rows), and how
    many were found: exact unless all ``read`` rows came back."""
    shown = rows[:TODO_LIST_LIMIT]
    return shown, Waiting(shown=len(shown), found=len(rows), exact=len(rows) < read)


def todo_sources(user: User) -> dict[str, Callable[[], QuerySet | list]]:
    """Each kind's full, ordered list of what waits for ``user``: querysets read lazily;
    opinions and briefs to review are one line per campaign, so they are short lists."""
    return {
        "to_review": lambda: records_to_review(user),
        "returned": lambda: records_returned_to(user),
        "to_approve": lambda: pending_actions_for_user(user),
        "to_verify": lambda: problems_to_verify(user),
        "extensions": lambda: extensions_to_decide(user),
        "flagged": lambda: flagged_problems(user),
        "sent_back": lambda: problems_sent_back(user),
        "to_evaluate": lambda: evaluations_to_vote(user),
        "to_study": lambda: study_due(user, within_days=warning_days()),
        "to_check": lambda: check_materials_due(user),
        "to_answer": lambda: unanswered_by_campaign(user),
        "briefs_to_sign": lambda: _listed_briefs(briefs_to_sign(user)),
        "briefs_to_review": lambda: briefs_to_review_by_campaign(user),
        "briefs_returned": lambda: _listed_briefs(briefs_returned_to(user)),
    }


def todo_kind_for_user(user: User, kind: str) -> QuerySet | list:
    """All items of one kind waiting for ``user``, for the to-do page's full list (to page
    through: querysets are sliced by the paginator); 404 for an unknown kind."""
    source = todo_sources(user).get(kind)
    if source is None:
        raise Http404(f"No to-do list {kind!r}")
    return source()


def todo_for(user: User) -> Todo:
    """What waits for ``user``, at most ``TODO_LIST_LIMIT`` items of each kind: one query
    per kind (two where more wait than are listed), each reading a bounded number of rows
    however much waits."""
    read = _rows_to_read()
    sources = todo_sources(user)
    lists: dict[str, list] = {}
    waiting: dict[str, Waiting] = {}
    for kind in TODO_KINDS:
        if kind in ("briefs_to_sign", "briefs_returned"):
            continue
        items = sources[kind]()
        if isinstance(items, QuerySet):
            lists[kind], waiting[kind] = _listed(items, read)
        else:  # one line per campaign, read whole: as many as found
            lists[kind], waiting[kind] = _bounded(items, len(items) + 1)
    for kind, rows in _briefs_waiting(user, read).items():
        lists[kind], waiting[kind] = _bounded(rows, read)
    return Todo(**lists, waiting=waiting)


def _listed(items: QuerySet, read: int) -> tuple[list, Waiting]:
    """The rows a kind lists, and how many wait as far as ``read`` rows: the listed rows
    whole, and only when more wait than are listed, their keys counted (an office's
    hundred records waiting are not built into objects to show twenty). ``.none()`` (no
    role for that work) is read without building its SQL."""
    if items.query.is_empty():
        return [], Waiting(shown=0, found=0)
    rows = list(items[: TODO_LIST_LIMIT + 1])
    if len(rows) <= TODO_LIST_LIMIT:
        return rows, Waiting(shown=len(rows), found=len(rows))
    found = items.order_by().values("pk")[:read].count()
    return rows[:TODO_LIST_LIMIT], Waiting(shown=TODO_LIST_LIMIT, found=found, exact=found < read)


def _listed_briefs(qs: QuerySet[Brief]) -> QuerySet[Brief]:
    """Briefs as the to-do page lists them: oldest change first, with what a line shows."""
    return qs.select_related("unit", "campaign", "author").order_by("updated_at", "id")


def _briefs_waiting(user: User, read: int) -> dict[str, list[Brief]]:
    """Briefs to sign off and briefs returned to the user, at most ``read`` of each, in one
    query: the two kinds are numbered apart (by state) and cut at ``read``."""
    if not user.is_authenticated:
        return {"briefs_to_sign": [], "briefs_returned": []}
    rows = (
        _listed_briefs(Brief.objects.filter(_to_sign_q(user) | _returned_q(user)))
        .annotate(
            position=Window(RowNumber(), partition_by=F("state"), order_by=("updated_at", "id"))
        )
        .filter(position__lte=read)
    )
    waiting: dict[str, list[Brief]] = {"briefs_to_sign": [], "briefs_returned": []}
    for brief in rows:
        key = "briefs_returned" if brief.state == BriefState.RETURNED else "briefs_to_sign"
        waiting[key].append(brief)
    return waiting


def _participation_kinds(user: User) -> list[QuerySet]:
    """What ``todo_for`` lists of participation, as querysets to count (opinions one item
    per campaign, as they are listed)."""
    return [
        study_due(user, within_days=warning_days()).order_by().values("pk"),
        check_materials_due(user).order_by().values("pk"),
        unanswered_opinions(user).order_by().values("topic__campaign").distinct(),
    ]


def _count_kinds(user: User, kinds: list[QuerySet]) -> int:
    """The rows of all ``kinds`` together in one query (a subquery count per kind), none
    when no kind applies to the user."""
    return sum(count_each(User.objects.filter(pk=user.pk), kinds))


def participation_todo_count(user: User) -> int:
    """How many participation items wait for the user, as ``todo_for`` lists them: one
    query, none when no kind applies to the user (no home unit and no role)."""
    return _count_kinds(user, _participation_kinds(user))


def todo_count(user: User) -> int:
    """The number in the header counter: two queries, one for the ledger and one for every
    other kind (a subquery each). Each kind stops counting at ``TODO_COUNT_CAP``, past which
    the header shows "99+": a province's office must not count ten thousand records waiting
    on every page it opens."""
    kinds = [
        records_to_review(user).order_by().values("pk"),
        records_returned_to(user).order_by().values("pk"),
        pending_actions_for_user(user).order_by().values("pk"),
        *_participation_kinds(user),
        *_brief_kinds(user),
    ]
    return ledger_todo_count(user) + _count_kinds(user, [qs[:TODO_COUNT_CAP] for qs in kinds])


def _count_key(user_id: int) -> str:
    return f"taolun:todo-count:{user_id}"


def header_todo_count(user: User) -> int:
    """``todo_count`` as the header shows it on every page: remembered for
    ``TAOLUN_TODO_COUNT_SECONDS``, so a page costs the count's queries once a minute, not on
    every view. The user's own writes forget it (``forget_todo_count``), so what they just
    did shows at once; what others did shows within that time."""
    seconds = settings.TAOLUN_TODO_COUNT_SECONDS
    if seconds <= 0:
        return todo_count(user)
    key = _count_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = todo_count(user)
        cache.set(key, count, seconds)
    return count


def remember_todo_count(user: User, count: int) -> None:
    """Keep a count just made exactly (the to-do page's) for the header."""
    if settings.TAOLUN_TODO_COUNT_SECONDS > 0:
        cache.set(_count_key(user.pk), count, settings.TAOLUN_TODO_COUNT_SECONDS)


def forget_todo_count(user_id: int) -> None:
    cache.delete(_count_key(user_id))
