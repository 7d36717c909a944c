"""The demo's typical cases and institutional outcomes (典型宣传, 建章立制).

The rehabilitation centre's 服务窗口 practice, nominated by its branch and approved by
the federation's office (it answers the ledger's complaint about the clinic's window);
the employment department nominated and awaiting the office; and two rules the
federation made in the campaign, linked to the ledger problems and themes they answer.
Sample data in the seed's spirit, written through the services on their own days.

Idempotent: a case is looked up by campaign and name, a rule by campaign and title.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.rectification.models import Problem
from taolun.reporting.cases import case_decide, case_nominate
from taolun.reporting.models import CaseKind, InstitutionalOutcome, OutcomeKind, TypicalCase
from taolun.reporting.outcomes import outcome_add

# Names the tests and other demos look for.
CASE_APPROVED = "省康复研究中心门诊服务窗口“一站式”服务"
CASE_NOMINATED = "省残联教育就业部"
OUTCOME_CONDUCT = "省残联机关作风建设若干规定"
OUTCOME_DECISIONS = "省残联“三重一大”事项决策制度（修订）"


@dataclass(frozen=True)
class CaseSpec:
    name: str
    kind: str
    unit: str
    nominator: str
    nominated_on: dt.date
    summary: str
    story: tuple[str, ...]
    theme: int
    approved_on: dt.date | None = None
    approver: str = "lijunwen"


@dataclass(frozen=True)
class OutcomeSpec:
    title: str
    kind: str
    unit: str
    recorder: str
    issued_on: dt.date
    document_number: str
    summary: tuple[str, ...]
    themes: tuple[int, ...]
    # Words each answered ledger problem's description contains (the ledger's natural key).
    problems: tuple[str, ...]
    revises: str = ""
    with_file: bool = False


CASES = [
    CaseSpec(
        name=CASE_APPROVED,
        kind=CaseKind.PRACTICE,
        unit="sxdpf-rehab-centre-branch",
        nominator="wenjiansheng",
        nominated_on=dt.date(2019, 4, 18),
        summary="把咨询、评估、预约、缴费合并到一个窗口,残疾人及家属“只进一扇门、只找一个人”。",
        story=(
            "大讨论中,省康复研究中心党支部把群众反映的“门诊窗口服务态度不够热情、咨询解答"
            "不耐心”列入问题清单,对标一流康复机构,推出门诊服务窗口“一站式”服务。",
            "中心将咨询、康复评估登记、治疗预约和缴费四项业务合并到一个综合窗口,设立党员"
            "示范岗,为行动不便的残疾人提供陪同就诊和上门评估,窗口实行首问负责和限时办结。",
            "实行一个多月来,残疾人及家属平均办事时间由原来的一个多小时缩短到二十分钟以内,"
            "窗口收到表扬信和锦旗十余件,群众满意度明显提升。",
        ),
        theme=6,
        approved_on=dt.date(2019, 4, 25),
    ),
    CaseSpec(
        name=CASE_NOMINATED,
        kind=CaseKind.UNIT,
        unit="sxdpf-education-employment",
        nominator="xuguorui",
        nominated_on=dt.date(2019, 5, 15),
        summary="开办残疾人网络招聘会,让残疾人求职“足不出户”。",
        story=(
            "针对残疾人就业服务仍以传统招聘会为主的问题,教育就业部联合就业服务指导中心"
            "开办残疾人网络招聘专场,开通远程面试和岗位推送。",
            "首场网络招聘会有一百二十余家用人单位参加,提供岗位六百余个,"
            "三百余名残疾人在线投递简历,当场达成就业意向八十余人。",
        ),
        theme=2,
    ),
]

OUTCOMES = [
    OutcomeSpec(
        title=OUTCOME_CONDUCT,
        kind=OutcomeKind.NEW,
        unit="sxdpf",
        recorder="lijunwen",
        issued_on=dt.date(2019, 5, 10),
        document_number="晋残联发〔2019〕12号",
        summary=(
            "规定共十条,明确机关干部首问负责、限时办结、一次告知等服务要求,"
            "建立班子成员联系基层制度,规范财务报销审核流程,并将作风建设纳入年度考核。",
        ),
        themes=(6,),
        problems=("调查研究不够深入", "财务报销审核环节多", "门诊窗口服务态度不够热情"),
        with_file=True,
    ),
    OutcomeSpec(
        title=OUTCOME_DECISIONS,
        kind=OutcomeKind.REVISED,
        unit="sxdpf",
        recorder="lijunwen",
        issued_on=dt.date(2019, 5, 17),
        document_number="晋残联党组发〔2019〕8号",
        summary=(
            "修订后的制度明确重大决策、重要干部任免、重大项目安排和大额资金使用事项的范围"
            "和标准,规定深化改革事项须经党组集体研究决定,决策前须开展调查研究和风险评估。",
        ),
        themes=(1,),
        problems=("党组班子解放思想不够",),
        revises="省残联“三重一大”事项决策制度（2016年）",
    ),
]


def tiny_pdf() -> bytes:
    """A one-page PDF made here, so the demo ships no binary file."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def load(loader, campaign: Campaign) -> None:
    """Add the cases and rules above that are not there yet."""
    themes = {theme.number: theme for theme in campaign.themes.all()}
    for spec in CASES:
        if TypicalCase.objects.filter(campaign=campaign, name=spec.name).exists():
            continue
        _case(loader, campaign, spec, themes)
        loader.count("typical cases")
    for spec in OUTCOMES:
        if InstitutionalOutcome.objects.filter(campaign=campaign, title=spec.title).exists():
            continue
        _outcome(loader, campaign, spec, themes)
        loader.count("institutional outcomes")


def _html(paragraphs: tuple[str, ...]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _case(loader, campaign: Campaign, spec: CaseSpec, themes: dict) -> None:
    with clock.travel(spec.nominated_on):
        case = case_nominate(
            actor=loader.people[spec.nominator],
            campaign=campaign,
            unit=loader.units[spec.unit],
            kind=spec.kind,
            name=spec.name,
            theme=themes.get(spec.theme),
            summary=spec.summary,
            story=_html(spec.story),
        )
    if spec.approved_on is not None:
        with clock.travel(spec.approved_on):
            case_decide(actor=loader.people[spec.approver], case=case, approve=True)


def _outcome(loader, campaign: Campaign, spec: OutcomeSpec, themes: dict) -> None:
    # A problem missing from the ledger (an older demo) is simply not linked.
    problems = [
        problem
        for words in spec.problems
        if (
            problem := Problem.objects.filter(campaign=campaign, description__contains=words)
            .order_by("pk")
            .first()
        )
        is not None
    ]
    upload = (
        SimpleUploadedFile(f"{spec.title}.pdf", tiny_pdf(), content_type="application/pdf")
        if spec.with_file
        else None
    )
    with clock.travel(spec.issued_on):
        outcome_add(
            actor=loader.people[spec.recorder],
            campaign=campaign,
            unit=loader.units[spec.unit],
            kind=spec.kind,
            title=spec.title,
            document_number=spec.document_number,
            issued_on=spec.issued_on,
            revises=spec.revises,
            summary=_html(spec.summary),
            problems=problems,
            themes=[themes[n] for n in spec.themes if n in themes],
            upload=upload,
        )
