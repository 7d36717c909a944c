import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from taolun.org.tests.factories import make_unit
from taolun.targets.models import Indicator, IndicatorReport, TargetArea
from taolun.targets.tests.factories import make_area, make_indicator, make_report

D = dt.date
Q1, Q2 = D(2019, 1, 1), D(2019, 4, 1)


@pytest.fixture
def may(travel):
    return travel(D(2019, 5, 20))


@pytest.fixture
def area(org):
    return make_area(org.campaign, name="脱贫攻坚")


@pytest.fixture
def indicator(org, area):
    return make_indicator(area, org.root, name="脱贫人数", baseline=Decimal(0), target=Decimal(40))


def as_user(client, user):
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"targets:{name}", args=args)


def page(client, user, path):
    response = as_user(client, user).get(path)
    assert response.status_code == 200
    return response.content.decode()


# ---------------------------------------------------------------- reading


def test_index_lists_campaigns_with_target_areas(org, client, area):
    html = page(client, org.member1, url("index"))
    assert url("campaign", "camp") in html and "1 target area" in html
    assert "camp 大讨论" not in page(client, org.outsider, url("index"))


def test_campaign_page_shows_indicators_with_progress_and_reporting(org, client, indicator, may):
    make_report(indicator, org.branch1, 10, org.contact1)
    make_report(indicator, org.branch2, 20, org.contact2)
    make_report(indicator, org.branch2, 99, org.contact2, period_start=Q2)  # still running
    make_indicator(indicator.area, org.root, number=2, name="康复人数")
    html = page(client, org.member1, url("campaign", "camp"))
    assert "脱贫攻坚" in html and "脱贫人数" in html and "2019 Q1" in html
    row = re.search(rf'data-indicator="{indicator.pk}".*?</tr>', html, re.S).group(0)
    assert "75%" in row and "2 of 4" in row
    other = html.split("康复人数")[1]
    assert "not reported" in other.split("</tr>")[0]
    assert "New target area" not in html and "New indicator" not in html


def test_campaign_page_lists_what_my_unit_has_not_reported(org, client, indicator, may):
    html = page(client, org.contact1, url("campaign", "camp"))
    assert 'data-testid="unreported"' in html and "2019 Q1" in html
    assert f"{url('report', indicator.pk)}?unit=branch1&amp;period=2019-01-01" in html
    make_report(indicator, org.branch1, 1, org.contact1)
    assert 'data-testid="unreported"' not in page(client, org.contact1, url("campaign", "camp"))


def test_outsider_gets_404_everywhere(org, client, indicator):
    as_user(client, org.outsider)
    for path in (
        url("campaign", "camp"),
        url("indicator", indicator.pk),
        url("report", indicator.pk),
        url("indicator_edit", indicator.pk),
        url("area_edit", indicator.area.pk),
    ):
        assert client.get(path).status_code == 404, path


def test_indicator_page_periods_chart_and_drill_down(org, client, indicator, may):
    b1a = make_unit("下属单位", "b1a", org.branch1)
    make_report(indicator, org.branch1, 10, org.contact1)
    make_report(indicator, b1a, 5, org.contact1)
    make_report(indicator, org.branch2, 7, org.contact2)
    html = page(client, org.office, url("indicator", indicator.pk))
    periods = re.search(r'data-testid="periods".*?</table>', html, re.S).group(0)
    assert "<caption" in periods and "2019 Q1" in periods and "22" in periods and "55%" in periods
    assert "2019 Q3" in periods and "not begun" in periods
    assert 'id="indicator-chart-data"' in html and "vendor/echarts/echarts.min.js" in html
    units = re.search(r'data-testid="units".*?</table>', html, re.S).group(0)
    assert "2019 Q1" in units  # the last closed period by default
    html = page(client, org.office, url("indicator", indicator.pk) + "?period=2019-04-01")
    assert "2019 Q2" in re.search(r'data-testid="units".*?</table>', html, re.S).group(0)
    html = page(client, org.office, url("indicator", indicator.pk) + "?unit=organ")
    units = re.search(r'data-testid="units".*?</table>', html, re.S).group(0)
    branch1 = re.search(r'data-unit="branch1">.*?</tr>', units, re.S).group(0)
    assert "?unit=branch1&amp;period=2019-01-01" in branch1 and "15" in branch1
    total = re.search(r'data-unit="total">.*?</tr>', units, re.S).group(0)
    assert "22" in total


def test_contact_drills_only_within_reach(org, client, indicator, may):
    make_report(indicator, org.branch2, 7, org.contact2)
    html = page(client, org.contact1, url("indicator", indicator.pk) + "?period=2019-01-01")
    units = re.search(r'data-testid="units".*?</table>', html, re.S).group(0)
    assert "机关第一党支部" in units and "机关第二党支部" not in units
    as_user(client, org.contact1)
    assert client.get(url("indicator", indicator.pk) + "?unit=branch2").status_code == 404


# ---------------------------------------------------------------- reporting


