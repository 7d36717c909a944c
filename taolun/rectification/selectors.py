"""Reads of the ledger, scoped to the user; lights and counts are computed in SQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign, Theme
from taolun.campaigns.selectors import campaign_units_for_user, campaigns_for_user
from taolun.core.history import AUDIT_ACTIONS
from taolun.core.queries import count_each
from taolun.org.models import Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import people_for_user, scope_for, scoped
from taolun.rectification.models import (
    LIVE,
    ExtensionRequest,
    ExtensionState,
    Light,
    Measure,
    Problem,
    ProblemState,
    ProgressAttachment,
    ProgressUpdate,
    Rating,
    SatisfactionVote,
    light_expression,
)
from taolun.rectification.sources import SOURCE_KINDS

# Sort keys a ledger page may offer, mapped to the columns they order by.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "number": ("ledger_number",),
    "-number": ("-ledger_number",),
    "deadline": ("deadline", "ledger_number"),
    "-deadline": ("-deadline", "ledger_number"),
    "unit": ("unit__path", "ledger_number"),
    "-unit": ("-unit__path", "ledger_number"),
    "state": ("state_order", "deadline", "ledger_number"),
    "-state": ("-state_order", "deadline", "ledger_number"),
    "light": ("lamp_order", "deadline", "ledger_number"),
    "-light": ("-lamp_order", "deadline", "ledger_number"),
}
DEFAULT_ORDERING = "deadline"
# States sort in the order a problem moves through them, not alphabetically.
_STATE_ORDER = Case(
    *(When(state=state, then=Value(i)) for i, state in enumerate(ProblemState)),
    output_field=IntegerField(),
)


# What a problem's page shows besides the problem's own fields.
PROBLEM_RELATED = (
    "campaign__owner_unit",
    "unit",
    "theme",
    "responsible_leader",
    "person_in_charge",
    "created_by",
    "verified_by",
)
# What a ledger row shows besides the problem's own fields.
LEDGER_ROW_RELATED = ("unit", "theme", "responsible_leader", "person_in_charge")


def problems_for_user(
    user: User,
    campaign: Campaign | None = None,
    *,
    related: tuple[str, ...] = PROBLEM_RELATED,
) -> QuerySet[Problem]:
    """Problems of units in the user's scope (any role reads), read with the ``related``
    rows the caller shows (a problem's page by default). Ask for fewer where fewer are
    shown: each joined table adds to the query's planning more than to its reading.

    Members of the units concerned also read a problem while it is open to their
    evaluation (接受群众检验), even when it lies above their own unit or belongs to
    another unit they supported.
    """
    visible = scope_for(user).q()
    evaluator = _evaluator_q(user)
    if evaluator is not None:
        visible |= evaluator
    qs = Problem.objects.filter(visible).select_related(*related)
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
    light: str | None = None,
) -> QuerySet[Problem]:
    """Filter and sort an already scoped queryset of problems the way the ledger page asks.

    ``unit`` is a unit slug and keeps that unit's whole subtree; ``overdue`` keeps (or,
    False, drops) rows whose light is red; ``light`` keeps one light. Unknown sort keys
    fall back to the default.
    """
    qs = with_light(qs, today).annotate(state_order=_STATE_ORDER)
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
    if light:
        qs = qs.filter(lamp=light)
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
    return _counts(qs, today)


def _counts(qs: QuerySet[Problem], today: dt.date) -> RectificationCounts:
    late = Q(completed_on__gt=F("deadline"))
    verified = Q(state=ProblemState.VERIFIED)
    agg = qs.annotate(lamp=light_expression(today)).aggregate(
        open=Count("id", filter=Q(state__in=LIVE)),
        overdue=Count("id", filter=Q(state__in=LIVE, lamp=Light.RED)),
        verified_on_time=Count("id", filter=verified & ~late),
        verified_late=Count("id", filter=verified & late),
    )
    return RectificationCounts(**agg, **_vote_counts(qs))


def _vote_counts(problems: QuerySet[Problem]) -> dict[str, int]:
    """The current rounds' votes by rating and how many problems they flag (``FLAGGED``:
    more than half unsatisfied), in one query: counted per problem, then summed. Cheaper
    than the per-problem vote subqueries of ``_with_round_counts`` over every problem."""
    unsatisfied = f"n_{Rating.UNSATISFIED.value}"
    per_problem = (
        current_votes(problems)
        .order_by()
        .values("problem")
        .annotate(
            total=Count("id"), **{f"n_{r.value}": Count("id", filter=Q(rating=r)) for r in Rating}
        )
    )
    return per_problem.aggregate(
        votes=Coalesce(Sum("total"), 0),
        **{r.value: Coalesce(Sum(f"n_{r.value}"), 0) for r in Rating},
        flagged=Count("problem", filter=Q(**{f"{unsatisfied}__gt": F("total") / 2.0})),
    )


def current_votes(problems: QuerySet[Problem]) -> QuerySet[SatisfactionVote]:
    """The votes of each verified problem's current evaluation round (a reopened one's
    votes judged a fix that no longer stands)."""
    return SatisfactionVote.objects.filter(
        problem__in=problems.order_by().values("pk"),
        problem__state=ProblemState.VERIFIED,
        round=F("problem__evaluation_round"),
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


def _with_round_counts(qs: QuerySet[Problem], *, flaggable_only: bool = False) -> QuerySet[Problem]:
    """Annotate the current round's vote counts. ``flaggable_only`` counts them for verified
    problems that were put to evaluation and gives 0 elsewhere: the database then runs the
    vote subqueries for those few rows only, not for every problem of a province (the header
    counter and the office's to-do list need no more)."""
    total, unsatisfied = Coalesce(_round_count(), 0), Coalesce(_round_count(Rating.UNSATISFIED), 0)
    if flaggable_only:
        flaggable = Q(state=ProblemState.VERIFIED, evaluation_round__gt=0)
        total = Case(When(flaggable, then=total), default=Value(0))
        unsatisfied = Case(When(flaggable, then=unsatisfied), default=Value(0))
    return qs.annotate(vote_total=total, vote_unsatisfied=unsatisfied)


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


# ---------------------------------------------------------------- what the pages read


def units_for_problems(campaign: Campaign, user: User) -> QuerySet[Unit]:
    """Units of the campaign where ``user`` may record a problem: ``add_problem`` in SQL.

    The same roles as ``rules.is_contact_or_office``, asked of the whole list at once.
    """
    roles = [Role.CONTACT, Role.OFFICE]
    return campaign_units_for_user(campaign, user).filter(
        scope_for(user).q(unit_field="", roles=roles)
    )


def people_for_problems(campaign: Campaign, user: User) -> QuerySet[User]:
    """People of the campaign's units in the user's scope, by unit: leaders and owners."""
    return (
        people_for_user(user)
        .filter(unit__path__startswith=campaign.owner_unit.path)
        .select_related("unit")
        .order_by("unit__path", "name", "pk")
    )


@dataclass(frozen=True)
class CampaignLedger:
    """A campaign with the size of its ledger as the user sees it."""

    campaign: Campaign
    total: int = 0
    live: int = 0
    overdue: int = 0


def ledger_campaigns(user: User, today: dt.date) -> list[CampaignLedger]:
    """Campaigns the user can see with their problems in scope counted: two queries."""
    campaigns = list(
        campaigns_for_user(user).select_related("owner_unit").order_by("-starts_on", "slug")
    )
    if not campaigns:
        return []
    rows = (
        problems_for_user(user)
        .filter(campaign__in=[c.pk for c in campaigns])
        .order_by()
        .annotate(lamp=light_expression(today))
        .values("campaign")
        .annotate(
            total=Count("id"),
            live=Count("id", filter=Q(state__in=LIVE)),
            overdue=Count("id", filter=Q(state__in=LIVE, lamp=Light.RED)),
        )
    )
    counted = {row.pop("campaign"): row for row in rows}
    return [CampaignLedger(campaign=c, **counted.get(c.pk, {})) for c in campaigns]


def get_extension_for_user(user: User, pk: int) -> ExtensionRequest:
    """The extension request, or 404 when its problem lies outside the user's scope."""
    extension = (
        scoped(ExtensionRequest.objects.all(), user, unit_field="problem__unit")
        .select_related("problem__campaign__owner_unit", "problem__unit")
        .filter(pk=pk)
        .first()
    )
    if extension is None:
        raise Http404
    return extension


def get_attachment_for_user(user: User, pk: int) -> ProgressAttachment:
    """A progress attachment, or 404 when its problem lies outside the user's scope."""
    # Through problems_for_user: whoever reads the problem reads its evidence.
    attachment = (
        ProgressAttachment.objects.filter(
            update__problem__in=problems_for_user(user).order_by().values("pk")
        )
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def problem_updates(problem: Problem) -> list[ProgressUpdate]:
    """Progress updates, newest first, with their authors and attachments: two queries."""
    return list(
        problem.updates.select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=ProgressAttachment.objects.order_by("id"))
        )
        .order_by("-reported_on", "-id")
    )


