"""Helpers for study tests: materials, logs and reflections, and a group session to attach them to.

The factories write rows directly (no permission checks); tests of the services call the
services themselves.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from taolun.activities.models import ActivityRecord, Attendance, Meeting, MeetingKind
from taolun.study.models import Reflection, StudyLog, StudyMaterial, StudyMode

D = dt.date
SESSION_DAY = D(2019, 3, 5)


class MaterialFactory(DjangoModelFactory):
    """A published, required material; pass ``campaign`` and ``created_by``."""

    class Meta:
        model = StudyMaterial
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"学习材料{n}")
    source = "人民日报"
    body = "<p>改革创新、奋发有为。</p>"
    required = True
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def for_units(self, create, extracted, **kwargs):
        if create and extracted:
            self.for_units.set(extracted)


class LogFactory(DjangoModelFactory):
    """A log of study alone; ``unit`` defaults to the person's home unit."""

    class Meta:
        model = StudyLog

    unit = factory.LazyAttribute(lambda o: o.person.unit)
    material = None
    other_title = factory.LazyAttribute(lambda o: "" if o.material else "自学文章")
    studied_on = D(2019, 3, 1)
    minutes = 30
    mode = StudyMode.ALONE


class ReflectionFactory(DjangoModelFactory):
    """A submitted reflection; ``submitted_at=None`` for a draft."""

    class Meta:
        model = Reflection

    unit = factory.LazyAttribute(lambda o: o.author.unit)
    title = factory.Sequence(lambda n: f"心得体会{n}")
    body = "<p>通过学习，我深刻认识到改革创新的重要性。</p>"
    submitted_at = factory.LazyFunction(timezone.now)


def make_meeting(org, *, unit=None, held_on: dt.date = SESSION_DAY, **kw) -> Meeting:
    """A group study session of ``unit`` (branch1) in ``org.campaign``, its record a draft."""
    unit = unit or org.branch1
    kind, _created = MeetingKind.objects.get_or_create(
        code="study-session", defaults={"name": "集中学习", "study": True}
    )
    record = ActivityRecord.objects.create(
        campaign=org.campaign,
        action=org.campaign.actions.order_by("number").first(),
        unit=unit,
        title="集中学习研讨",
        held_on=held_on,
        created_by=org.contact1,
    )
    return Meeting.objects.create(record=record, kind=kind, **kw)


def attend(meeting: Meeting, *people, present: bool = True) -> list[Attendance]:
    return [Attendance.objects.create(meeting=meeting, person=p, present=present) for p in people]
