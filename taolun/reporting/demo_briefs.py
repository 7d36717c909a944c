"""The demo's briefs (信息报送): the federation's branches report their campaign work to
the federation's office, which adopts some, edits some, returns one and forwards the best
to the province's office, dated through March to May 2019 and written through the
services, so every state of the workflow is on show.

Idempotent: a brief is looked up by its campaign and title first; one found is left as is.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from taolun.activities.models import Meeting
from taolun.campaigns.models import ActionKind, Campaign
from taolun.core import clock
from taolun.reporting.briefs import (
    PhotoInput,
    brief_create,
    brief_send_back,
    brief_send_for_signoff,
    brief_sign,
    brief_submit,
    review_decide,
    review_edit_text,
    review_forward,
)
from taolun.reporting.models import Brief, BriefKind

# Titles the browser tests and other demos look for.
TITLE_DRAFT = "机关第二党支部开展“改革创新、奋发有为”专题学习"
TITLE_SIGNING = "省康复研究中心党支部召开大讨论专题组织生活会"
TITLE_SIGNED = "机关第一党支部组织党员赴基层残疾人之家调研"
TITLE_SUBMITTED = "省脑瘫康复医院党支部开展“对标一流”大讨论"
TITLE_RETURNED = "机关第二党支部查摆问题十二条"
TITLE_ADOPTED = "机关第一党支部召开大讨论动员会"
TITLE_ADOPTED_EDITED = "机关第二党支部围绕“六个破除”开展专题研讨"
TITLE_PROVINCE_PENDING = "省残联机关作风整顿见实效"
TITLE_PROVINCE_ADOPTED = "省残联召开“改革创新、奋发有为”大讨论动员部署会"
TITLE_PROVINCE_RETURNED = "省残联扎实推进大讨论学习环节"

# The office's edited title of TITLE_ADOPTED_EDITED, and the one sent to the province.
EDITED_TITLE = "省残联机关第二党支部以“六个破除”推动思想再解放"
FORWARD_TITLE_PENDING = "省残联以机关作风整顿推动大讨论走深走实"


@dataclass(frozen=True)
class BriefSpec:
    """One demo brief and how far it goes: ``until`` names its last move."""

    title: str
    unit: str
    writer: str
    signer: str
    day: dt.date
    body: tuple[str, ...]
    until: str
    kind: str = BriefKind.NEWS
    action: int | None = None
    mobilisation: bool = False
    byline: str = ""
    return_comment: str = ""
    edited_title: str = ""
    edited_body: tuple[str, ...] = ()
    forward_title: str = ""
    province_comment: str = ""
    photo_caption: str = ""
    sent_back: str = ""


def _d(month: int, day: int) -> dt.date:
    return dt.date(2019, month, day)


BRIEFS: list[BriefSpec] = [
    BriefSpec(
        TITLE_PROVINCE_ADOPTED,
        "sxdpf-branch-1",
        "sxdpf-liaison",
        "xuguorui",
        _d(3, 1),
        (
            "2月22日，省残联召开“改革创新、奋发有为”大讨论动员部署会。党组书记、理事长卫国"
            "作动员讲话，党组成员、副理事长李俊温宣读领导小组成员名单及职责分工，"
            "五个党支部书记作表态发言。",
            "会议要求，打响动员的“第一枪”，打牢学习的“奠基石”，抓住实践的“指南针”，"
            "紧盯提升的“加固剂”，以“六个破除”“六个着力”“六个坚持”推动全省残疾人事业高质量发展。",
        ),
        until="province_adopt",
        action=1,
        mobilisation=True,
        byline="省残联大讨论办公室",
        photo_caption="动员部署会会场",
    ),
    BriefSpec(
        TITLE_ADOPTED,
        "sxdpf-branch-1",
        "xuguorui",
        "weiguo",
        _d(3, 4),
        (
            "3月1日，机关第一党支部召开大讨论动员会，传达学习省残联动员部署会精神。",
            "支部书记许国瑞结合教育就业部工作实际，对支部开展大讨论作出安排，"
            "要求全体党员对照“六个破除”查找差距。",
        ),
        until="adopt",
        action=1,
    ),
    BriefSpec(
        TITLE_ADOPTED_EDITED,
        "sxdpf-branch-2",
        "zhangxiaoli",
        "weiguo",
        _d(3, 18),
        (
            "3月15日，机关第二党支部围绕“六个破除”开展专题研讨，支部党员逐一发言。",
            "大家认为，破除资源依赖、树立市场理念，是计划财务工作转变方式的关键。",
        ),
        until="adopt_edited",
        action=3,
        edited_title=EDITED_TITLE,
        edited_body=(
            "3月15日，省残联机关第二党支部围绕“六个破除”开展专题研讨。",
            "支部党员结合计划财务工作实际，提出破除资源依赖、以市场理念改进资金使用方式等"
            "三条具体措施。",
        ),
    ),
    BriefSpec(
        TITLE_PROVINCE_PENDING,
        "sxdpf-branch-1",
        "sxdpf-liaison",
        "xuguorui",
        _d(4, 22),
        (
            "省残联机关把作风整顿作为大讨论实践环节的重点，对照“破除慵懒散漫、"
            "着力解决作风不实问题”查摆问题，建立整改台账。",
            "截至4月底，机关各支部查摆的问题已整改过半，办文办会效率明显提高。",
        ),
        until="forward",
        action=8,
        forward_title=FORWARD_TITLE_PENDING,
    ),
    BriefSpec(
        TITLE_PROVINCE_RETURNED,
        "sxdpf-branch-2",
        "zhangxiaoli",
        "weiguo",
        _d(3, 25),
        (
            "省残联把学习贯穿大讨论全过程，党组中心组开展集中学习研讨，各支部组织专题学习。",
            "机关干部职工人人撰写心得体会，学习环节取得阶段性成效。",
        ),
        until="province_return",
        action=3,
        province_comment="内容较为笼统，请补充具体做法和数据后再报。",
    ),
    BriefSpec(
        TITLE_RETURNED,
        "sxdpf-branch-2",
        "zhangxiaoli",
        "weiguo",
        _d(4, 15),
        ("机关第二党支部对标查找问题差距，共查摆问题十二条。",),
        until="return",
        action=8,
        return_comment="请列出主要问题和整改措施，并注明完成时限。",
    ),
    BriefSpec(
        TITLE_SUBMITTED,
        "sxdpf-cp-hospital-branch",
        "shajiakuan",
        "weiguo",
        _d(5, 14),
        (
            "省脑瘫康复医院党支部以“对标一流”为主题开展大讨论，组织医护人员赴兄弟单位学习。",
            "医院梳理出提升康复服务质量的六项措施，已在病区推开。",
        ),
        until="submit",
        action=8,
    ),
    BriefSpec(
        TITLE_SIGNED,
        "sxdpf-branch-1",
        "xuguorui",
        "weiguo",
        _d(5, 16),
        (
            "5月15日，机关第一党支部组织党员赴太原市基层残疾人之家开展调研，"
            "听取残疾人和基层工作者意见建议。",
        ),
        until="sign",
        kind=BriefKind.NEWS,
    ),
    BriefSpec(
        TITLE_SIGNING,
        "sxdpf-rehab-centre-branch",
        "wenjiansheng",
        "weiguo",
        _d(5, 17),
        ("5月16日，省康复研究中心党支部召开大讨论专题组织生活会，党员逐一对照检查。",),
        until="send_for_signoff",
        action=7,
        sent_back="请补充会上查摆出的主要问题。",
    ),
    BriefSpec(
        TITLE_DRAFT,
        "sxdpf-branch-2",
        "zhangxiaoli",
        "weiguo",
        _d(5, 19),
        ("机关第二党支部开展“改革创新、奋发有为”专题学习，重温讲话精神。",),
        until="draft",
        action=3,
    ),
]


def tiny_png() -> bytes:
    """A 2×2 PNG made here, so the demo ships no binary file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _html(paragraphs: tuple[str, ...]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def load(loader, campaign: Campaign) -> None:
    """Add the briefs of ``BRIEFS`` that are not there yet, each moved as far as it goes."""
    office = loader.people["lijunwen"]
    province_office = loader.people["shanxi-office"]
    meeting = (
        Meeting.objects.filter(record__campaign=campaign, kind__code="mobilisation")
        .order_by("pk")
        .first()
    )
    for spec in BRIEFS:
        if Brief.objects.filter(campaign=campaign, title=spec.title).exists():
            continue
        _load_one(loader, campaign, spec, office, province_office, meeting)
        loader.count("briefs")


def _load_one(loader, campaign, spec: BriefSpec, office, province_office, meeting) -> None:
    people = loader.people
    writer = people[spec.writer]
    action = (
        campaign.actions.filter(kind=ActionKind.PRESCRIBED, number=spec.action).first()
        if spec.action
        else None
    )
    photos = []
    if spec.photo_caption:
        upload = SimpleUploadedFile("会场.png", tiny_png(), content_type="image/png")
        photos.append(PhotoInput(upload, spec.photo_caption))
    day = spec.day
    with clock.travel(day):
        brief = brief_create(
            actor=writer,
            campaign=campaign,
            unit=loader.units[spec.unit],
            title=spec.title,
            body=_html(spec.body),
            phone="0351-4061234",
            kind=spec.kind,
            action=action,
            meeting=meeting if spec.mobilisation else None,
            byline=spec.byline,
            photos=photos,
        )
    if spec.until == "draft":
        return
    if spec.sent_back:
        # Sent back once by the head, then sent again: the timeline shows both.
        with clock.travel(day):
            brief_send_for_signoff(actor=writer, brief=brief)
            brief_send_back(actor=people[spec.signer], brief=brief, comment=spec.sent_back)
    with clock.travel(day):
        brief_send_for_signoff(actor=writer, brief=brief)
    if spec.until == "send_for_signoff":
        return
    with clock.travel(day):
        brief_sign(actor=people[spec.signer], brief=brief)
    if spec.until == "sign":
        return
    with clock.travel(day + dt.timedelta(days=1)):
        first = brief_submit(actor=writer, brief=brief)
    if spec.until == "submit":
        return
    with clock.travel(day + dt.timedelta(days=2)):
        if spec.until == "return":
            review_decide(actor=office, review=first, adopt=False, comment=spec.return_comment)
            return
        review_decide(
            actor=office,
            review=first,
            adopt=True,
            title=spec.edited_title,
            body=_html(spec.edited_body) if spec.edited_body else "",
        )
    if spec.until in ("adopt", "adopt_edited"):
        return
    with clock.travel(day + dt.timedelta(days=2)):
        if spec.forward_title:
            review_edit_text(actor=office, review=first, title=spec.forward_title, body="")
        second = review_forward(actor=office, review=first)
    if spec.until == "forward":
        return
    with clock.travel(day + dt.timedelta(days=5)):
        review_decide(
            actor=province_office,
            review=second,
            adopt=spec.until == "province_adopt",
            comment=spec.province_comment,
        )
