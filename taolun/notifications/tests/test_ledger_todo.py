"""Ledger items on the to-do page and in the header counter."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from taolun.notifications.selectors import todo_count, todo_for
from taolun.rectification.selectors import ledger_todo_count
from taolun.rectification.services import (
    evaluation_open,
    extension_request,
    problem_send_back,
    vote_cast,
)
from taolun.rectification.tests.factories import evidence, make_problem, put

D = dt.date


@pytest.fixture
def march(travel):
    return travel(D(2019, 3, 10))


def counter(page: str) -> int:
    return int(re.search(r'data-testid="todo-count">\s*(\d+)', page).group(1))


def completed(org, **kw):
    problem = make_problem(org, open_now=True, **kw)
    evidence(problem, org.contact1)
    return put(problem, "completed", completed_on=D(2019, 3, 9))


def test_completed_problems_wait_for_the_office_and_the_leader(org, march, client):
    problem = completed(org, description="待核验的问题")
    for who in ("office", "leader"):
        assert todo_for(getattr(org, who)).to_verify == [problem], who
    for who in ("contact1", "contact2", "member1", "supervisor"):
        assert todo_for(getattr(org, who)).to_verify == [], who
    client.force_login(org.leader)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "Problems to verify" in page and "待核验的问题" in page
    assert reverse("rectification:problem", args=[problem.pk]) in page
    assert counter(page) == 1


def test_extension_requests_wait_for_the_campaign_office(org, march):
    problem = make_problem(org, open_now=True)
    request = extension_request(
        actor=org.contact1, problem=problem, reason="资金", requested_deadline=D(2019, 6, 1)
    )
    assert todo_for(org.office).extensions == [request]
    assert todo_for(org.leader).extensions == []
    assert todo_count(org.office) == 1 and todo_count(org.leader) == 0


def test_sent_back_problems_wait_for_the_units_contacts(org, march, client):
    problem = completed(org)
    problem_send_back(actor=org.office, problem=problem, comment="请补充照片")
    assert todo_for(org.contact1).sent_back == [problem]
    assert todo_for(org.contact2).sent_back == [] and todo_for(org.office).sent_back == []
    client.force_login(org.contact1)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "Problems sent back or reopened to your units" in page and "请补充照片" in page


def test_open_evaluation_waits_for_members_until_they_vote_then_flags(org, march, client):
    problem = completed(org, supporting_units=[org.branch2])
    put(problem, "verified", verified_on=D(2019, 3, 10))
    evaluation_open(actor=org.office, problem=problem)
    assert todo_for(org.member1).to_evaluate == [problem]
    assert todo_for(org.contact1).to_evaluate == [problem]
    # The office is no member of the units concerned; branch2 supported the fix, so its
    # people evaluate it and may open it while the evaluation lasts.
    assert todo_for(org.office).to_evaluate == []
    assert todo_for(org.contact2).to_evaluate == [problem]
    client.force_login(org.contact2)
    assert client.get(problem.get_absolute_url()).status_code == 200
    assert todo_count(org.member1) == 1

    vote_cast(actor=org.member1, problem=problem, rating="unsatisfied")
    assert todo_for(org.member1).to_evaluate == [] and todo_count(org.member1) == 0
    assert todo_for(org.office).flagged == [problem]
    client.force_login(org.office)
    page = client.get(reverse("notifications:todo")).content.decode()
    assert "1 of 1 unsatisfied: consider reopening" in page
    vote_cast(actor=org.contact1, problem=problem, rating="satisfied")
    assert todo_for(org.office).flagged == []  # one of two is not most


def test_counter_matches_the_lists(org, march):
    completed(org)
    make_problem(org, unit="branch2", open_now=True)
    flagged = completed(org)
    put(flagged, "verified", verified_on=D(2019, 3, 10))
    evaluation_open(actor=org.office, problem=flagged)
    vote_cast(actor=org.member1, problem=flagged, rating="unsatisfied")
    sent = completed(org)
    problem_send_back(actor=org.leader, problem=sent, comment="不行")
    extension_request(
        actor=org.contact1, problem=sent, reason="r", requested_deadline=D(2019, 6, 1)
    )
    for who in ("office", "leader", "contact1", "contact2", "member1", "supervisor", "outsider"):
        user = getattr(org, who)
        assert todo_count(user) == todo_for(user).total, who
    assert ledger_todo_count(org.office) == 3  # to verify, flagged, the extension


def test_ledger_counter_costs_one_query_and_none_without_roles(
    org, march, django_assert_num_queries
):
    completed(org)
    for who in ("office", "contact1", "member1"):
        user = getattr(org, who)
        ledger_todo_count(user)  # the scope is read once per user object
        with django_assert_num_queries(1):
            ledger_todo_count(user)
    ledger_todo_count(org.outsider)
    with django_assert_num_queries(0):
        assert ledger_todo_count(org.outsider) == 0


def test_counter_stops_counting_past_its_cap_and_the_header_says_so(
    org, march, client, monkeypatch
):
    for _ in range(3):
        completed(org)
    assert ledger_todo_count(org.office) == 3
    monkeypatch.setattr("taolun.rectification.selectors.TODO_COUNT_CAP", 2)
    assert ledger_todo_count(org.office) == 2  # the first two found, not all of them

    monkeypatch.setattr("taolun.notifications.selectors.todo_count", lambda user: 250)
    client.force_login(org.office)
    page = client.get(reverse("campaigns:list")).content.decode()
    assert re.search(r'data-testid="todo-count">\s*99\+', page)
