"""The demo: the seed's own campaign, the 2019 "改革创新、奋发有为" 大讨论 of Shanxi.

``load_demo()`` builds, from the founding document (news report and speech of the
省残联 mobilisation meeting of 2019-02-22): the unit tree, the people and posts the
seed names, the province's campaign with its six themes, four stages and ten
prescribed actions, the federation's child campaign (created through the cascade),
its leading group, the mobilisation meeting with its speech and statements, sample
records that put every cell status on the matrix, a rectification ledger whose problems
show every state, light and evaluation outcome, and the members' participation (study,
reflections, a discussion topic per theme, a democratic life meeting): see
``demo_participation``.

It is idempotent: every object is looked up by a natural key (slug, username, number,
title) and created only when missing, so a second run writes no row and no audit entry.
Writes go through the services wherever one exists, so the audit trail and the status
table are exactly what real use would have produced. The seed's people hold the roles
they hold in the seed (the secretaries record, the office at 机关党委 reviews) but have no
usable password; the log-in accounts of the demo are made only when ``accounts`` is true.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps as django_apps
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import translation

from taolun.activities.models import ActivityRecord, RecordStatus
from taolun.activities.services import record_create, record_review
from taolun.campaigns.models import (
    Action,
    ActionKind,
    Campaign,
    LeadingGroupMember,
    LeadingGroupRole,
    Stage,
    Theme,
    UnitPlan,
)
from taolun.campaigns.services import (
    campaign_create,
    campaign_sync_statuses,
    self_selected_action_decide,
    self_selected_action_propose,
    unit_plan_save,
)
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.demo_participation import DLM_TITLE, ParticipationLoader
from taolun.core.demo_participation import paragraphs as _paragraphs
from taolun.core.sanitize import clean_html
from taolun.org.models import Post, RoleAssignment, Unit, UnitKind, User
from taolun.org.roles import AdminDuty, Role
from taolun.org.services import office_staff_group_ensure, post_set, role_grant, unit_add
from taolun.rectification.models import (
    ExtensionState,
    Problem,
    ProblemKind,
    ProblemLevel,
    ProblemSource,
    Rating,
)
from taolun.rectification.services import (
    MeasureInput,
    evaluation_open,
    extension_decide,
    extension_request,
    measure_set_done,
    problem_carry_over,
    problem_complete,
    problem_create,
    problem_open,
    problem_send_back,
    problem_verify,
    progress_add,
    vote_cast,
)
from taolun.reporting import demo_briefs, demo_cases, demo_publicity, demo_stats, demo_summary
from taolun.supervision import demo_inspections, demo_scores
from taolun.targets import demo as demo_targets
from taolun.targets.demo import WORK_TARGET_AREAS
from taolun.textmine.scan import start_scan

DATA_DIR = Path(__file__).resolve().parent / "demo_data"

# The demo is loaded as of this day (the Makefile pins the site's clock to it too):
# the records it enters are dated on or before it, so validation passes whatever the
# real date, and at this date the matrix shows every status at once.
DEMO_TODAY = dt.date(2019, 5, 20)
DEMO_PASSWORD = "taolun-demo-2019"

PROVINCE_SLUG = "shanxi-2019"
FEDERATION_SLUG = "sxdpf-2019"
CAMPAIGN_TOPIC = "“改革创新、奋发有为”大讨论"
BASIS_NUMBER = "晋办发〔2019〕1号"
BASIS_TITLE = "《关于开展“改革创新、奋发有为”大讨论的实施方案》"

# (code, name): the kinds of unit are data.
# (code, name, takes part): the kinds of unit are data. The federation itself and its
# party branches carry out the actions ("各单位…制定具体实施方案"); the organ, the
# committee seating the office, the institutions' grouping and the departments group
# or lead others and carry out none of their own.
UNIT_KINDS = [
    ("organisation", "组织", True),
    ("organ", "机关", False),
    ("committee", "党委", False),
    ("branch", "党支部", True),
    ("institution", "事业单位", False),
    ("region", "地区", True),
    ("department", "部门", False),
]

# (slug, parent slug, kind, name, short name), parents before children.
#
# Nesting: in the 机关 a party branch is organised over departments (the seed pairs
# each branch secretary with the head of one department, and a branch usually covers
# several), so a department sits under its branch and the branch's scope reaches it.
# A directly affiliated institution is an administrative unit with one branch inside
# it, so there the branch sits under the institution. Either way the branch secretary's
# department or institution and the branch are one subtree apart at most.
UNITS = [
    ("shanxi", None, "organisation", "中共山西省委", "省委"),
    ("sxdpf", "shanxi", "organisation", "山西省残疾人联合会", "省残联"),
    ("sxdpf-organ", "sxdpf", "organ", "省残联机关", "机关"),
    ("sxdpf-organ-committee", "sxdpf-organ", "committee", "省残联机关党委", "机关党委"),
    ("sxdpf-branch-1", "sxdpf-organ", "branch", "省残联机关第一党支部", "机关第一党支部"),
    (
        "sxdpf-education-employment",
        "sxdpf-branch-1",
        "department",
        "省残联教育就业部",
        "教育就业部",
    ),
    ("sxdpf-branch-2", "sxdpf-organ", "branch", "省残联机关第二党支部", "机关第二党支部"),
    ("sxdpf-planning-finance", "sxdpf-branch-2", "department", "省残联计划财务部", "计划财务部"),
    ("sxdpf-institutions", "sxdpf", "institution", "省残联直属事业单位", "直属事业单位"),
    (
        "sxdpf-employment-centre",
        "sxdpf-institutions",
        "institution",
        "山西省残疾人就业服务指导中心",
        "省残疾人就业服务指导中心",
    ),
    (
        "sxdpf-employment-centre-branch",
        "sxdpf-employment-centre",
        "branch",
        "山西省残疾人就业服务指导中心党支部",
        "省残疾人就业服务指导中心党支部",
    ),
    (
        "sxdpf-rehab-centre",
        "sxdpf-institutions",
        "institution",
        "山西省康复研究中心",
        "省康复研究中心",
    ),
    (
        "sxdpf-rehab-centre-branch",
        "sxdpf-rehab-centre",
        "branch",
        "山西省康复研究中心党支部",
        "省康复研究中心党支部",
    ),
    (
        "sxdpf-cp-hospital",
        "sxdpf-institutions",
        "institution",
        "山西省脑瘫康复医院",
        "省脑瘫康复医院",
    ),
    (
        "sxdpf-cp-hospital-branch",
        "sxdpf-cp-hospital",
        "branch",
        "山西省脑瘫康复医院党支部",
        "省脑瘫康复医院党支部",
    ),
]

# The seed's people: (username, name, unit slug); they never log in.
PEOPLE = [
    ("luohuining", "骆惠宁", "shanxi"),
    ("weiguo", "卫国", "sxdpf"),
    ("lijunwen", "李俊温", "sxdpf"),
    ("xuguorui", "许国瑞", "sxdpf-education-employment"),
    ("zhangxiaoli", "张晓莉", "sxdpf-planning-finance"),
    ("wenjiansheng", "温建生", "sxdpf-rehab-centre"),
    ("shajiakuan", "沙佳宽", "sxdpf-cp-hospital"),
    # The seed names no clerk of the campaign office; records of the federation's own
    # actions need an author other than their reviewer, so the post stands for the person.
    ("sxdpf-liaison", "省残联大讨论办公室联络员", "sxdpf-organ-committee"),
    # Nor a clerk of the provincial committee's office, which adopts forwarded briefs.
    ("shanxi-office", "省委大讨论办公室", "shanxi"),
]

# Posts as the seed names them: (unit slug, title, holder username or None, order).
POSTS = [
    ("shanxi", "省委书记、省人大常委会主任", "luohuining", 1),
    ("sxdpf", "党组书记、理事长", "weiguo", 1),
    ("sxdpf", "党组成员、副理事长", "lijunwen", 2),
    ("sxdpf-organ-committee", "机关党委书记", "lijunwen", 1),
    ("sxdpf-branch-1", "党支部书记", "xuguorui", 1),
    ("sxdpf-education-employment", "主任", "xuguorui", 1),
    ("sxdpf-branch-2", "党支部书记", "zhangxiaoli", 1),
    ("sxdpf-planning-finance", "主任", "zhangxiaoli", 1),
    # The seed names this secretary (also the centre's director) by post only.
    ("sxdpf-employment-centre-branch", "党支部书记", None, 1),
    ("sxdpf-employment-centre", "主任", None, 1),
    ("sxdpf-rehab-centre-branch", "党支部书记", "wenjiansheng", 1),
    ("sxdpf-cp-hospital-branch", "党支部书记", "shajiakuan", 1),
]

# The roles the seed's people play: the office of the campaign is seated in 机关党委,
# whose secretary reviews; the branch secretaries run their branches' records.
PEOPLE_ROLES = [
    ("weiguo", "sxdpf", Role.LEADER),
    ("lijunwen", "sxdpf", Role.LEADER),
    ("lijunwen", "sxdpf", Role.OFFICE),
    ("sxdpf-liaison", "sxdpf", Role.CONTACT),
    ("shanxi-office", "shanxi", Role.OFFICE),
    ("xuguorui", "sxdpf-branch-1", Role.CONTACT),
    ("zhangxiaoli", "sxdpf-branch-2", Role.CONTACT),
    ("wenjiansheng", "sxdpf-rehab-centre-branch", Role.CONTACT),
    ("shajiakuan", "sxdpf-cp-hospital-branch", Role.CONTACT),
]

# 六个破除、六个着力、六个坚持, word for word from the speech.
THEMES = [
    ("破除僵化保守", "着力解决改革意识不强问题", "坚持以改革破解发展难题"),
    ("破除因循守旧", "着力解决创新精神不足问题", "坚持以创新激发动力活力"),
    ("破除封闭狭隘", "着力解决扩大开放不够问题", "坚持以开放促改革促发展"),
    ("破除资源依赖", "着力解决市场理念不浓问题", "坚持以市场打开发展新通途"),
    ("破除随遇而安", "着力解决工作标杆不高问题", "坚持以一流标准创造一流业绩"),
    ("破除慵懒散漫", "着力解决作风不实问题", "坚持以过硬作风彰显担当作为"),
]

# The four 环节 as the speech names them: (name, directive, description, start, end).
STAGES = [
    (
        "动员",
        "打响动员的“第一枪”",
        "认真进行动员部署,制定具体实施方案,结合实际开展“自选动作”。",
        dt.date(2019, 2, 18),
        dt.date(2019, 3, 10),
    ),
    (
        "学习",
        "打牢学习的“奠基石”",
        "深入学习,广泛宣传,营造浓厚的舆论氛围,同时抓好典型宣传。",
        dt.date(2019, 3, 11),
        dt.date(2019, 4, 30),
    ),
    (
        "实践",
        "抓住实践的“指南针”",
        "把搞好“大讨论”与抓好正在做的事情统一起来,深入查找问题差距,认真抓好整改落实。",
        dt.date(2019, 5, 1),
        dt.date(2019, 6, 15),
    ),
    (
        "提升",
        "紧盯提升的“加固剂”",
        "及时回顾分析,提炼好的经验,形成务实管用、可长期坚持、可复制推广的制度机制。",
        dt.date(2019, 6, 16),
        dt.date(2019, 6, 30),
    ),
]

# The ten 规定动作 as the speech lays them out over the stages (the official list is in
# a plan we do not have): (stage number, name, description, due date).
ACTIONS = [
    (
        1,
        "召开动员部署会",
        "认真进行动员部署,切实把思想和行动统一到省委的要求上来,为开展“大讨论”提供政治和组织保障。",
        dt.date(2019, 2, 28),
    ),
    (1, "制定具体实施方案", "制定具体实施方案,结合实际开展“自选动作”。", dt.date(2019, 3, 10)),
    (
        2,
        "集中学习研讨",
        "深入学习习近平新时代中国特色社会主义思想,重温习近平总书记在庆祝改革开放40周年大会上的"
        "重要讲话和视察山西重要讲话精神,认真领会省委十一届七次全会精神和近期一系列重要部署要求。",
        dt.date(2019, 4, 15),
    ),
    (
        2,
        "宣传营造氛围",
        "充分利用门户网站、微信微博平台等多种媒介形式,广泛宣传,营造浓厚的舆论氛围。",
        dt.date(2019, 4, 20),
    ),
    (2, "典型宣传", "抓好典型宣传,发挥典型的引领示范作用。", dt.date(2019, 4, 30)),
    (
        3,
        "统筹谋划年度工作、转化成果",
        "把搞好“大讨论”与抓好正在做的事情统一起来,认真统筹谋划好今年的年度工作,"
        "切实把“大讨论”成果转化为实际成效。",
        dt.date(2019, 6, 10),
    ),
    (
        3,
        "开好民主生活会和专题组织生活会",
        "结合“大讨论”主题开好民主生活会和专题组织生活会,坚持主动对标,"
        "把自己摆进去、把职责摆进去、把工作摆进去。",
        dt.date(2019, 5, 31),
    ),
    (3, "对标查找问题差距、整改落实", "深入查找问题差距,认真抓好整改落实。", dt.date(2019, 6, 15)),
    (3, "信息报送", "做好“大讨论”信息报送工作,宣传改革创新的工作亮点。", dt.date(2019, 6, 15)),
    (
        4,
        "回顾总结、建章立制",
        "在“大讨论”结束前及时回顾分析,提炼好的经验,总结先进事迹,广泛开展交流;梳理拓展"
        "“大讨论”的思想和实践成果,形成务实管用、可长期坚持、可复制推广的制度机制。",
        dt.date(2019, 6, 30),
    ),
]


def _list(items: list[str]) -> str:
    return "<ol>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ol>"


PROVINCE_PLAN = {
    "general_requirements": _paragraphs(
        "为进一步解放思想和开拓进取,实现新时代山西改革开放再出发,省委决定在全省开展"
        "“改革创新、奋发有为”大讨论。",
        "这是高扬新时代改革开放旗帜的一次学习的革命、思想的革命、工作的革命。",
    ),
    "main_tasks": _paragraphs(
        "准确把握“大讨论”“六个破除、六个着力、六个坚持”的重要任务,紧抓不放4个环节10个规定动作"
        "的重点内容,坚持有破有立,落小落细,知行合一。",
    ),
    "methods": _paragraphs(
        "2月18日,全省“改革创新、奋发有为”大讨论动员部署会在太原召开。会议以视频会议的形式开到"
        "乡镇(街办),村(社区)两委班子也参加了会议。",
        "“大讨论”分动员、学习、实践、提升4个环节,落实10个规定动作,各单位结合实际开展“自选动作”。",
    ),
    "organisation": _paragraphs(
        "省委统一部署。省委书记、省人大常委会主任骆惠宁在主会场出席并讲话,对开展"
        "“改革创新、奋发有为”大讨论作了深刻阐述和全面部署。",
    ),
}

FEDERATION_PLAN = {
    "general_requirements": _paragraphs(
        "进一步统一思想、提高认识,看齐紧跟省委统一部署,立起“大讨论”旗帜,积极做出表率,"
        "扎实开展好省残联“改革创新、奋发有为”大讨论。",
        "以过硬的信念、过硬的政治、过硬的责任、过硬的能力、过硬的作风,开展好“大讨论”,"
        "确保取得实实在在的成果。",
    ),
    "main_tasks": _paragraphs(
        "准确把握“大讨论”“六个破除、六个着力、六个坚持”的重要任务,紧抓不放4个环节10个规定动作"
        "的重点内容,坚持有破有立,落小落细,知行合一。",
        "高标准完成好2019年重点目标任务:",
    )
    + _list(WORK_TARGET_AREAS),
    "methods": _paragraphs(
        "要打响动员的“第一枪”:各单位认真进行动员部署,制定具体实施方案,结合实际开展“自选动作”。",
        "要打牢学习的“奠基石”:深入学习,充分利用省残联门户网站、微信微博平台等多种媒介形式,"
        "广泛宣传,同时抓好典型宣传。",
        "要抓住实践的“指南针”:结合“大讨论”主题开好民主生活会和专题组织生活会,深入查找问题差距,"
        "认真抓好整改落实,做好省委的“大讨论”信息报送工作。",
        "要紧盯提升的“加固剂”:及时回顾分析,提炼好的经验,形成务实管用、可长期坚持、"
        "可复制推广的制度机制。",
    ),
    "organisation": _paragraphs(
        "省残联党组要坚决扛起主体责任。领导班子成员要落实“一岗双责”,结合分管工作,加强分类指导,"
        "统筹抓好落实。",
        "机关党委要发挥好牵头抓总的作用。党支部要发挥战斗堡垒作用。领导干部要发挥先锋模范作用。",
        "坚决防止形式主义和官僚主义,坚决防止一般化部署,坚决防止走过场。",
    ),
}

HEAD_DUTIES = (
    "省残联党组坚决扛起主体责任,主要负责同志担起“第一责任人”职责,对照省委工作要求,"
    "把“大讨论”放在重要战略位置,放在具体工作当中。"
)
DEPUTY_DUTIES = (
    "机关党委发挥好牵头抓总的作用:统筹规划,组织协调,确保全力推动“大讨论”工作;"
    "领导班子成员落实“一岗双责”,结合分管工作,加强分类指导。"
)
BRANCH_DUTIES = (
    "党支部发挥战斗堡垒作用:党支部书记切实发挥带头作用,把“大讨论”和基层党组织标准化创建工作"
    "结合起来,同抓基层党的建设工作结合起来。"
)

# (role, username or None, posts held, duties), in the order read out.
LEADING_GROUP = [
    (LeadingGroupRole.HEAD, "weiguo", "省残联党组书记、理事长", HEAD_DUTIES),
    (LeadingGroupRole.DEPUTY, "lijunwen", "省残联党组成员、副理事长、机关党委书记", DEPUTY_DUTIES),
    (
        LeadingGroupRole.MEMBER,
        "xuguorui",
        "省残联机关第一党支部书记、教育就业部主任",
        BRANCH_DUTIES,
    ),
    (
        LeadingGroupRole.MEMBER,
        "zhangxiaoli",
        "省残联机关第二党支部书记、计划财务部主任",
        BRANCH_DUTIES,
    ),
    (LeadingGroupRole.MEMBER, None, "省残疾人就业服务指导中心党支部书记、主任", BRANCH_DUTIES),
    (LeadingGroupRole.MEMBER, "wenjiansheng", "省康复研究中心党支部书记", BRANCH_DUTIES),
    (LeadingGroupRole.MEMBER, "shajiakuan", "省脑瘫康复医院党支部书记", BRANCH_DUTIES),
]

# Unit plans (具体实施方案) of two branches: (unit slug, author, title, body).
UNIT_PLANS = [
    (
        "sxdpf-branch-1",
        "xuguorui",
        "机关第一党支部“改革创新、奋发有为”大讨论具体实施方案",
        "按照省残联《实施方案》要求,支部认真进行动员部署,紧抓不放4个环节10个规定动作,"
        "结合教育就业工作实际开展“自选动作”。\n"
        "支部书记切实发挥带头作用,把“大讨论”和基层党组织标准化创建工作结合起来。",
    ),
    (
        "sxdpf-branch-2",
        "zhangxiaoli",
        "机关第二党支部“改革创新、奋发有为”大讨论具体实施方案",
        "按照省残联《实施方案》要求,支部认真进行动员部署,紧抓不放4个环节10个规定动作,"
        "结合计划财务工作实际开展“自选动作”。\n"
        "坚决防止形式主义和官僚主义,坚决防止一般化部署,坚决防止走过场。",
    ),
]

# Self-selected actions: (unit slug, proposer, stage, name, due, approve?).
SELF_SELECTED = [
    (
        "sxdpf-branch-1",
        "xuguorui",
        3,
        "围绕残疾人教育就业工作开展“改革创新、奋发有为”专题讨论",
        dt.date(2019, 5, 31),
        True,
    ),
    (
        "sxdpf-rehab-centre-branch",
        "wenjiansheng",
        3,
        "围绕残疾人康复服务开展对标一流专题研讨",
        dt.date(2019, 6, 15),
        None,
    ),
]


@dataclass(frozen=True)
class RecordSpec:
    unit: str
    author: str
    action: int | str  # a prescribed action's number, or a self-selected action's name
    title: str
    held_on: dt.date
    outcome: str  # a RecordStatus
    content: str = ""
    participant_count: int | None = None
    place: str = ""
    comment: str = ""


MOBILISATION_TITLE = "省残联“改革创新、奋发有为”大讨论动员部署会"

# Sample records for the federation's campaign. At DEMO_TODAY the matrix shows: done,
# done late, awaiting review, in progress (draft, returned), overdue (the employment
# centre's branch, whose secretary the seed leaves unnamed, has recorded nothing) and
# not started (the actions due later).
SAMPLE_RECORDS = [
    RecordSpec(
        "sxdpf-branch-1",
        "xuguorui",
        1,
        "机关第一党支部召开“大讨论”动员会",
        dt.date(2019, 2, 26),
        RecordStatus.ACCEPTED,
        "传达省残联“改革创新、奋发有为”大讨论动员部署会精神,对支部“大讨论”作出安排。",
        14,
        "省残联机关会议室",
    ),
    RecordSpec(
        "sxdpf-branch-1",
        "xuguorui",
        2,
        "机关第一党支部制定“大讨论”具体实施方案",
        dt.date(2019, 3, 6),
        RecordStatus.ACCEPTED,
        "按照省残联《实施方案》要求制定支部具体实施方案,确定“自选动作”。",
    ),
    RecordSpec(
        "sxdpf-branch-1",
        "xuguorui",
        3,
        "机关第一党支部集中学习研讨",
        dt.date(2019, 4, 12),
        RecordStatus.ACCEPTED,
        "重温习近平总书记在庆祝改革开放40周年大会上的重要讲话和视察山西重要讲话精神。",
        13,
    ),
    RecordSpec(
        "sxdpf-branch-1",
        "xuguorui",
        4,
        "机关第一党支部通过门户网站和微信平台宣传“大讨论”",
        dt.date(2019, 4, 26),
        RecordStatus.ACCEPTED,
        "在省残联门户网站、微信平台刊发支部“大讨论”动态。",
    ),
    RecordSpec(
        "sxdpf-branch-1",
        "xuguorui",
        SELF_SELECTED[0][3],
        "教育就业工作“改革创新、奋发有为”专题讨论",
        dt.date(2019, 5, 15),
        RecordStatus.SUBMITTED,
        "围绕残疾人教育就业工作查找差距,讨论改进措施。",
        12,
    ),
    RecordSpec(
        "sxdpf-branch-1",
        "xuguorui",
        7,
        "机关第一党支部专题组织生活会",
        dt.date(2019, 5, 17),
        RecordStatus.DRAFT,
        "会议记录整理中。",
    ),
    RecordSpec(
        "sxdpf-branch-2",
        "zhangxiaoli",
        1,
        "机关第二党支部召开“大讨论”动员会",
        dt.date(2019, 2, 27),
        RecordStatus.ACCEPTED,
        "传达省残联“改革创新、奋发有为”大讨论动员部署会精神,对支部“大讨论”作出安排。",
        11,
    ),
    RecordSpec(
        "sxdpf-branch-2",
        "zhangxiaoli",
        2,
        "机关第二党支部制定“大讨论”具体实施方案",
        dt.date(2019, 3, 18),
        RecordStatus.ACCEPTED,
        "按照省残联《实施方案》要求制定支部具体实施方案。",
    ),
    RecordSpec(
        "sxdpf-branch-2",
        "zhangxiaoli",
        3,
        "机关第二党支部集中学习研讨",
        dt.date(2019, 4, 11),
        RecordStatus.ACCEPTED,
        "认真领会省委十一届七次全会精神和近期一系列重要部署要求。",
        10,
    ),
    RecordSpec(
        "sxdpf-branch-2",
        "zhangxiaoli",
        7,
        "机关第二党支部专题组织生活会",
        dt.date(2019, 5, 10),
        RecordStatus.RETURNED,
        "结合“大讨论”主题召开专题组织生活会。",
        10,
        comment="请补充对照检查材料和会议记录后再提交。",
    ),
    RecordSpec(
        "sxdpf-rehab-centre-branch",
        "wenjiansheng",
        1,
        "省康复研究中心党支部召开“大讨论”动员会",
        dt.date(2019, 2, 28),
        RecordStatus.ACCEPTED,
        "传达省残联“改革创新、奋发有为”大讨论动员部署会精神。",
        25,
    ),
    RecordSpec(
        "sxdpf-rehab-centre-branch",
        "wenjiansheng",
        2,
        "省康复研究中心党支部制定“大讨论”具体实施方案",
        dt.date(2019, 3, 8),
        RecordStatus.ACCEPTED,
        "制定支部具体实施方案,提出围绕康复服务开展“自选动作”。",
    ),
    RecordSpec(
        "sxdpf-rehab-centre-branch",
        "wenjiansheng",
        7,
        "省康复研究中心党支部专题组织生活会",
        dt.date(2019, 5, 16),
        RecordStatus.SUBMITTED,
        "结合“大讨论”主题召开专题组织生活会,对照查找问题差距。",
        22,
    ),
    RecordSpec(
        "sxdpf-cp-hospital-branch",
        "shajiakuan",
        1,
        "省脑瘫康复医院党支部召开“大讨论”动员会",
        dt.date(2019, 3, 4),
        RecordStatus.ACCEPTED,
        "传达省残联“改革创新、奋发有为”大讨论动员部署会精神。",
        30,
    ),
    RecordSpec(
        "sxdpf-cp-hospital-branch",
        "shajiakuan",
        6,
        "省脑瘫康复医院党支部统筹谋划年度工作",
        dt.date(2019, 5, 18),
        RecordStatus.DRAFT,
        "把“大讨论”与医院年度工作结合起来,草拟中。",
    ),
]

# -- the ledger (问题清单 / 整改台账) ----------------------------------------------------
#
# The problems the federation's units found in the 实践 stage ("深入查找问题差距,认真抓好
# 整改落实"), under the six themes and from every kind of source, worked through the
# services day by day so the audit trail, the lights and the counts are what real use
# gives. At DEMO_TODAY the ledger shows every state and light: overdue items (one with
# no owner, one with an extension pending), items due within the warning days, items
# verified on time and late, one carried over, one sent back, a draft, a long-term item,
# and two items open to the members' evaluation (接受群众检验), one of them flagged.

# Members who evaluate fixes. The seed names none, so their posts stand for them:
# (username, name, unit slug); they hold the member role over their unit.
LEDGER_PEOPLE = [
    ("sxdpf-ee-cadre", "教育就业部干部", "sxdpf-education-employment"),
    ("sxdpf-pf-cadre", "计划财务部干部", "sxdpf-planning-finance"),
    ("sxdpf-cph-member-1", "省脑瘫康复医院党支部党员甲", "sxdpf-cp-hospital-branch"),
    ("sxdpf-cph-member-2", "省脑瘫康复医院党支部党员乙", "sxdpf-cp-hospital-branch"),
    ("sxdpf-cph-member-3", "省脑瘫康复医院党支部党员丙", "sxdpf-cp-hospital-branch"),
]


@dataclass(frozen=True)
class Step:
    """One thing done to a problem on a day, by one person, through its service.

    ``verb`` is open, progress, tick (a measure done: ``value`` is its number), complete,
    send_back, verify, extend (``date`` the deadline asked for), decide (``value`` True to
    grant), carry_over, evaluate, or vote (``value`` the rating).
    """

    on: dt.date
    verb: str
    by: str
    text: str = ""
    value: str | int | bool | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class ProblemSpec:
    unit: str
    recorded_by: str
    recorded_on: dt.date
    description: str  # also the natural key, with the unit: no two are alike
    source: str
    theme: int
    target: str
    deadline: dt.date | None
    measures: tuple[tuple[str, dt.date], ...] = ()
    level: str = ProblemLevel.UNIT
    kind: str = ProblemKind.DEADLINE
    leader: str | None = None
    in_charge: str | None = None
    supporting: tuple[str, ...] = ()
    source_note: str = ""
    source_record: str = ""  # the title of a demo record it came from
    steps: tuple[Step, ...] = ()


def _d(month: int, day: int) -> dt.date:
    return dt.date(2019, month, day)


LEDGER = [
    # -- 党组 (the leadership body) --------------------------------------------------
    ProblemSpec(
        "sxdpf",
        "sxdpf-liaison",
        _d(3, 5),
        "党组班子解放思想不够,对残联改革的方向和路径研究不深,存在“等靠要”思想,改革意识不强。",
        ProblemSource.SELF_EXAMINATION,
        1,
        "形成省残联深化改革任务清单并逐项推进,班子成员改革意识明显增强。",
        _d(6, 30),
        (
            ("党组理论学习中心组开展深化群团改革专题学习研讨", _d(4, 15)),
            ("制定省残联深化改革任务清单,明确责任领导和时限", _d(6, 20)),
        ),
        level=ProblemLevel.LEADERSHIP_BODY,
        leader="weiguo",
        in_charge="lijunwen",
        source_note="对照动员部署会讲话查摆",
        source_record=MOBILISATION_TITLE,
        steps=(
            Step(_d(3, 5), "open", "sxdpf-liaison"),
            Step(
                _d(4, 12),
                "progress",
                "sxdpf-liaison",
                "党组理论学习中心组围绕群团改革开展专题学习研讨2次。",
            ),
            Step(_d(4, 12), "tick", "sxdpf-liaison", value=1),
            Step(
                _d(5, 16),
                "progress",
                "sxdpf-liaison",
                "深化改革任务清单已形成初稿,正在征求各部门意见。",
            ),
        ),
    ),
    ProblemSpec(
        "sxdpf",
        "sxdpf-liaison",
        _d(4, 28),
        "调查研究不够深入,班子成员深入基层、深入残疾人家庭调研少,听取基层意见不充分。",
        ProblemSource.DEMOCRATIC_LIFE_MEETING,
        6,
        "班子成员每人完成基层调研并形成调研报告,建立联系基层制度。",
        _d(6, 15),
        (
            ("班子成员每人到市县残联和残疾人家庭调研不少于2次", _d(6, 10)),
            ("建立班子成员联系基层残联制度", _d(6, 15)),
        ),
        level=ProblemLevel.LEADERSHIP_BODY,
        leader="weiguo",
        in_charge="lijunwen",
        source_note="2019年4月26日党组“大讨论”专题民主生活会",
        source_record=DLM_TITLE,
        steps=(
            Step(_d(4, 29), "open", "sxdpf-liaison"),
            Step(_d(5, 17), "progress", "sxdpf-liaison", "已有3名班子成员完成第一轮基层调研。"),
        ),
    ),
    ProblemSpec(
        "sxdpf",
        "sxdpf-liaison",
        _d(5, 8),
        "对标先进省份找差距不够,部分重点工作指标在全国排位靠后,工作标杆不高。",
        ProblemSource.FEEDBACK_FROM_ABOVE,
        5,
        "选定对标省份,逐项列出指标差距和追赶措施。",
        _d(5, 31),
        (("选定2个先进省份逐项对标,形成对标分析报告", _d(5, 31)),),
        level=ProblemLevel.LEADERSHIP_BODY,
        leader="lijunwen",
        source_note="省委“大讨论”办公室反馈意见",
        steps=(Step(_d(5, 8), "open", "sxdpf-liaison"),),
    ),
    ProblemSpec(
        "sxdpf-organ-committee",
        "lijunwen",
        _d(3, 20),
        "机关党建与业务工作融合不够,“两张皮”问题仍然存在。",
        ProblemSource.SUPERVISION_FINDING,
        6,
        "制定党建与业务融合工作方案,各支部开展“党建+业务”主题党日。",
        _d(4, 30),
        (
            ("制定机关党建与业务融合工作方案", _d(4, 15)),
            ("各党支部开展“党建+业务”主题党日活动", _d(4, 30)),
        ),
        leader="lijunwen",
        source_note="机关党委督查",
        steps=(
            Step(_d(3, 20), "open", "lijunwen"),
            Step(_d(4, 10), "progress", "lijunwen", "融合工作方案已印发。"),
            Step(_d(4, 10), "tick", "lijunwen", value=1),
            Step(_d(4, 26), "progress", "lijunwen", "各党支部均已开展“党建+业务”主题党日。"),
            Step(_d(4, 26), "tick", "lijunwen", value=2),
            Step(_d(4, 28), "complete", "lijunwen"),
            Step(_d(5, 6), "verify", "weiguo", "整改到位,予以销号。"),
        ),
    ),
    # -- 机关第一党支部 and 教育就业部 ----------------------------------------------------
    ProblemSpec(
        "sxdpf-branch-1",
        "xuguorui",
        _d(3, 12),
        "支部学习“重形式、轻实效”,集中学习以读文件为主,研讨交流不深入,学用结合不紧。",
        ProblemSource.ORGANISATIONAL_LIFE_MEETING,
        6,
        "每次集中学习都有研讨发言,学习成果转化为具体工作措施。",
        _d(4, 15),
        (
            ("修订支部学习制度,每次集中学习安排研讨发言", _d(4, 5)),
            ("与机关第二党支部联合开展学用结合专题研讨", _d(4, 15)),
        ),
        leader="lijunwen",
        in_charge="xuguorui",
        supporting=("sxdpf-branch-2",),
        source_note="机关第一党支部组织生活会",
        steps=(
            Step(_d(3, 12), "open", "xuguorui"),
            Step(_d(3, 28), "progress", "xuguorui", "支部学习制度已修订。"),
            Step(_d(3, 28), "tick", "xuguorui", value=1),
            Step(
                _d(4, 12), "progress", "xuguorui", "两个支部联合开展学用结合专题研讨,12名党员发言。"
            ),
            Step(_d(4, 12), "tick", "xuguorui", value=2),
            Step(_d(4, 13), "complete", "xuguorui"),
            Step(_d(4, 18), "verify", "lijunwen", "措施落实,效果明显。"),
            Step(_d(4, 22), "evaluate", "lijunwen"),
            Step(_d(4, 23), "vote", "xuguorui", value=Rating.SATISFIED),
            Step(_d(4, 23), "vote", "zhangxiaoli", value=Rating.BASICALLY_SATISFIED),
            Step(
                _d(4, 24),
                "vote",
                "sxdpf-ee-cadre",
                "研讨发言多了,学习更有收获。",
                value=Rating.SATISFIED,
            ),
            Step(
                _d(4, 25),
                "vote",
                "sxdpf-pf-cadre",
                "联合研讨只搞了一次,希望形成常态。",
                value=Rating.UNSATISFIED,
            ),
        ),
    ),
    ProblemSpec(
        "sxdpf-education-employment",
        "xuguorui",
        _d(3, 25),
        "残疾人就业服务方式创新不足,仍以传统招聘会为主,网络招聘和远程服务开展少。",
        ProblemSource.STAFF_OPINION,
        2,
        "网络招聘专区上线运行,全年线上服务残疾人求职者不少于500人次。",
        _d(5, 22),
        (
            ("开通残疾人网络招聘专区", _d(5, 10)),
            ("与两家招聘平台签订合作协议", _d(5, 20)),
            ("举办一次线上残疾人专场招聘会", _d(5, 22)),
        ),
        leader="lijunwen",
        in_charge="xuguorui",
        source_note="机关干部职工意见征集",
        steps=(
            Step(_d(3, 25), "open", "xuguorui"),
            Step(_d(5, 8), "progress", "xuguorui", "网络招聘专区已上线试运行。"),
            Step(_d(5, 8), "tick", "xuguorui", value=1),
            Step(_d(5, 18), "progress", "xuguorui", "已与一家招聘平台签约,另一家正在洽谈。"),
        ),
    ),
    ProblemSpec(
        "sxdpf-branch-1",
        "xuguorui",
        _d(4, 2),
        "支部标准化建设对标不够,“三会一课”记录不规范、不完整。",
        ProblemSource.SELF_EXAMINATION,
        5,
        "“三会一课”记录齐全规范,通过机关党委标准化验收。",
        _d(5, 10),
        (("对照标准化建设要求逐项补齐“三会一课”记录", _d(5, 10)),),
        in_charge="xuguorui",
        steps=(Step(_d(4, 2), "open", "xuguorui"),),
    ),
    ProblemSpec(
        "sxdpf-education-employment",
        "xuguorui",
        _d(3, 15),
        "残疾人职业技能培训与市场需求衔接不紧,培训后就业率不高。",
        ProblemSource.SUPERVISION_FINDING,
        4,
        "按用人单位需求调整培训课程,培训后就业率明显提高。",
        _d(4, 30),
        (
            ("开展用人单位培训需求调研", _d(4, 20)),
            ("调整职业技能培训课程设置", _d(4, 30)),
        ),
        leader="lijunwen",
        in_charge="xuguorui",
        source_note="省残联督导组督查",
        steps=(
            Step(_d(3, 15), "open", "xuguorui"),
            Step(_d(4, 18), "progress", "xuguorui", "已完成3家用人单位培训需求调研。"),
            Step(_d(4, 18), "tick", "xuguorui", value=1),
            Step(
                _d(4, 25),
                "extend",
                "xuguorui",
                "课程调整需与培训机构重新签约,4月底前无法完成。",
                date=_d(6, 15),
            ),
            Step(_d(4, 26), "decide", "lijunwen", "同意延期,请抓紧推进。", value=True),
        ),
    ),
    ProblemSpec(
        "sxdpf-branch-1",
        "xuguorui",
        _d(5, 17),
        "对外交流学习少,主动学习外省残联先进经验不够。",
        ProblemSource.STAFF_OPINION,
        3,
        "组织赴先进省份学习考察,形成学习考察报告。",
        _d(6, 30),
        (("组织赴先进省份学习考察", _d(6, 30)),),
        in_charge="xuguorui",
    ),
    # -- 机关第二党支部 and 计划财务部 ----------------------------------------------------
    ProblemSpec(
        "sxdpf-planning-finance",
        "zhangxiaoli",
        _d(3, 8),
        "财务报销审核环节多、流程繁琐,基层单位反映办事时间长、跑腿多。",
        ProblemSource.SELF_EXAMINATION,
        6,
        "精简审核环节,公布办事指南,报销办理时限压缩一半。",
        _d(4, 20),
        (("精简报销审核环节,公布办事指南", _d(4, 20)),),
        leader="lijunwen",
        in_charge="zhangxiaoli",
        steps=(
            Step(_d(3, 8), "open", "zhangxiaoli"),
            Step(_d(4, 10), "progress", "zhangxiaoli", "报销审核流程梳理完毕。"),
            Step(_d(4, 24), "progress", "zhangxiaoli", "办事指南已公布,审核环节由5个减为3个。"),
            Step(_d(4, 24), "tick", "zhangxiaoli", value=1),
            Step(_d(4, 25), "complete", "zhangxiaoli"),
            Step(_d(4, 30), "verify", "lijunwen", "已整改,但超过期限,予以销号。"),
        ),
    ),
    ProblemSpec(
        "sxdpf-planning-finance",
        "zhangxiaoli",
        _d(3, 18),
        "专项资金绩效评价不到位,资金使用效益分析不够。",
        ProblemSource.STAFF_OPINION,
        4,
        "出台专项资金绩效评价办法,完成上年度专项资金绩效评价。",
        _d(5, 15),
        (("制定专项资金绩效评价办法", _d(5, 15)),),
        leader="lijunwen",
        in_charge="zhangxiaoli",
        steps=(
            Step(_d(3, 18), "open", "zhangxiaoli"),
            Step(_d(4, 30), "progress", "zhangxiaoli", "已起草绩效评价办法初稿。"),
            Step(
                _d(5, 14),
                "extend",
                "zhangxiaoli",
                "评价办法需征求省财政厅意见,尚未反馈。",
                date=_d(6, 30),
            ),
        ),
    ),
    ProblemSpec(
        "sxdpf-planning-finance",
        "zhangxiaoli",
        _d(3, 18),
        "预算编制精细化程度不高,项目预算与实际执行偏差较大。",
        ProblemSource.SELF_EXAMINATION,
        2,
        "修订预算编制规程,项目预算执行偏差控制在10%以内。",
        _d(5, 31),
        (
            ("修订预算编制规程", _d(5, 10)),
            ("组织各部门开展预算编制培训", _d(5, 31)),
        ),
        in_charge="zhangxiaoli",
        steps=(
            Step(_d(3, 18), "open", "zhangxiaoli"),
            Step(_d(5, 6), "progress", "zhangxiaoli", "预算编制规程已修订印发。"),
            Step(_d(5, 6), "tick", "zhangxiaoli", value=1),
            Step(_d(5, 15), "tick", "zhangxiaoli", value=2),
            Step(_d(5, 17), "complete", "zhangxiaoli", "已组织各部门预算编制培训,请予验收。"),
        ),
    ),
    ProblemSpec(
        "sxdpf-branch-2",
        "zhangxiaoli",
        _d(5, 11),
        "部分党员改革创新意识不强,满足于按部就班完成任务。",
        ProblemSource.ORGANISATIONAL_LIFE_MEETING,
        1,
        "每名党员结合岗位提出一项改进工作的具体举措并落实。",
        _d(6, 10),
        (("每名党员结合岗位提出一项改进工作的举措", _d(6, 10)),),
        level=ProblemLevel.INDIVIDUAL,
        in_charge="zhangxiaoli",
        source_record="机关第二党支部专题组织生活会",
        steps=(
            Step(_d(5, 11), "open", "zhangxiaoli"),
            Step(_d(5, 13), "progress", "zhangxiaoli", "已组织支部党员专题学习。"),
            Step(_d(5, 14), "complete", "zhangxiaoli"),
            Step(
                _d(5, 16),
                "send_back",
                "lijunwen",
                "整改停留在学习层面,请补充每名党员的具体改进举措和落实情况。",
            ),
        ),
    ),
    # -- 省残疾人就业服务指导中心 (its secretary unnamed: the office's liaison keeps it) ---
    ProblemSpec(
        "sxdpf-employment-centre-branch",
        "sxdpf-liaison",
        _d(3, 28),
        "与人社、教育等部门沟通协作不够,残疾人就业信息共享不畅。",
        ProblemSource.OTHER,
        3,
        "与人社部门建立残疾人就业信息共享机制。",
        _d(5, 15),
        (("与省人社厅建立残疾人就业信息定期交换机制", _d(5, 15)),),
        source_note="残疾人就业状况专项调查",
        steps=(Step(_d(3, 28), "open", "sxdpf-liaison"),),
    ),
    ProblemSpec(
        "sxdpf-employment-centre-branch",
        "sxdpf-liaison",
        _d(3, 28),
        "残疾人辅助性就业机构建设滞后,部分市县尚未建立。",
        ProblemSource.SUPERVISION_FINDING,
        4,
        "每个市至少建成一家辅助性就业机构。",
        _d(5, 31),
        (("摸清各市县辅助性就业机构底数", _d(4, 30)),),
        source_note="省残联督导组督查",
        steps=(
            Step(_d(3, 28), "open", "sxdpf-liaison"),
            Step(_d(4, 25), "progress", "sxdpf-liaison", "各市县辅助性就业机构底数已摸清。"),
            Step(_d(4, 25), "tick", "sxdpf-liaison", value=1),
            Step(
                _d(5, 15),
                "carry_over",
                "lijunwen",
                "涉及市县编制和资金安排,需省政府统筹协调,列入下半年重点工作继续推进。",
            ),
        ),
    ),
    # -- 省康复研究中心 -------------------------------------------------------------------
    ProblemSpec(
        "sxdpf-rehab-centre-branch",
        "wenjiansheng",
        _d(5, 16),
        "康复服务标准化程度不高,康复评估记录不统一。",
        ProblemSource.ORGANISATIONAL_LIFE_MEETING,
        5,
        "统一康复评估记录表,全员完成评估规范培训。",
        _d(5, 23),
        (
            ("统一康复评估记录表", _d(5, 20)),
            ("开展康复评估规范培训", _d(5, 23)),
        ),
        in_charge="wenjiansheng",
        source_record="省康复研究中心党支部专题组织生活会",
        steps=(
            Step(_d(5, 16), "open", "wenjiansheng"),
            Step(_d(5, 18), "progress", "wenjiansheng", "康复评估记录表已统一并启用。"),
            Step(_d(5, 18), "tick", "wenjiansheng", value=1),
        ),
    ),
    ProblemSpec(
        "sxdpf-rehab-centre-branch",
        "wenjiansheng",
        _d(3, 11),
        "门诊窗口服务态度不够热情,残疾人及家属反映咨询解答不耐心。",
        ProblemSource.STAFF_OPINION,
        6,
        "窗口服务规范上墙,服务对象满意度明显提高。",
        _d(3, 31),
        (("开展窗口服务礼仪培训,设立导诊志愿岗", _d(3, 31)),),
        kind=ProblemKind.IMMEDIATE,
        in_charge="wenjiansheng",
        steps=(
            Step(_d(3, 11), "open", "wenjiansheng"),
            Step(_d(3, 20), "progress", "wenjiansheng", "已开展窗口服务礼仪培训,设立导诊志愿岗。"),
            Step(_d(3, 20), "tick", "wenjiansheng", value=1),
            Step(_d(3, 22), "complete", "wenjiansheng"),
            Step(_d(3, 29), "verify", "lijunwen", "立行立改,整改到位。"),
        ),
    ),
    # -- 省脑瘫康复医院 -------------------------------------------------------------------
    ProblemSpec(
        "sxdpf-cp-hospital-branch",
        "shajiakuan",
        _d(3, 15),
        "脑瘫儿童康复训练预约排队时间长,康复治疗师数量不足。",
        ProblemSource.SELF_EXAMINATION,
        5,
        "康复训练预约等待时间缩短到两周以内。",
        _d(4, 30),
        (
            ("优化康复训练排班,延长周末服务时间", _d(4, 20)),
            ("招聘康复治疗师", _d(4, 30)),
        ),
        in_charge="shajiakuan",
        steps=(
            Step(_d(3, 15), "open", "shajiakuan"),
            Step(_d(4, 18), "progress", "shajiakuan", "已调整排班,周末开放康复训练。"),
            Step(_d(4, 18), "tick", "shajiakuan", value=1),
            Step(_d(4, 28), "progress", "shajiakuan", "已招聘康复治疗师2名。"),
            Step(_d(4, 28), "tick", "shajiakuan", value=2),
            Step(_d(4, 29), "complete", "shajiakuan"),
            Step(_d(5, 6), "verify", "lijunwen"),
            Step(_d(5, 8), "evaluate", "lijunwen"),
            Step(
                _d(5, 10),
                "vote",
                "sxdpf-cph-member-1",
                "预约仍要排一个多月,治疗师还是不够。",
                value=Rating.UNSATISFIED,
            ),
            Step(_d(5, 11), "vote", "sxdpf-cph-member-2", value=Rating.UNSATISFIED),
            Step(
                _d(5, 13),
                "vote",
                "sxdpf-cph-member-3",
                "周末开放了,有改善。",
                value=Rating.BASICALLY_SATISFIED,
            ),
        ),
    ),
    ProblemSpec(
        "sxdpf-cp-hospital-branch",
        "shajiakuan",
        _d(4, 8),
        "医院管理体制改革推进慢,绩效分配的激励作用发挥不够。",
        ProblemSource.SELF_EXAMINATION,
        1,
        "建立向一线康复岗位倾斜的绩效分配办法并长期坚持。",
        None,
        kind=ProblemKind.LONG_TERM,
        in_charge="shajiakuan",
        steps=(
            Step(_d(4, 8), "open", "shajiakuan"),
            Step(_d(5, 10), "progress", "shajiakuan", "绩效分配改革方案已提交院务会讨论。"),
        ),
    ),
]


# The log-in accounts of the demo, one per role: (username, name, role (None: an
# administrator, whose duty is in DEMO_DUTIES), unit slug the role is held over, the
# person's own unit, staff?).
DEMO_ACCOUNTS = [
    ("office", "演示·大讨论办公室", Role.OFFICE, "sxdpf", "sxdpf-organ-committee", True),
    ("leader", "演示·领导", Role.LEADER, "sxdpf", "sxdpf", False),
    ("contact1", "演示·第一支部联络员", Role.CONTACT, "sxdpf-branch-1", "sxdpf-branch-1", False),
    ("contact2", "演示·第二支部联络员", Role.CONTACT, "sxdpf-branch-2", "sxdpf-branch-2", False),
    ("member", "演示·党员", Role.MEMBER, "sxdpf-branch-1", "sxdpf-education-employment", False),
    ("supervisor", "演示·督导组", Role.SUPERVISOR, "sxdpf", "sxdpf", False),
    ("province", "演示·省委大讨论办公室", Role.OFFICE, "shanxi", "shanxi", False),
    ("sysadmin", "演示·系统管理员", None, None, None, True),
    ("secadmin", "演示·安全管理员", None, None, None, True),
    ("auditor", "演示·审计管理员", None, None, None, True),
]
# The three administrator duties kept apart (三员分立), one account each; no superuser.
DEMO_DUTIES = {
    "sysadmin": AdminDuty.SYSTEM,
    "secadmin": AdminDuty.SECURITY,
    "auditor": AdminDuty.AUDIT,
}


@dataclass
class AccountRow:
    username: str
    password: str
    role: str
    unit: str


@dataclass
class DemoResult:
    created: Counter = field(default_factory=Counter)
    accounts: list[AccountRow] = field(default_factory=list)
    accounts_enabled: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created)


def read_text(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


class _Loader:
    def __init__(self) -> None:
        self.result = DemoResult()
        self.kinds: dict[str, UnitKind] = {}
        self.units: dict[str, Unit] = {}
        self.people: dict[str, User] = {}

    def count(self, what: str) -> None:
        self.result.created[what] += 1

    # -- organisation ---------------------------------------------------------------

    def load_org(self) -> None:
        with audited(None):
            for order, (code, name, takes_part) in enumerate(UNIT_KINDS):
                kind, created = UnitKind.objects.get_or_create(
                    code=code, defaults={"name": name, "order": order, "takes_part": takes_part}
                )
                if created:
                    self.count("unit kinds")
                self.kinds[code] = kind
        for slug, parent, kind, name, short in UNITS:
            unit = Unit.objects.filter(slug=slug).first()
            if unit is None:
                unit = unit_add(
                    actor=None,
                    name=name,
                    slug=slug,
                    kind=self.kinds[kind],
                    parent=self.units[parent] if parent else None,
                    short_name=short,
                )
                self.count("units")
            self.units[slug] = unit
        with audited(None):
            for username, name, unit in PEOPLE:
                person = User.objects.filter(username=username).first()
                if person is None:
                    person = User(username=username, name=name, unit=self.units[unit])
                    person.set_unusable_password()
                    person.save()
                    self.count("people")
                self.people[username] = person
        for unit, title, holder, order in POSTS:
            person = self.people[holder] if holder else None
            if not Post.objects.filter(
                unit=self.units[unit], title=title, holder=person, order=order
            ).exists():
                post_set(actor=None, unit=self.units[unit], title=title, holder=person, order=order)
                self.count("posts")
        for username, unit, role in PEOPLE_ROLES:
            self.grant(self.people[username], self.units[unit], role)

    def grant(self, user: User, unit: Unit, role: str) -> None:
        if not RoleAssignment.objects.filter(user=user, unit=unit, role=role).exists():
            role_grant(actor=None, user=user, unit=unit, role=role)
            self.count("roles")

    # -- campaigns --------------------------------------------------------------------

    def load_province_campaign(self) -> Campaign:
        campaign = Campaign.objects.filter(slug=PROVINCE_SLUG).first()
        if campaign is None:
            campaign = campaign_create(
                actor=None,
                slug=PROVINCE_SLUG,
                name=f"全省{CAMPAIGN_TOPIC}",
                owner_unit=self.units["shanxi"],
                starts_on=dt.date(2019, 2, 18),
                ends_on=dt.date(2019, 6, 30),
                launched_on=dt.date(2019, 2, 18),
                launch_place="太原",
                basis_number=BASIS_NUMBER,
                basis_title=BASIS_TITLE,
                **PROVINCE_PLAN,
            )
            self.count("campaigns")
        with audited(None):
            for number, (break_with, focus_on, adhere_to) in enumerate(THEMES, start=1):
                _theme, created = Theme.objects.get_or_create(
                    campaign=campaign,
                    number=number,
                    defaults={
                        "break_with": break_with,
                        "focus_on": focus_on,
                        "adhere_to": adhere_to,
                    },
                )
                if created:
                    self.count("themes")
            stages: dict[int, Stage] = {}
            for number, (name, directive, description, start, end) in enumerate(STAGES, 1):
                stage, created = Stage.objects.get_or_create(
                    campaign=campaign,
                    number=number,
                    defaults={
                        "name": name,
                        "directive": directive,
                        "description": description,
                        "starts_on": start,
                        "ends_on": end,
                    },
                )
                if created:
                    self.count("stages")
                stages[number] = stage
            for number, (stage, name, description, due) in enumerate(ACTIONS, start=1):
                _action, created = Action.objects.get_or_create(
                    campaign=campaign,
                    kind=ActionKind.PRESCRIBED,
                    number=number,
                    defaults={
                        "stage": stages[stage],
                        "name": name,
                        "description": description,
                        "due_on": due,
                    },
                )
                if created:
                    self.count("actions")
        campaign_sync_statuses(campaign=campaign)
        return campaign

    def load_federation_campaign(self, parent: Campaign) -> Campaign:
        campaign = Campaign.objects.filter(slug=FEDERATION_SLUG).first()
        if campaign is None:
            # The cascade copies the province's themes, stages and prescribed actions.
            campaign = campaign_create(
                actor=None,
                slug=FEDERATION_SLUG,
                name=f"省残联{CAMPAIGN_TOPIC}",
                owner_unit=self.units["sxdpf"],
                parent=parent,
                office_unit=self.units["sxdpf-organ-committee"],
                starts_on=dt.date(2019, 2, 22),
                ends_on=dt.date(2019, 6, 30),
                launched_on=dt.date(2019, 2, 22),
                basis_number=BASIS_NUMBER,
                basis_title=BASIS_TITLE,
                leading_group_name=f"省残联{CAMPAIGN_TOPIC}领导小组",
                **FEDERATION_PLAN,
            )
            self.count("campaigns")
        # The federation's units now act in the child: drop their empty rows in the parent.
        campaign_sync_statuses(campaign=parent)
        with audited(None):
            for order, (role, username, position, duties) in enumerate(LEADING_GROUP, 1):
                _member, created = LeadingGroupMember.objects.get_or_create(
                    campaign=campaign,
                    position=position,
                    defaults={
                        "role": role,
                        "order": order,
                        "duties": duties,
                        "person": self.people[username] if username else None,
                    },
                )
                if created:
                    self.count("leading group members")
        return campaign

    def load_unit_work(self, campaign: Campaign) -> None:
        for unit, author, title, body in UNIT_PLANS:
            if not UnitPlan.objects.filter(campaign=campaign, unit=self.units[unit]).exists():
                unit_plan_save(
                    actor=self.people[author],
                    campaign=campaign,
                    unit=self.units[unit],
                    title=title,
                    body=body,
                )
                self.count("unit plans")
        office = self.people["lijunwen"]
        for unit, author, stage, name, due, approve in SELF_SELECTED:
            if Action.objects.filter(campaign=campaign, unit=self.units[unit], name=name).exists():
                continue
            action = self_selected_action_propose(
                actor=self.people[author],
                campaign=campaign,
                unit=self.units[unit],
                stage=campaign.stages.get(number=stage),
                name=name,
                due_on=due,
            )
            self.count("self-selected actions")
            if approve is not None:
                self_selected_action_decide(actor=office, action=action, approve=approve)

    def load_records(self, campaign: Campaign) -> None:
        """The seed's mobilisation meeting and the leadership's democratic life meeting
        (the ledger links problems to both), then the sample records."""
        office = self.people["lijunwen"]
        meetings = ParticipationLoader(self)
        meetings.load_mobilisation(
            campaign,
            title=MOBILISATION_TITLE,
            news=read_text("news.txt"),
            speech=read_text("speech.txt"),
        )
        meetings.load_democratic_life_meeting(campaign)
        for spec in SAMPLE_RECORDS:
            self.record(campaign, spec, office)

    def load_participation(self, campaign: Campaign) -> None:
        """Study, reflections and the discussion (the ledger's members take part)."""
        participation = ParticipationLoader(self)
        participation.load_study(campaign, speech=read_text("speech.txt"))
        participation.load_discussion(campaign)

    def load_reporting(self, campaign: Campaign) -> None:
        """Briefs at every state, typical cases and outcomes, quotas and a league table,
        an item per channel, a bulletin issue and the draft summary, in that order (each
        part builds on the ones before)."""
        for part in (demo_briefs, demo_cases, demo_stats, demo_publicity, demo_summary):
            part.load(self, campaign)

    def load_supervision(self, campaign: Campaign) -> None:
        """Inspections with findings (one on the ledger), the scoring scheme, and the six
        2019 work-target areas with indicators and first reports."""
        for part in (demo_inspections, demo_scores, demo_targets):
            part.load(self, campaign)

    def record(
        self,
        campaign: Campaign,
        spec: RecordSpec,
        reviewer: User,
    ) -> None:
        unit = self.units[spec.unit]
        if isinstance(spec.action, int):
            action = campaign.actions.get(kind=ActionKind.PRESCRIBED, number=spec.action)
        else:
            action = campaign.actions.get(
                kind=ActionKind.SELF_SELECTED, unit=unit, name=spec.action
            )
        if ActivityRecord.objects.filter(
            campaign=campaign, unit=unit, action=action, title=spec.title
        ).exists():
            return
        record = record_create(
            actor=self.people[spec.author],
            action=action,
            unit=unit,
            title=spec.title,
            held_on=spec.held_on,
            place=spec.place,
            participant_count=spec.participant_count,
            content=spec.content,
            submit=spec.outcome != RecordStatus.DRAFT,
        )
        self.count("records")
        if spec.outcome in (RecordStatus.ACCEPTED, RecordStatus.RETURNED):
            record_review(
                actor=reviewer,
                record=record,
                accept=spec.outcome == RecordStatus.ACCEPTED,
                comment=spec.comment,
            )

    # -- the ledger -------------------------------------------------------------------

    def load_ledger(self, campaign: Campaign) -> None:
        with audited(None):
            for username, name, unit in LEDGER_PEOPLE:
                person = User.objects.filter(username=username).first()
                if person is None:
                    person = User(username=username, name=name, unit=self.units[unit])
                    person.set_unusable_password()
                    person.save()
                    self.count("people")
                self.people[username] = person
        for username, _name, unit in LEDGER_PEOPLE:
            self.grant(self.people[username], self.units[unit], Role.MEMBER)
        recorded = set(
            Problem.objects.filter(campaign=campaign).values_list("unit_id", "description")
        )
        themes = {theme.number: theme for theme in campaign.themes.all()}
        for spec in LEDGER:
            description = clean_html(_paragraphs(spec.description))
            if (self.units[spec.unit].pk, description) in recorded:
                continue
            self.problem(campaign, spec, description, themes)

    def problem(
        self, campaign: Campaign, spec: ProblemSpec, description: str, themes: dict[int, Theme]
    ) -> None:
        source = (
            ActivityRecord.objects.get(campaign=campaign, title=spec.source_record)
            if spec.source_record
            else None
        )
        with clock.travel(spec.recorded_on):
            problem = problem_create(
                actor=self.people[spec.recorded_by],
                campaign=campaign,
                unit=self.units[spec.unit],
                description=description,
                source=spec.source,
                source_note=spec.source_note,
                source_object=source,
                theme=themes[spec.theme],
                level=spec.level,
                kind=spec.kind,
                deadline=spec.deadline,
                target_standard=_paragraphs(spec.target),
                responsible_leader=self.people[spec.leader] if spec.leader else None,
                person_in_charge=self.people[spec.in_charge] if spec.in_charge else None,
                supporting_units=[self.units[slug] for slug in spec.supporting],
                measures=[MeasureInput(text, due) for text, due in spec.measures],
            )
        self.count("problems")
        for step in spec.steps:
            with clock.travel(step.on):
                self.ledger_step(problem, step)

    def ledger_step(self, problem: Problem, step: Step) -> None:
        """Do one step of a problem's history through its service, as ``step.by``."""
        actor = self.people[step.by]
        match step.verb:
            case "open":
                problem_open(actor=actor, problem=problem)
            case "progress":
                progress_add(actor=actor, problem=problem, text=_paragraphs(step.text))
            case "tick":
                measure = problem.measures.get(order=step.value)
                measure_set_done(actor=actor, measure=measure, done=True)
            case "complete":
                note = _paragraphs(step.text) if step.text else ""
                problem_complete(actor=actor, problem=problem, note=note)
            case "send_back":
                problem_send_back(actor=actor, problem=problem, comment=step.text)
            case "verify":
                problem_verify(actor=actor, problem=problem, comment=step.text)
            case "extend":
                extension_request(
                    actor=actor,
                    problem=problem,
                    reason=_paragraphs(step.text),
                    requested_deadline=step.date,
                )
            case "decide":
                extension = problem.extensions.get(state=ExtensionState.REQUESTED)
                extension_decide(
                    actor=actor, extension=extension, grant=bool(step.value), comment=step.text
                )
            case "carry_over":
                problem_carry_over(actor=actor, problem=problem, reason=step.text)
            case "evaluate":
                evaluation_open(actor=actor, problem=problem)
            case "vote":
                vote_cast(actor=actor, problem=problem, rating=step.value, comment=step.text)
            case _:
                raise ValueError(f"unknown ledger step {step.verb!r}")

    # -- accounts ---------------------------------------------------------------------

    def load_accounts(self) -> None:
        for username, name, role, unit, home, staff in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    name=name,
                    unit=self.units[home] if home else None,
                    is_staff=staff,
                    admin_duty=DEMO_DUTIES.get(username, ""),
                )
                validate_password(DEMO_PASSWORD, user)
                user.set_password(DEMO_PASSWORD)
                with audited(None):
                    user.save()
                self.count("demo accounts")
            if role is not None:
                self.grant(user, self.units[unit], role)
                if staff:
                    user.groups.add(office_staff_group_ensure())
            # Printed as created: checking each hash again would cost a second per account
            # on every run, and a demo password changed by hand is its changer's to know.
            where = f"{self.units[unit].display_name} ({unit})" if unit else "—"
            self.result.accounts.append(
                AccountRow(
                    username,
                    DEMO_PASSWORD,
                    str(role or f"{DEMO_DUTIES[username].value} administrator"),
                    where,
                )
            )


