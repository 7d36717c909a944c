"""Reading the ledger: scope, filters, ordering, counts in SQL, queries that do not grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from taolun.rectification.models import Light, ProblemSource, ProblemState
from taolun.rectification.selectors import (
    get_problem_for_user,
    latest_updates,
    ledger,
    ledger_counts,
    problems_for_user,
    rectification_counts,
)
from taolun.rectification.tests.factories import evidence, make_problem, put

D = dt.date
S = ProblemState
TODAY = D(2019, 4, 10)


@pytest.fixture
def ledger_rows(org):
    """b1-late: overdue; b1-soon: due in 2 days; b2-far: green; b2-ontime/late: verified."""
    theme = org.campaign.themes.get()
    rows = {
        "b1-late": make_problem(org, deadline=D(2019, 4, 1), theme=theme, open_now=True),
        "b1-soon": make_problem(
            org, deadline=D(2019, 4, 12), source=ProblemSource.STAFF_OPINION, open_now=True
        ),
        "b2-far": make_problem(
            org, unit="branch2", deadline=D(2019, 6, 1), responsible_leader=org.leader
        ),
        "b2-ontime": make_problem(org, unit="branch2", deadline=D(2019, 4, 1)),
        "b2-late": make_problem(org, unit="branch2", deadline=D(2019, 4, 1)),
    }
    put(rows["b2-far"], S.IN_PROGRESS)
    put(rows["b2-ontime"], S.VERIFIED, completed_on=D(2019, 3, 30))
    put(rows["b2-late"], S.VERIFIED, completed_on=D(2019, 4, 2))
    return rows


def names(rows, problems):
    by_pk = {p.pk: name for name, p in rows.items()}
    return [by_pk[p.pk] for p in problems]


def test_scope(org, ledger_rows):
    assert problems_for_user(org.office).count() == 5
    assert problems_for_user(org.supervisor).count() == 5
    assert set(names(ledger_rows, problems_for_user(org.contact1))) == {"b1-late", "b1-soon"}
    assert problems_for_user(org.member1).count() == 2
    assert problems_for_user(org.outsider).count() == 0
    mine = ledger_rows["b1-late"]
    assert get_problem_for_user(org.member1, mine.pk) == mine
    with pytest.raises(Http404):
        get_problem_for_user(org.contact2, mine.pk)
    with pytest.raises(Http404):
        get_problem_for_user(org.office, 999_999)


def test_ledger_filters(org, ledger_rows):
    qs = problems_for_user(org.office, org.campaign)

    def run(**kw):
        return names(ledger_rows, ledger(qs, today=TODAY, **kw))

    assert run() == ["b1-late", "b2-ontime", "b2-late", "b1-soon", "b2-far"]
    assert set(run(unit="branch1")) == {"b1-late", "b1-soon"}
    assert len(run(unit="organ")) == 5
    assert run(unit="nowhere") == []
    assert run(theme=org.campaign.themes.get()) == ["b1-late"]
    assert run(source=ProblemSource.STAFF_OPINION) == ["b1-soon"]
    assert run(state=S.VERIFIED) == ["b2-ontime", "b2-late"]
    assert run(overdue=True) == ["b1-late"]
    assert "b1-late" not in run(overdue=False)
    assert run(deadline_from=D(2019, 4, 2), deadline_to=D(2019, 5, 1)) == ["b1-soon"]
    assert run(responsible_leader=org.leader) == ["b2-far"]
    assert run(ordering="light")[:3] == ["b1-late", "b1-soon", "b2-far"]
    assert run(ordering="-deadline")[0] == "b2-far"
    assert run(ordering="unit")[:2] == ["b1-late", "b1-soon"]
    assert run(ordering="nonsense") == run()
    lamps = {p.ledger_number: p.lamp for p in ledger(qs, today=TODAY)}
    assert lamps[ledger_rows["b1-soon"].ledger_number] == Light.YELLOW


def test_counts_in_sql(org, ledger_rows, django_assert_num_queries):
    qs = problems_for_user(org.office, org.campaign)
    with django_assert_num_queries(1):
        counts = ledger_counts(qs, TODAY)
    assert counts.total == 5
    assert counts.by_state[S.OPEN] == 2 and counts.by_state[S.VERIFIED] == 2
    assert counts.by_state[S.DRAFT] == 0
    assert counts.by_light == {
        Light.RED: 1,
        Light.YELLOW: 1,
        Light.GREEN: 1,
        Light.NONE: 2,
    }
    with django_assert_num_queries(2):
        whole = rectification_counts(org.campaign, None, TODAY)
    assert (whole.open, whole.overdue, whole.verified_on_time, whole.verified_late) == (3, 1, 1, 1)
    b1 = rectification_counts(org.campaign, org.branch1, TODAY)
    assert (b1.open, b1.overdue, b1.verified_on_time, b1.verified_late) == (2, 1, 0, 0)


def test_latest_updates(org, ledger_rows):
    problem = ledger_rows["b1-late"]
    evidence(problem, org.contact1, "第一次")
    newest = evidence(problem, org.contact1, "第二次")
    latest = latest_updates(list(problems_for_user(org.office)))
    assert latest == {problem.pk: newest}
    assert latest_updates([]) == {}


def test_iterating_the_ledger_does_not_grow_with_rows(org, django_assert_max_num_queries):
    def read():
        rows = list(ledger(problems_for_user(org.contact1, org.campaign), today=TODAY))
        latest = latest_updates(rows)
        return [
            (
                p.ledger_number,
                p.unit.name,
                p.campaign.owner_unit.name,
                p.theme and p.theme.number,
                p.responsible_leader and p.responsible_leader.name,
                p.person_in_charge and p.person_in_charge.name,
                p.created_by.name,
                latest.get(p.pk) and latest[p.pk].author.name,
            )
            for p in rows
        ]

    theme = org.campaign.themes.get()
    for _ in range(2):
        evidence(make_problem(org, theme=theme, responsible_leader=org.leader), org.contact1)
    with django_assert_max_num_queries(10) as small:
        assert len(read()) == 2
    for _ in range(10):
        evidence(
            make_problem(
                org, theme=theme, person_in_charge=org.member1, responsible_leader=org.leader
            ),
            org.contact1,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(read()) == 12
