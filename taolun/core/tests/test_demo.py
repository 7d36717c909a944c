"""``manage.py load_demo``: the seed's campaign, word for word, loaded idempotently."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import override_settings
from django.urls import reverse

from taolun.activities.models import (
    ActivityRecord,
    Meeting,
    PreparationStep,
    RecordStatus,
    StatementKind,
)
from taolun.campaigns.models import (
    Action,
    ActionKind,
    ActionStatus,
    Approval,
    Campaign,
    CellStatus,
    LeadingGroupRole,
    UnitPlan,
    status_expression,
)
from taolun.core.demo import DEMO_PASSWORD, DEMO_TODAY, read_text
from taolun.discussion.models import Opinion, Topic
from taolun.org.models import Post, RoleAssignment, Unit, User
from taolun.rectification.models import (
    ExtensionRequest,
    ExtensionState,
    Light,
    Measure,
    Problem,
    ProblemKind,
    ProblemLevel,
    ProblemSource,
    ProblemState,
    ProgressUpdate,
    SatisfactionVote,
)
from taolun.rectification.rules import is_evaluator
from taolun.rectification.selectors import (
    evaluation_results,
    ledger_counts,
    rectification_counts,
    with_evaluation,
)
from taolun.rectification.sources import problems_from, source_for_user
from taolun.study.models import Reflection, StudyLog, StudyMaterial

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = [
    "office",
    "leader",
    "contact1",
    "contact2",
    "member",
    "supervisor",
    "province",
    "sysadmin",
    "secadmin",
    "auditor",
]

# Typed from the seed (the speech's 六个破除、六个着力、六个坚持).
SEED_THEMES = [
    ("破除僵化保守", "着力解决改革意识不强问题", "坚持以改革破解发展难题"),
    ("破除因循守旧", "着力解决创新精神不足问题", "坚持以创新激发动力活力"),
    ("破除封闭狭隘", "着力解决扩大开放不够问题", "坚持以开放促改革促发展"),
    ("破除资源依赖", "着力解决市场理念不浓问题", "坚持以市场打开发展新通途"),
    ("破除随遇而安", "着力解决工作标杆不高问题", "坚持以一流标准创造一流业绩"),
    ("破除慵懒散漫", "着力解决作风不实问题", "坚持以过硬作风彰显担当作为"),
]
SEED_STAGES = [
    ("动员", "打响动员的“第一枪”"),
    ("学习", "打牢学习的“奠基石”"),
    ("实践", "抓住实践的“指南针”"),
    ("提升", "紧盯提升的“加固剂”"),
]
PRESCRIBED = [
    "召开动员部署会",
    "制定具体实施方案",
    "集中学习研讨",
    "宣传营造氛围",
    "典型宣传",
    "统筹谋划年度工作、转化成果",
    "开好民主生活会和专题组织生活会",
    "对标查找问题差距、整改落实",
    "信息报送",
    "回顾总结、建章立制",
]


def load(settings, *, demo: bool = True) -> str:
    settings.TAOLUN_DEMO = demo
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once for a class of read-only tests, and roll it back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            TAOLUN_DEMO=True,
            TAOLUN_TODAY="",
            MEDIA_ROOT=tmp_path_factory.mktemp("uploads"),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db) -> str:
    """The demo's printed output; each test's changes roll back to the loaded demo."""
    return demo_loaded


def campaign(slug: str) -> Campaign:
    return Campaign.objects.get(slug=slug)


def results_problem(evaluated) -> Problem:
    return next(p for p in evaluated if p.unit.slug == "sxdpf-branch-1")


class TestDemoContent:
    """What the demo loads, checked against the seed (one load for the whole class)."""

    def test_both_campaigns_with_the_seeds_facts(self, demo):
        province, federation = campaign("shanxi-2019"), campaign("sxdpf-2019")
        assert province.name == "全省“改革创新、奋发有为”大讨论"
        assert province.owner_unit.slug == "shanxi"
        assert province.launched_on == dt.date(2019, 2, 18)
        assert province.launch_place == "太原"
        assert province.basis_number == "晋办发〔2019〕1号"
        assert province.basis_title == "《关于开展“改革创新、奋发有为”大讨论的实施方案》"
        assert province.starts_on == dt.date(2019, 2, 18)
        assert province.ends_on == dt.date(2019, 6, 30)
        assert federation.name == "省残联“改革创新、奋发有为”大讨论"
        assert federation.parent == province
        assert federation.owner_unit.slug == "sxdpf"
        assert federation.office_unit.slug == "sxdpf-organ-committee"
        assert federation.launched_on == dt.date(2019, 2, 22)
        assert federation.basis_number == "晋办发〔2019〕1号"
        for c in (province, federation):
            assert c.general_requirements and c.main_tasks and c.methods and c.organisation
        # The six 2019 work-target areas, listed in the main tasks until targets get a model.
        assert federation.main_tasks.count("<li>") == 6
        assert "坚决打赢贫困残疾人脱贫攻坚战" in federation.main_tasks
        assert "夯实工作基础,增强残疾人事业发展动力和后劲" in federation.main_tasks

    @pytest.mark.parametrize("slug", ["shanxi-2019", "sxdpf-2019"])
    def test_six_themes_word_for_word(self, demo, slug):
        themes = [(t.break_with, t.focus_on, t.adhere_to) for t in campaign(slug).themes.all()]
        assert themes == SEED_THEMES

    @pytest.mark.parametrize("slug", ["shanxi-2019", "sxdpf-2019"])
    def test_four_stages_and_ten_prescribed_actions(self, demo, slug):
        c = campaign(slug)
        assert [(s.name, s.directive) for s in c.stages.order_by("number")] == SEED_STAGES
        actions = list(
            c.actions.filter(kind=ActionKind.PRESCRIBED).order_by("number").select_related("stage")
        )
        assert [a.name for a in actions] == PRESCRIBED
        assert [a.number for a in actions] == list(range(1, 11))
        assert [a.stage.number for a in actions] == [1, 1, 2, 2, 2, 3, 3, 3, 3, 4]
        for a in actions:
            assert a.stage.starts_on <= a.due_on <= c.ends_on

    def test_child_campaign_copies_point_to_their_origins(self, demo):
        province, federation = campaign("shanxi-2019"), campaign("sxdpf-2019")
        for theme in federation.themes.select_related("origin"):
            assert theme.origin.campaign_id == province.pk
            assert theme.origin.number == theme.number
        for stage in federation.stages.select_related("origin"):
            assert stage.origin.campaign_id == province.pk
        for action in federation.actions.filter(kind=ActionKind.PRESCRIBED).select_related(
            "origin", "stage__origin"
        ):
            assert action.origin.campaign_id == province.pk
            assert (action.origin.number, action.origin.name) == (action.number, action.name)
            assert action.stage.origin_id == action.origin.stage_id

    def test_unit_tree(self, demo):
        def parent(slug: str) -> str | None:
            p = Unit.objects.get_parent(Unit.objects.get(slug=slug))
            return p.slug if p else None

        assert parent("shanxi") is None
        assert parent("sxdpf") == "shanxi"
        assert parent("sxdpf-organ-committee") == "sxdpf-organ"
        assert parent("sxdpf-branch-1") == "sxdpf-organ"
        assert parent("sxdpf-education-employment") == "sxdpf-branch-1"
        assert parent("sxdpf-planning-finance") == "sxdpf-branch-2"
        for institution in ("sxdpf-employment-centre", "sxdpf-rehab-centre", "sxdpf-cp-hospital"):
            assert parent(institution) == "sxdpf-institutions"
            assert parent(f"{institution}-branch") == institution
            assert Unit.objects.get(slug=f"{institution}-branch").kind.code == "branch"
        assert Unit.objects.get(slug="sxdpf").short_name == "省残联"
        assert Unit.objects.get(slug="sxdpf-organ-committee").kind.code == "committee"

    def test_the_seeds_people_and_posts(self, demo):
        def holder(slug: str, title: str) -> str | None:
            post = Post.objects.select_related("holder").get(unit__slug=slug, title=title)
            return post.holder.name if post.holder else None

        assert holder("shanxi", "省委书记、省人大常委会主任") == "骆惠宁"
        assert holder("sxdpf", "党组书记、理事长") == "卫国"
        assert holder("sxdpf", "党组成员、副理事长") == "李俊温"
        assert holder("sxdpf-organ-committee", "机关党委书记") == "李俊温"
        assert holder("sxdpf-branch-1", "党支部书记") == "许国瑞"
        assert holder("sxdpf-education-employment", "主任") == "许国瑞"
        assert holder("sxdpf-branch-2", "党支部书记") == "张晓莉"
        assert holder("sxdpf-planning-finance", "主任") == "张晓莉"
        assert holder("sxdpf-rehab-centre-branch", "党支部书记") == "温建生"
        assert holder("sxdpf-cp-hospital-branch", "党支部书记") == "沙佳宽"
        # The seed names the employment centre's secretary (and director) by post only.
        assert holder("sxdpf-employment-centre-branch", "党支部书记") is None
        assert holder("sxdpf-employment-centre", "主任") is None
        named = User.objects.filter(
            name__in=["骆惠宁", "卫国", "李俊温", "许国瑞", "张晓莉", "温建生", "沙佳宽"]
        )
        assert named.count() == 7
        assert not any(person.has_usable_password() for person in named)

    def test_leading_group(self, demo):
        group = list(campaign("sxdpf-2019").leading_group.select_related("person"))
        assert [(m.role, m.person.name if m.person else None) for m in group] == [
            (LeadingGroupRole.HEAD, "卫国"),
            (LeadingGroupRole.DEPUTY, "李俊温"),
            (LeadingGroupRole.MEMBER, "许国瑞"),
            (LeadingGroupRole.MEMBER, "张晓莉"),
            (LeadingGroupRole.MEMBER, None),
            (LeadingGroupRole.MEMBER, "温建生"),
            (LeadingGroupRole.MEMBER, "沙佳宽"),
        ]
        assert group[4].position == "省残疾人就业服务指导中心党支部书记、主任"
        assert "主体责任" in group[0].duties
        assert "牵头抓总" in group[1].duties
        assert all("战斗堡垒" in m.duties for m in group[2:])

    def test_mobilisation_meeting_is_the_accepted_record_of_action_1(self, demo):
        record = ActivityRecord.objects.get(
            campaign__slug="sxdpf-2019",
            unit__slug="sxdpf",
            action__number=1,
            action__kind=ActionKind.PRESCRIBED,
        )
        assert record.status == RecordStatus.ACCEPTED
        assert record.held_on == dt.date(2019, 2, 22)
        assert record.title == "省残联“改革创新、奋发有为”大讨论动员部署会"
        assert record.created_by.name == "省残联大讨论办公室联络员"
        assert record.reviewed_by.name == "李俊温"  # nobody reviews their own record
        meeting = record.meeting
        assert meeting.kind.code == "mobilisation"
        assert "直属事业单位科级以上干部出席会议" in meeting.minutes
        assert "直属事业单位科级以上干部" in meeting.attendees_note
        row = ActionStatus.objects.get(unit=record.unit, action=record.action)
        assert row.status(DEMO_TODAY) == CellStatus.DONE
        # The audit trail names who entered and who reviewed it.
        actors = set(LogEntry.objects.get_for_object(record).values_list("actor__name", flat=True))
        assert actors == {"省残联大讨论办公室联络员", "李俊温"}

    def test_mobilisation_meeting_speech_reading_and_five_statements(self, demo):
        meeting = Meeting.objects.get(record__title="省残联“改革创新、奋发有为”大讨论动员部署会")
        statements = list(meeting.statements.select_related("speaker").order_by("order"))
        assert [(s.kind, s.speaker.name if s.speaker else None) for s in statements] == [
            (StatementKind.SPEECH, "卫国"),
            (StatementKind.READING, "李俊温"),
            (StatementKind.PLEDGE, "许国瑞"),
            (StatementKind.PLEDGE, "张晓莉"),
            (StatementKind.PLEDGE, None),  # the seed names this secretary by post only
            (StatementKind.PLEDGE, "温建生"),
            (StatementKind.PLEDGE, "沙佳宽"),
        ]
        assert statements[4].speaker_title == "省残疾人就业服务指导中心党支部书记、主任"
        speech = statements[0].text
        for line in read_text("speech.txt").splitlines():
            assert f"<p>{line}</p>" in speech
        # 李俊温 read the leading group list: every member the seed names is in it.
        for name in ("卫国", "李俊温", "许国瑞", "张晓莉", "温建生", "沙佳宽"):
            assert name in statements[1].text
        present = set(
            meeting.attendances.filter(present=True).values_list("person__name", flat=True)
        )
        assert present == {"卫国", "李俊温", "许国瑞", "张晓莉", "温建生", "沙佳宽"}
        assert set(meeting.record.participants.values_list("name", flat=True)) == present

    def test_democratic_life_meeting_prepared_step_by_step(self, demo):
        meeting = Meeting.objects.get(kind__code="democratic-life", record__unit__slug="sxdpf")
        assert meeting.record.status == RecordStatus.ACCEPTED
        steps = set(meeting.steps.values_list("step", flat=True))
        assert steps == set(PreparationStep.values) - {PreparationStep.REPORTED_AFTER}
        assert (meeting.record.held_on - meeting.reported_up_on).days >= 15
        assert meeting.check_materials.filter(submitted_at__isnull=False).count() == 2
        criticism = meeting.statements.filter(kind=StatementKind.CRITICISM)
        assert criticism.filter(speaker=F("about")).count() == 2  # each criticised themself
        assert criticism.exclude(speaker=F("about")).count() == 2
        assert meeting.talks.count() == 3
        (problem,) = problems_from(meeting.record)
        assert problem.source == ProblemSource.DEMOCRATIC_LIFE_MEETING

    def test_study_materials_logs_session_and_reflections(self, demo):
        federation = campaign("sxdpf-2019")
        materials = StudyMaterial.objects.filter(campaign=federation)
        assert materials.count() >= 5 and not materials.filter(published_at=None).exists()
        speech_material = materials.get(stage__number=1)
        assert "<p>同志们:</p>" in speech_material.body
        assert materials.filter(required=False).exists()
        assert materials.filter(for_units__slug="sxdpf-branch-1").exists()
        session = Meeting.objects.get(kind__code="study-session")
        present = session.attendances.filter(present=True).count()
        assert session.attendances.filter(present=False).exclude(absence_reason="").exists()
        group_logs = StudyLog.objects.filter(meeting=session)
        assert group_logs.count() == present * session.materials.count()
        assert StudyLog.objects.filter(campaign=federation, meeting=None).count() >= 5
        reflections = Reflection.objects.filter(campaign=federation)
        assert reflections.filter(excellent=True).count() == 1
        assert reflections.filter(submitted_at=None).exists()

    def test_a_topic_per_theme_with_opinions_answers_and_replies(self, demo):
        federation = campaign("sxdpf-2019")
        topics = Topic.objects.filter(campaign=federation)
        assert sorted(topics.values_list("theme__number", flat=True)) == [1, 2, 3, 4, 5, 6]
        assert all(t.opens_on <= DEMO_TODAY <= t.closes_on for t in topics)
        opinions = Opinion.objects.filter(topic__campaign=federation)
        assert opinions.filter(anonymous=True).exists()
        assert opinions.filter(parent__isnull=False).exists()
        assert opinions.exclude(answer="").exists() and opinions.filter(answer="").exists()
        assert opinions.filter(theme__isnull=False).exists()
        # The audit trail keeps an anonymous opinion's author.
        anonymous = opinions.filter(anonymous=True).first()
        created = LogEntry.objects.get_for_object(anonymous).get(action=LogEntry.Action.CREATE)
        assert created.actor == anonymous.author

    def test_matrix_shows_every_status_at_the_demo_date(self, demo):
        federation = campaign("sxdpf-2019")
        rows = ActionStatus.objects.filter(campaign=federation)
        statuses = {row.status(DEMO_TODAY) for row in rows}
        assert statuses == set(CellStatus)
        in_sql = set(rows.annotate(s=status_expression(DEMO_TODAY)).values_list("s", flat=True))
        assert in_sql == statuses

        def status(unit: str, number: int) -> str:
            return rows.get(
                unit__slug=unit, action__number=number, action__kind=ActionKind.PRESCRIBED
            ).status(DEMO_TODAY)

        assert status("sxdpf-branch-1", 1) == CellStatus.DONE
        assert status("sxdpf-branch-2", 2) == CellStatus.DONE_LATE
        assert status("sxdpf-rehab-centre-branch", 7) == CellStatus.AWAITING_REVIEW
        assert status("sxdpf-branch-2", 7) == CellStatus.IN_PROGRESS  # returned
        assert status("sxdpf-cp-hospital-branch", 6) == CellStatus.IN_PROGRESS  # draft
        assert status("sxdpf-employment-centre-branch", 1) == CellStatus.OVERDUE
        assert status("sxdpf-employment-centre-branch", 10) == CellStatus.NOT_STARTED
        returned = ActivityRecord.objects.get(status=RecordStatus.RETURNED)
        assert returned.review_comment
        assert set(ActivityRecord.objects.values_list("status", flat=True)) == set(RecordStatus)
        # The province's own rows cover only 省委: the federation's units act in the child.
        assert set(
            ActionStatus.objects.filter(campaign__slug="shanxi-2019").values_list(
                "unit__slug", flat=True
            )
        ) == {"shanxi"}

    def test_self_selected_actions_and_unit_plans(self, demo):
        own = {
            a.unit.slug: a
            for a in Action.objects.filter(kind=ActionKind.SELF_SELECTED).select_related(
                "unit", "decided_by"
            )
        }
        assert set(own) == {"sxdpf-branch-1", "sxdpf-rehab-centre-branch"}
        assert own["sxdpf-branch-1"].approval == Approval.APPROVED
        assert own["sxdpf-branch-1"].decided_by.name == "李俊温"
        assert (
            ActionStatus.objects.filter(action=own["sxdpf-branch-1"]).get().status(DEMO_TODAY)
            == CellStatus.AWAITING_REVIEW
        )
        assert own["sxdpf-rehab-centre-branch"].approval == Approval.PROPOSED
        assert not ActionStatus.objects.filter(action=own["sxdpf-rehab-centre-branch"]).exists()
        assert set(UnitPlan.objects.values_list("unit__slug", flat=True)) == {
            "sxdpf-branch-1",
            "sxdpf-branch-2",
        }

    def test_demo_accounts_hold_their_roles(self, demo):
        roles = {
            (r.user.username, r.role, r.unit.slug)
            for r in RoleAssignment.objects.filter(
                user__username__in=DEMO_USERNAMES
            ).select_related("user", "unit")
        }
        assert roles == {
            ("office", "office", "sxdpf"),
            ("leader", "leader", "sxdpf"),
            ("contact1", "contact", "sxdpf-branch-1"),
            ("contact2", "contact", "sxdpf-branch-2"),
            ("member", "member", "sxdpf-branch-1"),
            ("supervisor", "supervisor", "sxdpf"),
            ("province", "office", "shanxi"),
        }
        # Three administrators, one duty each (三员分立), and no superuser.
        duties = dict(
            User.objects.filter(username__in=DEMO_USERNAMES)
            .exclude(admin_duty="")
            .values_list("username", "admin_duty")
        )
        assert duties == {"sysadmin": "system", "secadmin": "security", "auditor": "audit"}
        assert all(User.objects.get(username=name).is_staff for name in duties)
        assert not User.objects.filter(is_superuser=True).exists()
        assert User.objects.get(username="office").is_staff
        assert not User.objects.get(username="contact1").is_staff

    def test_demo_accounts_log_in_with_the_printed_password(self, client, demo):
        printed = dict(re.findall(r"^\s+(\w+)\s+(\S+)\s+\w+\s", demo, re.M))
        printed.pop("username")
        assert sorted(printed) == sorted(DEMO_USERNAMES)
        for username, password in printed.items():
            response = client.post(reverse("login"), {"username": username, "password": password})
            assert response.status_code == 302, username
            assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
            client.logout()

    # -- the ledger ------------------------------------------------------------------

    def test_ledger_covers_units_themes_sources_and_states(self, demo):
        problems = Problem.objects.filter(campaign__slug="sxdpf-2019")
        assert 15 <= problems.count() <= 25
        assert not Problem.objects.filter(campaign__slug="shanxi-2019").exists()
        assert set(problems.values_list("source", flat=True)) == set(ProblemSource.values)
        assert set(problems.values_list("state", flat=True)) == set(ProblemState.values)
        assert set(problems.values_list("theme__number", flat=True)) == {1, 2, 3, 4, 5, 6}
        assert set(problems.values_list("level", flat=True)) == set(ProblemLevel.values)
        assert set(problems.values_list("kind", flat=True)) == set(ProblemKind.values)
        assert problems.values("unit").distinct().count() >= 8
        for problem in problems:
            assert problem.ledger_number.startswith("SXDPF-2019-")
            assert problem.description.startswith("<p>") and problem.target_standard

    def test_ledger_lights_and_counts_at_the_demo_date(self, demo):
        federation = campaign("sxdpf-2019")
        lights = ledger_counts(Problem.objects.filter(campaign=federation), DEMO_TODAY).by_light
        assert lights[Light.RED] >= 3 and lights[Light.YELLOW] >= 2 and lights[Light.GREEN] >= 3
        counts = rectification_counts(federation, None, DEMO_TODAY)
        assert counts.verified_late == 1
        assert counts.verified_on_time >= 3
        assert counts.flagged == 1
        assert counts.votes == 7 and counts.unsatisfied == 3
        # Everything the services dated happened on or before the demo's day.
        for field in ("completed_on", "verified_on"):
            assert not Problem.objects.filter(**{f"{field}__gt": DEMO_TODAY}).exists()
        assert not ProgressUpdate.objects.filter(reported_on__gt=DEMO_TODAY).exists()

    def test_ledger_extensions_carry_over_and_send_back(self, demo):
        granted = ExtensionRequest.objects.get(state=ExtensionState.GRANTED)
        assert granted.problem.extension_count == 1
        assert granted.problem.deadline == granted.requested_deadline > granted.previous_deadline
        assert granted.decided_by.name == "李俊温"
        pending = ExtensionRequest.objects.get(state=ExtensionState.REQUESTED)
        assert pending.problem.light(DEMO_TODAY) == Light.RED  # overdue while it waits
        carried = Problem.objects.get(state=ProblemState.CARRIED_OVER)
        assert "下半年" in carried.carried_over_reason
        sent_back = Problem.objects.exclude(review_comment="").get(state=ProblemState.IN_PROGRESS)
        assert sent_back.completed_on is None
        late = Problem.objects.get(state=ProblemState.VERIFIED, completed_on__gt=F("deadline"))
        assert late.unit.slug == "sxdpf-planning-finance"

    def test_ledger_measures_and_progress(self, demo):
        rich = (
            Problem.objects.annotate(
                measures_n=Count("measures", distinct=True),
                updates_n=Count("updates", distinct=True),
            )
            .filter(measures_n__gte=2, updates_n__gte=2)
            .count()
        )
        assert rich >= 3
        done = Measure.objects.filter(done=True)
        assert done.exists() and not done.filter(done_on__isnull=True).exists()
        assert Measure.objects.filter(done=False).exists()

    def test_ledger_evaluations(self, demo):
        evaluated = Problem.objects.filter(evaluation_open=True).order_by("ledger_number")
        assert evaluated.count() == 2
        results = {p.unit.slug: evaluation_results(p) for p in evaluated}
        assert results["sxdpf-branch-1"].total == 4
        assert not results["sxdpf-branch-1"].flagged
        assert results["sxdpf-cp-hospital-branch"].flagged
        assert [p.unit.slug for p in with_evaluation(Problem.objects.all()) if p.flagged] == [
            "sxdpf-cp-hospital-branch"
        ]
        for vote in SatisfactionVote.objects.select_related("voter__unit", "problem__unit"):
            assert is_evaluator.test(vote.voter, vote.problem)
        # The demo member may still vote on the branch's problem.
        member = User.objects.get(username="member")
        assert member.has_perm("rectification.vote_problem", results_problem(evaluated))

    def test_ledger_links_a_problem_to_the_mobilisation_meeting(self, demo):
        record = ActivityRecord.objects.get(title="省残联“改革创新、奋发有为”大讨论动员部署会")
        (problem,) = problems_from(record)
        assert problem.unit.slug == "sxdpf" and problem.level == ProblemLevel.LEADERSHIP_BODY
        office = User.objects.get(username="office")
        assert source_for_user(office, problem) == record
        assert problems_from(
            ActivityRecord.objects.get(title="机关第二党支部专题组织生活会")
        ).exists()

    def test_ledger_is_in_the_audit_trail_under_its_people(self, demo):
        for problem in Problem.objects.select_related("created_by"):
            created = LogEntry.objects.get_for_object(problem).get(action=LogEntry.Action.CREATE)
            assert created.actor == problem.created_by
        verified = Problem.objects.filter(state=ProblemState.VERIFIED).select_related("verified_by")
        for problem in verified:
            actors = set(LogEntry.objects.get_for_object(problem).values_list("actor", flat=True))
            assert problem.verified_by_id in actors
        assert {p.verified_by.name for p in verified} == {"李俊温", "卫国"}


def test_speech_data_file_is_the_seeds_speech():
    speech = read_text("speech.txt")
    assert speech.splitlines()[:4] == [
        "在省残联“改革创新、奋发有为”大讨论动员部署会上的讲话",
        "(2019年2月22日)",
        "省残联党组书记、理事长 卫国",
        "同志们:",
    ]
    assert speech.rstrip().endswith("奋力谱写新时代中国特色社会主义山西篇章!")
    assert '"' not in speech


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_loads_on_an_emptied_database(settings):
    """After `manage.py flush` the data migrations' rows are gone too; the demo puts back
    what it needs (meeting kinds, channels) before it loads."""
    from taolun.activities.models import MeetingKind
    from taolun.reporting.models import Channel

    Channel.objects.all().delete()
    MeetingKind.objects.all().delete()
    load(settings)
    assert MeetingKind.objects.exists() and Channel.objects.filter(code="portal").exists()


def test_second_run_changes_nothing(settings):
    load(settings)
    before = row_counts()
    log_ids = set(LogEntry.objects.values_list("pk", flat=True))
    output = load(settings)
    assert row_counts() == before
    assert set(LogEntry.objects.values_list("pk", flat=True)) == log_ids
    assert "nothing changed" in output
    # The accounts are printed again on the second run.
    for username in DEMO_USERNAMES:
        assert re.search(rf"^\s+{username}\s+{re.escape(DEMO_PASSWORD)}\s", output, re.M)


def test_without_taolun_demo_no_login_accounts(settings):
    output = load(settings, demo=False)
    assert Campaign.objects.filter(slug="sxdpf-2019").exists()
    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()
    assert not any(u.has_usable_password() for u in User.objects.all())
    assert "TAOLUN_DEMO is off" in output
    assert DEMO_PASSWORD not in output


def test_accounts_come_later_when_the_demo_is_switched_on(settings):
    load(settings, demo=False)
    load(settings, demo=True)
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERNAMES)


def test_demo_office_reaches_the_back_office_within_its_scope(settings, client):
    load(settings)
    client.force_login(User.objects.get(username="office"))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/activities/activityrecord/").status_code == 200
    province_unit = Unit.objects.get(slug="shanxi")
    assert client.get(f"/admin/org/unit/{province_unit.pk}/change/").status_code == 404
