"""The targets demo, loaded with the whole demo: the seed's six areas, indicators with Q1
values reported by the units' own contacts; a second run adds nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils.timezone import localdate

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.core.demo import DEMO_TODAY, FEDERATION_SLUG, _Loader
from taolun.core.tests.test_demo import demo, demo_loaded  # noqa: F401 (fixtures)
from taolun.org.models import Unit
from taolun.targets import demo as targets_demo
from taolun.targets.demo import WORK_TARGET_AREAS
from taolun.targets.models import Indicator, IndicatorReport, TargetArea
from taolun.targets.selectors import headlines


def _load() -> _Loader:
    loader = _Loader()
    with clock.travel(DEMO_TODAY):
        loader.load_org()  # finds the demo's units and people; adds nothing
        targets_demo.load(loader, Campaign.objects.get(slug=FEDERATION_SLUG))
    return loader


@pytest.mark.usefixtures("demo")
class TestTargetsDemo:
    def test_loads_the_seeds_areas_and_is_idempotent(self):
        areas = TargetArea.objects.filter(campaign__slug=FEDERATION_SLUG).order_by("number")
        assert [a.name for a in areas] == WORK_TARGET_AREAS
        assert [a.number for a in areas] == [1, 2, 3, 4, 5, 6]
        assert all("演示数据" in a.description for a in areas)
        assert Indicator.objects.filter(area__in=areas).count() == len(targets_demo.INDICATORS)
        assert IndicatorReport.objects.filter(indicator__area__in=areas).count() == len(
            targets_demo.REPORTS
        )
        again = _load()
        assert not any(again.result.created.values())

        # values were reported by each unit's own contact, on their day, and roll up
        report = IndicatorReport.objects.get(
            unit__slug="sxdpf-rehab-centre-branch", indicator__number=1
        )
        assert report.reported_by.username == "wenjiansheng"
        assert localdate(report.reported_at).isoformat() == "2019-04-04"
        indicators = list(Indicator.objects.filter(area__campaign__slug=FEDERATION_SLUG))
        heads = headlines(indicators, DEMO_TODAY)
        count = next(i for i in indicators if i.name == "贫困残疾人脱贫人数")
        rate = next(i for i in indicators if i.name == "残疾人基本康复服务覆盖率")
        # on 2019-05-20 the pages lead with Q1, the last quarter closed
        assert heads[count.pk].period.start.isoformat() == "2019-01-01"
        assert heads[count.pk].value == Decimal(3410) and heads[count.pk].reported == 2
        assert heads[rate.pk].value == Decimal("82.35")
        assert count.responsible_unit == Unit.objects.get(slug="sxdpf")