def problem_extensions(problem: Problem) -> list[ExtensionRequest]:
    """Extension requests, newest first: one query; each knows its problem without another."""
    extensions = list(
        problem.extensions.select_related("requested_by", "decided_by").order_by(
            "-requested_at", "-id"
        )
    )
    for extension in extensions:
        extension.problem = problem
    return extensions


def unit_live_problems(
    user: User, campaign: Campaign, unit: Unit, today: dt.date, *, limit: int = 10
) -> list[Problem]:
    """The live problems of the unit's subtree, most urgent first (red, yellow, green)."""
    # A line shows the problem's own fields and its unit.
    qs = problems_for_user(user, campaign, related=("unit",)).filter(
        unit__path__startswith=unit.path, state__in=LIVE
    )
    return list(with_light(qs, today).order_by(*ORDERINGS["light"])[:limit])


def rectification_counts_for_user(
    campaign: Campaign, user: User, today: dt.date
) -> tuple[RectificationCounts, bool]:
    """The campaign page's counts and whether they cover the whole campaign.

    A user whose scope holds the campaign's own unit sees the whole campaign; anyone
    else sees the problems of the units in their scope.
    """
    if scope_for(user).covers(campaign.owner_unit):
        return rectification_counts(campaign, None, today), True
    return _counts(scoped(Problem.objects.filter(campaign=campaign), user), today), False


