"""The demo's work targets: the six 2019 target areas of the seed (section 四 of the
speech, word for word) on the federation's campaign, a few indicators with quarterly
reporting over 2019, and the first quarter's values reported by some units.

The seed names the areas but no figures: every indicator, baseline, target and value
here is invented and says so ("演示数据"). Written through the services, as the
federation's office (李俊温) for areas and indicators and as each unit's contact for its
values. Idempotent: areas by number, indicators by (area, number), reports by (indicator,
unit, period).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.targets.models import Indicator, IndicatorReport, TargetArea
from taolun.targets.services import area_save, indicator_save, report_value

DEMO_NOTE = "<p>演示数据:指标、基线、目标和填报数值均为虚构,仅用于演示平台功能。</p>"
SET_UP_ON = dt.date(2019, 3, 1)
Q1 = dt.date(2019, 1, 1)

# (area number, indicator number, name, measure, baseline, target, aggregation)
INDICATORS = [
    (1, 1, "贫困残疾人脱贫人数", "人", "0", "20000", "sum"),
    (2, 1, "残疾儿童康复救助人数", "人", "0", "6000", "sum"),
    (2, 2, "残疾人基本康复服务覆盖率", "%", "80", "90", "average"),
    (3, 1, "困难残疾人生活补贴发放率", "%", "95", "100", "average"),
    (4, 1, "维权案件办结率", "%", "90", "98", "average"),
]

# (area number, indicator number, unit slug, reporter username, value, day reported)
REPORTS = [
    (1, 1, "sxdpf-education-employment", "xuguorui", "1260", dt.date(2019, 4, 3)),
    (1, 1, "sxdpf-employment-centre", "lijunwen", "2150", dt.date(2019, 4, 8)),
    (2, 1, "sxdpf-rehab-centre-branch", "wenjiansheng", "640", dt.date(2019, 4, 4)),
    (2, 1, "sxdpf-cp-hospital-branch", "shajiakuan", "385", dt.date(2019, 4, 9)),
    (2, 2, "sxdpf-rehab-centre-branch", "wenjiansheng", "83.5", dt.date(2019, 4, 4)),
    (2, 2, "sxdpf-cp-hospital-branch", "shajiakuan", "81.2", dt.date(2019, 4, 9)),
    (3, 1, "sxdpf-planning-finance", "zhangxiaoli", "96.8", dt.date(2019, 4, 10)),
    (4, 1, "sxdpf", "lijunwen", "92.5", dt.date(2019, 4, 12)),
]

# The 2019 重点目标任务 of the federation (section 四 of the speech), word for word: the
# target areas here, and a list in the federation campaign's main tasks (core.demo).
WORK_TARGET_AREAS = [
    "坚持精准扶贫,坚决打赢贫困残疾人脱贫攻坚战",
    "以重点带全局,统筹推进残疾预防和残疾人康复工作",
    "加强薄弱环节,提高残疾人社会保障和公共服务水平",
    "推进法治建设,维护残疾人合法权益和社会稳定",
    "加强宣传引导,进一步营造残疾人事业发展良好氛围",
    "夯实工作基础,增强残疾人事业发展动力和后劲",
]


def load(loader, campaign: Campaign) -> None:
    office = loader.people["lijunwen"]
    sxdpf = loader.units["sxdpf"]
    areas: dict[int, TargetArea] = {}
    with clock.travel(SET_UP_ON):
        for number, name in enumerate(WORK_TARGET_AREAS, start=1):
            area = TargetArea.objects.filter(campaign=campaign, number=number).first()
            if area is None:
                area = area_save(
                    actor=office, campaign=campaign, number=number, name=name, description=DEMO_NOTE
                )
                loader.count("target areas")
            areas[number] = area
        indicators: dict[tuple[int, int], Indicator] = {}
        for area_no, number, name, measure, baseline, target, aggregation in INDICATORS:
            area = areas[area_no]
            indicator = Indicator.objects.filter(area=area, number=number).first()
            if indicator is None:
                indicator = indicator_save(
                    actor=office,
                    area=area,
                    number=number,
                    name=name,
                    measure=measure,
                    baseline=Decimal(baseline),
                    target=Decimal(target),
                    aggregation=aggregation,
                    responsible_unit=sxdpf,
                    period="quarter",
                    starts_on=dt.date(2019, 1, 1),
                    ends_on=dt.date(2019, 12, 31),
                )
                loader.count("indicators")
            indicators[(area_no, number)] = indicator
    for area_no, number, slug, username, value, day in REPORTS:
        indicator, unit = indicators[(area_no, number)], loader.units[slug]
        if IndicatorReport.objects.filter(indicator=indicator, unit=unit, period_start=Q1).exists():
            continue
        with clock.travel(day):
            report_value(loader.people[username], indicator, unit, Q1, Decimal(value), "演示数据")
        loader.count("indicator reports")
