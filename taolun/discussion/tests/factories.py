"""Factories for discussion tests: rows made directly, and helpers that go through the services."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from taolun.discussion.models import Opinion, OpinionKind, Topic
from taolun.discussion.services import opinion_post, topic_create

D = dt.date


class TopicFactory(DjangoModelFactory):
    """A topic open to the campaign's whole tree from 2019-03-01 to 2019-03-31."""

    class Meta:
        model = Topic

    campaign = None  # pass campaign=org.campaign
    unit = factory.LazyAttribute(lambda o: o.campaign.owner_unit)
    question = factory.Sequence(lambda n: f"如何破除思想僵化？({n})")
    description = "<p>请大家畅所欲言。</p>"
    opens_on = D(2019, 3, 1)
    closes_on = D(2019, 3, 31)
    allow_anonymous = True
    created_by = None  # pass created_by=org.office


class OpinionFactory(DjangoModelFactory):
    """An opinion by ``author``, counted in the author's home unit."""

    class Meta:
        model = Opinion

    topic = None
    author = None
    unit = factory.LazyAttribute(lambda o: o.author.unit)
    kind = OpinionKind.OPINION
    body = factory.Sequence(lambda n: f"<p>建议加强学习（{n}）</p>")
    anonymous = False


def make_topic(org, *, who: str = "office", unit: str = "root", **kw) -> Topic:
    """A topic opened through the service (by the office at the root unless told)."""
    kw.setdefault("question", "如何破除思想僵化？")
    kw.setdefault("opens_on", D(2019, 3, 1))
    kw.setdefault("closes_on", D(2019, 3, 31))
    return topic_create(
        actor=getattr(org, who), campaign=org.campaign, unit=getattr(org, unit), **kw
    )


def post(org, topic: Topic, who: str = "member1", body: str = "建议加强学习", **kw) -> Opinion:
    return opinion_post(actor=getattr(org, who), topic=topic, body=body, **kw)
