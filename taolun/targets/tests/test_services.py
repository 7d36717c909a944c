import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from taolun.campaigns.tests.factories import make_campaign
from taolun.org.models import Unit
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.targets.models import IndicatorReport, TargetArea
from taolun.targets.selectors import report_history
from taolun.targets.services import area_save, indicator_save, report_value
from taolun.targets.tests.factories import make_area, make_indicator

D = dt.date
Q1, Q2, Q3 = D(2019, 1, 1), D(2019, 4, 1), D(2019, 7, 1)


@pytest.fixture
def may(travel):
    return travel(D(2019, 5, 20))


@pytest.fixture
def indicator(org):
    return make_indicator(make_area(org.campaign), org.root)


def errors_of(exc_info) -> set[str]:
    return set(exc_info.value.message_dict)


# ---------------------------------------------------------------- reporting


def test_contact_reports_own_unit_then_updates_keeping_history(org, indicator, may):
    first = report_value(org.contact1, indicator, org.branch1, Q1, "12", "第一季度")
    assert first.value == Decimal("12.00") and first.reported_by == org.contact1
    again = report_value(org.contact1, indicator, org.branch1, Q1, Decimal("15.5"))
    assert again.pk == first.pk and IndicatorReport.objects.count() == 1
    assert again.value == Decimal("15.50")
    history = report_history(again)
    assert [(c.before, c.after) for c in history] == [("12.00", "15.50"), (None, "12.00")]
    assert all(c.actor == org.contact1 for c in history)
    assert LogEntry.objects.get_for_object(again).count() == 2


def test_office_reports_for_any_unit_of_its_reach(org, indicator, may):
    report_value(org.office, indicator, org.branch2, Q2, 3)
    report_value(org.office, indicator, org.root, Q2, 4)
    assert IndicatorReport.objects.filter(period_start=Q2).count() == 2


@pytest.mark.parametrize("who", ["contact2", "member1", "leader", "supervisor"])
def test_others_cannot_report_for_branch1(org, indicator, may, who):
    with pytest.raises(PermissionDenied):
        report_value(getattr(org, who), indicator, org.branch1, Q1, 1)
    assert not IndicatorReport.objects.exists()


def test_an_office_above_the_campaigns_unit_does_not_fill_in_its_figures(org, may):
    top = make_unit("省委", "top")
    province_office = UserFactory()
    grant(province_office, top, Role.OFFICE)
    Unit.objects.move(org.root, top, "last-child")
    org.root.refresh_from_db()
    indicator = make_indicator(make_area(org.campaign), org.root)
    with pytest.raises(PermissionDenied):
        report_value(province_office, indicator, org.root, Q1, 1)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"value": "十二"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "1e20"}, "value"),
        ({"period_start": Q3}, "period_start"),  # not begun on 2019-05-20
        ({"period_start": D(2019, 2, 1)}, "period_start"),  # not a quarter's first day
        ({"period_start": D(2018, 10, 1)}, "period_start"),  # before the indicator
        ({"note": "长" * 2001}, "note"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(org, indicator, may, kwargs, field):
    args = {"period_start": Q1, "value": "5", "note": "", **kwargs}
    with pytest.raises(ValidationError) as exc:
        report_value(org.contact1, indicator, org.branch1, **args)
    assert field in errors_of(exc)
    assert not IndicatorReport.objects.exists()


def test_unit_outside_the_responsible_subtree_is_a_unit_error(org, may):
    indicator = make_indicator(make_area(org.campaign), org.branch2)
    with pytest.raises(ValidationError) as exc:
        report_value(org.office, indicator, org.branch1, Q1, 5)
    assert errors_of(exc) == {"unit"}


# ---------------------------------------------------------------- managing


def test_office_adds_and_edits_an_area_with_sanitised_description(org):
    area = area_save(
        actor=org.office,
        campaign=org.campaign,
        number=1,
        name=" 脱贫攻坚 ",
        description='<p onclick="x()">文<script>alert(1)</script><a href="javascript:x">链</a></p>',
    )
    assert area.name == "脱贫攻坚"
    assert "script" not in area.description and "onclick" not in area.description
    assert "javascript" not in area.description
    area_save(actor=org.office, campaign=org.campaign, area=area, number=2, name="康复")
    area.refresh_from_db()
    assert (area.number, area.name) == (2, "康复")
    assert LogEntry.objects.get_for_object(area).count() == 2


def test_area_number_unique_and_name_required(org):
    make_area(org.campaign, number=1)
    with pytest.raises(ValidationError) as exc:
        area_save(actor=org.office, campaign=org.campaign, number=1, name="")
    assert errors_of(exc) == {"number", "name"}
    assert TargetArea.objects.count() == 1


@pytest.mark.parametrize("who", ["leader", "contact1", "member1", "supervisor"])
def test_only_the_office_manages(org, who):
    with pytest.raises(PermissionDenied):
        area_save(actor=getattr(org, who), campaign=org.campaign, number=1, name="x")


def test_office_of_a_child_campaign_does_not_manage_the_parent(org):
    child = make_campaign(org.branch1, "child", parent=org.campaign)
    office1 = UserFactory()
    grant(office1, org.branch1, Role.OFFICE)
    with pytest.raises(PermissionDenied):
        area_save(actor=office1, campaign=org.campaign, number=1, name="x")
    assert area_save(actor=office1, campaign=child, number=1, name="x").campaign == child


def _indicator_args(org, **kw):
    return {
        "number": 1,
        "name": "康复人数",
        "measure": "人",
        "baseline": "10",
        "target": "100",
        "direction": "higher",
        "aggregation": "sum",
        "responsible_unit": org.root,
        "period": "quarter",
        "starts_on": D(2019, 1, 1),
        "ends_on": D(2019, 12, 31),
        **kw,
    }


def test_indicator_save_creates_and_edits(org):
    area = make_area(org.campaign)
    indicator = indicator_save(actor=org.office, area=area, **_indicator_args(org))
    assert indicator.target == Decimal(100) and indicator.responsible_unit == org.root
    indicator_save(
        actor=org.office,
        area=area,
        indicator=indicator,
        **_indicator_args(org, target="5", direction="lower", responsible_unit=org.branch1),
    )
    indicator.refresh_from_db()
    assert (indicator.target, indicator.direction) == (Decimal(5), "lower")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"target": "10"}, "target"),  # equals the baseline
        ({"target": "5"}, "target"),  # below the baseline while higher is better
        ({"direction": "lower", "target": "50"}, "target"),
        ({"baseline": "abc"}, "baseline"),
        ({"ends_on": D(2018, 12, 31)}, "ends_on"),
        ({"name": "  "}, "name"),
        ({"period": "week"}, "period"),
    ],
)
def test_indicator_bad_input(org, kw, field):
    area = make_area(org.campaign)
    with pytest.raises(ValidationError) as exc:
        indicator_save(actor=org.office, area=area, **_indicator_args(org, **kw))
    assert field in errors_of(exc)
    assert not area.indicators.exists()


def test_responsible_unit_must_be_in_the_campaigns_tree(org):
    other = make_unit("其他", "other")
    with pytest.raises(ValidationError) as exc:
        indicator_save(
            actor=org.office,
            area=make_area(org.campaign),
            **_indicator_args(org, responsible_unit=other),
        )
    assert errors_of(exc) == {"responsible_unit"}
