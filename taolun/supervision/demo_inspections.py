"""The demo's inspections (督导): the federation's office visits two branches.

李俊温, who holds the federation's campaign office, leads its supervision team: in April
at 机关第一党支部 (two problems, one good practice; the first problem is put on the
branch's ledger and opened with a measure), in May at the rehabilitation centre's
branch. Sample data in the seed's spirit, written through the services on their days.

Idempotent: an inspection is looked up by campaign, unit and day; a visit found is left
as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.rectification.services import MeasureInput, problem_open, problem_update
from taolun.supervision.inspections import finding_add, finding_to_problem, inspection_create
from taolun.supervision.models import FindingKind, Inspection

TEAM = "省残联大讨论第一督导组"
INSPECTOR = "lijunwen"


@dataclass(frozen=True)
class FindingSpec:
    kind: str
    text: str
    theme: int | None = None
    to_ledger: bool = False


@dataclass(frozen=True)
class VisitSpec:
    unit: str
    visited_on: dt.date
    checked: str
    summary: str
    findings: tuple[FindingSpec, ...]
    other_members: str = "机关党委工作人员2名"


VISITS = (
    VisitSpec(
        unit="sxdpf-branch-1",
        visited_on=dt.date(2019, 4, 16),
        checked="<p>查阅支部集中学习记录、党员心得体会和问题清单,"
        "与支部书记及三名党员个别谈话。</p>",
        summary="<p>支部学习安排扎实,问题查找较为深入;个别党员心得体会内容雷同,"
        "整改措施还需细化。</p>",
        findings=(
            FindingSpec(
                FindingKind.PROBLEM,
                "<p>部分党员心得体会内容雷同、照抄照搬,联系本职工作不够。</p>",
                theme=6,
                to_ledger=True,
            ),
            FindingSpec(
                FindingKind.PROBLEM,
                "<p>问题清单中有两项整改措施表述笼统,没有明确完成时限。</p>",
                theme=5,
            ),
            FindingSpec(
                FindingKind.GOOD_PRACTICE,
                "<p>支部坚持“每周一学”,把学习研讨与教育就业业务结合,形成了服务清单。</p>",
                theme=1,
            ),
        ),
    ),
    VisitSpec(
        unit="sxdpf-rehab-centre-branch",
        visited_on=dt.date(2019, 5, 9),
        checked="<p>实地查看门诊服务窗口,查阅整改台账和群众意见记录。</p>",
        summary="<p>“一站式”服务窗口运行良好,群众反映较好;整改台账更新及时。</p>",
        findings=(
            FindingSpec(
                FindingKind.GOOD_PRACTICE,
                "<p>门诊服务窗口实行首问负责和限时办结,设立党员示范岗。</p>",
                theme=6,
            ),
            FindingSpec(
                FindingKind.PROBLEM,
                "<p>群众意见记录未按月汇总分析,部分意见答复不及时。</p>",
                theme=5,
            ),
        ),
    ),
)


def load(loader, campaign: Campaign) -> None:
    """Add the visits above that are not there yet."""
    themes = {theme.number: theme for theme in campaign.themes.all()}
    inspector = loader.people[INSPECTOR]
    for spec in VISITS:
        unit = loader.units[spec.unit]
        if Inspection.objects.filter(
            campaign=campaign, unit=unit, visited_on=spec.visited_on
        ).exists():
            continue
        with clock.travel(spec.visited_on):
            inspection = inspection_create(
                actor=inspector,
                campaign=campaign,
                unit=unit,
                visited_on=spec.visited_on,
                team_name=TEAM,
                members=[inspector],
                other_members=spec.other_members,
                checked=spec.checked,
                summary=spec.summary,
            )
            loader.count("inspections")
            for f in spec.findings:
                finding = finding_add(
                    actor=inspector,
                    inspection=inspection,
                    kind=f.kind,
                    text=f.text,
                    theme=themes.get(f.theme) if f.theme else None,
                )
                loader.count("inspection findings")
                if f.to_ledger:
                    _to_ledger(loader, inspector, finding)


def _to_ledger(loader, inspector, finding) -> None:
    """The office puts the finding on the branch's ledger and opens it with one measure."""
    problem = finding_to_problem(actor=inspector, finding=finding)
    deadline = finding.inspection.visited_on + dt.timedelta(days=30)
    problem = problem_update(
        actor=inspector,
        problem=problem,
        deadline=deadline,
        target_standard="<p>每名党员心得体会紧扣岗位、有感而发,支部审阅后无雷同内容。</p>",
        measures=[MeasureInput("组织党员结合岗位职责重写心得体会,支部逐篇审阅把关。", deadline)],
    )
    problem_open(actor=inspector, problem=problem)
    loader.count("problems")
