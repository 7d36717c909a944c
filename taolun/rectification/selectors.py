"""Reads of the ledger, scoped to the user; lights and counts are computed in SQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from taolun.campaigns.models import Campaign, Theme
from taolun.org.models import Unit, User
from taolun.org.selectors import scoped
from taolun.rectification.models import (
    LIVE,
    Light,
    Problem,
    ProblemState,
    ProgressUpdate,
    Rating,
    SatisfactionVote,
    light_expression,
)

# Sort keys a ledger page may offer, mapped to the columns they order by.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "number": ("ledger_number",),
    "-number": ("-ledger_number",),
    "deadline": ("deadline", "ledger_number"),
    "-deadline": ("-deadline", "ledger_number"),
    "unit": ("unit__path", "ledger_number"),
    "state": ("state", "deadline", "ledger_number"),
    "light": ("lamp_order", "deadline", "ledger_number"),
}
DEFAULT_ORDERING = "deadline"


def problems_for_user(user: User, campaign: Campaign | None = None) -> QuerySet[Problem]:
    """Problems of units in the user's scope (any role reads), with what a ledger row shows."""
    qs = scoped(Problem.objects.all(), user).select_related(
        "campaign__owner_unit",
        "unit",
        "theme",
        "responsible_leader",
        "person_in_charge",
        "created_by",
        "verified_by",
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def get_problem_for_user(user: User, pk: int) -> Problem:
    """The problem, or 404 when it does not exist or lies outside the user's scope."""
    problem = problems_for_user(user).filter(pk=pk).first()
    if problem is None:
        raise Http404
    return problem


def with_light(qs: QuerySet[Problem], today: dt.date) -> QuerySet[Problem]:
    """Annotate each row with its warning light (``lamp``) and a sort rank (``lamp_order``).

    Named ``lamp`` so the annotation does not hide the model's ``light(today)`` method.
    """
    rank = Case(
        *(
            When(lamp=light, then=Value(i))
            for i, light in enumerate((Light.RED, Light.YELLOW, Light.GREEN, Light.NONE))
        ),
        output_field=IntegerField(),
    )
    return qs.annotate(lamp=light_expression(today)).annotate(lamp_order=rank)


def ledger(
    qs: QuerySet[Problem],
    *,
    today: dt.date,
    unit: str | None = None,
    theme: Theme | int | None = None,
    source: str | None = None,
    state: str | None = None,
    overdue: bool | None = None,
    deadline_from: dt.date | None = None,
    deadline_to: dt.date | None = None,
    responsible_leader: User | int | None = None,
    ordering: str | None = None,
) -> QuerySet[Problem]:
    """Filter and sort an already scoped queryset of problems the way the ledger page asks.

    ``unit`` is a unit slug and keeps that unit's whole subtree; ``overdue`` keeps (or,
    False, drops) rows whose light is red. Unknown sort keys fall back to the default.
    """
    qs = with_light(qs, today)
    if unit:
        path = Unit.objects.filter(slug=unit).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        qs = qs.filter(unit__path__startswith=path)
    if theme:
        qs = qs.filter(theme=theme)
    if source:
        qs = qs.filter(source=source)
    if state:
        qs = qs.filter(state=state)
    if overdue is not None:
        qs = qs.filter(lamp=Light.RED) if overdue else qs.exclude(lamp=Light.RED)
    if deadline_from:
        qs = qs.filter(deadline__gte=deadline_from)
    if deadline_to:
        qs = qs.filter(deadline__lte=deadline_to)
    if responsible_leader:
        qs = qs.filter(responsible_leader=responsible_leader)
    return qs.order_by(*ORDERINGS.get(ordering or DEFAULT_ORDERING, ORDERINGS[DEFAULT_ORDERING]))


@dataclass(frozen=True)
class LedgerCounts:
    by_state: dict[str, int]
    by_light: dict[str, int]
    total: int


def ledger_counts(qs: QuerySet[Problem], today: dt.date) -> LedgerCounts:
    """How many problems are in each state and under each light: one query."""
    rows = (
        qs.order_by()
        .annotate(lamp=light_expression(today))
        .values("state", "lamp")
        .annotate(n=Count("id"))
    )
    by_state = Counter({s.value: 0 for s in ProblemState})
    by_light = Counter({light.value: 0 for light in Light})
    for row in rows:
        by_state[row["state"]] += row["n"]
        by_light[row["lamp"]] += row["n"]
    return LedgerCounts(
        by_state=dict(by_state), by_light=dict(by_light), total=sum(by_state.values())
    )


@dataclass(frozen=True)
class RectificationCounts:
    open: int
    overdue: int
    verified_on_time: int
    verified_late: int
    votes: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    flagged: int = 0

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of votes satisfied or basically satisfied, or None before any vote."""
        if not self.votes:
            return None
        return (self.satisfied + self.basically_satisfied) / self.votes


def rectification_counts(
    campaign: Campaign, unit: Unit | None, today: dt.date
) -> RectificationCounts:
    """Counts for a unit page or a campaign page (``unit`` None: the whole campaign).

    Open means on the ledger and not closed (open, in progress, awaiting verification);
    a verified problem was on time when its completion was claimed by its deadline
    (deadline as last extended; a problem without deadline is on time).
    """
    qs = Problem.objects.filter(campaign=campaign)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    late = Q(completed_on__gt=F("deadline"))
    verified = Q(state=ProblemState.VERIFIED)
    agg = (
        _with_round_counts(qs)
        .annotate(lamp=light_expression(today))
        .aggregate(
            open=Count("id", filter=Q(state__in=LIVE)),
            overdue=Count("id", filter=Q(state__in=LIVE, lamp=Light.RED)),
            verified_on_time=Count("id", filter=verified & ~late),
            verified_late=Count("id", filter=verified & late),
            flagged=Count("id", filter=FLAGGED),
        )
    )
    by_rating = current_votes(qs).aggregate(
        votes=Count("id"),
        **{r.value: Count("id", filter=Q(rating=r)) for r in Rating},
    )
    return RectificationCounts(**agg, **by_rating)


def current_votes(problems: QuerySet[Problem]) -> QuerySet[SatisfactionVote]:
    """The votes of each problem's current evaluation round."""
    return SatisfactionVote.objects.filter(
        problem__in=problems.order_by().values("pk"), round=F("problem__evaluation_round")
    )


def _round_count(rating: str | None = None):
    votes = SatisfactionVote.objects.filter(
        problem=OuterRef("pk"), round=OuterRef("evaluation_round")
    )
    if rating:
        votes = votes.filter(rating=rating)
    return Subquery(
        votes.order_by().values("problem").annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField(),
    )


# Verified, and more than half of the votes cast say unsatisfied: the office should
# reopen it (接受群众检验). Needs the annotations of _with_round_counts.
FLAGGED = Q(state=ProblemState.VERIFIED, vote_unsatisfied__gt=F("vote_total") / 2.0)


def _with_round_counts(qs: QuerySet[Problem]) -> QuerySet[Problem]:
    return qs.annotate(
        vote_total=Coalesce(_round_count(), 0),
        vote_unsatisfied=Coalesce(_round_count(Rating.UNSATISFIED), 0),
    )


def with_evaluation(qs: QuerySet[Problem]) -> QuerySet[Problem]:
    """Annotate the current round's ``vote_total``, ``vote_unsatisfied`` and ``flagged``."""
    return _with_round_counts(qs).annotate(
        flagged=ExpressionWrapper(FLAGGED, output_field=BooleanField())
    )


@dataclass(frozen=True)
class EvaluationResults:
    round: int
    counts: dict[str, int]
    total: int
    comments: list[tuple[str, str]]  # (rating label, comment), never the voter

    @property
    def flagged(self) -> bool:
        return self.total > 0 and self.counts[Rating.UNSATISFIED] * 2 > self.total

    def rows(self) -> list[tuple[str, int]]:
        """(label, count) in the order of the ratings, for a table beside the problem."""
        return [(r.label, self.counts[r.value]) for r in Rating]


def evaluation_results(problem: Problem, round: int | None = None) -> EvaluationResults:
    """Counts and anonymous comments of one round (the current one unless told): 2 queries."""
    round = problem.evaluation_round if round is None else round
    votes = SatisfactionVote.objects.filter(problem=problem, round=round)
    counts = Counter({r.value: 0 for r in Rating})
    for row in votes.order_by().values("rating").annotate(n=Count("id")):
        counts[row["rating"]] = row["n"]
    comments = [
        (Rating(rating).label, comment)
        for rating, comment in votes.exclude(comment="")
        .order_by("id")
        .values_list("rating", "comment")
    ]
    return EvaluationResults(
        round=round, counts=dict(counts), total=sum(counts.values()), comments=comments
    )


def vote_of(user: User, problem: Problem) -> SatisfactionVote | None:
    """The user's own vote in the current round, if any."""
    return SatisfactionVote.objects.filter(
        problem=problem, round=problem.evaluation_round, voter=user
    ).first()


def latest_updates(problems: list[Problem]) -> dict[int, ProgressUpdate]:
    """The latest progress update of each problem, for ledger rows: two queries."""
    ids = [p.pk for p in problems]
    if not ids:
        return {}
    newest = (
        ProgressUpdate.objects.filter(problem=OuterRef("pk"))
        .order_by("-reported_on", "-id")
        .values("id")[:1]
    )
    update_ids = (
        Problem.objects.filter(pk__in=ids)
        .annotate(latest=Subquery(newest))
        .exclude(latest=None)
        .values_list("latest", flat=True)
    )
    updates = ProgressUpdate.objects.filter(pk__in=list(update_ids)).select_related("author")
    return {u.problem_id: u for u in updates}
