"""Rows for reporting tests that need briefs, cases or publications as a starting point
(the workflows themselves are tested through the services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from taolun.campaigns.models import Campaign
from taolun.org.models import Unit, User
from taolun.reporting.models import (
    Brief,
    BriefReview,
    BriefState,
    CaseKind,
    CaseState,
    Channel,
    InstitutionalOutcome,
    Publication,
    PublicationState,
    ReviewState,
    TypicalCase,
)

_BRIEF_STATE = {
    ReviewState.PENDING: BriefState.SUBMITTED,
    ReviewState.RETURNED: BriefState.RETURNED,
    ReviewState.ADOPTED: BriefState.ADOPTED,
}


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_brief(
    campaign: Campaign,
    unit: Unit,
    author: User,
    *,
    title: str = "我支部召开大讨论动员会",
    body: str = "<p>3月1日，支部召开动员会。</p>",
    state: str = BriefState.DRAFT,
    on: dt.date = dt.date(2019, 3, 1),
    reviews: Sequence[tuple[Campaign, str]] = (),
) -> Brief:
    """A brief; ``reviews`` are (reviewing campaign, review state) from level 1 up, all
    received and decided ``on`` that day. The brief's state follows its level-1 review."""
    if reviews:
        state = _BRIEF_STATE[reviews[0][1]]
    brief = Brief.objects.create(
        campaign=campaign,
        unit=unit,
        author=author,
        title=title,
        body=body,
        phone="0351-1234567",
        state=state,
        submitted_at=at(on) if reviews else None,
    )
    for level, (reviewing, review_state) in enumerate(reviews, start=1):
        decided = review_state != ReviewState.PENDING
        BriefReview.objects.create(
            brief=brief,
            campaign=reviewing,
            level=level,
            state=review_state,
            sent_by=author,
            received_at=at(on),
            decided_at=at(on, 15) if decided else None,
            forwarded=level < len(reviews),
        )
    return brief


def make_case(
    campaign: Campaign,
    unit: Unit,
    nominator: User,
    *,
    name: str = "爱岗敬业的康复医生",
    state: str = CaseState.NOMINATED,
    kind: str = CaseKind.PERSON,
) -> TypicalCase:
    return TypicalCase.objects.create(
        campaign=campaign,
        unit=unit,
        kind=kind,
        name=name,
        story="<p>扎根基层十五年。</p>",
        state=state,
        nominated_by=nominator,
        nominated_at=at(dt.date(2019, 4, 1)),
    )


def make_outcome(
    campaign: Campaign, unit: Unit, recorder: User, *, title: str = "机关工作规则"
) -> InstitutionalOutcome:
    return InstitutionalOutcome.objects.create(
        campaign=campaign,
        unit=unit,
        title=title,
        document_number="晋残联发〔2019〕12号",
        issued_on=dt.date(2019, 5, 10),
        recorded_by=recorder,
    )


def make_publication(
    item: Brief | TypicalCase,
    channel_code: str,
    marked_by: User,
    *,
    published_on: dt.date | None = None,
) -> Publication:
    """A publication of ``item`` on a channel (published when ``published_on`` is given)."""
    is_brief = isinstance(item, Brief)
    return Publication.objects.create(
        campaign=item.campaign,
        channel=Channel.objects.get(code=channel_code),
        brief=item if is_brief else None,
        case=None if is_brief else item,
        title=item.title if is_brief else item.name,
        body=item.body if is_brief else item.story,
        state=PublicationState.PUBLISHED if published_on else PublicationState.PLANNED,
        marked_by=marked_by,
        marked_at=at(published_on or dt.date(2019, 4, 1)),
        published_on=published_on,
        published_by=marked_by if published_on else None,
    )
