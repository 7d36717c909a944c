"""Target areas and indicators for tests, made directly (the services are under test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from taolun.campaigns.models import Campaign
from taolun.org.models import Unit, User
from taolun.targets.models import Indicator, IndicatorReport, TargetArea

D = dt.date
Q1 = D(2019, 1, 1)


def make_area(campaign: Campaign, number: int = 1, name: str = "脱贫攻坚") -> TargetArea:
    return TargetArea.objects.create(campaign=campaign, number=number, name=name)


def make_indicator(
    area: TargetArea, unit: Unit, *, number: int = 1, name: str = "脱贫人数", **kw
) -> Indicator:
    fields = {
        "measure": "人",
        "baseline": Decimal(0),
        "target": Decimal(100),
        "period": "quarter",
        "starts_on": D(2019, 1, 1),
        "ends_on": D(2019, 12, 31),
        **kw,
    }
    return Indicator.objects.create(
        area=area, number=number, name=name, responsible_unit=unit, **fields
    )


def make_report(
    indicator: Indicator, unit: Unit, value, by: User, period_start: dt.date = Q1
) -> IndicatorReport:
    return IndicatorReport.objects.create(
        indicator=indicator,
        unit=unit,
        period_start=period_start,
        value=Decimal(str(value)),
        reported_by=by,
        reported_at=dt.datetime(2019, 4, 2, 10, tzinfo=dt.UTC),
    )
