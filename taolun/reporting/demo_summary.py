"""The demo's bulletin and summary (runs last, after the other reporting areas' demo data):
issue 1 of the federation's bulletin, issued in April 2019 with two of the briefs its
office adopted, and the campaign summary assembled from the demo's data as a draft.

Written through the services as the federation's office (李俊温); idempotent: the issue
is looked up by its number, the summary by its campaign, and a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.reporting.bulletin import (
    adoptable_briefs,
    issue_create,
    issue_publish,
    issue_set_items,
)
from taolun.reporting.models import BriefIssue, CampaignSummary
from taolun.reporting.summary import summary_assemble

OFFICE = "lijunwen"
BULLETIN_DAY = dt.date(2019, 4, 26)
BULLETIN_ITEMS = 2
RECIPIENTS = (
    "报：省委大讨论办公室\n送：省残联大讨论领导小组成员\n发：机关各支部、直属事业单位党支部"
)


def load(loader: Any, campaign: Campaign) -> None:
    """Add the bulletin's first issue (when adopted briefs exist) and the draft summary."""
    office = loader.people[OFFICE]
    if not BriefIssue.objects.filter(campaign=campaign, number=1).exists():
        picked = list(adoptable_briefs(campaign).order_by("submitted_at", "id")[:BULLETIN_ITEMS])
        if picked:
            with clock.travel(BULLETIN_DAY):
                issue = issue_create(
                    actor=office,
                    campaign=campaign,
                    number=1,
                    issued_on=BULLETIN_DAY,
                    recipients=RECIPIENTS,
                )
                issue_set_items(actor=office, issue=issue, brief_ids=[b.pk for b in picked])
                issue_publish(actor=office, issue=issue)
            loader.count("bulletin issues")
    if not CampaignSummary.objects.filter(campaign=campaign).exists():
        summary_assemble(actor=office, campaign=campaign)
        loader.count("campaign summaries")
