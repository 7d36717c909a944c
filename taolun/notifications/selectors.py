"""What is waiting for a user: derived from the work itself, so it can never go stale."""

from __future__ import annotations

from dataclasses import dataclass, field

from taolun.activities.models import ActivityRecord
from taolun.activities.selectors import records_returned_to, records_to_review
from taolun.campaigns.models import Action
from taolun.campaigns.selectors import pending_actions_for_user
from taolun.org.models import User
from taolun.rectification.models import ExtensionRequest, Problem
from taolun.rectification.selectors import (
    evaluations_to_vote,
    extensions_to_decide,
    flagged_problems,
    ledger_todo_count,
    problems_sent_back,
    problems_to_verify,
)


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
    )


def todo_count(user: User) -> int:
    """The number in the header counter: three COUNT queries, and at most two for the ledger."""
    return (
        records_to_review(user).count()
        + records_returned_to(user).count()
        + pending_actions_for_user(user).count()
        + ledger_todo_count(user)
    )
