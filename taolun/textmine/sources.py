"""The kinds of text the text side reads, and how to read each.

One ``TextSource`` per model says where its words are and who wrote them where. The copy
scan reads the kinds marked ``copies`` (what units write themselves and might copy from one
another); search reads them all. Anything new that people write joins by adding a line here.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.html import strip_tags


@dataclass(frozen=True)
class Extract:
    """What the derived rows copy from one record."""

    campaign_id: int | None
    unit_id: int | None
    author_id: int | None
    written_at: dt.datetime
    title: str
    text: str


@dataclass(frozen=True)
class TextSource:
    label: str  # "app_label.ModelName"
    read: Callable[[Any], Extract]
    select_related: tuple[str, ...] = ()
    copies: bool = True

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def content_type(self) -> ContentType:
        return ContentType.objects.get_for_model(self.model)

    def queryset(self) -> models.QuerySet:
        return self.model._default_manager.select_related(*self.select_related)


def _plain(html: str) -> str:
    """Rich text is stored sanitised HTML; the text side reads its words only."""
    return html_lib.unescape(strip_tags(html or ""))


def _join(*parts: str) -> str:
    """Several fields as one text, a paragraph each (rich or plain, read as plain)."""
    return "\n".join(text for text in (_plain(p).strip() for p in parts) if text)


def _reflection(r: Any) -> Extract:
    return Extract(r.campaign_id, r.unit_id, r.author_id, r.created_at, r.title, _plain(r.body))


def _opinion(o: Any) -> Extract:
    # An anonymous opinion keeps its author out of every derived row.
    author = None if o.anonymous else o.author_id
    return Extract(o.topic.campaign_id, o.unit_id, author, o.created_at, "", _plain(o.body))


def _brief(b: Any) -> Extract:
    return Extract(b.campaign_id, b.unit_id, b.author_id, b.created_at, b.title, _plain(b.body))


def _record(r: Any) -> Extract:
    return Extract(
        r.campaign_id, r.unit_id, r.created_by_id, r.created_at, r.title, _plain(r.content)
    )


def _statement(s: Any) -> Extract:
    record = s.meeting.record
    return Extract(
        record.campaign_id,
        record.unit_id,
        s.speaker_id,
        s.created_at,
        s.title or s.speaker_title,
        _plain(s.text),
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
    return Extract(p.campaign_id, p.unit_id, p.updated_by_id, p.updated_at, p.title, _plain(p.body))


def _campaign(c: Any) -> Extract:
    return Extract(
        c.pk,
        c.owner_unit_id,
        None,
        c.created_at,
        c.name,
        _join(c.general_requirements, c.main_tasks, c.methods, c.organisation),
    )


SOURCES: tuple[TextSource, ...] = (
    TextSource("study.Reflection", _reflection),
    TextSource("discussion.Opinion", _opinion, ("topic",)),
    TextSource("reporting.Brief", _brief),
    TextSource("activities.ActivityRecord", _record),
    TextSource("activities.Statement", _statement, ("meeting__record",)),
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
    return (source for source in SOURCES if source.copies)
