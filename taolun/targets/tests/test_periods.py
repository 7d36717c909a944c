import datetime as dt

import pytest
from django.utils import translation

from taolun.targets.periods import latest_begun, latest_closed, period_list, period_of

D = dt.date


def starts(kind, a, b):
    return [p.start for p in period_list(kind, a, b)]


def test_quarters_of_a_year_start_on_calendar_quarters():
    periods = period_list("quarter", D(2019, 2, 18), D(2019, 12, 31))
    assert [p.start for p in periods] == [
        D(2019, 1, 1),
        D(2019, 4, 1),
        D(2019, 7, 1),
        D(2019, 10, 1),
    ]
    assert [p.end for p in periods] == [
        D(2019, 3, 31),
        D(2019, 6, 30),
        D(2019, 9, 30),
        D(2019, 12, 31),
    ]
    with translation.override("en"):
        assert periods[0].label == "2019 Q1"
    with translation.override("zh-hans"):
        assert periods[0].label == "2019 年第 1 季度"


def test_months_cross_the_year_end():
    assert starts("month", D(2019, 11, 15), D(2020, 2, 1)) == [
        D(2019, 11, 1),
        D(2019, 12, 1),
        D(2020, 1, 1),
        D(2020, 2, 1),
    ]
    assert period_of("month", D(2020, 2, 10)).end == D(2020, 2, 29)
    assert period_list("month", D(2019, 12, 1), D(2019, 12, 1))[0].label == "2019-12"


def test_half_years_and_years():
    halves = period_list("half_year", D(2019, 3, 1), D(2020, 7, 1))
    assert [(p.start, p.end) for p in halves] == [
        (D(2019, 1, 1), D(2019, 6, 30)),
        (D(2019, 7, 1), D(2019, 12, 31)),
        (D(2020, 1, 1), D(2020, 6, 30)),
        (D(2020, 7, 1), D(2020, 12, 31)),
    ]
    with translation.override("en"):
        assert [p.label for p in halves[:2]] == ["2019 first half", "2019 second half"]
    with translation.override("zh-hans"):
        assert halves[1].label == "2019 年下半年"
    years = period_list("year", D(2019, 6, 1), D(2021, 1, 1))
    assert [p.label for p in years] == ["2019", "2020", "2021"]


def test_a_one_day_range_has_one_period_and_a_reversed_range_none():
    assert starts("quarter", D(2019, 5, 5), D(2019, 5, 5)) == [D(2019, 4, 1)]
    assert period_list("quarter", D(2019, 5, 5), D(2019, 5, 4)) == []


@pytest.mark.parametrize(
    ("today", "begun", "closed"),
    [
        (D(2018, 12, 31), None, None),
        (D(2019, 1, 1), D(2019, 1, 1), None),
        (D(2019, 3, 31), D(2019, 1, 1), None),
        (D(2019, 4, 1), D(2019, 4, 1), D(2019, 1, 1)),
        (D(2020, 6, 1), D(2019, 10, 1), D(2019, 10, 1)),
    ],
)
def test_latest_begun_and_closed(today, begun, closed):
    periods = period_list("quarter", D(2019, 1, 1), D(2019, 12, 31))
    assert (latest_begun(periods, today) or None) == (
        next(p for p in periods if p.start == begun) if begun else None
    )
    got = latest_closed(periods, today)
    assert (got.start if got else None) == closed
