"""What is waiting for a user: derived from the work itself, so it can never go stale."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import IntegerField, QuerySet, Subquery

from taolun.activities.meeting_selectors import check_materials_due
from taolun.activities.models import ActivityRecord, Meeting
from taolun.activities.selectors import records_returned_to, records_to_review
from taolun.campaigns.models import Action
from taolun.campaigns.selectors import pending_actions_for_user
from taolun.discussion.selectors import Unanswered, unanswered_by_campaign, unanswered_opinions
from taolun.org.models import User
from taolun.rectification.models import ExtensionRequest, Problem, warning_days
from taolun.rectification.selectors import (
    evaluations_to_vote,
    extensions_to_decide,
    flagged_problems,
    ledger_todo_count,
    problems_sent_back,
    problems_to_verify,
)
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
            )
        )


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
    )


class _CountOf(Subquery):
    """``COUNT(*)`` of a queryset as a scalar subquery: one row, even when nothing matches."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def participation_todo_count(user: User) -> int:
    """How many participation items wait for the user, as ``todo_for`` lists them.

    One query (a subquery count per kind of item), none when no kind applies to the user
    (no home unit and no role). Opinions count one item per campaign, as they are listed.
    """
    kinds: list[QuerySet] = [
        study_due(user, within_days=warning_days()).order_by().values("pk"),
        check_materials_due(user).order_by().values("pk"),
        unanswered_opinions(user).order_by().values("topic__campaign").distinct(),
    ]
    counts = {f"n{i}": _CountOf(qs) for i, qs in enumerate(kinds) if not qs.query.is_empty()}
    if not counts:
        return 0
    rows = User.objects.filter(pk=user.pk).annotate(**counts).values_list(*counts)
    return sum(sum(values) for values in rows)


def todo_count(user: User) -> int:
    """The number in the header counter: three COUNT queries, at most one for the ledger and
    one for participation."""
    return (
        records_to_review(user).count()
        + records_returned_to(user).count()
        + pending_actions_for_user(user).count()
        + ledger_todo_count(user)
        + participation_todo_count(user)
    )
