"""Dashboard and lagging pages: who reads what, drilling down, what they show, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taolun.campaigns.models import ActionStatus, RecordState
from taolun.org.tests.factories import make_unit
from taolun.rectification.models import ProblemState
from taolun.rectification.tests.factories import make_problem, put

TODAY = dt.date(2019, 4, 1)


@pytest.fixture
def today(travel):
    return travel(TODAY)


def url(name: str, *args) -> str:
    return reverse(f"supervision:{name}", args=args)


def test_index_lists_supervised_campaigns(client, org):
    client.force_login(org.supervisor)
    response = client.get(url("index"))
    assert response.status_code == 200
    assert url("dashboard", "camp") in response.content.decode()


def test_index_is_empty_for_someone_without_a_reader_role(client, org):
    client.force_login(org.member1)
    response = client.get(url("index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="no-campaigns"' in html
    assert url("dashboard", "camp") not in html


def test_dashboard_rolls_up_and_drills_down(client, org, today):
    ActionStatus.objects.filter(unit=org.branch1).update(
        record_state=RecordState.ACCEPTED, completed_on=dt.date(2019, 3, 1)
    )
    client.force_login(org.office)
    response = client.get(url("dashboard", "camp"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-unit="organ"' in html
    assert url("dashboard_unit", "camp", "organ") in html
    organ = client.get(url("dashboard_unit", "camp", "organ")).content.decode()
    assert 'data-unit="branch1"' in organ and 'data-unit="branch2"' in organ
    # The trail leads back up to the reader's root.
    assert url("dashboard_unit", "camp", "root") in organ
    # Branch 1 did all four prescribed actions by 2019-03-01: everything on time.
    row = organ.split('data-unit="branch1"')[1].split("</tr>")[0]
    assert "4 / 4" in row


def test_leaf_dashboard_shows_matrix_and_live_problems(client, org, today):
    problem = make_problem(org, unit="branch1", deadline=dt.date(2019, 3, 20))
    put(problem, ProblemState.OPEN)
    client.force_login(org.contact1)
    response = client.get(url("dashboard", "camp"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="matrix"' in html
    assert problem.ledger_number in html
    assert 'data-testid="children"' not in html


def test_scores_tab_only_for_those_who_see_scores(client, org):
    client.force_login(org.contact1)
    assert url("scores", "camp") not in client.get(url("dashboard", "camp")).content.decode()
    client.force_login(org.supervisor)
    assert url("scores", "camp") in client.get(url("dashboard", "camp")).content.decode()


def test_contact_cannot_read_above_own_unit(client, org):
    client.force_login(org.contact1)
    assert client.get(url("dashboard_unit", "camp", "root")).status_code == 404
    assert client.get(url("dashboard_unit", "camp", "branch2")).status_code == 404


def test_outsider_and_member_get_404(client, org):
    for user in (org.outsider, org.member1):
        client.force_login(user)
        assert client.get(url("dashboard", "camp")).status_code == 404
        assert client.get(url("lagging", "camp")).status_code == 404


def test_charts_come_with_tables_and_local_echarts(client, org, today):
    client.force_login(org.office)
    html = client.get(url("dashboard_unit", "camp", "organ")).content.decode()
    assert 'role="img"' in html and "aria-label=" in html
    assert 'id="chart-stages-data" type="application/json"' in html
    assert 'data-testid="stages-prescribed"' in html
    assert "<details open>" in html
    assert "vendor/echarts/echarts.min.js" in html
    assert "cdn" not in html.lower()


def _dashboard_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_children(client, org, today):
    client.force_login(org.office)
    pages = [
        url("dashboard_unit", "camp", "organ"),
        url("lagging", "camp") + "?depth=2",
    ]
    before = [_dashboard_queries(client, p) for p in pages]
    for i in range(18):
        make_unit(f"支部{i}", f"extra{i}", org.organ)
    ActionStatus.objects.filter(campaign=org.campaign).update(due_on=dt.date(2019, 3, 1))
    after = [_dashboard_queries(client, p) for p in pages]
    assert after == before
    assert max(before) <= 24
    html = client.get(pages[0]).content.decode()
    assert html.count('data-unit="extra') == 18


def test_lagging_lists_units_with_reasons(client, org, today):
    # Branch 2 is overdue on everything due by today; branch 1 done all on time.
    ActionStatus.objects.filter(unit=org.branch1).update(
        record_state=RecordState.ACCEPTED, completed_on=dt.date(2019, 3, 1)
    )
    problem = make_problem(org, unit="branch2", deadline=dt.date(2019, 3, 20))
    put(problem, ProblemState.OPEN)
    client.force_login(org.supervisor)
    response = client.get(url("lagging", "camp"), {"depth": 2})
    html = response.content.decode()
    assert 'data-testid="lagging-rule"' in html and "60%" in html
    assert 'data-unit="branch2"' in html
    assert 'data-unit="branch1"' not in html
    row = html.split('data-unit="branch2"')[1].split("</tr>")[0]
    assert "prescribed action cells overdue" in row
    assert "1 problems overdue" in row
    assert "completion 0%" in row


def test_lagging_filters_under_a_unit_and_keeps_bad_filters_harmless(client, org, today):
    client.force_login(org.office)
    response = client.get(url("lagging", "camp"), {"under": "organ", "depth": "x"})
    assert response.status_code == 200
    assert client.get(url("lagging", "camp"), {"under": "nowhere"}).status_code == 404


def test_leaf_dashboard_shows_problem_text_not_its_html(client, org, today):
    problem = make_problem(org, unit="branch1", deadline=dt.date(2019, 3, 20))
    problem.description = "<p>台账<strong>不全</strong></p>"
    problem.save()
    put(problem, ProblemState.OPEN)
    client.force_login(org.contact1)
    html = client.get(url("dashboard", "camp")).content.decode()
    row = html.split('data-testid="live-problems"')[1].split("</table>")[0]
    assert "台账不全" in row
    assert "&lt;p&gt;" not in row and "<p>" not in row
