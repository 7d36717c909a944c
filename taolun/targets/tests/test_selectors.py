import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taolun.org.models import Unit
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.targets.models import IndicatorReport
from taolun.targets.selectors import (
    child_values,
    drill_unit,
    get_indicator_for_user,
    headlines,
    progress,
    rollup,
    unreported_for_user,
)
from taolun.targets.tests.factories import make_area, make_indicator, make_report

D = dt.date
Q1 = D(2019, 1, 1)


@pytest.fixture
def indicator(org):
    return make_indicator(make_area(org.campaign), org.root)


# ---------------------------------------------------------------- progress


@pytest.mark.parametrize(
    ("baseline", "target", "value", "expected"),
    [
        (0, 100, 50, Decimal("50.0")),
        (20, 120, 20, Decimal("0.0")),
        (20, 120, 120, Decimal("100.0")),
        (20, 120, 170, Decimal("150.0")),
        (20, 120, 10, Decimal("-10.0")),
        # lower is better: (baseline - value) / (baseline - target)
        (30, 10, 25, Decimal("25.0")),
        (30, 10, 10, Decimal("100.0")),
        (30, 10, 35, Decimal("-25.0")),
    ],
)
def test_progress_both_directions_and_edges(org, indicator, baseline, target, value, expected):
    indicator.baseline, indicator.target = Decimal(baseline), Decimal(target)
    assert progress(indicator, Decimal(value)) == expected


def test_no_report_is_no_progress_not_zero(indicator):
    assert progress(indicator, None) is None
    assert rollup(indicator, indicator.responsible_unit, Q1).value is None


# ---------------------------------------------------------------- rollups against a recount


@pytest.fixture
def tree(org):
    """root → organ → branch1 (→ b1a → b1a1, b1b), branch2 (→ b2a); contacts as in org."""
    b1a = make_unit("b1a", "b1a", org.branch1)
    units = {
        "root": org.root,
        "organ": org.organ,
        "branch1": org.branch1,
        "branch2": org.branch2,
        "b1a": b1a,
        "b1a1": make_unit("b1a1", "b1a1", b1a),
        "b1b": make_unit("b1b", "b1b", org.branch1),
        "b2a": make_unit("b2a", "b2a", org.branch2),
    }
    for unit in units.values():
        unit.refresh_from_db()
    return units


def _descendants(units, top):
    """Brute force: walk parent links, never the path."""
    parent = {u.pk: Unit.objects.get_parent(u) for u in units.values()}
    out = []
    for unit in units.values():
        node = unit
        while node is not None:
            if node.pk == top.pk:
                out.append(unit)
                break
            node = parent[node.pk]
    return out


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.dictionaries(
        st.sampled_from(["root", "organ", "branch1", "branch2", "b1a", "b1a1", "b1b", "b2a"]),
        st.decimals(min_value=-1000, max_value=100000, places=2, allow_nan=False),
    ),
    average=st.booleans(),
)
def test_rollup_matches_a_brute_force_recount(org, tree, values, average):
    indicator = make_indicator(
        make_area(org.campaign, number=9), org.root, aggregation="average" if average else "sum"
    )
    try:
        for slug, value in values.items():
            make_report(indicator, tree[slug], value, org.office)
            make_report(indicator, tree[slug], 7, org.office, period_start=D(2019, 4, 1))
        for top in tree.values():
            mine = [values[u.slug] for u in _descendants(tree, top) if u.slug in values]
            expected = None
            if mine:
                expected = (sum(mine) / len(mine) if average else sum(mine)).quantize(
                    Decimal("0.01")
                )
            assert rollup(indicator, top, Q1).value == expected
            breakdown = child_values(indicator, top, Q1)
            assert breakdown.total.value == expected
            assert breakdown.own.figure.value == values.get(top.slug)
            for row in breakdown.children:
                assert row.figure.value == rollup(indicator, row.unit, Q1).value
    finally:  # each example starts from the fixture's tree alone
        IndicatorReport.objects.all().delete()
        indicator.area.delete()


def test_headlines_take_each_indicator_last_closed_period(org, travel):
    travel(D(2019, 5, 20))
    area = make_area(org.campaign)
    counts = make_indicator(area, org.root)
    rate = make_indicator(area, org.organ, number=2, aggregation="average", period="month")
    running = make_indicator(area, org.root, number=3, starts_on=D(2019, 4, 1))
    later = make_indicator(area, org.root, number=4, starts_on=D(2019, 7, 1))
    make_report(counts, org.branch1, 10, org.office)
    make_report(counts, org.branch2, 5, org.office)
    make_report(counts, org.branch2, 8, org.office, period_start=D(2019, 4, 1))
    make_report(rate, org.branch1, 80, org.office, period_start=D(2019, 4, 1))
    make_report(rate, org.branch2, 90, org.office, period_start=D(2019, 4, 1))
    make_report(rate, org.branch2, 10, org.office, period_start=D(2019, 5, 1))  # running
    make_report(rate, org.root, 10, org.office, period_start=D(2019, 4, 1))  # outside organ
    make_report(running, org.root, 3, org.office, period_start=D(2019, 4, 1))
    heads = headlines([counts, rate, running, later], D(2019, 5, 20))
    assert heads[counts.pk].period.start == Q1
    assert heads[counts.pk].value == Decimal(15) and heads[counts.pk].reported == 2
    assert heads[counts.pk].due == 4 and not heads[counts.pk].all_reported
    assert heads[counts.pk].progress == Decimal("15.0")
    assert heads[rate.pk].value == Decimal(85) and heads[rate.pk].due == 3
    # no period closed yet: the running one, so far
    assert heads[running.pk].period.start == D(2019, 4, 1) and heads[running.pk].value == 3
    assert heads[later.pk].period is None and heads[later.pk].value is None


def test_unreported_lists_my_unit_for_the_last_closed_period(org, travel):
    travel(D(2019, 5, 20))
    area = make_area(org.campaign)
    done = make_indicator(area, org.root)
    todo = make_indicator(area, org.root, number=2)
    elsewhere = make_indicator(area, org.branch2, number=3)
    make_report(done, org.branch1, 1, org.contact1)
    items = unreported_for_user(org.contact1, [done, todo, elsewhere], D(2019, 5, 20))
    assert [(i.indicator, i.period.start) for i in items] == [(todo, Q1)]
    assert unreported_for_user(org.member1, [done, todo], D(2019, 5, 20)) == []


# ---------------------------------------------------------------- who reads what


def test_outsider_cannot_get_the_indicator(org, indicator):
    with pytest.raises(Http404):
        get_indicator_for_user(org.outsider, indicator.pk)
    assert get_indicator_for_user(org.member1, indicator.pk) == indicator


def test_drill_unit_defaults_and_reach(org, indicator):
    assert drill_unit(org.office, indicator, None) == org.root
    assert drill_unit(org.contact1, indicator, None) == org.branch1
    assert drill_unit(org.member1, indicator, None) == org.branch1
    with pytest.raises(Http404):
        drill_unit(org.contact1, indicator, "branch2")
    with pytest.raises(Http404):
        drill_unit(org.contact1, indicator, "root")
    # someone of another tree who sees the campaign reads the headline only
    other = make_unit("其他", "other")
    stranger = UserFactory(unit=org.root)
    grant(stranger, other, Role.CONTACT)
    assert drill_unit(stranger, indicator, None) == org.root  # home unit counts
    # a member of branch1 reads nothing below branch2's headline
    assert (
        drill_unit(org.member1, make_indicator(indicator.area, org.branch2, number=2), None) is None
    )
