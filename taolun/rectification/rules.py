"""Who may do what with the ledger (django ``rules``).

``WHO`` says, per verb of the TRANSITIONS table, which roles may make the move; the
services check it and then the table. The ``*_problem`` permissions combine both, so a
page asks one question to decide whether to offer a button.
"""

from __future__ import annotations

import rules

from taolun.org.predicates import (
    in_scope,
    is_campaign_office,
    is_campaign_office_or_leader,
    is_contact_or_office,
)
from taolun.rectification.models import (
    EDITABLE,
    TRANSITIONS,
    WORKING,
    ExtensionState,
    ProblemState,
)

# Unit contacts of the responsible unit (and the office over it) keep the ledger; the
# campaign's own office and leaders sign off; the campaign's office alone carries over.
WHO: dict[str, rules.Predicate] = {
    "open": is_contact_or_office,
    "start": is_contact_or_office,
    "complete": is_contact_or_office,
    "send_back": is_campaign_office_or_leader,
    "verify": is_campaign_office_or_leader,
    "carry_over": is_campaign_office,
    "reopen": is_campaign_office,
}


def can_now(verb: str) -> rules.Predicate:
    """True when the problem's current state has a legal move named ``verb``."""

    def check(user, problem) -> bool:
        return problem is not None and any(
            v == verb and start == problem.state for (start, _to), v in TRANSITIONS.items()
        )

    return rules.predicate(check, name=f"can_now({verb})")


@rules.predicate
def is_editable(user, problem) -> bool:
    return problem is not None and problem.state in EDITABLE


@rules.predicate
def is_working(user, problem) -> bool:
    return problem is not None and problem.state in WORKING


@rules.predicate
def is_pending(user, extension) -> bool:
    return extension is not None and extension.state == ExtensionState.REQUESTED


@rules.predicate
def extension_problem_in_campaign_office(user, extension) -> bool:
    return extension is not None and is_campaign_office.test(user, extension.problem)


@rules.predicate
def is_verified(user, problem) -> bool:
    return problem is not None and problem.state == ProblemState.VERIFIED


@rules.predicate
def evaluation_is_open(user, problem) -> bool:
    return problem is not None and problem.evaluation_open


@rules.predicate
def is_evaluator(user, problem) -> bool:
    """A member of the units concerned: the responsible or a supporting unit, or below."""
    if problem is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.unit_id is None:
        return False
    path = user.unit.path
    concerned = [problem.unit.path, *(u.path for u in problem.supporting_units.all())]
    return any(path.startswith(p) for p in concerned)


# Object: a Unit for add_problem, a Problem otherwise (an ExtensionRequest for decide).
rules.add_perm("rectification.view_problem", in_scope)
rules.add_perm("rectification.add_problem", is_contact_or_office)
rules.add_perm("rectification.change_problem", is_contact_or_office & is_editable)
rules.add_perm("rectification.add_progress", is_contact_or_office & is_working)
rules.add_perm("rectification.request_extension", is_contact_or_office & is_working)
rules.add_perm("rectification.decide_extension", extension_problem_in_campaign_office & is_pending)
rules.add_perm(
    "rectification.open_evaluation", is_campaign_office & is_verified & ~evaluation_is_open
)
rules.add_perm("rectification.close_evaluation", is_campaign_office & evaluation_is_open)
rules.add_perm("rectification.vote_problem", evaluation_is_open & is_evaluator)
for _verb, _who in WHO.items():
    rules.add_perm(f"rectification.{_verb}_problem", _who & can_now(_verb))
