"""Counts of briefs per unit, level and month; quotas, points and the league table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.timezone import localdate

from taolun.org.models import UnitKind
from taolun.org.tests.factories import make_unit
from taolun.reporting.models import (
    BriefPoints,
    BriefQuota,
    BriefReview,
    QuotaMeasure,
    QuotaPeriod,
    ReviewState,
)
from taolun.reporting.stats import (
    QuotaSpec,
    count_table,
    league_rows,
    league_table_publish,
    points_set,
    points_table,
    quota_shortfalls,
    quotas_set,
    stats_access,
)
from taolun.reporting.tests.factories import at, make_brief

A, P, R = ReviewState.ADOPTED, ReviewState.PENDING, ReviewState.RETURNED
D = dt.date
MAR, APR = D(2019, 3, 1), D(2019, 4, 1)


@pytest.fixture
def briefs(levels):
    """Briefs of the federation's units at both levels, in March and April."""
    fed, prov = levels.campaign, levels.prov
    ns = levels
    ns.b1 = make_brief(
        fed, levels.branch1, levels.contact1, on=D(2019, 3, 5), reviews=[(fed, A), (prov, A)]
    )
    ns.b2 = make_brief(fed, levels.branch1, levels.contact1, on=D(2019, 3, 20), reviews=[(fed, P)])
    ns.b3 = make_brief(fed, levels.branch2, levels.contact2, on=D(2019, 4, 2), reviews=[(fed, A)])
    ns.b4 = make_brief(fed, levels.branch2, levels.contact2, on=D(2019, 4, 3), reviews=[(fed, R)])
    ns.b5 = make_brief(
        fed, levels.fed, levels.office, on=D(2019, 3, 1), reviews=[(fed, A), (prov, P)]
    )
    make_brief(fed, levels.branch1, levels.contact1, title="draft")  # never submitted
    # The province's own brief, at the province's office only.
    make_brief(prov, levels.province, levels.prov_office, on=D(2019, 3, 8), reviews=[(prov, A)])
    return ns


def rows_of(table) -> dict[str, dict[str, list[int]]]:
    """slug (own: slug-own) → {month: [submitted, adopted here, adopted above, …]}."""
    width = 1 + len(table.levels)
    out = {}
    for row, values in table.lines():
        key = row.unit.slug + ("-own" if row.own_only else "")
        labels = [f"{m:%Y-%m}" for m in table.months] + ["total"]
        out[key] = {label: values[i * width : (i + 1) * width] for i, label in enumerate(labels)}
    return out


def test_office_counts_its_units_by_month_and_level(briefs):
    access = stats_access(briefs.office, briefs.campaign)
    table = count_table(briefs.campaign, access)
    assert [lv.number for lv in table.levels] == [1, 2]
    rows = rows_of(table)
    assert rows["fed-own"]["2019-03"] == [1, 1, 0]
    assert rows["branch1"]["2019-03"] == [2, 1, 1]
    assert rows["branch1"]["2019-04"] == [0, 0, 0]
    assert rows["branch2"]["2019-04"] == [2, 1, 0]
    assert rows["branch2"]["total"] == [2, 1, 0]
    assert table.total_values[-3:] == [5, 3, 1]
    # Points with the default rules: 1 per adoption here, 3 at the province.
    assert {r.unit.slug + ("-own" if r.own_only else ""): r.total.points for r in table.rows} == {
        "fed-own": 1,
        "branch1": 4,
        "branch2": 1,
    }


def test_adoption_counts_in_the_month_it_was_decided(briefs):
    review = BriefReview.objects.get(brief=briefs.b2, level=1)
    review.state, review.decided_at = A, at(D(2019, 4, 15))
    review.save()
    table = count_table(briefs.campaign, stats_access(briefs.office, briefs.campaign))
    rows = rows_of(table)
    assert rows["branch1"]["2019-03"] == [2, 1, 1]
    assert rows["branch1"]["2019-04"] == [0, 1, 0]


def test_month_filter_keeps_one_month(briefs):
    access = stats_access(briefs.leader, briefs.campaign)
    table = count_table(briefs.campaign, access, months=[APR])
    rows = rows_of(table)
    assert set(rows["branch2"]) == {"2019-04", "total"}
    assert rows["branch2"]["total"] == [2, 1, 0]
    assert rows["branch1"]["total"] == [0, 0, 0]