# Rows the data migrations make: `manage.py flush` (and every live-server test) empties
# them with the rest, and the demo needs them.
REFERENCE_DATA = (
    ("taolun.activities.migrations.0005_meeting_kinds", "add_kinds"),
    ("taolun.reporting.migrations.0002_channels", "add_channels"),
)


def _ensure_reference_data() -> None:
    """Run the data migrations' functions again (each only adds what is missing)."""
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(django_apps, None)


def load_demo(*, accounts: bool) -> DemoResult:
    """Build the seed's campaign; with ``accounts``, also the demo's log-in accounts."""
    loader = _Loader()
    loader.result.accounts_enabled = accounts
    # Text the demo generates (the summary's draft) is in the seed's language, whatever
    # language the caller runs in.
    with transaction.atomic(), clock.travel(DEMO_TODAY), translation.override("zh-hans"):
        _ensure_reference_data()
        loader.load_org()
        province = loader.load_province_campaign()
        federation = loader.load_federation_campaign(province)
        loader.load_unit_work(federation)
        loader.load_records(federation)
        loader.load_ledger(federation)
        loader.load_participation(federation)
        # Inspections put a finding on the ledger: before the summary counts the ledger.
        loader.load_supervision(federation)
        loader.load_reporting(federation)
        # The office's first scan for near-copies: it runs once the texts are signed, each
        # as a task after this transaction commits.
        start_scan(actor=None, campaign=federation, unit=federation.owner_unit)
        if accounts:
            loader.load_accounts()
    return loader.result
