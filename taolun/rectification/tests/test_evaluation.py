"""接受群众检验: the office opens a verified problem to the members' evaluation, in rounds."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.rectification.models import Problem, ProblemState, Rating, SatisfactionVote
from taolun.rectification.rules import is_evaluator
from taolun.rectification.selectors import (
    evaluation_results,
    rectification_counts,
    vote_of,
    with_evaluation,
)
from taolun.rectification.services import (
    evaluation_close,
    evaluation_open,
    problem_complete,
    problem_reopen,
    problem_verify,
    progress_add,
    vote_cast,
)
from taolun.rectification.tests.factories import evidence, make_problem, put

D = dt.date
S = ProblemState
SAT, BASIC, UNSAT = Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.UNSATISFIED


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 4, 20))


def verify_through_services(org, problem: Problem) -> Problem:
    """Work a problem to its sign-off the way its owner and the office would."""
    progress_add(actor=org.contact1, problem=problem, text="已整改")
    problem_complete(actor=org.contact1, problem=problem)
    return problem_verify(actor=org.office, problem=problem)


@pytest.fixture
def people(org):
    """Voters around branch1 (responsible) and branch2 (supporting), and people beside them."""
    team = make_unit("学习小组", "team", org.branch1)
    team2 = make_unit("财务小组", "team2", org.branch2)
    made = {
        "team_member": UserFactory(username="teammember", name="小组成员", unit=team),
        "team2_member": UserFactory(username="team2member", name="财务成员", unit=team2),
        "organ_member": UserFactory(username="organmember", name="机关干部", unit=org.organ),
        "retired": UserFactory(
            username="retired", name="已离职", unit=org.branch1, is_active=False
        ),
    }
    grant(made["team_member"], team, Role.MEMBER)
    grant(made["team2_member"], team2, Role.MEMBER)
    grant(made["organ_member"], org.organ, Role.MEMBER)
    return made


@pytest.fixture
def problem(org):
    """A problem of branch1 supported by branch2, verified and not yet evaluated."""
    made = make_problem(org, open_now=True, supporting_units=[org.branch2])
    return verify_through_services(org, made)


@pytest.fixture
def voters(org, people):
    """Five people allowed to vote on ``problem``."""
    return [org.member1, org.contact1, org.contact2, people["team_member"], people["team2_member"]]


def votes(problem: Problem, voters, ratings) -> None:
    for voter, rating in zip(voters, ratings, strict=False):
        vote_cast(actor=voter, problem=problem, rating=rating)


# ---------------------------------------------------------------- opening and closing


def test_the_office_opens_a_verified_problem_to_round_one(org, problem):
    assert org.office.has_perm("rectification.open_evaluation", problem)
    evaluation_open(actor=org.office, problem=problem)
    problem.refresh_from_db()
    assert (problem.evaluation_open, problem.evaluation_round) == (True, 1)
    assert not org.office.has_perm("rectification.open_evaluation", problem)
    assert org.office.has_perm("rectification.close_evaluation", problem)
    entry = LogEntry.objects.get_for_object(problem).latest("timestamp")
    assert entry.actor == org.office
    assert entry.changes_dict["evaluation_open"] == ["False", "True"]


@pytest.mark.parametrize("who", ["leader", "supervisor", "contact1", "member1", "outsider"])
def test_only_the_campaigns_office_opens_and_closes(org, problem, who):
    actor = getattr(org, who)
    assert not actor.has_perm("rectification.open_evaluation", problem)
    with pytest.raises(PermissionDenied):
        evaluation_open(actor=actor, problem=problem)
    problem.refresh_from_db()
    assert (problem.evaluation_open, problem.evaluation_round) == (False, 0)
    evaluation_open(actor=org.office, problem=problem)
    assert not actor.has_perm("rectification.close_evaluation", problem)
    with pytest.raises(PermissionDenied):
        evaluation_close(actor=actor, problem=problem)
    problem.refresh_from_db()
    assert problem.evaluation_open


def test_the_office_of_a_campaign_above_does_not_open(org, problem):
    """A province's office reads a federation's ledger; opening it to evaluation is not its work."""
    province = make_unit("省委", "province")
    province_office = UserFactory(username="provoffice", name="省委办")
    grant(province_office, province, Role.OFFICE)
    grant(province_office, org.root, Role.LEADER)
    with pytest.raises(PermissionDenied):
        evaluation_open(actor=province_office, problem=problem)


@pytest.mark.parametrize("state", [s for s in S if s != S.VERIFIED])
def test_only_a_verified_problem_is_opened(org, state):
    problem = put(make_problem(org), state)
    assert not org.office.has_perm("rectification.open_evaluation", problem)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        evaluation_open(actor=org.office, problem=problem)
    assert exc.value.code == "not_verified"
    assert exc.value.messages == ["Only a verified problem can be opened to evaluation."]
    problem.refresh_from_db()
    assert (problem.evaluation_open, problem.evaluation_round) == (False, 0)


def test_opening_twice_or_closing_a_closed_evaluation_is_refused(org, problem):
    with pytest.raises(ValidationError) as exc:
        evaluation_close(actor=org.office, problem=problem)
    assert exc.value.code == "not_open"
    evaluation_open(actor=org.office, problem=problem)
    with pytest.raises(ValidationError) as exc:
        evaluation_open(actor=org.office, problem=problem)
    assert exc.value.code == "already_open"
    problem.refresh_from_db()
    assert problem.evaluation_round == 1


def test_closing_stops_the_votes_and_keeps_the_results(org, problem, voters):
    evaluation_open(actor=org.office, problem=problem)
    votes(problem, voters, [SAT, UNSAT])
    evaluation_close(actor=org.office, problem=problem)
    problem.refresh_from_db()
    assert not problem.evaluation_open
    assert not voters[2].has_perm("rectification.vote_problem", problem)
    with pytest.raises(ValidationError) as exc:
        vote_cast(actor=voters[2], problem=problem, rating=SAT)
    assert exc.value.code == "not_open"
    assert evaluation_results(problem).total == 2
    assert LogEntry.objects.get_for_object(problem).latest("timestamp").actor == org.office


def test_a_pause_keeps_the_round_and_its_one_vote_per_member(org, problem, voters):
    """Closing and opening again is not a new round: nobody votes twice on one sign-off."""
    evaluation_open(actor=org.office, problem=problem)
    votes(problem, voters, [UNSAT, UNSAT])
    evaluation_close(actor=org.office, problem=problem)
    evaluation_open(actor=org.office, problem=problem)
    problem.refresh_from_db()
    assert problem.evaluation_round == 1
    with pytest.raises(ValidationError):
        vote_cast(actor=voters[0], problem=problem, rating=SAT)
    vote_cast(actor=voters[2], problem=problem, rating=SAT)
    assert evaluation_results(problem).counts == {SAT: 1, BASIC: 0, UNSAT: 2}


# ---------------------------------------------------------------- who votes


VOTERS = {
    "member1": True,  # a member of the responsible unit
    "contact1": True,  # its contact is a member of it too
    "team_member": True,  # a unit below the responsible unit
    "contact2": True,  # the supporting unit
    "team2_member": True,  # below the supporting unit
    "office": False,  # the office sits at the root, above the units concerned
    "leader": False,
    "supervisor": False,
    "organ_member": False,  # the parent of the units concerned is not concerned
    "outsider": False,  # no unit at all
    "retired": False,  # a deactivated account
}


@pytest.mark.parametrize(("who", "allowed"), VOTERS.items())
def test_members_of_the_units_concerned_vote(org, people, problem, who, allowed):
    evaluation_open(actor=org.office, problem=problem)
    actor = people.get(who) or getattr(org, who)
    assert actor.has_perm("rectification.vote_problem", problem) is allowed
    if allowed:
        vote = vote_cast(actor=actor, problem=problem, rating=BASIC, comment="  基本满意  ")
        assert (vote.round, vote.rating, vote.comment) == (1, BASIC, "基本满意")
        assert vote_of(actor, problem) == vote
    else:
        with pytest.raises(PermissionDenied):
            vote_cast(actor=actor, problem=problem, rating=BASIC)
        assert not SatisfactionVote.objects.exists()


def test_without_supporting_units_only_the_responsible_subtree_votes(org, people):
    problem = verify_through_services(org, make_problem(org, open_now=True))
    evaluation_open(actor=org.office, problem=problem)
    assert is_evaluator.test(org.member1, problem)
    assert is_evaluator.test(people["team_member"], problem)
    assert not is_evaluator.test(org.contact2, problem)
    with pytest.raises(PermissionDenied):
        vote_cast(actor=org.contact2, problem=problem, rating=UNSAT)


def test_one_vote_per_member_per_round(org, problem):
    evaluation_open(actor=org.office, problem=problem)
    first = vote_cast(actor=org.member1, problem=problem, rating=SAT, comment="整改到位")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        vote_cast(actor=org.member1, problem=problem, rating=UNSAT, comment="改主意了")
    assert exc.value.code == "voted"
    assert exc.value.messages == ["You have already evaluated this problem."]
    assert list(SatisfactionVote.objects.all()) == [first]
    assert vote_of(org.member1, problem).rating == SAT


def test_a_bad_rating_names_the_field_and_saves_nothing(org, problem):
    evaluation_open(actor=org.office, problem=problem)
    with pytest.raises(ValidationError) as exc:
        vote_cast(actor=org.member1, problem=problem, rating="excellent")
    assert set(exc.value.message_dict) == {"rating"}
    assert not SatisfactionVote.objects.exists()
    assert vote_of(org.member1, problem) is None


def test_a_vote_is_audited_under_its_voter(org, problem):
    evaluation_open(actor=org.office, problem=problem)
    vote = vote_cast(actor=org.member1, problem=problem, rating=UNSAT)
    entry = LogEntry.objects.get_for_object(vote).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == org.member1


# ---------------------------------------------------------------- results


def test_results_count_each_rating_and_carry_no_voter(org, problem, voters):
    evaluation_open(actor=org.office, problem=problem)
    vote_cast(actor=voters[0], problem=problem, rating=SAT, comment="学习制度已建立")
    vote_cast(actor=voters[1], problem=problem, rating=BASIC)
    vote_cast(actor=voters[2], problem=problem, rating=UNSAT, comment="还需跟踪落实")
    with translation.override("en"):  # the labels are lazy: compare them in English too
        results = evaluation_results(problem)
        assert (results.round, results.total) == (1, 3)
        assert results.counts == {SAT: 1, BASIC: 1, UNSAT: 1}
        assert results.rows() == [("Satisfied", 1), ("Basically satisfied", 1), ("Unsatisfied", 1)]
        # Comments come with their rating, never with who wrote them.
        assert results.comments == [
            ("Satisfied", "学习制度已建立"),
            ("Unsatisfied", "还需跟踪落实"),
        ]
    assert "voter" not in {f.name for f in dataclasses.fields(results)}
    shown = repr(results)
    for voter in voters:
        assert voter.name not in shown and voter.username not in shown


def test_results_before_any_evaluation_are_empty(org, problem):
    results = evaluation_results(problem)
    assert (results.round, results.total, results.flagged) == (0, 0, False)
    assert results.comments == []


@pytest.mark.parametrize(
    ("ratings", "flagged"),
    [
        ([], False),
        ([UNSAT], True),
        ([UNSAT, SAT], False),  # half is not most
        ([UNSAT, UNSAT, BASIC], True),
        ([UNSAT, BASIC, SAT], False),
        ([UNSAT, UNSAT, BASIC, SAT], False),
        ([UNSAT, UNSAT, UNSAT, BASIC, SAT], True),
    ],
)
def test_an_item_most_find_unsatisfactory_is_flagged(org, problem, voters, ratings, flagged):
    evaluation_open(actor=org.office, problem=problem)
    votes(problem, voters, ratings)
    assert evaluation_results(problem).flagged is flagged
    row = with_evaluation(Problem.objects.filter(pk=problem.pk)).get()
    assert (row.vote_total, row.vote_unsatisfied, row.flagged) == (
        len(ratings),
        ratings.count(UNSAT),
        flagged,
    )
    counts = rectification_counts(org.campaign, None, D(2019, 4, 20))
    assert counts.flagged == int(flagged)


def test_flagged_rows_in_one_query_whatever_their_number(org, voters, django_assert_num_queries):
    for _ in range(3):
        problem = verify_through_services(
            org, make_problem(org, open_now=True, supporting_units=[org.branch2])
        )
        evaluation_open(actor=org.office, problem=problem)
        votes(problem, voters, [UNSAT, UNSAT, SAT])
    with django_assert_num_queries(1):
        rows = list(with_evaluation(Problem.objects.all()))
    assert [r.flagged for r in rows] == [True, True, True]


def test_satisfaction_in_the_rectification_counts(org, problem, voters):
    today = D(2019, 4, 20)
    before = rectification_counts(org.campaign, None, today)
    assert (before.votes, before.satisfaction_rate) == (0, None)
    other = make_problem(org, unit="branch2", open_now=True)
    evidence(other, org.contact2)
    put(other, S.VERIFIED, completed_on=D(2019, 4, 1), verified_on=D(2019, 4, 2))
    for p in (problem, other):
        evaluation_open(actor=org.office, problem=p)
    votes(problem, voters, [SAT, SAT, BASIC, UNSAT])
    vote_cast(actor=org.contact2, problem=other, rating=UNSAT)

    everything = rectification_counts(org.campaign, None, today)
    assert (
        everything.votes,
        everything.satisfied,
        everything.basically_satisfied,
        everything.unsatisfied,
        everything.flagged,
    ) == (5, 2, 1, 2, 1)
    assert everything.satisfaction_rate == pytest.approx(3 / 5)
    branch1 = rectification_counts(org.campaign, org.branch1, today)
    assert (branch1.votes, branch1.unsatisfied, branch1.flagged) == (4, 1, 0)
    assert branch1.satisfaction_rate == pytest.approx(3 / 4)
    branch2 = rectification_counts(org.campaign, org.branch2, today)
    assert (branch2.votes, branch2.unsatisfied, branch2.flagged) == (1, 1, 1)


# ---------------------------------------------------------------- reopening and rounds


def test_reopening_needs_a_reason_and_undoes_the_sign_off(org, problem):
    evaluation_open(actor=org.office, problem=problem)
    with pytest.raises(ValidationError) as exc:
        problem_reopen(actor=org.office, problem=problem, reason="  ")
    assert set(exc.value.message_dict) == {"reason"}
    problem.refresh_from_db()
    assert (problem.state, problem.evaluation_open) == (S.VERIFIED, True)

    problem_reopen(actor=org.office, problem=problem, reason=" 多数群众不满意 ")
    problem.refresh_from_db()
    assert problem.state == S.IN_PROGRESS
    assert (problem.reopen_count, problem.reopen_reason) == (1, "多数群众不满意")
    assert problem.evaluation_open is False
    assert problem.verified_by is None and problem.verified_on is None
    assert problem.completed_on is None
    entry = LogEntry.objects.get_for_object(problem).latest("timestamp")
    assert entry.actor == org.office
    assert entry.changes_dict["state"] == [S.VERIFIED, S.IN_PROGRESS]
    assert entry.changes_dict["reopen_reason"][1] == "多数群众不满意"


@pytest.mark.parametrize("who", ["leader", "contact1", "member1", "supervisor"])
def test_only_the_office_reopens(org, problem, who):
    with pytest.raises(PermissionDenied):
        problem_reopen(actor=getattr(org, who), problem=problem, reason="不满意")
    problem.refresh_from_db()
    assert (problem.state, problem.reopen_count) == (S.VERIFIED, 0)


def test_a_reopened_problem_is_evaluated_again_in_round_two(org, problem, voters, travel):
    """Round-1 votes stay as history; round 2 counts only its own, and everyone votes again."""
    evaluation_open(actor=org.office, problem=problem)
    votes(problem, voters, [UNSAT, UNSAT, SAT])
    assert evaluation_results(problem).flagged
    problem_reopen(actor=org.office, problem=problem, reason="多数群众不满意")
    problem.refresh_from_db()
    assert not with_evaluation(Problem.objects.filter(pk=problem.pk)).get().flagged
    with pytest.raises(ValidationError):  # no voting while it is being fixed again
        vote_cast(actor=voters[3], problem=problem, rating=SAT)

    travel(D(2019, 5, 10))
    verify_through_services(org, problem)
    evaluation_open(actor=org.office, problem=problem)
    problem.refresh_from_db()
    assert problem.evaluation_round == 2
    assert vote_of(voters[0], problem) is None
    again = vote_cast(actor=voters[0], problem=problem, rating=SAT)
    vote_cast(actor=voters[1], problem=problem, rating=BASIC)
    assert vote_of(voters[0], problem) == again

    current = evaluation_results(problem)
    assert (current.round, current.total, current.flagged) == (2, 2, False)
    assert current.counts == {SAT: 1, BASIC: 1, UNSAT: 0}
    history = evaluation_results(problem, round=1)
    assert history.counts == {SAT: 1, BASIC: 0, UNSAT: 2}
    assert SatisfactionVote.objects.filter(problem=problem).count() == 5
    counts = rectification_counts(org.campaign, None, D(2019, 5, 10))
    assert (counts.votes, counts.unsatisfied, counts.flagged) == (2, 0, 0)
    with pytest.raises(ValidationError) as exc:
        vote_cast(actor=voters[0], problem=problem, rating=UNSAT)
    assert exc.value.code == "voted"


def test_round_numbers_follow_sign_offs_even_when_one_was_not_evaluated(org, problem):
    problem_reopen(actor=org.office, problem=problem, reason="复查发现反弹")
    verify_through_services(org, problem)
    evaluation_open(actor=org.office, problem=problem)
    problem.refresh_from_db()
    assert problem.evaluation_round == 2
