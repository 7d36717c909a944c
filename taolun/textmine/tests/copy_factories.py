"""Texts of every kind the copy scan reads, made directly (no permission checks), and
texts long enough to sign: an original, a light copy of it, and unrelated ones."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from taolun.activities.models import ActivityRecord, RecordStatus, Statement
from taolun.activities.tests.meeting_factories import MeetingFactory, StatementFactory
from taolun.discussion.models import Opinion
from taolun.discussion.tests.factories import OpinionFactory, TopicFactory
from taolun.reporting.models import Brief, ReviewState
from taolun.reporting.tests.factories import make_brief
from taolun.study.models import Reflection
from taolun.study.tests.factories import ReflectionFactory

ORIGINAL = (
    "通过这次专题学习，我深刻认识到形式主义官僚主义的危害。"
    "对照检查，我还存在调研走过场的问题，主要表现为习惯于坐在办公室听汇报。"
    "究其原因，在于宗旨意识有所淡化，理论学习不够深入。"
    "下一步，我将把理论学习作为第一要务，每月至少深入基层调研两次。"
)
# The same text with one name changed and a slogan added: a copy well above 0.8.
COPY = ORIGINAL.replace("两次", "三次") + "改革创新、奋发有为！"
UNRELATED = (
    "在五月八日的入户走访活动中，王五同志谈到群众反映的诉求，让大家很受触动。"
    "第一中学党支部共有十四名党员参加集中学习研讨，查摆问题六条，已整改四条。"
    "今后要着力解决推诿扯皮的问题，做到立行立改、举一反三。"
)
OTHER_UNRELATED = (
    "经过一段时间的集中学习，机关干部从思想上领会到纪律规矩是不可逾越的底线。"
    "东关村党支部共有三十一名党员参加民主评议党员，查摆问题十二条，已整改八条。"
    "今后要持续整治会议多文件多的问题，做到久久为功、善作善成。"
)


def at(day: int, hour: int = 10) -> dt.datetime:
    """A moment in March 2019."""
    return timezone.make_aware(dt.datetime(2019, 3, day, hour))


def reflection(org, author, text: str, *, submitted: bool = True, **kw) -> Reflection:
    return ReflectionFactory(
        campaign=org.campaign,
        author=author,
        body=f"<p>{text}</p>",
        submitted_at=timezone.now() if submitted else None,
        **kw,
    )


def opinion(org, author, text: str, **kw) -> Opinion:
    topic = TopicFactory(campaign=org.campaign, created_by=org.office)
    return OpinionFactory(topic=topic, author=author, body=f"<p>{text}</p>", **kw)


def brief(org, unit, author, text: str, *, reached_office: bool = True) -> Brief:
    reviews = [(org.campaign, ReviewState.PENDING)] if reached_office else []
    return make_brief(org.campaign, unit, author, body=f"<p>{text}</p>", reviews=reviews)


def record(org, unit, author, text: str, *, status: str = RecordStatus.SUBMITTED) -> ActivityRecord:
    return ActivityRecord.objects.create(
        campaign=org.campaign,
        action=org.campaign.actions.order_by("number").first(),
        unit=unit,
        title="集中学习研讨",
        held_on=dt.date(2019, 3, 1),
        content=f"<p>{text}</p>",
        created_by=author,
        status=status,
    )


def statement(
    org, speaker, text: str, *, unit: str = "branch1", submitted: bool = True
) -> Statement:
    meeting = MeetingFactory(org=org, unit=unit)
    if submitted:
        ActivityRecord.objects.filter(pk=meeting.record_id).update(status=RecordStatus.SUBMITTED)
    return StatementFactory(meeting=meeting, speaker=speaker, text=f"<p>{text}</p>")
