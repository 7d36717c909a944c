"""The kinds of text the text side reads, and how to read each.

One ``TextSource`` per model says where its words are and who wrote them where. The copy
scan reads the kinds marked ``copies`` (what units write themselves and might copy from one
another); search reads them all. Anything new that people write joins by adding a line here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from taolun.activities.models import RecordStatus
from taolun.textmine.words import plain


@dataclass(frozen=True)
class Extract:
    """What the derived rows copy from one record."""

    campaign_id: int | None
    unit_id: int | None
    author_id: int | None
    written_at: dt.datetime
    title: str
    text: str


def _all() -> Q:
    return Q()


@dataclass(frozen=True)
class TextSource:
    """One kind of text.

    ``handed_in`` filters the model's rows that have left their author's hands, the ones a
    copy scan compares: a draft is the author's alone (a reflection before it is submitted,
    a brief before it reached its office, a record or a meeting's statements while the
    record is a draft) and copying into one's own draft is nobody's business yet.
    """

    label: str  # "app_label.ModelName"
    read: Callable[[Any], Extract]
    select_related: tuple[str, ...] = ()
    copies: bool = True
    handed_in: Callable[[], Q] = _all

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)

    def queryset(self) -> models.QuerySet:
        return self.model._default_manager.select_related(*self.select_related)


def _join(*parts: str) -> str:
    """Several fields as one text, a paragraph each (rich or plain, read as plain)."""
    return "\n".join(text for text in (plain(p).strip() for p in parts) if text)


def _reflection(r: Any) -> Extract:
    return Extract(r.campaign_id, r.unit_id, r.author_id, r.created_at, r.title, plain(r.body))


def _opinion(o: Any) -> Extract:
    # An anonymous opinion keeps its author and unit out of every derived row: the
    # discussion app hides both from every reader, and a unit narrows who wrote it.
    if o.anonymous:
        return Extract(o.topic.campaign_id, None, None, o.created_at, "", plain(o.body))
    return Extract(o.topic.campaign_id, o.unit_id, o.author_id, o.created_at, "", plain(o.body))


def _brief(b: Any) -> Extract:
    return Extract(b.campaign_id, b.unit_id, b.author_id, b.created_at, b.title, plain(b.body))


def _record(r: Any) -> Extract:
    return Extract(
        r.campaign_id, r.unit_id, r.created_by_id, r.created_at, r.title, plain(r.content)
    )


def _statement(s: Any) -> Extract:
    record = s.meeting.record
    return Extract(
        record.campaign_id,
        record.unit_id,
        s.speaker_id,
        s.created_at,
        s.title or s.speaker_title,
        plain(s.text),
    )


def _meeting(m: Any) -> Extract:
    record = m.record
    return Extract(
        record.campaign_id,
        record.unit_id,
        record.created_by_id,
        record.created_at,
        m.theme or record.title,
        _join(m.agenda, m.minutes),
    )


def _problem(p: Any) -> Extract:
    return Extract(
        p.campaign_id,
        p.unit_id,
        p.created_by_id,
        p.created_at,
        p.ledger_number,
        _join(p.description, p.target_standard),
    )


def _unit_plan(p: Any) -> Extract:
    return Extract(p.campaign_id, p.unit_id, p.updated_by_id, p.updated_at, p.title, plain(p.body))


def _campaign(c: Any) -> Extract:
    return Extract(
        c.pk,
        c.owner_unit_id,
        None,
        c.created_at,
        c.name,
        _join(c.general_requirements, c.main_tasks, c.methods, c.organisation),
    )


def _submitted() -> Q:
    return Q(submitted_at__isnull=False)


def _signed() -> Q:
    return Q(anonymous=False)


def _reached_office() -> Q:
    # A brief reaches its own campaign's office as a level-1 review; before that it is the
    # unit's draft (written, signed off or not), which the office cannot open.
    return Q(reviews__level=1)


def _record_not_draft() -> Q:
    return ~Q(status=RecordStatus.DRAFT)


def _meeting_not_draft() -> Q:
    return ~Q(meeting__record__status=RecordStatus.DRAFT)


SOURCES: tuple[TextSource, ...] = (
    TextSource("study.Reflection", _reflection, handed_in=_submitted),
    # Anonymous opinions are never compared: a group would set one beside its author's
    # named texts, and a scan of one unit and not another would tell where it came from.
    TextSource("discussion.Opinion", _opinion, ("topic",), handed_in=_signed),
    TextSource("reporting.Brief", _brief, handed_in=_reached_office),
    TextSource("activities.ActivityRecord", _record, handed_in=_record_not_draft),
    TextSource(
        "activities.Statement", _statement, ("meeting__record",), handed_in=_meeting_not_draft
    ),
    TextSource("activities.Meeting", _meeting, ("record",), copies=False),
    TextSource("rectification.Problem", _problem, copies=False),
    TextSource("campaigns.UnitPlan", _unit_plan, copies=False),
    TextSource("campaigns.Campaign", _campaign, copies=False),
)


@cache
def _by_label() -> dict[str, TextSource]:
    return {source.label: source for source in SOURCES}


def source_for(model: type[models.Model]) -> TextSource | None:
    """The source reading ``model``'s texts, or None for a model the text side ignores."""
    return _by_label().get(model._meta.label)


def source_named(label: str) -> TextSource:
    return _by_label()[label]


def copy_sources() -> Iterator[TextSource]:
    """The kinds a copy scan compares (each has a signature when long enough)."""
    return (source for source in SOURCES if source.copies)
