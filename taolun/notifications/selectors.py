"""What is waiting for a user: derived from the work itself, so it can never go stale."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Q, QuerySet, Subquery

from taolun.activities.meeting_selectors import check_materials_due
from taolun.activities.models import ActivityRecord, Meeting
from taolun.activities.selectors import records_returned_to, records_to_review
from taolun.campaigns.models import Action
from taolun.campaigns.selectors import pending_actions_for_user
from taolun.discussion.selectors import Unanswered, unanswered_by_campaign, unanswered_opinions
from taolun.org.models import Post, Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import scope_for
from taolun.rectification.models import ExtensionRequest, Problem, warning_days
from taolun.rectification.selectors import (
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


@dataclass
class Todo:
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

    @property
    def total(self) -> int:
        return sum(
            len(items)
            for items in (
                self.to_review,
                self.returned,
                self.to_approve,
                self.to_verify,
                self.extensions,
                self.flagged,
                self.sent_back,
                self.to_evaluate,
                self.to_study,
                self.to_check,
                self.to_answer,
                self.briefs_to_sign,
                self.briefs_returned,
            )
        ) + len(self.briefs_to_review)


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


def todo_for(user: User) -> Todo:
    return Todo(
        to_review=list(records_to_review(user)),
        returned=list(records_returned_to(user)),
        to_approve=list(pending_actions_for_user(user)),
        to_verify=list(problems_to_verify(user)),
        extensions=list(extensions_to_decide(user)),
        flagged=list(flagged_problems(user)),
        sent_back=list(problems_sent_back(user)),
        to_evaluate=list(evaluations_to_vote(user)),
        to_study=list(study_due(user, within_days=warning_days())),
        to_check=list(check_materials_due(user)),
        to_answer=unanswered_by_campaign(user),
        **_briefs_waiting(user),
        briefs_to_review=briefs_to_review_by_campaign(user),
    )


def _briefs_waiting(user: User) -> dict[str, list[Brief]]:
    """Briefs to sign off and briefs returned to the user, read in one query."""
    if not user.is_authenticated:
        return {"briefs_to_sign": [], "briefs_returned": []}
    rows = (
        Brief.objects.filter(_to_sign_q(user) | _returned_q(user))
        .select_related("unit", "campaign", "author")
        .order_by("updated_at", "id")
    )
    waiting: dict[str, list[Brief]] = {"briefs_to_sign": [], "briefs_returned": []}
    for brief in rows:
        key = "briefs_returned" if brief.state == BriefState.RETURNED else "briefs_to_sign"
        waiting[key].append(brief)
    return waiting


class _CountOf(Subquery):
    """``COUNT(*)`` of a queryset as a scalar subquery: one row, even when nothing matches."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


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
    counts = {f"n{i}": _CountOf(qs) for i, qs in enumerate(kinds) if not qs.query.is_empty()}
    if not counts:
        return 0
    rows = User.objects.filter(pk=user.pk).annotate(**counts).values_list(*counts)
    return sum(sum(values) for values in rows)


def participation_todo_count(user: User) -> int:
    """How many participation items wait for the user, as ``todo_for`` lists them: one
    query, none when no kind applies to the user (no home unit and no role)."""
    return _count_kinds(user, _participation_kinds(user))


def todo_count(user: User) -> int:
    """The number in the header counter: three COUNT queries, at most one for the ledger and
    one for participation and briefs together."""
    return (
        records_to_review(user).count()
        + records_returned_to(user).count()
        + pending_actions_for_user(user).count()
        + ledger_todo_count(user)
        + _count_kinds(user, _participation_kinds(user) + _brief_kinds(user))
    )