# ---------------------------------------------------------------- sources


def source_token(obj: Model) -> str:
    """How a page names a source in a link: ``app_label.model:pk``."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def get_source_for_user(user: User, token: str) -> Model:
    """The source a token names, or 404 when its kind is unknown or the user cannot read it."""
    label, _sep, pk = token.partition(":")
    kind = next((k for k in SOURCE_KINDS if k.model.lower() == label.lower()), None)
    if kind is None or not pk.isdigit():
        raise Http404
    source = kind.readable(user).filter(pk=int(pk)).first()
    if source is None:
        raise Http404
    return source


def problems_from_for_user(user: User, obj: Model) -> QuerySet[Problem]:
    """The problems in the user's scope that came from ``obj`` (no content-type lookup)."""
    return (
        problems_for_user(user)
        .filter(
            source_type__app_label=obj._meta.app_label,
            source_type__model=obj._meta.model_name,
            source_id=obj.pk,
        )
        .order_by("ledger_number")
    )


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class ProblemHistoryRow:
    entry: LogEntry
    subject: str
    detail: str
    changes: list[str]

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTIONS.get(self.entry.action, self.entry.get_action_display()))


_SUBJECTS: dict[str, tuple[type[Model], str]] = {
    "problem": (Problem, _("Problem")),
    "measure": (Measure, _("Measure")),
    "progressupdate": (ProgressUpdate, _("Progress update")),
    "progressattachment": (ProgressAttachment, _("Attachment")),
    "extensionrequest": (ExtensionRequest, _("Extension request")),
}
# Rows named by their own text; the others are named by their subject alone.
_NAMED = frozenset({"measure", "progressattachment"})
_HIDDEN_FIELDS = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "problem",
        "update",
        "order",
        "updates",
        "votes",
        "extensions",
        "measures",
        "attachments",
    }
)
_STATE_LABELS: dict[str, type] = {"problem": ProblemState, "extensionrequest": ExtensionState}


