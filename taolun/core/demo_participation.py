"""The demo's participation: the seed's mobilisation meeting as a meeting, study materials
and logs, reflections, a discussion topic per theme with opinions, and the leadership's
democratic life meeting with its preparation and criticism and self-criticism.

The mobilisation meeting is the seed's own (2019-02-22): 卫国's speech word for word,
李俊温 reading the leading group list, the five branch secretaries' statements (one
secretary the seed names by post only), the attendees as the news report describes
them. Everything else is sample data in the seed's spirit, written through the services.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from django.utils import translation

from taolun.activities.meetings import (
    attendance_set,
    check_material_save,
    heart_talk_add,
    meeting_create,
    meeting_step_record,
    statement_create,
)
from taolun.activities.models import ActivityRecord, Meeting, MeetingKind, StatementKind
from taolun.activities.services import record_review, record_submit
from taolun.campaigns.models import ActionKind
from taolun.core.sanitize import clean_html
from taolun.discussion.models import Opinion, Topic
from taolun.discussion.services import opinion_answer, opinion_classify, opinion_post, topic_create
from taolun.study.models import Reflection, StudyLog, StudyMaterial
from taolun.study.services import log_add, material_create, reflection_mark, reflection_save

MOBILISATION_ATTENDEES_NOTE = (
    "省残联“改革创新、奋发有为”大讨论领导小组全体成员、省残联机关全体干部职工"
    "和直属事业单位科级以上干部"
)

# The statements of the mobilisation meeting, in the order the news report gives them:
# (kind, speaker username or None, speaker's post, title). The speech's text is the seed's.
MOBILISATION_STATEMENTS = [
    (
        "speech",
        "weiguo",
        "省残联党组书记、理事长,领导小组组长",
        "在省残联“改革创新、奋发有为”大讨论动员部署会上的讲话",
    ),
    (
        "reading",
        "lijunwen",
        "省残联党组成员、副理事长、机关党委书记,领导小组副组长",
        "宣读省残联“改革创新、奋发有为”大讨论领导小组成员名单及职责分工",
    ),
    ("pledge", "xuguorui", "省残联机关第一党支部书记、教育就业部主任", "表态发言"),
    ("pledge", "zhangxiaoli", "省残联机关第二党支部书记、计划财务部主任", "表态发言"),
    ("pledge", None, "省残疾人就业服务指导中心党支部书记、主任", "表态发言"),
    ("pledge", "wenjiansheng", "省康复研究中心党支部书记", "表态发言"),
    ("pledge", "shajiakuan", "省脑瘫康复医院党支部书记", "表态发言"),
]
MOBILISATION_PRESENT = [
    "weiguo",
    "lijunwen",
    "xuguorui",
    "zhangxiaoli",
    "wenjiansheng",
    "shajiakuan",
]


@dataclass(frozen=True)
class MaterialSpec:
    stage: int
    title: str
    source: str
    body: tuple[str, ...]
    required: bool
    due_on: dt.date | None
    for_units: tuple[str, ...] = ()
    theme: int | None = None


SPEECH_MATERIAL_TITLE = "卫国同志在省残联“改革创新、奋发有为”大讨论动员部署会上的讲话"

# The study the speech prescribes (打牢学习的“奠基石”). The speech itself is the first
# material; its body is read from the seed at load time.
MATERIALS = [
    MaterialSpec(
        1,
        SPEECH_MATERIAL_TITLE,
        "省残联党组书记、理事长 卫国,2019年2月22日",
        (),
        True,
        dt.date(2019, 3, 10),
    ),
    MaterialSpec(
        2,
        "习近平总书记在庆祝改革开放40周年大会上的重要讲话",
        "2018年12月18日",
        (
            "重温讲话精神,深刻认识改革开放是决定当代中国命运的关键一招。",
            "结合残联工作实际,思考如何以改革破解残疾人事业发展难题。",
        ),
        True,
        dt.date(2019, 4, 15),
        theme=1,
    ),
    MaterialSpec(
        2,
        "习近平总书记视察山西重要讲话精神",
        "2017年6月",
        ("对照视察山西重要讲话提出的要求,查找残联工作的差距和不足。",),
        True,
        dt.date(2019, 4, 15),
    ),
    MaterialSpec(
        2,
        "省委十一届七次全会精神",
        "中共山西省委",
        ("认真领会全会精神和省委近期一系列重要部署要求,明确全年工作的目标任务。",),
        True,
        dt.date(2019, 4, 20),
    ),
    MaterialSpec(
        2,
        "《习近平新时代中国特色社会主义思想三十讲》",
        "中共中央宣传部 编,学习出版社,2018年",
        ("按章节制定个人学习计划,每周至少学习一讲,做好学习笔记。",),
        True,
        dt.date(2019, 4, 30),
    ),
    MaterialSpec(
        2,
        "《中国共产党支部工作条例(试行)》",
        "中共中央,2018年10月",
        ("支部书记和支部委员重点学习,对照条例推进基层党组织标准化创建。",),
        True,
        dt.date(2019, 4, 30),
        for_units=(
            "sxdpf-branch-1",
            "sxdpf-branch-2",
            "sxdpf-employment-centre-branch",
            "sxdpf-rehab-centre-branch",
            "sxdpf-cp-hospital-branch",
        ),
    ),
    MaterialSpec(
        2,
        "《中华人民共和国残疾人保障法》",
        "全国人民代表大会常务委员会",
        ("结合维护残疾人合法权益工作选学,增强依法履职意识。",),
        False,
        None,
        theme=4,
    ),
]

# Study logs: (username, material number (1-based) or a title of other reading, day, minutes).
STUDY_LOGS = [
    ("xuguorui", 1, dt.date(2019, 2, 25), 60),
    ("xuguorui", 5, dt.date(2019, 3, 22), 90),
    ("zhangxiaoli", 1, dt.date(2019, 2, 26), 45),
    ("zhangxiaoli", 4, dt.date(2019, 4, 3), 60),
    ("sxdpf-ee-cadre", 1, dt.date(2019, 3, 1), 40),
    ("sxdpf-ee-cadre", 2, dt.date(2019, 3, 15), 50),
    ("sxdpf-pf-cadre", 1, dt.date(2019, 3, 4), 30),
    ("sxdpf-cph-member-1", 1, dt.date(2019, 3, 6), 45),
    ("sxdpf-cph-member-1", "《残疾人康复服务“十三五”实施方案》", dt.date(2019, 4, 9), 40),
    ("shajiakuan", 6, dt.date(2019, 3, 28), 60),
]

# The centre group's session (理论学习中心组集中学习): a study-session meeting.
STUDY_SESSION_TITLE = "省残联党组理论学习中心组“大讨论”集中学习研讨"
STUDY_SESSION_MATERIALS = (2, 3)
STUDY_SESSION_PRESENT = ["weiguo", "lijunwen", "xuguorui", "zhangxiaoli", "shajiakuan"]
STUDY_SESSION_ABSENT = [("wenjiansheng", "参加全省康复工作会议")]


@dataclass(frozen=True)
class ReflectionSpec:
    author: str
    title: str
    body: tuple[str, ...]
    material: int | None = None
    theme: int | None = None
    submitted: bool = True
    excellent: bool = False


REFLECTIONS = [
    ReflectionSpec(
        "xuguorui",
        "以改革破解残疾人就业难题——学习庆祝改革开放40周年大会重要讲话的体会",
        (
            "重温总书记在庆祝改革开放40周年大会上的重要讲话,深感改革开放是决定当代中国命运的关键一招。",
            "对照残疾人教育就业工作,我们在按比例安排就业的落实上办法不多,对用人单位的政策引导不够。",
            "下一步,支部将围绕残疾人就业开展专题讨论,把讨论成果转化为促进就业的具体措施。",
        ),
        material=2,
        excellent=True,
    ),
    ReflectionSpec(
        "zhangxiaoli",
        "提升标杆,以一流标准做好财务工作",
        (
            "学习动员部署会讲话,“破除随遇而安,着力解决工作标杆不高问题”对我触动很大。",
            "财务工作不能满足于不出错,要对标先进省份,在预算绩效管理上下功夫。",
        ),
        theme=5,
    ),
    ReflectionSpec(
        "sxdpf-ee-cadre",
        "学习动员讲话的几点体会",
        (
            "讲话提出要把坚持问题导向贯穿“大讨论”始终,发现问题、解决问题,接受群众检验。",
            "作为一名普通干部,要从手头工作做起,把残疾人的事当成自己的事。",
        ),
        material=1,
    ),
    # 走过场: another department hands in the first reflection again with a word or two
    # changed, for the office's scan for near-copies to find.
    ReflectionSpec(
        "sxdpf-ee-cadre",
        "学习庆祝改革开放40周年大会重要讲话心得",
        (
            "重温总书记在庆祝改革开放40周年大会上的重要讲话,深感改革开放是决定当代中国命运的关键一招。",
            "对照残疾人教育就业工作,我们在按比例安排就业的落实上办法还不多,对用人单位的政策引导不够。",
            "下一步,我们将围绕残疾人就业开展专题讨论,把讨论成果转化为促进就业的具体措施。",
        ),
        material=2,
    ),
    ReflectionSpec(
        "sxdpf-pf-cadre",
        "学习体会(草稿)",
        ("正在整理学习笔记。",),
        material=1,
        submitted=False,
    ),
]

# A topic per theme (the federation's office opens them for all its units).
TOPIC_OPENS = dt.date(2019, 3, 11)
TOPIC_CLOSES = dt.date(2019, 5, 31)
TOPIC_QUESTIONS = {
    1: "对照“破除僵化保守”,我们在改革意识上还有哪些差距?",
    2: "对照“破除因循守旧”,残联工作怎样才能更有创新精神?",
    3: "对照“破除封闭狭隘”,我们应当向哪些先进地区和单位学习?",
    4: "对照“破除资源依赖”,残疾人服务怎样更多引入市场和社会力量?",
    5: "对照“破除随遇而安”,各部门、各单位的工作标杆应当定在哪里?",
    6: "对照“破除慵懒散漫”,机关作风还有哪些不实的地方?",
}


@dataclass(frozen=True)
class OpinionSpec:
    theme: int  # the topic's theme
    author: str
    body: str
    kind: str = "opinion"
    anonymous: bool = False
    reply_to: int | None = None  # index in OPINIONS of the opinion replied to
    classify: bool = False
    answer: str = ""


OPINIONS = [
    OpinionSpec(
        1,
        "sxdpf-ee-cadre",
        "部分处室习惯按老办法办事,遇到新情况先想“有没有先例”,不敢先行先试。",
        classify=True,
        answer="意见已转领导小组办公室,将在深化改革任务清单中研究落实。",
    ),
    OpinionSpec(
        1,
        "sxdpf-pf-cadre",
        "建议对基层残联的改革探索建立容错机制,鼓励大胆尝试。",
        kind="suggestion",
    ),
    OpinionSpec(
        2,
        "sxdpf-cph-member-1",
        "建议医院与高校合作开展脑瘫康复新技术研究,形成自己的特色。",
        kind="suggestion",
        classify=True,
    ),
    OpinionSpec(
        3,
        "sxdpf-cph-member-2",
        "外省残联“互联网+助残服务”的做法值得学习,建议组织考察。",
        kind="suggestion",
    ),
    OpinionSpec(
        4,
        "sxdpf-ee-cadre",
        "辅具适配服务可以通过政府购买服务引入社会机构,提高效率。",
        kind="suggestion",
        classify=True,
        answer="已列入今年康复服务工作要点,由康复部牵头研究。",
    ),
    OpinionSpec(
        5,
        "sxdpf-pf-cadre",
        "有些工作满足于“过得去”,年度考核排名靠后也没有压力。",
        anonymous=True,
        classify=True,
    ),
    OpinionSpec(
        6,
        "sxdpf-cph-member-3",
        "机关有的文件层层转发,基层报送材料多、重复多,形式主义的问题依然存在。",
        anonymous=True,
        classify=True,
        answer="感谢您的意见。领导小组已要求精简报送材料,同一事项不得重复要求基层报送。",
    ),
    OpinionSpec(
        6,
        "sxdpf-cph-member-1",
        "同意。建议统一报送口径,一次报送、多方共享。",
        reply_to=6,
    ),
]

# The leadership's democratic life meeting (党组专题民主生活会).
DLM_TITLE = "省残联党组“改革创新、奋发有为”大讨论专题民主生活会"
DLM_HELD_ON = dt.date(2019, 4, 26)
DLM_REPORTED_UP_ON = dt.date(2019, 4, 8)
DLM_THEME = "对照“六个破除、六个着力、六个坚持”,查摆问题、剖析根源、明确整改方向"
DLM_PRESENT = ["weiguo", "lijunwen"]
# (step, day, note)
DLM_STEPS = [
    ("theme_set", dt.date(2019, 3, 25), "党组会议研究确定会议主题。"),
    ("opinions_solicited", dt.date(2019, 4, 5), "通过座谈会、意见箱和“大讨论”专题征求意见。"),
    ("talks_held", dt.date(2019, 4, 10), "班子成员之间、班子成员与分管部门负责人开展谈心谈话。"),
    ("plan_reported", DLM_REPORTED_UP_ON, "会议方案报省委组织部和省直机关工委。"),
    ("check_materials", dt.date(2019, 4, 15), "班子成员撰写对照检查材料,相互审阅把关。"),
    ("last_round_reviewed", DLM_HELD_ON, "通报上一年度民主生活会整改措施落实情况。"),
    ("criticism", DLM_HELD_ON, "班子成员逐一进行自我批评,相互批评。"),
    ("measures", DLM_HELD_ON, "针对查摆的问题,明确整改措施和责任领导。"),
]
# (person, other, day, note)
DLM_TALKS = [
    ("weiguo", "lijunwen", dt.date(2019, 4, 9), "交流对照检查的重点,互相提出批评意见。"),
    ("weiguo", "xuguorui", dt.date(2019, 4, 10), "听取对机关党建和“大讨论”工作的意见。"),
    ("lijunwen", "zhangxiaoli", dt.date(2019, 4, 10), "听取对机关作风建设的意见。"),
]
# (person, paragraphs)
DLM_CHECK_MATERIALS = [
    (
        "weiguo",
        (
            "对照“六个破除”,本人在推动残联改革上思路不够宽,深入基层调研不够。",
            "整改方向:带头开展基层调研,牵头制定深化改革任务清单。",
        ),
    ),
    (
        "lijunwen",
        (
            "对照“破除慵懒散漫”,在机关作风建设上抓得不够紧,对形式主义问题整治不够彻底。",
            "整改方向:精简会议文件,建立作风建设常态化监督机制。",
        ),
    ),
]
# Criticism and self-criticism: (speaker, about, text).
DLM_CRITICISM = [
    ("weiguo", "weiguo", "自我批评:调查研究不够深入,深入基层、深入残疾人家庭调研少。"),
    ("lijunwen", "weiguo", "批评:希望书记在推进改革时更多听取基层意见,给基层更多探索空间。"),
    ("lijunwen", "lijunwen", "自我批评:抓机关作风建设办法不多,对基层报送材料过多的问题重视不够。"),
    ("weiguo", "lijunwen", "批评:机关党委要把“大讨论”与基层党组织标准化创建结合得更紧。"),
]


# ---------------------------------------------------------------- the loader


class ParticipationLoader:
    """Writes the data above through the services, as the people the seed names.

    ``loader`` is the demo's ``_Loader`` (its units, people, counter and record review).
    Each part is looked up by a natural key first, so a second run writes nothing.
    """

    def __init__(self, loader) -> None:
        self.loader = loader
        self.people = loader.people
        self.units = loader.units

    # -- meetings -----------------------------------------------------------------

    def _meeting(
        self,
        campaign,
        *,
        kind: str,
        action: int,
        unit: str,
        author: str,
        title: str,
        held_on: dt.date,
        **fields,
    ) -> Meeting | None:
        if ActivityRecord.objects.filter(campaign=campaign, title=title).exists():
            return None
        meeting = meeting_create(
            actor=self.people[author],
            kind=MeetingKind.objects.get(code=kind),
            action=campaign.actions.get(kind=ActionKind.PRESCRIBED, number=action),
            unit=self.units[unit],
            title=title,
            held_on=held_on,
            **fields,
        )
        self.loader.count("meetings")
        return meeting

    def _attendance(self, meeting, author: str, present: list[str], absent=()) -> None:
        attendance_set(
            actor=self.people[author],
            meeting=meeting,
            present=[self.people[u] for u in present],
            absent=[(self.people[u], reason) for u, reason in absent],
        )

    def _close(self, meeting, author: str, reviewer: str) -> None:
        """Submit the meeting's record and accept it, as real use would."""
        record = meeting.record
        record_submit(actor=self.people[author], record=record)
        record_review(actor=self.people[reviewer], record=record, accept=True)

    def load_mobilisation(self, campaign, *, title: str, news: str, speech: str) -> None:
        """The seed's meeting of 2019-02-22, as the news report and the speech give it."""
        meeting = self._meeting(
            campaign,
            kind="mobilisation",
            action=1,
            unit="sxdpf",
            author="sxdpf-liaison",
            title=title,
            held_on=dt.date(2019, 2, 22),
            place="省残联",
            attendees_note=MOBILISATION_ATTENDEES_NOTE,
            minutes=paragraphs(news),
        )
        if meeting is None:
            return
        self._attendance(meeting, "sxdpf-liaison", MOBILISATION_PRESENT)
        texts = {"speech": paragraphs(*speech.splitlines()), "reading": self._group_list(campaign)}
        for order, (kind, speaker, post, heading) in enumerate(MOBILISATION_STATEMENTS, 1):
            statement_create(
                actor=self.people["sxdpf-liaison"],
                meeting=meeting,
                kind=kind,
                speaker=self.people[speaker] if speaker else None,
                speaker_title=post,
                title=heading,
                text=texts.get(kind, ""),
                order=order,
            )
        self._close(meeting, "sxdpf-liaison", "lijunwen")

    @staticmethod
    def _group_list(campaign) -> str:
        """The leading group list 李俊温 read out, from the campaign's leading group."""
        with translation.override("zh-hans"):
            lines = [
                f"{member.get_role_display()}:{member.person.name if member.person else ''}"
                f"({member.position})"
                for member in campaign.leading_group.select_related("person").order_by("order")
            ]
        return paragraphs(campaign.leading_group_name, *lines)

    def load_democratic_life_meeting(self, campaign) -> None:
        meeting = self._meeting(
            campaign,
            kind="democratic-life",
            action=7,
            unit="sxdpf",
            author="sxdpf-liaison",
            title=DLM_TITLE,
            held_on=DLM_HELD_ON,
            place="省残联会议室",
            chair=self.people["weiguo"],
            theme=DLM_THEME,
            agenda=paragraphs(
                "通报上一年度民主生活会整改措施落实情况",
                "班子成员逐一进行对照检查发言,开展批评和自我批评",
                "主要负责同志作总结讲话",
            ),
            attendees_note="省残联党组全体成员;省委督导组到会指导",
            minutes=paragraphs("会议由卫国同志主持。班子成员逐一作对照检查,开展批评和自我批评。"),
            reported_up_on=DLM_REPORTED_UP_ON,
        )
        if meeting is None:
            return
        office = "sxdpf-liaison"
        self._attendance(meeting, office, DLM_PRESENT)
        for person, body in DLM_CHECK_MATERIALS:
            check_material_save(
                actor=self.people[person], meeting=meeting, body=paragraphs(*body), submit=True
            )
        for order, (speaker, about, text) in enumerate(DLM_CRITICISM, 1):
            statement_create(
                actor=self.people[office],
                meeting=meeting,
                kind=StatementKind.CRITICISM,
                speaker=self.people[speaker],
                about=self.people[about],
                text=paragraphs(text),
                order=order,
            )
        for person, other, day, note in DLM_TALKS:
            heart_talk_add(
                actor=self.people[office],
                meeting=meeting,
                person=self.people[person],
                other=self.people[other],
                held_on=day,
                note=note,
            )
        for step, day, note in DLM_STEPS:
            meeting_step_record(
                actor=self.people[office], meeting=meeting, step=step, done_on=day, note=note
            )
        self._close(meeting, office, "lijunwen")

    # -- study ----------------------------------------------------------------------

    def load_study(self, campaign, *, speech: str) -> None:
        office = self.people["lijunwen"]
        materials: list = []
        for order, spec in enumerate(MATERIALS, 1):
            material = StudyMaterial.objects.filter(campaign=campaign, title=spec.title).first()
            if material is None:
                body = paragraphs(*speech.splitlines()) if not spec.body else paragraphs(*spec.body)
                material = material_create(
                    actor=office,
                    campaign=campaign,
                    title=spec.title,
                    source=spec.source,
                    body=body,
                    stage=campaign.stages.get(number=spec.stage),
                    theme=campaign.themes.get(number=spec.theme) if spec.theme else None,
                    required=spec.required,
                    due_on=spec.due_on,
                    order=order,
                    for_units=[self.units[slug] for slug in spec.for_units],
                    publish=True,
                )
                self.loader.count("study materials")
            materials.append(material)
        for username, what, day, minutes in STUDY_LOGS:
            person = self.people[username]
            material = materials[what - 1] if isinstance(what, int) else None
            other = what if isinstance(what, str) else ""
            if StudyLog.objects.filter(
                person=person, material=material, other_title=other, studied_on=day
            ).exists():
                continue
            log_add(
                actor=person,
                campaign=campaign,
                material=material,
                other_title=other,
                studied_on=day,
                minutes=minutes,
            )
            self.loader.count("study logs")
        self._study_session(campaign, [materials[n - 1] for n in STUDY_SESSION_MATERIALS])
        for spec in REFLECTIONS:
            author = self.people[spec.author]
            if Reflection.objects.filter(
                campaign=campaign, author=author, title=spec.title
            ).exists():
                continue
            reflection = reflection_save(
                actor=author,
                campaign=campaign,
                title=spec.title,
                body=paragraphs(*spec.body),
                material=materials[spec.material - 1] if spec.material else None,
                theme=campaign.themes.get(number=spec.theme) if spec.theme else None,
                submit=spec.submitted,
            )
            self.loader.count("reflections")
            if spec.excellent:
                reflection_mark(actor=office, reflection=reflection, excellent=True)

    def _study_session(self, campaign, materials: list) -> None:
        meeting = self._meeting(
            campaign,
            kind="study-session",
            action=3,
            unit="sxdpf",
            author="sxdpf-liaison",
            title=STUDY_SESSION_TITLE,
            held_on=dt.date(2019, 3, 20),
            place="省残联会议室",
            chair=self.people["weiguo"],
            duration_minutes=120,
            minutes=paragraphs("集中学习习近平总书记重要讲话精神,班子成员结合分管工作交流研讨。"),
            materials=materials,
        )
        if meeting is None:
            return
        self._attendance(meeting, "sxdpf-liaison", STUDY_SESSION_PRESENT, STUDY_SESSION_ABSENT)
        self._close(meeting, "sxdpf-liaison", "lijunwen")

    # -- discussion -----------------------------------------------------------------

    def load_discussion(self, campaign) -> None:
        office = self.people["lijunwen"]
        topics = {}
        for number, question in TOPIC_QUESTIONS.items():
            theme = campaign.themes.get(number=number)
            topic = Topic.objects.filter(campaign=campaign, question=question).first()
            if topic is None:
                topic = topic_create(
                    actor=office,
                    campaign=campaign,
                    unit=self.units["sxdpf"],
                    question=question,
                    description=paragraphs(f"{theme}。请结合本部门、本单位实际谈意见建议。"),
                    theme=theme,
                    stage=campaign.stages.get(number=2),
                    opens_on=TOPIC_OPENS,
                    closes_on=TOPIC_CLOSES,
                )
                self.loader.count("discussion topics")
            topics[number] = topic
        posted: list = []
        for spec in OPINIONS:
            topic = topics[spec.theme]
            body = paragraphs(spec.body)
            author = self.people[spec.author]
            opinion = Opinion.objects.filter(
                topic=topic, author=author, body=clean_html(body)
            ).first()
            if opinion is None:
                opinion = opinion_post(
                    actor=author,
                    topic=topic,
                    body=body,
                    kind=spec.kind,
                    anonymous=spec.anonymous,
                    parent=posted[spec.reply_to] if spec.reply_to is not None else None,
                )
                self.loader.count("opinions")
                if spec.classify:
                    opinion_classify(actor=office, opinion=opinion, theme=topic.theme)
                if spec.answer:
                    opinion_answer(actor=office, opinion=opinion, answer=paragraphs(spec.answer))
            posted.append(opinion)


def paragraphs(*texts: str) -> str:
    """Plain lines as HTML paragraphs (escaped); blank lines dropped."""
    return "".join(f"<p>{html.escape(t.strip())}</p>" for t in texts if t.strip())
