"""The demo's scoring scheme for the federation's campaign: 30/20/25/10/15, two points
off per problem found by an inspection, at most ten, two adopted briefs for full marks;
set by the federation's office (李俊温) through the service. Idempotent: a campaign that
has a scheme keeps it."""

from __future__ import annotations

from decimal import Decimal

from taolun.campaigns.models import Campaign
from taolun.supervision.models import ScoringScheme
from taolun.supervision.scores import scheme_save

SCHEME = {
    "weight_actions": Decimal(30),
    "weight_timeliness": Decimal(20),
    "weight_rectification": Decimal(25),
    "weight_briefs": Decimal(10),
    "weight_participation": Decimal(15),
    "deduction_per_finding": Decimal(2),
    "deduction_cap": Decimal(10),
    "briefs_for_full_marks": 2,
}


def load(loader, campaign: Campaign) -> None:
    if ScoringScheme.objects.filter(campaign=campaign).exists():
        return
    scheme_save(actor=loader.people["lijunwen"], campaign=campaign, **SCHEME)
    loader.count("scoring schemes")