def test_rollup_counts_a_whole_subtree(briefs):
    """A unit's row counts the briefs of the units below it; drilling down splits them."""
    dept = make_unit("教育就业部", "dept", briefs.branch1)
    make_brief(
        briefs.campaign, dept, briefs.contact1, on=D(2019, 3, 9), reviews=[(briefs.campaign, A)]
    )
    access = stats_access(briefs.supervisor, briefs.campaign)
    assert rows_of(count_table(briefs.campaign, access))["branch1"]["total"] == [3, 2, 1]
    briefs.branch1.refresh_from_db()
    down = rows_of(count_table(briefs.campaign, access, parent=briefs.branch1))
    assert down["branch1-own"]["total"] == [2, 1, 1]
    assert down["dept"]["total"] == [1, 1, 0]


def test_the_parent_office_counts_only_what_was_forwarded_to_it(briefs):
    access = stats_access(briefs.prov_office, briefs.prov)
    rows = rows_of(count_table(briefs.prov, access))
    assert [lv.number for lv in count_table(briefs.prov, access).levels] == [1]
    # Two briefs of the federation reached the province in March; it adopted one.
    assert rows["fed"]["2019-03"] == [2, 1]
    assert rows["province-own"]["2019-03"] == [1, 1]
    down = rows_of(count_table(briefs.prov, access, parent=briefs.fed))
    assert down["branch1"]["total"] == [1, 1]
    assert down["fed-own"]["total"] == [1, 0]
    assert down["branch2"]["total"] == [0, 0]
    # The federation's own counts are not the province office's to read, and the
    # federation's office is not an office of the province's campaign.
    with pytest.raises(Http404):
        stats_access(briefs.prov_office, briefs.campaign)
    with pytest.raises(Http404):
        stats_access(briefs.office, briefs.prov)


def test_a_contact_sees_only_their_unit_and_others_nothing(briefs):
    access = stats_access(briefs.contact1, briefs.campaign)
    assert not access.full
    rows = rows_of(count_table(briefs.campaign, access))
    assert list(rows) == ["branch1"]
    assert rows["branch1"]["total"] == [2, 1, 1]
    with pytest.raises(Http404):
        count_table(
            briefs.campaign, stats_access(briefs.office, briefs.campaign), parent=briefs.province
        )
    for user in (briefs.member1, briefs.outsider, briefs.head1):
        with pytest.raises(Http404):
            stats_access(user, briefs.campaign)


# ---------------------------------------------------------------- quotas


def branch_kind() -> UnitKind:
    return UnitKind.objects.get(code="branch")


def test_quota_shortfalls_per_ended_period_and_so_far(briefs, travel):
    BriefQuota.objects.create(
        campaign=briefs.campaign, unit_kind=branch_kind(), period=QuotaPeriod.MONTH, count=2
    )
    travel(D(2019, 4, 10))
    found = {
        (s.unit.slug, s.period.label, s.count, s.so_far)
        for s in quota_shortfalls(briefs.campaign, D(2019, 4, 10))
    }
    assert found == {
        ("branch1", "2019-02", 0, False),
        ("branch1", "2019-04", 0, True),
        ("branch2", "2019-02", 0, False),
        ("branch2", "2019-03", 0, False),
    }
    this_month = quota_shortfalls(briefs.campaign, D(2019, 4, 10), current_month_only=True)
    assert [(s.unit.slug, s.missing) for s in this_month] == [("branch1", 2)]


def test_adopted_quota_over_the_whole_campaign(briefs):
    BriefQuota.objects.create(
        campaign=briefs.campaign,
        unit_kind=branch_kind(),
        period=QuotaPeriod.CAMPAIGN,
        measure=QuotaMeasure.ADOPTED,
        count=2,
    )
    found = quota_shortfalls(briefs.campaign, D(2019, 4, 30))
    assert [(s.unit.slug, s.count, s.so_far) for s in found] == [
        ("branch1", 1, False),
        ("branch2", 1, False),
    ]
    # Before the end, the same shortfall is "so far".
    assert all(s.so_far for s in quota_shortfalls(briefs.campaign, D(2019, 4, 1)))