def problem_history(problem: Problem) -> list[ProblemHistoryRow]:
    """The audit trail of the problem and of its measures, updates, files and extensions.

    One query. Satisfaction votes are left out: peers never learn who voted what.
    Measures replaced by an edit are found by the problem named in their deletion.
    """

    def of(model: str, **lookups) -> Q:
        return Q(content_type__model=model, **lookups)

    entries = (
        LogEntry.objects.filter(content_type__app_label="rectification")
        .filter(
            of("problem", object_id=problem.pk)
            | of("measure", object_id__in=Measure.objects.filter(problem=problem).values("pk"))
            | of("measure", action=LogEntry.Action.DELETE, changes__problem__0=str(problem.pk))
            | of(
                "progressupdate",
                object_id__in=ProgressUpdate.objects.filter(problem=problem).values("pk"),
            )
            | of(
                "progressattachment",
                object_id__in=ProgressAttachment.objects.filter(update__problem=problem).values(
                    "pk"
                ),
            )
            | of(
                "extensionrequest",
                object_id__in=ExtensionRequest.objects.filter(problem=problem).values("pk"),
            )
        )
        .select_related("actor", "content_type")
        .order_by("timestamp", "id")
    )
    rows = []
    for entry in entries:
        name = entry.content_type.model
        model, subject = _SUBJECTS[name]
        rows.append(
            ProblemHistoryRow(
                entry=entry,
                subject=str(subject),
                detail=entry.object_repr if name in _NAMED else "",
                changes=_describe(entry, model, _STATE_LABELS.get(name)),
            )
        )
    return rows


