"""The transition table's shape and the warning lights: Python and SQL agree everywhere."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from taolun.rectification.models import (
    FINAL,
    TRANSITIONS,
    Light,
    Problem,
    ProblemKind,
    ProblemState,
)
from taolun.rectification.selectors import with_light

D = dt.date
TODAY = D(2019, 4, 10)


def test_final_states_have_no_way_out_but_reopening_and_the_rest_may_be_carried_over():
    for (start, to), verb in TRANSITIONS.items():
        if start in FINAL:
            assert (start, to, verb) == (ProblemState.VERIFIED, ProblemState.IN_PROGRESS, "reopen")
    for state in ProblemState:
        legal = (state, ProblemState.CARRIED_OVER) in TRANSITIONS
        assert legal == (state not in FINAL)
    assert all(to != ProblemState.DRAFT for _start, to in TRANSITIONS)


def test_the_happy_path_is_in_the_table():
    path = [
        ProblemState.DRAFT,
        ProblemState.OPEN,
        ProblemState.IN_PROGRESS,
        ProblemState.COMPLETED,
        ProblemState.VERIFIED,
    ]
    assert [TRANSITIONS[pair] for pair in itertools.pairwise(path)] == [
        "open",
        "start",
        "complete",
        "verify",
    ]
    assert TRANSITIONS[(ProblemState.COMPLETED, ProblemState.IN_PROGRESS)] == "send_back"


OFFSETS = [None, -10, -1, 0, 1, 3, 4, 5, 6, 30]
COMPLETED_OFFSETS = [None, -2, 0, 2]


def _rows(org):
    """One problem per (state, deadline offset, completion offset) combination."""
    problems = []
    combinations = itertools.product(ProblemState, OFFSETS, COMPLETED_OFFSETS)
    for n, (state, offset, done) in enumerate(combinations, start=1):
        deadline = None if offset is None else TODAY + dt.timedelta(days=offset)
        completed = None if done is None or deadline is None else deadline + dt.timedelta(days=done)
        problems.append(
            Problem(
                campaign=org.campaign,
                ledger_number=f"T-{n:04d}",
                description="问题",
                unit=org.branch1,
                deadline=deadline,
                kind=ProblemKind.LONG_TERM if deadline is None else ProblemKind.DEADLINE,
                state=state,
                completed_on=completed,
                created_by=org.contact1,
            )
        )
    Problem.objects.bulk_create(problems)
    return len(problems)


@pytest.mark.parametrize("days", [3, 5])
def test_python_and_sql_lights_agree_on_every_combination(org, settings, days):
    settings.TAOLUN_LEDGER_WARNING_DAYS = days
    count = _rows(org)
    rows = list(with_light(Problem.objects.all(), TODAY))
    assert len(rows) == count
    seen = set()
    for problem in rows:
        assert problem.lamp == problem.light(TODAY), (
            problem.state,
            problem.deadline,
            problem.completed_on,
        )
        seen.add(problem.lamp)
    assert seen == set(Light)


def test_light_rules(org, settings):
    settings.TAOLUN_LEDGER_WARNING_DAYS = 3

    def light(state=ProblemState.OPEN, days=None, completed=None):
        deadline = None if days is None else TODAY + dt.timedelta(days=days)
        return Problem(state=state, deadline=deadline, completed_on=completed).light(TODAY)

    assert light(days=4) == Light.GREEN
    assert light(days=3) == Light.YELLOW
    assert light(days=0) == Light.YELLOW
    assert light(days=-1) == Light.RED
    assert light(days=None) == Light.GREEN
    assert light(ProblemState.VERIFIED, days=-5) == Light.NONE
    assert light(ProblemState.CARRIED_OVER, days=-5) == Light.NONE
    # A claim of completion freezes the light where it found it.
    assert light(ProblemState.COMPLETED, days=-5, completed=TODAY - dt.timedelta(days=6)) == (
        Light.GREEN
    )
    assert light(ProblemState.COMPLETED, days=-5, completed=TODAY) == Light.RED
    assert light(ProblemState.COMPLETED, days=1, completed=TODAY) == Light.GREEN


def test_warning_days_default_to_three(org, settings):
    del settings.TAOLUN_LEDGER_WARNING_DAYS
    problem = Problem(state=ProblemState.OPEN, deadline=TODAY + dt.timedelta(days=3))
    assert problem.light(TODAY) == Light.YELLOW
    problem.deadline = TODAY + dt.timedelta(days=4)
    assert problem.light(TODAY) == Light.GREEN