def test_quotas_set_by_the_office_only_and_checked(briefs):
    kind = branch_kind()
    spec = QuotaSpec(kind, QuotaMeasure.SUBMITTED, QuotaPeriod.MONTH, 2)
    with pytest.raises(PermissionDenied):
        quotas_set(actor=briefs.contact1, campaign=briefs.campaign, specs=[spec])
    with pytest.raises(PermissionDenied):
        quotas_set(actor=briefs.leader, campaign=briefs.campaign, specs=[spec])
    with pytest.raises(ValidationError) as bad:
        quotas_set(
            actor=briefs.office,
            campaign=briefs.campaign,
            specs=[spec, QuotaSpec(kind, QuotaMeasure.ADOPTED, QuotaPeriod.MONTH, -1)],
        )
    assert "branch__adopted__count" in bad.value.message_dict
    assert not BriefQuota.objects.exists()
    quotas_set(actor=briefs.office, campaign=briefs.campaign, specs=[spec])
    assert BriefQuota.objects.get().count == 2
    quotas_set(
        actor=briefs.office,
        campaign=briefs.campaign,
        specs=[QuotaSpec(kind, QuotaMeasure.SUBMITTED, None, None)],
    )
    assert not BriefQuota.objects.exists()


# ---------------------------------------------------------------- points and league tables


def test_points_default_and_set(briefs):
    assert points_table(briefs.campaign) == {1: 1, 2: 3, 3: 5}
    with pytest.raises(PermissionDenied):
        points_set(actor=briefs.contact1, campaign=briefs.campaign, points={1: Decimal(2)})
    with pytest.raises(ValidationError) as bad:
        points_set(actor=briefs.office, campaign=briefs.campaign, points={1: Decimal(-1), 2: None})
    assert set(bad.value.message_dict) == {"level_1", "level_2"}
    assert not BriefPoints.objects.exists()
    points_set(actor=briefs.office, campaign=briefs.campaign, points={1: Decimal(2), 2: Decimal(5)})
    ranking = league_rows(briefs.campaign, MAR, D(2019, 4, 30))
    assert [(r.unit, r.points, r.rank) for r in ranking] == [
        ("机关第一党支部", 7, 1),
        ("机关第二党支部", 2, 2),
        ("省残联", 2, 2),
    ]


def test_league_ranks_with_ties_and_the_period(briefs):
    ranking = league_rows(briefs.campaign, MAR, D(2019, 4, 30))
    assert [(r.unit, r.submitted, r.adopted, r.points, r.rank) for r in ranking] == [
        ("机关第一党支部", 2, {1: 1, 2: 1}, 4, 1),
        ("机关第二党支部", 2, {1: 1, 2: 0}, 1, 2),
        ("省残联", 1, {1: 1, 2: 0}, 1, 2),
    ]
    march_only = league_rows(briefs.campaign, MAR, D(2019, 3, 31))
    assert [(r.unit, r.points) for r in march_only] == [("机关第一党支部", 4), ("省残联", 1)]


def test_a_published_table_stays_as_published(briefs, travel):
    travel(D(2019, 4, 30))
    with pytest.raises(PermissionDenied):
        league_table_publish(
            actor=briefs.contact1, campaign=briefs.campaign, title="t", starts_on=MAR, ends_on=APR
        )
    with pytest.raises(ValidationError) as bad:
        league_table_publish(
            actor=briefs.office, campaign=briefs.campaign, title=" ", starts_on=APR, ends_on=MAR
        )
    assert set(bad.value.message_dict) == {"title", "ends_on"}
    table = league_table_publish(
        actor=briefs.office,
        campaign=briefs.campaign,
        title="三至四月信息报送排名",
        starts_on=MAR,
        ends_on=D(2019, 4, 30),
    )
    assert localdate(table.published_at) == D(2019, 4, 30)
    snapshot = table.rows
    assert snapshot[0] == {
        "unit": "机关第一党支部",
        "submitted": 2,
        "adopted": [{"level": 1, "count": 1}, {"level": 2, "count": 1}],
        "points": "4.0",
        "rank": 1,
    }
    review = BriefReview.objects.get(brief=briefs.b2, level=1)
    review.state, review.decided_at = A, at(D(2019, 4, 20))
    review.save()
    assert league_rows(briefs.campaign, MAR, D(2019, 4, 30))[0].points == 5
    table.refresh_from_db()
    assert table.rows == snapshot
