"""The to-do page at a province's scale: each kind lists a bounded number of items, says
how many wait, and links to the full list (``?all=<kind>``, paginated)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from taolun.activities.services import record_create
from taolun.notifications.selectors import TODO_KINDS, todo_count, todo_for
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.rectification.tests.factories import evidence, make_problem, put
from taolun.reporting.models import BriefState, ReviewState
from taolun.reporting.tests.conftest import levels  # noqa: F401 (fixture)
from taolun.reporting.tests.factories import make_brief

D = dt.date


@pytest.fixture
def march(travel):
    return travel(D(2019, 3, 10))


@pytest.fixture
def url():
    return reverse("notifications:todo")


def cap(monkeypatch, n: int) -> None:
    monkeypatch.setattr("taolun.notifications.selectors.TODO_LIST_LIMIT", n)


def completed(org, unit: str = "branch1", description: str = "理论学习不够深入"):
    problem = make_problem(org, unit=unit, open_now=True, description=description)
    evidence(problem, org.contact1 if unit == "branch1" else org.contact2)
    return put(problem, "completed", completed_on=D(2019, 3, 9))


def submitted(org, title: str, number: int = 1):
    action = org.campaign.actions.get(kind="prescribed", number=number)
    return record_create(
        actor=org.contact2,
        action=action,
        unit=org.branch2,
        title=title,
        held_on=D(2019, 3, 1),
        submit=True,
    )


def counter(page: str) -> str:
    match = re.search(r'data-testid="todo-count">\s*(\d+\+?)', page)
    assert match, "the header counter is missing"
    return match.group(1)


def section(page: str, testid: str) -> str:
    match = re.search(rf'<section[^>]*data-testid="todo-{testid}".*?</section>', page, re.S)
    assert match, f"no section {testid}"
    return match.group(0)


def all_link(page: str, kind: str) -> str:
    match = re.search(rf'href="([^"]*\?all={kind})"', page)
    assert match, f"no link to all of {kind}"
    return match.group(1)


def test_a_cut_list_shows_the_first_items_and_links_to_all_of_them(
    org, march, client, url, monkeypatch
):
    cap(monkeypatch, 2)
    problems = [completed(org, description=f"问题{i}号") for i in range(3)]
    client.force_login(org.office)
    page = client.get(url).content.decode()
    verify = section(page, "to-verify")
    shown = [p for p in problems if p.ledger_number in verify]
    assert shown == problems[:2]  # the oldest completed first
    assert "Showing the first 2 of 3." in verify
    assert '<span class="badge text-bg-secondary">3<' in verify
    # The full list, reached by the link, lists the three.
    full = client.get(all_link(verify, "to_verify").replace("&amp;", "&")).content.decode()
    assert all(p.ledger_number in full for p in problems)
    assert "3 items wait for you." in full
    # The ledger of the campaign, filtered to completed problems, is offered too.
    ledger = reverse("rectification:ledger", args=[org.campaign.slug]) + "?state=completed"
    assert ledger in verify


def test_the_full_list_holds_only_what_the_user_may_verify(org, march, client, url, monkeypatch):
    cap(monkeypatch, 2)
    branch_office = UserFactory(username="branch_office", unit=org.branch1)
    grant(branch_office, org.branch1, Role.OFFICE)
    own = [completed(org, description=f"本支部{i}") for i in range(3)]
    other = completed(org, unit="branch2", description="别的支部的问题")
    client.force_login(branch_office)
    page = client.get(url).content.decode()
    assert "Showing the first 2 of 3." in section(page, "to-verify")
    full = client.get(f"{url}?all=to_verify").content.decode()
    assert all(p.ledger_number in full for p in own)
    assert other.ledger_number not in full and "别的支部的问题" not in full
    # The office above both units sees all four.
    client.force_login(org.office)
    assert other.ledger_number in client.get(f"{url}?all=to_verify").content.decode()


def test_the_full_list_is_paginated_fifty_a_page(org, march, client, url, monkeypatch):
    monkeypatch.setattr("taolun.notifications.views.TODO_PAGE_SIZE", 2)
    problems = [completed(org, description=f"问题{i}号") for i in range(3)]
    client.force_login(org.office)
    first = client.get(f"{url}?all=to_verify").content.decode()
    second = client.get(f"{url}?all=to_verify&page=2").content.decode()
    assert [p.ledger_number in first for p in problems] == [True, True, False]
    assert [p.ledger_number in second for p in problems] == [False, False, True]
    assert "Page 1 of 2" in first


def test_an_unknown_kind_is_not_found(org, client, url):
    client.force_login(org.office)
    assert client.get(f"{url}?all=everything").status_code == 404
    assert client.get(f"{url}?all=").status_code == 404
    assert client.get(f"{url}?all=to_verify").status_code == 200


def test_a_user_with_nothing_waiting(org, march, client, url):
    client.force_login(org.member1)
    page = client.get(url).content.decode()
    assert 'data-testid="todo-empty"' in page and counter(page) == "0"
    assert "<section" not in page.split("<main", 1)[-1] and "todo-more" not in page
    full = client.get(f"{url}?all=to_review").content.decode()
    assert 'data-testid="todo-empty"' in full and "Pages of this to-do list" not in full


def test_below_the_limit_nothing_is_cut(org, march, client, url):
    completed(org)
    client.force_login(org.office)
    page = client.get(url).content.decode()
    assert "todo-more" not in page and "?all=" not in page


def test_the_page_reads_as_many_queries_for_3_or_30_items_and_counts_them(
    org, march, client, url, django_assert_max_num_queries
):
    for i in range(3):
        completed(org, description=f"问题{i}号")
        submitted(org, f"记录{i}")
    client.force_login(org.office)
    with django_assert_max_num_queries(15) as few:
        page = client.get(url).content.decode()
    assert counter(page) == "6" and "todo-more" not in page
    for i in range(3, 30):
        completed(org, description=f"问题{i}号")
        submitted(org, f"记录{i}", number=1 + i % 4)
    with django_assert_max_num_queries(17) as many:
        page = client.get(url).content.decode()
    # Bounded by the kinds, not the items: a count for each of the two kinds cut.
    assert len(many.captured_queries) == len(few.captured_queries) + 2
    # Twenty of each listed, the header still counts all sixty, as it does elsewhere.
    verify = section(page, "to-verify")
    assert verify.count('href="/ledger/problems/') == 20
    assert "Showing the first 20 of 30." in verify
    assert "Showing the first 20 of 30." in section(page, "to-review")
    assert counter(page) == "60" == str(todo_count(org.office))


def test_past_the_counters_cap_the_page_says_or_more(org, march, client, url, monkeypatch):
    monkeypatch.setattr("taolun.notifications.selectors.TODO_COUNTED", 3)
    cap(monkeypatch, 2)
    for i in range(4):
        completed(org, description=f"问题{i}号")
    todo = todo_for(org.office)
    assert len(todo.to_verify) == 2 and todo.total == 3
    client.force_login(org.office)
    verify = section(client.get(url).content.decode(), "to-verify")
    assert "Showing the first 2 of 3 or more." in verify


def test_briefs_to_sign_and_returned_are_cut_apart(levels, monkeypatch):  # noqa: F811
    cap(monkeypatch, 2)
    fed = levels.campaign
    signing = [
        make_brief(
            fed, levels.branch1, levels.contact1, title=f"待签发{i}", state=BriefState.SIGNING
        )
        for i in range(3)
    ]
    returned = make_brief(
        fed, levels.branch1, levels.leader, title="退回", reviews=[(fed, ReviewState.RETURNED)]
    )
    todo = todo_for(levels.leader)
    assert todo.briefs_to_sign == signing[:2] and todo.briefs_returned == [returned]
    assert todo.waiting["briefs_to_sign"].cut and not todo.waiting["briefs_returned"].cut
    assert todo.total == 4


def test_every_kind_has_a_full_list_page(org, march, client, url):
    completed(org)
    client.force_login(org.office)
    for kind in TODO_KINDS:
        response = client.get(url, {"all": kind})
        assert response.status_code == 200, kind
    assert "1 item waits for you." in client.get(url, {"all": "to_verify"}).content.decode()