def _describe(entry: LogEntry, model: type[Model], states: type | None) -> list[str]:
    """Name the changed fields, the state move and the supporting units added or removed."""
    if entry.action != LogEntry.Action.UPDATE:
        return []
    described = []
    for name, values in (entry.changes or {}).items():
        if name in _HIDDEN_FIELDS:
            continue
        try:
            label = capfirst(str(model._meta.get_field(name).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            label = name
        if isinstance(values, dict) and values.get("type") == "m2m":
            verb = _("added") if values.get("operation") == "add" else _("removed")
            described.append(f"{label}: {verb} {'、'.join(values.get('objects', []))}")
        elif name == "state" and states is not None and len(values) == 2:
            before, after = (_label(states, v) for v in values)
            described.append(f"{label}: {before} → {after}")
        else:
            described.append(label)
    return described


def _label(choices: type, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


# ---------------------------------------------------------------- to-do
#
# Each kind of to-do item is one condition on problems, applicable only to users
# holding the roles it needs (None otherwise), so the header counter asks for all
# of them in one aggregate and the to-do page lists each with the same condition.


def _holds(user: User, *roles: str) -> bool:
    scope = scope_for(user)
    return scope.is_everything or any(scope.by_role.get(r) for r in roles)


def _to_verify_q(user: User) -> Q | None:
    if not _holds(user, Role.OFFICE, Role.LEADER):
        return None
    in_campaign = scope_for(user).q_in_campaign([Role.OFFICE, Role.LEADER], unit_index_first=True)
    return Q(state=ProblemState.COMPLETED) & in_campaign


def _flagged_q(user: User) -> Q | None:
    """Needs the annotations of ``_with_round_counts``."""
    if not _holds(user, Role.OFFICE):
        return None
    flaggable = Q(state=ProblemState.VERIFIED, evaluation_round__gt=0)
    return scope_for(user).q_in_campaign([Role.OFFICE], unit_index_first=True) & flaggable & FLAGGED


def _sent_back_q(user: User) -> Q | None:
    if not _holds(user, Role.CONTACT):
        return None
    returned = ~Q(review_comment="") | Q(reopen_count__gt=0)
    return Q(state=ProblemState.IN_PROGRESS) & returned & scope_for(user).q(roles=[Role.CONTACT])


def _evaluator_q(user: User) -> Q | None:
    """Problems open to evaluation where the user is an evaluator (``rules.is_evaluator``).

    An evaluator belongs to the responsible unit or a supporting unit, or below it: that
    unit's path is a prefix of the path of the user's unit, so the prefixes are listed
    from the path itself, without reading the tree.
    """
    if not user.is_authenticated or not user.is_active or user.unit_id is None:
        return None
    path = user.unit.path
    prefixes = [path[:end] for end in range(Unit.steplen, len(path) + 1, Unit.steplen)]
    supporting = Problem.supporting_units.through.objects.filter(unit__path__in=prefixes).values(
        "problem_id"
    )
    return Q(evaluation_open=True) & (Q(unit__path__in=prefixes) | Q(pk__in=supporting))


def _to_evaluate_q(user: User) -> Q | None:
    """Open evaluations where the user is an evaluator and has not voted yet."""
    evaluator = _evaluator_q(user)
    if evaluator is None:
        return None
    # No OuterRef: the header counter puts this condition inside an aggregate.
    voted = SatisfactionVote.objects.filter(
        voter=user, round=F("problem__evaluation_round")
    ).values("problem_id")
    return evaluator & ~Q(pk__in=voted)


def _todo_problems(condition: Q | None, *, votes: bool = False) -> QuerySet[Problem]:
    if condition is None:
        return Problem.objects.none()
    qs = Problem.objects.all()
    if votes:
        qs = _with_round_counts(qs, flaggable_only=True)
    return qs.filter(condition).select_related("campaign__owner_unit", "unit")


def problems_to_verify(user: User) -> QuerySet[Problem]:
    """Completed problems the user may verify: office or leader inside the campaign."""
    return _todo_problems(_to_verify_q(user)).order_by("completed_on", "id")


def flagged_problems(user: User) -> QuerySet[Problem]:
    """Verified problems most evaluators found unsatisfactory, for the campaign's office."""
    return _todo_problems(_flagged_q(user), votes=True).order_by("verified_on", "id")


def problems_sent_back(user: User) -> QuerySet[Problem]:
    """Problems sent back or reopened to units the user is contact for, still in progress."""
    return _todo_problems(_sent_back_q(user)).order_by("deadline", "id")


def evaluations_to_vote(user: User) -> QuerySet[Problem]:
    """Open evaluations in the user's scope that wait for the user's vote."""
    return _todo_problems(_to_evaluate_q(user)).order_by("verified_on", "id")


def extensions_to_decide(user: User) -> QuerySet[ExtensionRequest]:
    """Pending extension requests the user decides as the campaign's office."""
    if not _holds(user, Role.OFFICE):
        return ExtensionRequest.objects.none()
    return (
        ExtensionRequest.objects.filter(state=ExtensionState.REQUESTED)
        .filter(
            scope_for(user).q_in_campaign(
                [Role.OFFICE],
                unit_field="problem__unit",
                owner_field="problem__campaign__owner_unit",
            )
        )
        .select_related("problem__campaign", "problem__unit", "requested_by")
        .order_by("requested_at", "id")
    )


def _pending_extension_q(user: User) -> Q | None:
    """Problems with an extension request for the office (at most one pending per problem)."""
    if not _holds(user, Role.OFFICE):
        return None
    pending = ExtensionRequest.objects.filter(state=ExtensionState.REQUESTED).values("problem_id")
    return Q(pk__in=pending) & scope_for(user).q_in_campaign([Role.OFFICE], unit_index_first=True)


TODO_COUNT_CAP = 100


def ledger_todo_count(user: User) -> int:
    """How many ledger items wait for the user: one query, none for a user without roles.

    Each kind is counted by its own subquery, so the database plans each one on its own
    indexes (one OR over all kinds made it read a province's problems for a county's
    office). A kind stops counting at ``TODO_COUNT_CAP`` (the header shows "99+"): an office
    with a province's thousands of problems to verify does not count them all on every page.
    A pending extension request is counted by its problem, which has at most one.
    """
    flagged = _flagged_q(user)
    kinds = [
        Problem.objects.filter(condition).order_by().values("pk")[:TODO_COUNT_CAP]
        for condition in (
            _to_verify_q(user),
            _pending_extension_q(user),
            _sent_back_q(user),
            _to_evaluate_q(user),
        )
        if condition is not None
    ]
    if flagged is not None:
        flaggable = _with_round_counts(Problem.objects.all(), flaggable_only=True)
        kinds.append(flaggable.filter(flagged).order_by().values("pk")[:TODO_COUNT_CAP])
    if not kinds:
        return 0
    return sum(count_each(User.objects.filter(pk=user.pk), kinds))


def problem_theme_suggestions(problem: Problem) -> list:
    """Suggested themes for a problem not yet filed under one (``taolun.textmine.themes``)."""
    if problem.theme_id is not None:
        return []
    return theme_suggestions_for_text(
        problem.campaign_id, problem.description, problem.target_standard
    )


def theme_suggestions_for_text(campaign_id: int, *texts: str) -> list:
    """Suggested themes for what is being typed into a problem's form (empty for no text)."""
    from taolun.textmine.themes import suggestions_for
    from taolun.textmine.words import plain

    text = "\n".join(plain(t or "") for t in texts).strip()
    if not text:
        return []
    return suggestions_for(campaign_id, {0: text})[0]
