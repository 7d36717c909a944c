"""The counts pages: who sees what, drilling down, quotas, points, league tables, queries."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from taolun.org.models import UnitKind
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.reporting.models import BriefPoints, BriefQuota, LeagueTable, ReviewState
from taolun.reporting.tests.factories import make_brief

A, P = ReviewState.ADOPTED, ReviewState.PENDING
D = dt.date


@pytest.fixture
def data(levels, travel):
    travel(D(2019, 4, 10))
    fed, prov = levels.campaign, levels.prov
    make_brief(
        fed, levels.branch1, levels.contact1, on=D(2019, 3, 5), reviews=[(fed, A), (prov, A)]
    )
    make_brief(fed, levels.branch2, levels.contact2, on=D(2019, 4, 2), reviews=[(fed, P)])
    return levels


def url(name: str, *args) -> str:
    return reverse(f"reporting:{name}", args=args)


def get(client, user, path):
    client.force_login(user)
    return client.get(path)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def row_text(html: str, key: str) -> str:
    match = re.search(rf'<tr data-unit="{key}">(.*?)</tr>', html, re.S)
    assert match, key
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_office_sees_units_by_month_and_drills_down(client, data):
    page = get(client, data.office, url("stats", "fed"))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        '<caption id="counts-caption">' in html
        and 'scope="colgroup"' in html
        and 'scope="row"' in html
    )
    # branch1: March 1 submitted, 1 adopted here, 1 by the province; total and 4 points.
    assert row_text(html, "branch1").endswith("0 0 0 1 1 1 0 0 0 1 1 1 4")
    assert row_text(html, "branch2").endswith("0 0 0 0 0 0 1 0 0 1 0 0 0")
    assert "Units short of their quota this month" in html
    down = get(client, data.office, url("stats", "fed") + "?unit=branch1").content.decode()
    assert row_text(down, "branch1-own").endswith("1 1 1 4")
    assert "branch2" not in re.findall(r'data-unit="([^"]+)"', down)


def test_month_filter_shows_one_month(client, data):
    html = get(client, data.leader, url("stats", "fed") + "?month=2019-04").content.decode()
    headings = re.findall(r'<th scope="colgroup"[^>]*>([^<]+)</th>', html)
    assert headings == ["2019-04", "Total"]
    assert row_text(html, "branch2").endswith("1 0 0 1 0 0 0")


def test_contact_sees_only_their_unit_others_404(client, data):
    html = get(client, data.contact1, url("stats", "fed")).content.decode()
    assert re.findall(r'data-unit="([^"]+)"', html) == ["branch1"]
    assert "Units short of their quota" not in html
    assert get(client, data.contact1, url("stats_shortfalls", "fed")).status_code == 404
    assert get(client, data.member1, url("stats", "fed")).status_code == 404
    assert get(client, data.outsider, url("stats", "fed")).status_code == 404
    assert get(client, data.office, url("stats", "fed") + "?unit=province").status_code == 404
    # The province's office reads its own campaign's counts, not the federation's.
    assert get(client, data.prov_office, url("stats", "fed")).status_code == 404
    prov = get(client, data.prov_office, url("stats", "prov")).content.decode()
    assert row_text(prov, "fed").endswith("0 0 1 1 0 0 1 1 1")


def test_stats_queries_do_not_grow_with_units(client, data, django_assert_max_num_queries):
    BriefQuota.objects.create(
        campaign=data.campaign, unit_kind=UnitKind.objects.get(code="branch"), count=3
    )
    client.force_login(data.office)
    client.get(url("stats", "fed"))
    with django_assert_max_num_queries(20) as small:
        client.get(url("stats", "fed"))
    for i in range(8):
        unit = make_unit(f"支部{i}", f"extra{i}", data.fed)
        make_brief(
            data.campaign, unit, data.contact1, on=D(2019, 3, 9), reviews=[(data.campaign, A)]
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url("stats", "fed"))
    html = page.content.decode()
    assert row_text(html, "extra7").startswith("支部7")
    assert "支部7 — 0 briefs submitted of at least 3: 3 short so far" in text(html)


def test_excel_download_has_the_counts(client, data):
    response = get(client, data.office, url("stats_xlsx", "fed"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    branch1 = next(r for r in rows if r[0] == "机关第一党支部")
    assert list(branch1[-3:]) == [1, 1, 1]
    assert get(client, data.member1, url("stats_xlsx", "fed")).status_code == 404


# ---------------------------------------------------------------- quotas and points


def test_quotas_only_for_the_office(client, data):
    assert get(client, data.contact1, url("stats_quotas", "fed")).status_code == 403
    assert get(client, data.leader, url("stats_quotas", "fed")).status_code == 403
    client.force_login(data.contact1)
    post = client.post(url("stats_quotas", "fed"), {"branch__submitted__period": "month"})
    assert post.status_code == 403 and not BriefQuota.objects.exists()


def test_bad_quota_is_named_and_kept(client, data):
    client.force_login(data.office)
    page = client.post(
        url("stats_quotas", "fed"),
        {
            "branch__submitted__period": "month",
            "branch__submitted__count": "-2",
            "branch__adopted__period": "quarter",
            "branch__adopted__count": "",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and not BriefQuota.objects.exists()
    assert "A quota is at least one brief." in html
    assert "Say how many briefs" in html
    assert 'value="-2"' in html
    assert re.search(r'<option value="quarter" selected>', html)


def test_office_sets_quotas_and_sees_shortfalls(client, data):
    client.force_login(data.office)
    page = client.post(
        url("stats_quotas", "fed"),
        {"branch__submitted__period": "month", "branch__submitted__count": "2"},
    )
    assert page.status_code == 302
    quota = BriefQuota.objects.get()
    assert (quota.period, quota.count, quota.measure) == ("month", 2, "submitted")
    html = client.get(url("stats_shortfalls", "fed")).content.decode()
    assert "Short by 2" in html  # February, both branches
    assert "1 short so far" in html  # April, branch2 submitted one
    stats_page = client.get(url("stats", "fed")).content.decode()
    assert "2 short so far" in stats_page  # branch1 has none this month


def test_points_form(client, data):
    assert get(client, data.contact1, url("stats_points", "fed")).status_code == 403
    client.force_login(data.office)
    bad = client.post(url("stats_points", "fed"), {"level_1": "-1", "level_2": ""})
    html = bad.content.decode()
    assert bad.status_code == 200 and not BriefPoints.objects.exists()
    assert 'value="-1"' in html and "Give the points, 0 for none." in html
    ok = client.post(url("stats_points", "fed"), {"level_1": "2", "level_2": "4.5"})
    assert ok.status_code == 302
    assert dict(BriefPoints.objects.values_list("level", "points")) == {1: 2, 2: 4.5}


# ---------------------------------------------------------------- league tables


def test_office_publishes_a_league_table_everyone_reads(client, data):
    client.force_login(data.office)
    page = client.get(url("league", "fed") + "?starts_on=2019-03-01&ends_on=2019-04-30")
    html = page.content.decode()
    assert 'data-testid="live"' in html and "Publish this ranking" in html
    posted = client.post(
        url("league_publish", "fed"),
        {"title": "三至四月排名", "starts_on": "2019-03-01", "ends_on": "2019-04-30"},
    )
    table = LeagueTable.objects.get()
    assert posted.status_code == 302 and posted.url == url("league_table", "fed", table.pk)
    # The leader reads the live ranking but does not publish.
    leader_page = get(client, data.leader, url("league", "fed")).content.decode()
    assert 'data-testid="live"' in leader_page and "Publish this ranking" not in leader_page
    # A member taking part in the campaign reads it; the live ranking is not theirs.
    member_list = get(client, data.member1, url("league", "fed")).content.decode()
    assert "三至四月排名" in member_list and 'data-testid="live"' not in member_list
    shown = get(client, data.member1, url("league_table", "fed", table.pk)).content.decode()
    assert "机关第一党支部" in shown and '<caption id="league-caption">' in shown
    assert get(client, data.outsider, url("league_table", "fed", table.pk)).status_code == 404


def test_only_the_office_publishes_and_bad_input_is_kept(client, data):
    client.force_login(data.contact1)
    form = {"title": "x", "starts_on": "2019-03-01", "ends_on": "2019-04-30"}
    assert client.post(url("league_publish", "fed"), form).status_code == 403
    client.force_login(data.leader)
    assert client.post(url("league_publish", "fed"), form).status_code == 403
    client.force_login(data.office)
    bad = client.post(
        url("league_publish", "fed"),
        {"title": "我的表", "starts_on": "2019-04-30", "ends_on": "2019-03-01"},
    )
    html = bad.content.decode()
    assert bad.status_code == 400 and not LeagueTable.objects.exists()
    assert "The period ends before it starts." in html and 'value="我的表"' in html


def test_someone_outside_the_campaign_reads_no_table(client, data):
    other = make_unit("其他单位", "other", kind="organisation")
    stranger = UserFactory(username="stranger", unit=other)
    grant(stranger, other, "contact")
    assert get(client, stranger, url("league", "fed")).status_code == 404
