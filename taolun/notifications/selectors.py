"""What is waiting for a user: derived from the work itself, so it can never go stale."""

from __future__ import annotations

from dataclasses import dataclass, field

from taolun.activities.models import ActivityRecord
from taolun.activities.selectors import records_returned_to, records_to_review
from taolun.campaigns.models import Action
from taolun.campaigns.selectors import pending_actions_for_user
from taolun.org.models import User


@dataclass
class Todo:
    to_review: list[ActivityRecord] = field(default_factory=list)
    returned: list[ActivityRecord] = field(default_factory=list)
    to_approve: list[Action] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.to_review) + len(self.returned) + len(self.to_approve)


def todo_for(user: User) -> Todo:
    return Todo(
        to_review=list(records_to_review(user)),
        returned=list(records_returned_to(user)),
        to_approve=list(pending_actions_for_user(user)),
    )


def todo_count(user: User) -> int:
    """The number in the header counter; three COUNT queries."""
    return (
        records_to_review(user).count()
        + records_returned_to(user).count()
        + pending_actions_for_user(user).count()
    )