def test_contact_reports_a_value(org, client, indicator, may):
    as_user(client, org.contact1)
    form = client.get(url("report", indicator.pk)).content.decode()
    assert 'value="2019-01-01" selected' in form and "2019 Q2" in form and "2019 Q3" not in form
    assert "机关第二党支部" not in form
    response = client.post(
        url("report", indicator.pk),
        {"unit": org.branch1.pk, "period_start": "2019-01-01", "value": "12.5", "note": "已核实"},
    )
    assert response.status_code == 302
    assert (
        response["Location"] == url("indicator", indicator.pk) + "?unit=branch1&period=2019-01-01"
    )
    saved = IndicatorReport.objects.get()
    assert (saved.unit, saved.value, saved.note) == (org.branch1, Decimal("12.5"), "已核实")
    # the form for that period shows the value and its history
    again = client.get(url("report", indicator.pk) + "?period=2019-01-01").content.decode()
    assert 'value="12.50"' in again and 'data-testid="history"' in again


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"value": "十二"}, "Enter a number"),
        ({"period_start": "2019-07-01"}, "has not begun yet"),
        ({"period_start": "2018-10-01"}, "Choose one of the indicator"),
        ({"period_start": "last year"}, "Choose one of the periods listed"),
    ],
)
def test_bad_report_keeps_what_was_typed(org, client, indicator, may, data, field_error):
    posted = {
        "unit": org.branch1.pk,
        "period_start": "2019-01-01",
        "value": "12",
        "note": "备注文字",
    }
    posted.update(data)
    response = as_user(client, org.contact1).post(url("report", indicator.pk), posted)
    html = response.content.decode()
    assert response.status_code == 200 and field_error in html
    assert "备注文字" in html and f'value="{posted["value"]}"' in html
    assert not IndicatorReport.objects.exists()


def test_contact2_cannot_report_for_branch1(org, client, indicator, may):
    response = as_user(client, org.contact2).post(
        url("report", indicator.pk),
        {"unit": org.branch1.pk, "period_start": "2019-01-01", "value": "3"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not IndicatorReport.objects.exists()
    assert client.get(url("report", indicator.pk) + "?unit=branch1").status_code == 404


def test_member_cannot_report(org, client, indicator, may):
    assert as_user(client, org.member1).get(url("report", indicator.pk)).status_code == 403
    html = page(client, org.member1, url("indicator", indicator.pk))
    assert "Report a value" not in html


# ---------------------------------------------------------------- managing


def test_office_adds_an_area_and_an_indicator(org, client):
    as_user(client, org.office)
    assert "New target area" in page(client, org.office, url("campaign", "camp"))
    response = client.post(
        url("area_new", "camp"), {"number": "1", "name": "康复", "description": ""}
    )
    assert response.status_code == 302
    area = TargetArea.objects.get()
    response = client.post(
        url("indicator_new", area.pk),
        {
            "number": "1",
            "name": "康复服务覆盖率",
            "measure": "%",
            "baseline": "80",
            "target": "95",
            "direction": "higher",
            "aggregation": "average",
            "responsible_unit": org.root.pk,
            "period": "quarter",
            "starts_on": "2019-01-01",
            "ends_on": "2019-12-31",
        },
    )
    indicator = Indicator.objects.get()
    assert response.status_code == 302 and response["Location"] == url("indicator", indicator.pk)
    assert indicator.aggregation == "average" and indicator.baseline == Decimal(80)


def test_indicator_form_errors_name_the_field_and_keep_input(org, client, indicator):
    response = as_user(client, org.office).post(
        url("indicator_edit", indicator.pk),
        {
            "number": "1",
            "name": "改了名字",
            "baseline": "40",
            "target": "40",
            "direction": "higher",
            "aggregation": "sum",
            "responsible_unit": org.root.pk,
            "period": "quarter",
            "starts_on": "2019-06-01",
            "ends_on": "2019-01-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The target must differ from the baseline." in html
    assert "The last day reported is before the first." in html
    assert 'value="改了名字"' in html
    indicator.refresh_from_db()
    assert indicator.name == "脱贫人数"


@pytest.mark.parametrize("who", ["contact1", "leader", "member1"])
def test_only_the_office_reaches_the_manage_pages(org, client, indicator, who):
    as_user(client, getattr(org, who))
    for path in (
        url("area_new", "camp"),
        url("area_edit", indicator.area.pk),
        url("indicator_new", indicator.area.pk),
        url("indicator_edit", indicator.pk),
    ):
        assert client.get(path).status_code == 403, path


# ---------------------------------------------------------------- query counts


def _count(client, path, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _grow(org, start, n):
    for i in range(start, start + n):
        area = make_area(org.campaign, number=10 + i, name=f"领域{i}")
        for j in range(3):
            ind = make_indicator(
                area, org.organ if j else org.root, number=j + 1, name=f"指标{i}{j}"
            )
            unit = make_unit(f"单位{i}{j}", f"u{i}-{j}", org.branch1 if j % 2 else org.branch2)
            make_report(ind, unit, i + j, org.office)
            make_report(ind, org.branch1, 1, org.office)


@pytest.mark.parametrize(
    ("who", "where", "limit"),
    [
        ("office", "campaign", 16),
        ("contact1", "campaign", 14),
        ("office", "indicator", 14),
        ("contact1", "indicator", 13),
        ("contact1", "report", 10),
    ],
)
def test_pages_query_count_does_not_grow(
    org, client, indicator, may, django_assert_max_num_queries, who, where, limit
):
    path = url("campaign", "camp") if where == "campaign" else url(where, indicator.pk)
    path += "?period=2019-01-01" if where == "indicator" else ""
    _grow(org, 0, 1)
    as_user(client, getattr(org, who))
    few = _count(client, path, django_assert_max_num_queries, limit)
    _grow(org, 1, 4)
    for n in range(6):
        make_report(indicator, make_unit(f"子{n}", f"c{n}", org.organ), n, org.office)
    assert _count(client, path, django_assert_max_num_queries, limit) == few
