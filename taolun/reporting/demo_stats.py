"""The demo's brief quotas, points and a published league table: party branches owe two
briefs a month and departments one, an adoption earns 1 point at the federation's office
and 3 at the province's, and the office published the ranking of March and April 2019.

Runs after ``demo_briefs`` (the table ranks its briefs), through the services, as the
federation's office (李俊温). Idempotent: quotas by category and measure, points by
whether the campaign has any, the table by its title.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.org.models import UnitKind
from taolun.reporting.models import BriefQuota, LeagueTable, QuotaMeasure, QuotaPeriod
from taolun.reporting.stats import QuotaSpec, league_table_publish, points_set, quotas_set

# (unit category code, briefs submitted per month)
QUOTAS = [("branch", 2), ("department", 1)]
POINTS = {1: Decimal(1), 2: Decimal(3)}
LEAGUE_TITLE = "省残联大讨论信息报送排名（2019年3—4月）"
LEAGUE_FROM, LEAGUE_TO = dt.date(2019, 3, 1), dt.date(2019, 4, 30)
LEAGUE_PUBLISHED_ON = dt.date(2019, 5, 6)


def load(loader, campaign: Campaign) -> None:
    office = loader.people["lijunwen"]
    for code, count in QUOTAS:
        kind = UnitKind.objects.get(code=code)
        if BriefQuota.objects.filter(
            campaign=campaign, unit_kind=kind, measure=QuotaMeasure.SUBMITTED
        ).exists():
            continue
        quotas_set(
            actor=office,
            campaign=campaign,
            specs=[QuotaSpec(kind, QuotaMeasure.SUBMITTED, QuotaPeriod.MONTH, count)],
        )
        loader.count("brief quotas")
    if not campaign.brief_points.exists():
        points_set(actor=office, campaign=campaign, points=POINTS)
        loader.count("brief points")
    if not LeagueTable.objects.filter(campaign=campaign, title=LEAGUE_TITLE).exists():
        with clock.travel(LEAGUE_PUBLISHED_ON):
            league_table_publish(
                actor=office,
                campaign=campaign,
                title=LEAGUE_TITLE,
                starts_on=LEAGUE_FROM,
                ends_on=LEAGUE_TO,
            )
        loader.count("league tables")
