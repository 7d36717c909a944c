"""The demo: the seed's own campaign, the 2019 "改革创新、奋发有为" 大讨论 of Shanxi.

``load_demo()`` builds, from the founding document (news report and speech of the
省残联 mobilisation meeting of 2019-02-22): the unit tree, the people and posts the
seed names, the province's campaign with its six themes, four stages and ten
prescribed actions, the federation's child campaign (created through the cascade),
its leading group, and sample records that put every cell status on the matrix.

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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

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
from taolun.org.models import Post, RoleAssignment, Unit, UnitKind, User
from taolun.org.roles import Role
from taolun.org.services import office_staff_group_ensure, post_set, role_grant, unit_add

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

# The 2019 重点目标任务 of the federation (section 四 of the speech). Work targets get
# their own model in a later issue; until then they are listed in the federation
# campaign's main tasks.
WORK_TARGET_AREAS = [
    "坚持精准扶贫,坚决打赢贫困残疾人脱贫攻坚战",
    "以重点带全局,统筹推进残疾预防和残疾人康复工作",
    "加强薄弱环节,提高残疾人社会保障和公共服务水平",
    "推进法治建设,维护残疾人合法权益和社会稳定",
    "加强宣传引导,进一步营造残疾人事业发展良好氛围",
    "夯实工作基础,增强残疾人事业发展动力和后劲",
]


def _paragraphs(*texts: str) -> str:
    return "".join(f"<p>{html.escape(t)}</p>" for t in texts)


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

# The log-in accounts of the demo, one per role: (username, name, role (None: the
# superuser), unit slug the role is held over, the person's own unit, staff?).
DEMO_ACCOUNTS = [
    ("office", "演示·大讨论办公室", Role.OFFICE, "sxdpf", "sxdpf-organ-committee", True),
    ("leader", "演示·领导", Role.LEADER, "sxdpf", "sxdpf", False),
    ("contact1", "演示·第一支部联络员", Role.CONTACT, "sxdpf-branch-1", "sxdpf-branch-1", False),
    ("contact2", "演示·第二支部联络员", Role.CONTACT, "sxdpf-branch-2", "sxdpf-branch-2", False),
    ("member", "演示·党员", Role.MEMBER, "sxdpf-branch-1", "sxdpf-education-employment", False),
    ("supervisor", "演示·督导组", Role.SUPERVISOR, "sxdpf", "sxdpf", False),
    ("province", "演示·省委大讨论办公室", Role.OFFICE, "shanxi", "shanxi", False),
    ("admin", "演示·系统管理员", None, None, None, True),
]


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
        office = self.people["lijunwen"]
        speech = read_text("speech.txt")
        news = read_text("news.txt")
        mobilisation = RecordSpec(
            "sxdpf",
            "sxdpf-liaison",
            1,
            MOBILISATION_TITLE,
            dt.date(2019, 2, 22),
            RecordStatus.ACCEPTED,
            f"{news}\n{speech}",
            place="省残联",
        )
        named = [
            self.people[u]
            for u in ("weiguo", "lijunwen", "xuguorui", "zhangxiaoli", "wenjiansheng", "shajiakuan")
        ]
        self.record(campaign, mobilisation, office, participants=named)
        for spec in SAMPLE_RECORDS:
            self.record(campaign, spec, office)

    def record(
        self,
        campaign: Campaign,
        spec: RecordSpec,
        reviewer: User,
        participants: list[User] | None = None,
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
            participants=participants or (),
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
                    is_superuser=role is None,
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
                AccountRow(username, DEMO_PASSWORD, str(role) if role else "superuser", where)
            )


def load_demo(*, accounts: bool) -> DemoResult:
    """Build the seed's campaign; with ``accounts``, also the demo's log-in accounts."""
    loader = _Loader()
    loader.result.accounts_enabled = accounts
    with transaction.atomic(), clock.travel(DEMO_TODAY):
        loader.load_org()
        province = loader.load_province_campaign()
        federation = loader.load_federation_campaign(province)
        loader.load_unit_work(federation)
        loader.load_records(federation)
        if accounts:
            loader.load_accounts()
    return loader.result
