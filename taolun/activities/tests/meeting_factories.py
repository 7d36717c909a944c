"""Factories for meeting tests: a meeting is built on a real activity record.

``MeetingFactory(org=org)`` makes branch1's democratic life meeting for action 1,
recorded by its contact through ``record_create`` (so the status table is updated as in
life); pass ``unit``/``who``/``kind`` to change it.
"""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from taolun.activities.models import Attendance, Meeting, MeetingKind, Statement, StatementKind
from taolun.activities.services import record_create

D = dt.date


def kind(code: str = "democratic-life") -> MeetingKind:
    """The kinds every site starts with come from a data migration."""
    return MeetingKind.objects.get(code=code)


def make_record(org, *, unit: str = "branch1", who: str | None = None, number: int = 1, **kw):
    who = who or {"branch1": "contact1", "branch2": "contact2"}.get(unit, "office")
    kw.setdefault("title", "民主生活会")
    kw.setdefault("held_on", D(2019, 3, 1))
    return record_create(
        actor=getattr(org, who),
        action=org.campaign.actions.get(kind="prescribed", number=number),
        unit=getattr(org, unit),
        **kw,
    )


class MeetingFactory(DjangoModelFactory):
    """Needs ``org``; ``unit``, ``who``, ``number``, ``title``, ``held_on`` shape the record."""

    class Meta:
        model = Meeting
        exclude = ("org", "unit", "who", "number", "title", "held_on")

    org = None
    unit = "branch1"
    who = None
    number = 1
    title = "民主生活会"
    held_on = D(2019, 3, 1)
    record = factory.LazyAttribute(
        lambda o: make_record(
            o.org, unit=o.unit, who=o.who, number=o.number, title=o.title, held_on=o.held_on
        )
    )
    kind = factory.LazyFunction(kind)
    theme = "改革创新、奋发有为"


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = None
    person = None
    present = True
    absence_reason = ""


class StatementFactory(DjangoModelFactory):
    class Meta:
        model = Statement

    meeting = None
    order = factory.Sequence(lambda n: n + 1)
    kind = StatementKind.PLEDGE
    speaker = None
    speaker_title = "党支部书记"
    text = "<p>坚决完成各项任务。</p>"
