"""Suggested themes on a problem's page and form, and their one-click accept."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from taolun.campaigns.models import Theme
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.rectification.tests.factories import make_problem
from taolun.textmine import themes

D = dt.date
MARKET = "<p>过分依赖财政拨款，市场意识淡薄，不会拓宽资金来源。</p>"


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


@pytest.fixture
def six(org, seed_themes) -> dict[int, Theme]:
    return seed_themes


def _page(problem) -> str:
    return reverse("rectification:problem", args=[problem.pk])


def _accept(client, problem, theme):
    return client.post(
        reverse("rectification:problem_theme", args=[problem.pk]), {"theme-theme": theme.pk}
    )


def test_office_accepts_a_suggested_theme(org, six, client):
    problem = make_problem(org, description=MARKET)
    client.force_login(org.office)
    html = client.get(_page(problem)).content.decode()
    assert "Suggested themes" in html
    assert f'name="theme-theme" value="{six[4].pk}"' in html

    response = _accept(client, problem, six[4])

    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.theme == six[4]
    entry = LogEntry.objects.get_for_object(problem).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == org.office and "theme" in entry.changes_dict
    assert "Suggested themes" not in client.get(_page(problem)).content.decode()


def test_a_theme_of_another_campaign_is_refused_with_a_message(org, six, client):
    from taolun.campaigns.tests.factories import make_campaign

    other = make_campaign(org.root, "other").themes.first()
    problem = make_problem(org, description=MARKET)
    client.force_login(org.office)
    response = _accept(client, problem, other)
    assert response.status_code == 200
    assert "Choose one of this campaign&#x27;s themes." in response.content.decode()
    problem.refresh_from_db()
    assert problem.theme is None


def test_a_member_sees_no_suggestion_and_cannot_accept(org, six, client):
    problem = make_problem(org, description=MARKET)
    client.force_login(org.member1)
    response = client.get(_page(problem))
    assert response.status_code == 200
    assert "Suggested themes" not in response.content.decode()
    assert _accept(client, problem, six[4]).status_code == 403
    problem.refresh_from_db()
    assert problem.theme is None


def test_another_unit_s_office_gets_404(org, six, client):
    problem = make_problem(org, description=MARKET)
    office2 = UserFactory(username="office2", unit=org.branch2)
    grant(office2, org.branch2, Role.OFFICE)
    client.force_login(office2)
    assert client.get(_page(problem)).status_code == 404
    assert _accept(client, problem, six[4]).status_code == 404
    problem.refresh_from_db()
    assert problem.theme is None


def test_the_edit_form_suggests_from_the_description(org, six, client):
    problem = make_problem(org, description=MARKET)
    client.force_login(org.office)
    html = client.get(reverse("rectification:problem_edit", args=[problem.pk])).content.decode()
    assert "Suggested from the description" in html
    assert f"4 · {six[4].break_with}" in html


def _count(client, path, django_assert_max_num_queries) -> int:
    themes.clear_cache()  # each count builds the matcher afresh: the same work at both sizes
    with django_assert_max_num_queries(40) as ctx:
        response = client.get(path)
    assert response.status_code == 200 and "Suggested themes" in response.content.decode()
    return len(ctx.captured_queries)


def test_the_problem_page_costs_the_same_queries_at_two_sizes(
    org, six, client, django_assert_max_num_queries
):
    problem = make_problem(org, description=MARKET)
    client.force_login(org.office)
    make_problem(org, description="<p>作风漂浮，办事拖拉。</p>", theme=six[6])
    few = _count(client, _page(problem), django_assert_max_num_queries)
    for i in range(30):
        make_problem(org, description=f"<p>思想保守，不敢改革（{i}）。</p>", theme=six[1 + i % 6])
    assert _count(client, _page(problem), django_assert_max_num_queries) == few
