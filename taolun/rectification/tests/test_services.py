"""Recording, moving, reporting, extending and signing off problems, with who may do what."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from taolun.activities.tests.files import fake_pdf, pdf, png
from taolun.campaigns.models import Theme
from taolun.campaigns.tests.factories import make_campaign
from taolun.rectification.models import (
    TRANSITIONS,
    ExtensionRequest,
    ExtensionState,
    Measure,
    Problem,
    ProblemKind,
    ProblemState,
    ProgressAttachment,
    ProgressUpdate,
)
from taolun.rectification.services import (
    MeasureInput,
    extension_decide,
    extension_request,
    measure_set_done,
    problem_carry_over,
    problem_complete,
    problem_create,
    problem_open,
    problem_reopen,
    problem_send_back,
    problem_start,
    problem_update,
    problem_verify,
    progress_add,
)
from taolun.rectification.tests.factories import evidence, make_problem, put

D = dt.date
S = ProblemState


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


# ---------------------------------------------------------------- recording


def test_numbers_are_generated_per_unit_and_kept(org):
    first = make_problem(org)
    second = make_problem(org)
    other = make_problem(org, unit="branch2")
    assert [first.ledger_number, second.ledger_number] == ["CAMP-BRANCH1-001", "CAMP-BRANCH1-002"]
    assert other.ledger_number == "CAMP-BRANCH2-001"
    own = make_problem(org, ledger_number=" CAMP-BRANCH1-010 ")
    assert own.ledger_number == "CAMP-BRANCH1-010"
    assert make_problem(org).ledger_number == "CAMP-BRANCH1-011"


def test_a_ledger_number_is_unique_within_its_campaign_only(org):
    make_problem(org, ledger_number="SX-01")
    with pytest.raises(ValidationError) as exc:
        make_problem(org, unit="branch2", ledger_number="SX-01")
    assert "ledger_number" in exc.value.message_dict
    assert "SX-01" in exc.value.message_dict["ledger_number"][0]
    assert Problem.objects.count() == 1
    other = make_campaign(org.root, "camp2")
    problem_create(
        actor=org.contact1,
        campaign=other,
        unit=org.branch1,
        description="同号不同活动",
        ledger_number="SX-01",
        deadline=D(2019, 4, 30),
    )
    assert Problem.objects.filter(ledger_number="SX-01").count() == 2


def test_create_keeps_everything_and_sanitises(org):
    theme = org.campaign.themes.get()
    problem = make_problem(
        org,
        description="<p>学习流于形式</p><script>alert(1)</script>",
        target_standard="每月集中学习两次\n建立台账",
        theme=theme,
        source="democratic_life_meeting",
        level="leadership_body",
        kind=ProblemKind.DEADLINE,
        responsible_leader=org.leader,
        person_in_charge=org.member1,
        supporting_units=[org.branch2],
        measures=[
            MeasureInput("制定学习计划", D(2019, 3, 31)),
            MeasureInput("建立学习台账", D(2019, 4, 30)),
        ],
        source_note="2019年民主生活会",
    )
    problem.refresh_from_db()
    assert problem.description == "<p>学习流于形式</p>"
    assert problem.target_standard == "<p>每月集中学习两次</p><p>建立台账</p>"
    assert problem.state == S.DRAFT and problem.created_by == org.contact1
    assert list(problem.supporting_units.all()) == [org.branch2]
    assert list(problem.measures.values_list("order", "text")) == [
        (1, "制定学习计划"),
        (2, "建立学习台账"),
    ]


def test_create_and_open_at_once(org):
    assert make_problem(org, open_now=True).state == S.OPEN


def _bad_inputs(org) -> dict[str, tuple[str, dict]]:
    from taolun.org.tests.factories import grant, make_unit

    outside = make_unit("外单位", "outside")
    grant(org.office, outside, "office")
    other_theme = Theme.objects.get(campaign=make_campaign(org.root, "camp2"))
    return {
        "no deadline": ("deadline", {"deadline": None}),
        "unit outside": ("unit", {"unit": outside, "actor": org.office}),
        "other theme": ("theme", {"theme": other_theme}),
        "self supports": ("supporting_units", {"supporting_units": [org.branch1]}),
        "leader outside": ("responsible_leader", {"responsible_leader": org.outsider}),
        "late measure": ("measures", {"measures": [MeasureInput("晚", D(2019, 5, 30))]}),
        "empty measure": ("measures", {"measures": [MeasureInput("  ", D(2019, 4, 1))]}),
        "no description": ("description", {"description": "  "}),
    }


@pytest.mark.parametrize(
    "case",
    [
        "no deadline",
        "unit outside",
        "other theme",
        "self supports",
        "leader outside",
        "late measure",
        "empty measure",
        "no description",
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(org, case):
    field, kwargs = _bad_inputs(org)[case]
    call = {
        "actor": org.contact1,
        "campaign": org.campaign,
        "unit": org.branch1,
        "description": "问题",
        "deadline": D(2019, 4, 30),
        **kwargs,
    }
    with pytest.raises(ValidationError) as exc:
        problem_create(**call)
    assert field in exc.value.message_dict
    assert not Problem.objects.exists() and not Measure.objects.exists()


def test_long_term_problems_may_have_no_deadline(org):
    problem = make_problem(org, kind=ProblemKind.LONG_TERM, deadline=None)
    assert problem.deadline is None


@pytest.mark.parametrize("who", ["contact2", "member1", "supervisor", "leader", "outsider"])
def test_only_the_units_contact_or_office_record(org, who):
    with pytest.raises(PermissionDenied):
        make_problem(org, who=who)
    assert not Problem.objects.exists()


def test_office_records_for_any_unit(org):
    assert make_problem(org, who="office").unit == org.branch1


# ---------------------------------------------------------------- the state machine


def _services(org):
    """verb -> (target state, call(problem)); the office may make every move."""
    return {
        "open": (S.OPEN, lambda p: problem_open(actor=org.office, problem=p)),
        "start": (S.IN_PROGRESS, lambda p: problem_start(actor=org.office, problem=p)),
        "complete": (S.COMPLETED, lambda p: problem_complete(actor=org.office, problem=p)),
        "send_back": (
            S.IN_PROGRESS,
            lambda p: problem_send_back(actor=org.office, problem=p, comment="证据不足"),
        ),
        "verify": (S.VERIFIED, lambda p: problem_verify(actor=org.office, problem=p)),
        "carry_over": (
            S.CARRIED_OVER,
            lambda p: problem_carry_over(actor=org.office, problem=p, reason="需上级协调"),
        ),
        "reopen": (
            S.IN_PROGRESS,
            lambda p: problem_reopen(actor=org.office, problem=p, reason="群众不满意"),
        ),
    }


VERBS = ["open", "start", "complete", "send_back", "verify", "carry_over", "reopen"]


def test_the_services_cover_the_table():
    assert set(TRANSITIONS.values()) == set(VERBS)


@pytest.mark.parametrize(("start", "verb"), list(itertools.product(list(S), VERBS)))
def test_every_move_from_every_state_is_legal_or_refused(org, start, verb):
    """Exhaustive over states × services: the table decides, and a refusal changes nothing."""
    problem = make_problem(org)
    evidence(problem, org.contact1)
    put(problem, start)
    target, call = _services(org)[verb]
    if TRANSITIONS.get((start, target)) == verb:
        call(problem)
        problem.refresh_from_db()
        assert problem.state == target
        assert LogEntry.objects.get_for_object(problem).latest("timestamp").actor == org.office
    else:
        with pytest.raises(ValidationError) as exc:
            call(problem)
        assert exc.value.code == "illegal_transition"
        problem.refresh_from_db()
        assert problem.state == start


@pytest.mark.parametrize(("start", "target"), list(itertools.product(list(S), list(S))))
def test_each_legal_pair_has_exactly_one_service(org, start, target):
    verbs = [v for v, (to, _call) in _services(org).items() if to == target]
    legal = [v for v in verbs if TRANSITIONS.get((start, target)) == v]
    assert len(legal) == (1 if (start, target) in TRANSITIONS else 0)


def test_an_illegal_move_names_both_states(org):
    problem = make_problem(org)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        problem_verify(actor=org.office, problem=problem)
    assert exc.value.messages == ["A problem that is “Draft” cannot become “Verified”."]


WHO_MAY = {
    "open": {"contact1", "office"},
    "start": {"contact1", "office"},
    "complete": {"contact1", "office"},
    "send_back": {"office", "leader"},
    "verify": {"office", "leader"},
    "carry_over": {"office"},
    "reopen": {"office"},
}
PEOPLE = ["office", "leader", "supervisor", "contact1", "contact2", "member1", "outsider"]


@pytest.mark.parametrize(("verb", "who"), list(itertools.product(VERBS, PEOPLE)))
def test_who_may_make_each_move(org, verb, who):
    problem = make_problem(org)
    evidence(problem, org.contact1)
    start = next(s for (s, _t), v in TRANSITIONS.items() if v == verb)
    put(problem, start)
    target, _call = _services(org)[verb]
    calls = {
        "open": lambda a: problem_open(actor=a, problem=problem),
        "start": lambda a: problem_start(actor=a, problem=problem),
        "complete": lambda a: problem_complete(actor=a, problem=problem),
        "send_back": lambda a: problem_send_back(actor=a, problem=problem, comment="补充"),
        "verify": lambda a: problem_verify(actor=a, problem=problem),
        "carry_over": lambda a: problem_carry_over(actor=a, problem=problem, reason="原因"),
        "reopen": lambda a: problem_reopen(actor=a, problem=problem, reason="原因"),
    }
    actor = getattr(org, who)
    if who in WHO_MAY[verb]:
        calls[verb](actor)
        problem.refresh_from_db()
        assert problem.state == target
        assert actor.has_perm(f"rectification.{verb}_problem", put(problem, start))
    else:
        with pytest.raises(PermissionDenied):
            calls[verb](actor)
        problem.refresh_from_db()
        assert problem.state == start
        assert not actor.has_perm(f"rectification.{verb}_problem", problem)


def test_the_office_of_a_campaign_above_does_not_sign_off(org):
    """The federation's own office verifies; the province's office only reads."""
    from taolun.org.roles import Role
    from taolun.org.tests.factories import UserFactory, grant, make_unit

    province = make_unit("省委", "province")
    province_office = UserFactory(username="provoffice", name="省委办")
    grant(province_office, province, Role.OFFICE)
    federation = make_unit("某残联", "fed", province)
    branch = make_unit("支部", "fedbranch", federation)
    campaign = make_campaign(federation, "fedcamp")
    contact = UserFactory(username="fedcontact", name="联络员")
    grant(contact, branch, Role.CONTACT)
    problem = problem_create(
        actor=contact, campaign=campaign, unit=branch, description="问题", deadline=D(2019, 4, 1)
    )
    evidence(problem, contact)
    put(problem, S.COMPLETED)
    with pytest.raises(PermissionDenied):
        problem_verify(actor=province_office, problem=problem)


# ---------------------------------------------------------------- progress and evidence


def test_progress_starts_an_open_problem_and_keeps_files(org):
    problem = make_problem(org, open_now=True)
    update = progress_add(
        actor=org.contact1, problem=problem, text="已制定学习计划", files=[png(), pdf()]
    )
    assert problem.state == S.IN_PROGRESS
    assert update.text == "<p>已制定学习计划</p>" and update.reported_on == D(2019, 3, 15)
    assert sorted(update.attachments.values_list("original_name", flat=True)) == [
        "会议纪要.pdf",
        "现场照片.png",
    ]


def test_a_bad_file_refuses_the_whole_update(org):
    problem = make_problem(org, open_now=True)
    with pytest.raises(ValidationError) as exc:
        progress_add(actor=org.contact1, problem=problem, text="进展", files=[png(), fake_pdf()])
    assert "files" in exc.value.message_dict
    problem.refresh_from_db()
    assert problem.state == S.OPEN
    assert not ProgressUpdate.objects.exists() and not ProgressAttachment.objects.exists()


def test_progress_needs_text_or_files_and_a_working_problem(org):
    problem = make_problem(org, open_now=True)
    with pytest.raises(ValidationError) as exc:
        progress_add(actor=org.contact1, problem=problem, text="  ")
    assert "text" in exc.value.message_dict
    assert progress_add(actor=org.contact1, problem=problem, text="", files=[png()]).pk
    with pytest.raises(ValidationError):
        progress_add(actor=org.contact1, problem=problem, text="x", reported_on=D(2019, 3, 16))
    put(problem, S.DRAFT)
    with pytest.raises(PermissionDenied):
        progress_add(actor=org.contact1, problem=problem, text="草稿不能报进展")
    put(problem, S.IN_PROGRESS)
    for who in ("contact2", "member1", "supervisor", "leader"):
        with pytest.raises(PermissionDenied):
            progress_add(actor=getattr(org, who), problem=problem, text="越权")


def test_completion_needs_evidence(org):
    problem = put(make_problem(org), S.IN_PROGRESS)
    with pytest.raises(ValidationError) as exc:
        problem_complete(actor=org.contact1, problem=problem)
    assert exc.value.error_dict["note"][0].code == "no_evidence"
    problem.refresh_from_db()
    assert problem.state == S.IN_PROGRESS
    problem_complete(actor=org.contact1, problem=problem, note="整改完成", files=[pdf()])
    assert problem.state == S.COMPLETED and problem.completed_on == D(2019, 3, 15)
    update = problem.updates.get()
    assert update.text == "<p>整改完成</p>" and update.attachments.count() == 1


def test_verification_is_refused_without_evidence(org):
    problem = put(make_problem(org), S.COMPLETED)
    with pytest.raises(ValidationError) as exc:
        problem_verify(actor=org.office, problem=problem)
    assert exc.value.code == "no_evidence"
    problem.refresh_from_db()
    assert problem.state == S.COMPLETED and problem.verified_by is None


def test_the_whole_way_to_sign_off_is_audited(org, travel):
    problem = make_problem(org)
    problem_open(actor=org.contact1, problem=problem)
    progress_add(actor=org.contact1, problem=problem, text="正在整改")
    problem_complete(actor=org.contact1, problem=problem)
    with pytest.raises(ValidationError) as exc:
        problem_send_back(actor=org.leader, problem=problem, comment=" ")
    assert "comment" in exc.value.message_dict
    problem_send_back(actor=org.leader, problem=problem, comment="请补充制度文件")
    assert problem.state == S.IN_PROGRESS and problem.completed_on is None
    assert problem.review_comment == "请补充制度文件"
    travel(D(2019, 3, 20))
    problem_complete(actor=org.contact1, problem=problem, files=[pdf()])
    problem_verify(actor=org.office, problem=problem, comment="同意销号")
    assert problem.state == S.VERIFIED
    assert problem.verified_by == org.office and problem.verified_on == D(2019, 3, 20)
    assert problem.completed_on == D(2019, 3, 20)
    entries = LogEntry.objects.get_for_object(problem).order_by("timestamp", "id")
    states = [
        (e.actor.username, e.changes_dict["state"][1])
        for e in entries
        if "state" in (e.changes_dict or {}) and e.action == LogEntry.Action.UPDATE
    ]
    assert states == [
        ("contact1", "open"),
        ("contact1", "in_progress"),
        ("contact1", "completed"),
        ("leader", "in_progress"),
        ("contact1", "completed"),
        ("office", "verified"),
    ]
    assert entries.first().action == LogEntry.Action.CREATE
    assert entries.first().actor == org.contact1


def test_carrying_over_needs_a_reason_and_closes_pending_requests(org):
    problem = make_problem(org, open_now=True)
    extension_request(
        actor=org.contact1, problem=problem, reason="资金未到位", requested_deadline=D(2019, 6, 1)
    )
    with pytest.raises(ValidationError) as exc:
        problem_carry_over(actor=org.office, problem=problem, reason="")
    assert "reason" in exc.value.message_dict
    problem_carry_over(actor=org.office, problem=problem, reason="需省级统筹，转入下年度")
    assert problem.state == S.CARRIED_OVER
    assert problem.carried_over_reason == "需省级统筹，转入下年度"
    assert problem.extensions.get().state == ExtensionState.REFUSED


# ---------------------------------------------------------------- editing


def test_update_edits_working_problems_only(org):
    problem = make_problem(org, measures=[MeasureInput("一", D(2019, 4, 1))])
    problem_update(
        actor=org.contact1,
        problem=problem,
        description="<b>改</b><img src=x onerror=1>",
        deadline=D(2019, 5, 31),
        ledger_number="B1-01",
        supporting_units=[org.branch2],
        measures=[MeasureInput("二", D(2019, 5, 1)), MeasureInput("三", D(2019, 5, 31), True)],
    )
    problem.refresh_from_db()
    assert problem.description == "<b>改</b>" and problem.ledger_number == "B1-01"
    assert problem.deadline == D(2019, 5, 31)
    assert list(problem.measures.values_list("text", "done")) == [("二", False), ("三", True)]
    problem_open(actor=org.contact1, problem=problem)
    with pytest.raises(ValidationError) as exc:
        problem_update(actor=org.contact1, problem=problem, deadline=D(2019, 6, 30))
    assert "deadline" in exc.value.message_dict
    problem_update(actor=org.contact1, problem=problem, deadline=D(2019, 5, 31), source_note="会议")
    with pytest.raises(PermissionDenied):
        problem_update(actor=org.contact2, problem=problem, description="越权")
    with pytest.raises(TypeError):
        problem_update(actor=org.contact1, problem=problem, state=S.VERIFIED)
    put(problem, S.COMPLETED)
    with pytest.raises(PermissionDenied):
        problem_update(actor=org.contact1, problem=problem, description="已完成不能改")


def test_measures_are_ticked_off(org):
    problem = make_problem(org, measures=[MeasureInput("一", D(2019, 4, 1))])
    measure = problem.measures.get()
    measure_set_done(actor=org.contact1, measure=measure, done=True)
    measure.refresh_from_db()
    assert measure.done and measure.done_on == D(2019, 3, 15)
    with pytest.raises(PermissionDenied):
        measure_set_done(actor=org.contact2, measure=measure, done=False)


# ---------------------------------------------------------------- extensions


def test_granting_an_extension_moves_the_deadline_and_keeps_history(org):
    problem = make_problem(org, open_now=True)
    first = extension_request(
        actor=org.contact1,
        problem=problem,
        reason="需要协调财务部门",
        requested_deadline=D(2019, 5, 31),
        progress_so_far="已完成一半",
    )
    with pytest.raises(ValidationError) as exc:
        extension_request(
            actor=org.contact1, problem=problem, reason="再次", requested_deadline=D(2019, 6, 30)
        )
    assert "problem" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        extension_decide(actor=org.contact1, extension=first, grant=True)
    with pytest.raises(PermissionDenied):
        extension_decide(actor=org.leader, extension=first, grant=True)
    extension_decide(actor=org.office, extension=first, grant=True)
    problem.refresh_from_db()
    assert problem.deadline == D(2019, 5, 31) and problem.extension_count == 1
    first.refresh_from_db()
    assert first.state == ExtensionState.GRANTED and first.previous_deadline == D(2019, 4, 30)
    assert first.decided_by == org.office
    with pytest.raises(ValidationError) as exc:
        extension_decide(actor=org.office, extension=first, grant=False, comment="重复")
    assert exc.value.code == "already_decided"

    second = extension_request(
        actor=org.contact1, problem=problem, reason="仍需时间", requested_deadline=D(2019, 6, 30)
    )
    with pytest.raises(ValidationError) as exc:
        extension_decide(actor=org.office, extension=second, grant=False)
    assert "comment" in exc.value.message_dict
    extension_decide(actor=org.office, extension=second, grant=False, comment="按期完成")
    problem.refresh_from_db()
    assert problem.deadline == D(2019, 5, 31) and problem.extension_count == 1
    assert list(problem.extensions.values_list("state", "previous_deadline")) == [
        (ExtensionState.REFUSED, D(2019, 5, 31)),
        (ExtensionState.GRANTED, D(2019, 4, 30)),
    ]
    log = LogEntry.objects.get_for_object(problem).filter(action=LogEntry.Action.UPDATE)
    assert log.latest("timestamp").actor == org.office


def test_extension_requests_are_checked(org):
    problem = make_problem(org, open_now=True)
    with pytest.raises(ValidationError) as exc:
        extension_request(
            actor=org.contact1, problem=problem, reason=" ", requested_deadline=D(2019, 4, 1)
        )
    assert set(exc.value.message_dict) == {"reason", "requested_deadline"}
    for who in ("contact2", "member1", "supervisor"):
        with pytest.raises(PermissionDenied):
            extension_request(
                actor=getattr(org, who),
                problem=problem,
                reason="r",
                requested_deadline=D(2019, 6, 1),
            )
    put(problem, S.COMPLETED)
    with pytest.raises(PermissionDenied):
        extension_request(
            actor=org.contact1, problem=problem, reason="r", requested_deadline=D(2019, 6, 1)
        )
    assert not ExtensionRequest.objects.exists()


# ---------------------------------------------------------------- scope


def test_another_branchs_contact_changes_nothing(org):
    problem = make_problem(org, open_now=True)
    evidence(problem, org.contact1)
    for call in (
        lambda: problem_start(actor=org.contact2, problem=problem),
        lambda: progress_add(actor=org.contact2, problem=problem, text="x"),
        lambda: problem_carry_over(actor=org.contact2, problem=problem, reason="x"),
        lambda: problem_update(actor=org.contact2, problem=problem, description="x"),
        lambda: extension_request(
            actor=org.contact2, problem=problem, reason="x", requested_deadline=D(2019, 6, 1)
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    problem.refresh_from_db()
    assert problem.state == S.OPEN and problem.description == "<p>理论学习不够深入</p>"


def test_editing_measures_keeps_the_day_a_measure_was_done(org, travel):
    travel(dt.date(2019, 3, 1))
    problem = make_problem(
        org,
        open_now=True,
        measures=[MeasureInput("修订制度", dt.date(2019, 3, 20), done=True)],
    )
    assert problem.measures.get().done_on == dt.date(2019, 3, 1)
    travel(dt.date(2019, 3, 15))
    problem_update(
        actor=org.contact1,
        problem=problem,
        measures=[
            MeasureInput("修订制度", dt.date(2019, 3, 20), done=True),
            MeasureInput("组织学习", dt.date(2019, 4, 10), done=True),
        ],
    )
    assert [(m.text, m.done_on) for m in problem.measures.all()] == [
        ("修订制度", dt.date(2019, 3, 1)),
        ("组织学习", dt.date(2019, 3, 15)),
    ]


def test_closing_a_problem_refuses_its_pending_extension_in_the_audit_trail(org):
    problem = make_problem(org, open_now=True)
    evidence(problem, org.contact1)
    extension = extension_request(
        actor=org.contact1, problem=problem, reason="资金未到位", requested_deadline=D(2019, 6, 1)
    )
    problem_carry_over(actor=org.office, problem=problem, reason="需省级统筹")
    extension.refresh_from_db()
    assert (extension.state, extension.decided_by) == (ExtensionState.REFUSED, org.office)
    update = LogEntry.objects.get_for_object(extension).get(action=LogEntry.Action.UPDATE)
    assert update.actor == org.office
    assert update.changes_dict["state"] == ["requested", "refused"]
