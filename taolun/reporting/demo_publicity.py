"""The demo's publicity: the federation's office puts adopted demo briefs out on each
channel (portal, WeChat, Weibo, the internal bulletin), keeps one planned, and publishes
the approved demo typical case on the portal, all through the services and dated in
March to May 2019. Runs after the briefs' and cases' demos.

Idempotent: a publication is looked up by its channel and item first; one found is left
as it is. A brief or case that is missing (its demo not loaded) is skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.reporting import demo_briefs
from taolun.reporting.models import CaseState, Channel, Publication, TypicalCase
from taolun.reporting.publicity import (
    adopted_briefs,
    publication_mark,
    publication_publish,
)


@dataclass(frozen=True)
class PublicationSpec:
    """One brief on one channel: marked on ``marked``, published on ``published`` (or kept
    planned when it is None)."""

    title: str
    channel: str
    marked: dt.date
    published: dt.date | None


def _d(month: int, day: int) -> dt.date:
    return dt.date(2019, month, day)


PUBLICATIONS: list[PublicationSpec] = [
    PublicationSpec(demo_briefs.TITLE_PROVINCE_ADOPTED, "portal", _d(3, 4), _d(3, 5)),
    PublicationSpec(demo_briefs.TITLE_ADOPTED, "wechat", _d(3, 7), _d(3, 8)),
    PublicationSpec(demo_briefs.TITLE_ADOPTED, "bulletin", _d(3, 7), _d(3, 11)),
    PublicationSpec(demo_briefs.TITLE_ADOPTED_EDITED, "weibo", _d(3, 21), _d(3, 21)),
    PublicationSpec(demo_briefs.TITLE_PROVINCE_PENDING, "portal", _d(5, 17), None),
]
CASE_CHANNEL = "portal"


def load(loader, campaign: Campaign) -> None:
    """Add the publications of ``PUBLICATIONS`` and the approved case's that are missing."""
    office = loader.people["lijunwen"]
    channels = {c.code: c for c in Channel.objects.all()}
    briefs = {b.title: b for b in adopted_briefs(campaign).filter(campaign=campaign)}
    for spec in PUBLICATIONS:
        brief = briefs.get(spec.title)
        channel = channels.get(spec.channel)
        if brief is None or channel is None:
            continue
        if Publication.objects.filter(channel=channel, brief=brief).exists():
            continue
        _publish(loader, office, campaign, brief, channel, spec.marked, spec.published)
    case = (
        TypicalCase.objects.filter(campaign=campaign, state=CaseState.APPROVED)
        .order_by("pk")
        .first()
    )
    channel = channels.get(CASE_CHANNEL)
    if case is None or channel is None:
        return
    if Publication.objects.filter(channel=channel, case=case).exists():
        return
    # Marked the day it was approved and published the next day, never after the demo's today.
    today = clock.today()
    day = timezone.localtime(case.decided_at).date() if case.decided_at else today
    _publish(loader, office, campaign, case, channel, day, min(day + dt.timedelta(days=1), today))


def _publish(loader, office, campaign, item, channel, marked, published) -> None:
    with clock.travel(marked):
        (publication,) = publication_mark(
            actor=office, campaign=campaign, item=item, channels=[channel]
        )
    loader.count("publications")
    if published is None:
        return
    with clock.travel(published):
        publication_publish(actor=office, publication=publication)
