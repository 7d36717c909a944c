"""Meeting services: a meeting is its action's record; attendance, statements, preparation."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from taolun.activities import meetings as svc
from taolun.activities.meeting_selectors import (
    attendance_shortfall,
    attendance_units,
    get_check_material_for_user,
    meeting_view,
    meetings_for_user,
    people_for_meeting,
    report_shortfall,
)
from taolun.activities.models import (
    ActivityRecord,
    Attendance,
    CheckMaterial,
    Meeting,
    MeetingStep,
    PreparationStep,
    RecordStatus,
    Statement,
    StatementKind,
)
from taolun.activities.services import record_submit, record_update
from taolun.activities.tests.files import fake_pdf, pdf
from taolun.activities.tests.meeting_factories import (
    AttendanceFactory,
    MeetingFactory,
    StatementFactory,
    kind,
)
from taolun.campaigns.models import ActionStatus, RecordState
from taolun.org.models import Unit
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def march(travel):
    return travel(D(2019, 3, 10))


@pytest.fixture
def action1(org):
    return org.campaign.actions.get(kind="prescribed", number=1)


def create(org, action, *, who="contact1", unit="branch1", **kw):
    kw.setdefault("kind", kind("democratic-life"))
    kw.setdefault("title", "第一支部专题民主生活会")
    kw.setdefault("held_on", D(2019, 3, 5))
    return svc.meeting_create(actor=getattr(org, who), action=action, unit=getattr(org, unit), **kw)


# ---------------------------------------------------------------- the meeting and its record


def test_a_meeting_is_the_record_of_its_action_and_updates_the_matrix(org, action1, march):
    meeting = create(
        org,
        action1,
        place="三楼会议室",
        chair=org.contact1,
        minutes=(
            '<p onclick="x()">会议纪要</p><script>alert(1)</script>'
            '<a href="javascript:x()">链接</a>'
        ),
        agenda="<ol><li>通报上次整改</li></ol>",
    )
    record = meeting.record
    assert (record.action, record.unit, record.status) == (action1, org.branch1, RecordStatus.DRAFT)
    assert (record.title, record.place, record.held_on) == (
        "第一支部专题民主生活会",
        "三楼会议室",
        D(2019, 3, 5),
    )
    row = ActionStatus.objects.get(unit=org.branch1, action=action1)
    assert (row.record_state, row.records_count, row.latest_record_id) == (
        RecordState.WORKING,
        1,
        record.pk,
    )
    assert "script" not in meeting.minutes and "onclick" not in meeting.minutes
    assert "javascript" not in meeting.minutes and "会议纪要" in meeting.minutes
    assert meeting.agenda == "<ol><li>通报上次整改</li></ol>"
    assert LogEntry.objects.get_for_object(meeting).get().actor == org.contact1


@pytest.mark.parametrize("who", ["member1", "leader", "supervisor", "contact2", "outsider"])
def test_only_the_units_contact_or_office_hold_its_meetings(org, action1, march, who):
    with pytest.raises(PermissionDenied):
        create(org, action1, who=who)
    assert not ActivityRecord.objects.exists() and not Meeting.objects.exists()


def test_the_office_holds_a_meeting_for_a_branch(org, action1, march):
    meeting = create(org, action1, who="office", unit="branch2")
    assert meeting.record.unit == org.branch2 and meeting.record.created_by == org.office


def test_bad_meeting_input_names_the_field_and_changes_nothing(org, action1, march):
    with pytest.raises(ValidationError) as err:
        create(org, action1, held_on=D(2019, 3, 11))
    assert "held_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        create(org, action1, chair=org.contact2)
    assert err.value.message_dict == {"chair": ["联络员二 is not in a unit you can see."]}
    other = MeetingFactory(org=org, unit="branch2")
    with pytest.raises(ValidationError) as err:
        create(org, action1, previous=other)
    assert "previous" in err.value.message_dict
    assert Meeting.objects.count() == 1  # only the branch2 meeting made above
    assert ActionStatus.objects.get(unit=org.branch1, action=action1).records_count == 0


def test_previous_round_must_be_the_same_unit_and_kind(org, action1, march):
    last = MeetingFactory(org=org, held_on=D(2019, 2, 20))
    mobilisation = MeetingFactory(org=org, kind=kind("mobilisation"), held_on=D(2019, 2, 21))
    with pytest.raises(ValidationError) as err:
        create(org, action1, previous=mobilisation)
    assert "same unit and kind" in err.value.message_dict["previous"][0]
    meeting = create(org, action1, previous=last)
    assert meeting.previous == last


def test_update_edits_meeting_and_record_while_the_record_is_editable(org, action1, march):
    meeting = create(org, action1)
    svc.meeting_update(
        actor=org.contact1,
        meeting=meeting,
        title="第一支部民主生活会",
        theme="对照检查",
        minutes="<p>纪要</p><script>x</script>",
    )
    meeting.refresh_from_db()
    assert meeting.record.title == "第一支部民主生活会"
    assert (meeting.theme, meeting.minutes) == ("对照检查", "<p>纪要</p>")
    with pytest.raises(PermissionDenied):
        svc.meeting_update(actor=org.contact2, meeting=meeting, theme="x")
    record_submit(actor=org.contact1, record=meeting.record)
    meeting.refresh_from_db()
    with pytest.raises(PermissionDenied):
        svc.meeting_update(actor=org.contact1, meeting=meeting, theme="改")


def test_update_with_a_bad_date_changes_nothing(org, action1, march):
    meeting = create(org, action1)
    with pytest.raises(ValidationError) as err:
        svc.meeting_update(
            actor=org.contact1, meeting=meeting, held_on=D(2019, 4, 1), theme="新主题"
        )
    assert "held_on" in err.value.message_dict
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.theme, meeting.record.held_on) == ("", D(2019, 3, 5))


# ---------------------------------------------------------------- attendance


@pytest.fixture
def meeting(org, march):
    return MeetingFactory(org=org)


def test_participants_follow_the_present_attendees(org, meeting):
    extra = UserFactory(username="member9", name="党员九", unit=org.branch1)
    svc.attendance_set(
        actor=org.contact1,
        meeting=meeting,
        present=[org.contact1, org.member1],
        absent=[(extra, "外出学习")],
    )
    record = ActivityRecord.objects.get(pk=meeting.record_id)
    assert set(record.participants.all()) == {org.contact1, org.member1}
    assert record.participant_count == 2
    assert Attendance.objects.get(meeting=meeting, person=extra).absence_reason == "外出学习"

    svc.attendance_set(
        actor=org.contact1, meeting=meeting, present=[org.member1], absent=[(org.contact1, "病假")]
    )
    record.refresh_from_db()
    assert list(record.participants.all()) == [org.member1] and record.participant_count == 1
    rows = {a.person_id: (a.present, a.absence_reason) for a in meeting.attendances.all()}
    assert rows == {org.member1.pk: (True, ""), org.contact1.pk: (False, "病假")}


def test_an_absence_needs_its_reason_named_by_person(org, meeting):
    with pytest.raises(ValidationError) as err:
        svc.attendance_set(
            actor=org.contact1, meeting=meeting, present=[org.contact1], absent=[(org.member1, " ")]
        )
    assert err.value.message_dict == {"absent": ["Give the reason why 党员一 was absent."]}
    assert not Attendance.objects.exists()


def test_attendees_must_be_people_the_actor_can_see(org, meeting):
    with pytest.raises(ValidationError) as err:
        svc.attendance_set(actor=org.contact1, meeting=meeting, present=[org.contact2], absent=[])
    assert err.value.message_dict == {"present": ["联络员二 is not in a unit you can see."]}
    with pytest.raises(PermissionDenied):
        svc.attendance_set(actor=org.member1, meeting=meeting, present=[org.member1], absent=[])
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("present", "absent", "flag"),
    [
        (89, 11, "Attendance 89% is below the required 90%"),
        (90, 10, None),
        (8, 2, "Attendance 80% is below the required 90%"),
        (0, 0, None),
    ],
)
def test_attendance_below_the_kinds_share_is_flagged(db, present, absent, flag):
    assert attendance_shortfall(kind("democratic-life"), present, absent) == flag
    assert attendance_shortfall(kind("mobilisation"), present, absent) is None


def test_the_meeting_view_flags_its_own_attendance(org, meeting):
    people = [UserFactory(unit=org.branch1) for _ in range(9)]
    for person in people[:8]:
        AttendanceFactory(meeting=meeting, person=person)
    AttendanceFactory(meeting=meeting, person=people[8], present=False, absence_reason="出差")
    AttendanceFactory(meeting=meeting, person=org.member1, present=False, absence_reason="病假")
    assert meeting_view(meeting).attendance_flag == "Attendance 80% is below the required 90%"
    Attendance.objects.filter(person=org.member1).update(present=True, absence_reason="")
    assert meeting_view(meeting).attendance_flag is None


@pytest.mark.parametrize(
    ("ahead", "flag"),
    [
        (14, "Plan reported 14 days ahead; 15 required"),
        (15, None),
        (None, "The plan has not been reported to the higher body; 15 days ahead required"),
    ],
)
def test_the_plan_goes_up_fifteen_days_ahead(org, meeting, ahead, flag):
    held = meeting.record.held_on
    meeting.reported_up_on = None if ahead is None else held - dt.timedelta(days=ahead)
    assert report_shortfall(meeting) == flag
    meeting.kind = kind("mobilisation")
    assert report_shortfall(meeting) is None


def test_group_study_attendance_logs_the_present_attendees(org, action1, march):
    pytest.importorskip("taolun.study.services", reason="written by the study engineer")
    from django.utils import timezone

    from taolun.study.models import StudyLog, StudyMaterial

    material = StudyMaterial.objects.create(
        campaign=org.campaign, title="实施方案", created_by=org.office, published_at=timezone.now()
    )
    draft = StudyMaterial.objects.create(campaign=org.campaign, title="草稿", created_by=org.office)
    with pytest.raises(ValidationError) as err:
        create(org, action1, kind=kind("study-session"), materials=[draft])
    assert "materials" in err.value.message_dict
    session = create(org, action1, kind=kind("study-session"), materials=[material])
    assert list(session.materials.all()) == [material]
    svc.attendance_set(
        actor=org.contact1,
        meeting=session,
        present=[org.contact1, org.member1],
        absent=[],
    )
    logged = set(StudyLog.objects.filter(meeting=session).values_list("person", "material"))
    assert logged == {(org.contact1.pk, material.pk), (org.member1.pk, material.pk)}
    svc.attendance_set(
        actor=org.contact1, meeting=session, present=[org.contact1], absent=[(org.member1, "病假")]
    )
    logged = set(StudyLog.objects.filter(meeting=session).values_list("person", flat=True))
    assert logged == {org.contact1.pk}


# ---------------------------------------------------------------- statements


def test_statements_are_added_in_order_with_sanitised_text(org, meeting):
    first = svc.statement_create(
        actor=org.contact1,
        meeting=meeting,
        kind=StatementKind.SPEECH,
        speaker=org.contact1,
        text='<p>讲话</p><img src=x onerror="alert(1)"><a href="javascript:alert(1)">x</a>',
    )
    unnamed = svc.statement_create(
        actor=org.contact1,
        meeting=meeting,
        kind=StatementKind.PLEDGE,
        speaker_title="省残疾人就业服务指导中心党支部书记、主任",
    )
    assert (first.order, unnamed.order) == (1, 2)
    assert "onerror" not in first.text and "javascript" not in first.text and "讲话" in first.text
    assert unnamed.speaker is None


def test_statement_errors_name_their_field(org, meeting):
    cases = [
        ({"kind": StatementKind.PLEDGE}, "speaker"),
        ({"kind": StatementKind.SPEECH, "speaker": org.contact1, "about": org.member1}, "about"),
        ({"kind": StatementKind.CRITICISM, "speaker": org.contact2}, "speaker"),
        ({"kind": StatementKind.SPEECH, "speaker": org.contact1, "upload": fake_pdf()}, "upload"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as err:
            svc.statement_create(actor=org.contact1, meeting=meeting, **kwargs)
        assert list(err.value.message_dict) == [field], kwargs
    assert not Statement.objects.exists()


def test_criticism_names_whom_it_addresses(org, meeting):
    statement = svc.statement_create(
        actor=org.contact1,
        meeting=meeting,
        kind=StatementKind.CRITICISM,
        speaker=org.contact1,
        about=org.member1,
        text="<p>理论学习不够深入。</p>",
    )
    assert statement.about == org.member1


def test_statements_are_reordered_edited_and_deleted_with_their_file(org, meeting):
    a = StatementFactory(meeting=meeting, order=1)
    b = svc.statement_create(
        actor=org.contact1,
        meeting=meeting,
        kind=StatementKind.READING,
        speaker=org.contact1,
        upload=pdf("名单.pdf"),
    )
    assert (b.original_name, b.content_type) == ("名单.pdf", "application/pdf")
    stored = b.file.name
    assert "名单" not in stored and b.file.storage.exists(stored)
    svc.statement_update(actor=org.contact1, statement=b, order=0)
    assert list(meeting.statements.order_by("order", "id")) == [b, a]
    with pytest.raises(PermissionDenied):
        svc.statement_update(actor=org.member1, statement=b, title="x")
    svc.statement_delete(actor=org.contact1, statement=b)
    assert list(meeting.statements.all()) == [a]


def test_statement_files_stay_while_in_the_recycle_bin(
    org, meeting, django_capture_on_commit_callbacks
):
    statement = svc.statement_create(
        actor=org.contact1,
        meeting=meeting,
        kind=StatementKind.READING,
        speaker=org.contact1,
        upload=pdf(),
    )
    stored, storage = statement.file.name, statement.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        svc.statement_delete(actor=org.contact1, statement=statement)
    assert storage.exists(stored)  # the bin's restore puts the statement back, file and all


# ---------------------------------------------------------------- preparation


def test_steps_are_recorded_once_each_by_the_unit(org, meeting):
    svc.meeting_step_record(
        actor=org.contact1, meeting=meeting, step="theme_set", done_on=D(2019, 2, 1), note="定题"
    )
    svc.meeting_step_record(
        actor=org.contact1, meeting=meeting, step="theme_set", done_on=D(2019, 2, 2)
    )
    step = MeetingStep.objects.get()
    assert (step.done_on, step.recorded_by) == (D(2019, 2, 2), org.contact1)
    with pytest.raises(ValidationError) as err:
        svc.meeting_step_record(
            actor=org.contact1, meeting=meeting, step="talks_held", done_on=D(2019, 3, 11)
        )
    assert "done_on" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        svc.meeting_step_record(
            actor=org.member1, meeting=meeting, step="talks_held", done_on=D(2019, 3, 1)
        )
    rows = meeting_view(meeting).steps
    assert [r.step for r in rows][:3] == ["theme_set", "opinions_solicited", "talks_held"]
    assert rows[0].done is not None and rows[1].done is None


def test_only_prepared_kinds_have_steps(org, march):
    mobilisation = MeetingFactory(org=org, kind=kind("mobilisation"))
    with pytest.raises(ValidationError):
        svc.meeting_step_record(
            actor=org.contact1, meeting=mobilisation, step="theme_set", done_on=D(2019, 3, 1)
        )


def test_heart_to_heart_talks_are_between_two_people(org, meeting):
    talk = svc.heart_talk_add(
        actor=org.contact1,
        meeting=meeting,
        person=org.contact1,
        other=org.member1,
        held_on=D(2019, 2, 25),
    )
    assert talk.other == org.member1
    with pytest.raises(ValidationError) as err:
        svc.heart_talk_add(
            actor=org.contact1,
            meeting=meeting,
            person=org.member1,
            other=org.member1,
            held_on=D(2019, 2, 25),
        )
    assert "other" in err.value.message_dict


def test_each_attendee_writes_their_own_check_material(org, meeting):
    AttendanceFactory(meeting=meeting, person=org.member1)
    AttendanceFactory(meeting=meeting, person=org.contact1)
    draft = svc.check_material_save(
        actor=org.member1, meeting=meeting, body="<p>对照检查</p><script>x</script>"
    )
    assert (draft.person, draft.body, draft.submitted_at) == (org.member1, "<p>对照检查</p>", None)
    done = svc.check_material_save(
        actor=org.member1, meeting=meeting, body="<p>改</p>", submit=True
    )
    assert done.pk == draft.pk and done.submitted_at is not None
    with pytest.raises(ValidationError):
        svc.check_material_save(actor=org.member1, meeting=meeting, body="<p>再改</p>")
    with pytest.raises(PermissionDenied):  # a member does not write for someone else
        svc.check_material_save(
            actor=org.member1, meeting=meeting, body="<p>x</p>", person=org.contact1
        )
    rows = {row.person: row.submitted for row in meeting_view(meeting).checks}
    assert rows == {org.member1: True, org.contact1: False}


def test_the_contact_records_a_material_for_an_attendee_only(org, meeting):
    AttendanceFactory(meeting=meeting, person=org.member1)
    material = svc.check_material_save(
        actor=org.contact1, meeting=meeting, body="<p>代录</p>", person=org.member1
    )
    assert material.person == org.member1
    stranger = UserFactory(unit=org.branch1, name="非参会人")
    with pytest.raises(ValidationError) as err:
        svc.check_material_save(
            actor=org.contact1, meeting=meeting, body="<p>x</p>", person=stranger
        )
    assert err.value.message_dict == {"person": ["非参会人 is not an attendee of this meeting."]}
    with pytest.raises(PermissionDenied):  # not an attendee, no role over the unit
        svc.check_material_save(actor=org.contact2, meeting=meeting, body="<p>x</p>")
    assert CheckMaterial.objects.count() == 1


def test_an_empty_check_material_is_refused(org, meeting):
    AttendanceFactory(meeting=meeting, person=org.member1)
    with pytest.raises(ValidationError) as err:
        svc.check_material_save(actor=org.member1, meeting=meeting, body="<p> </p>")
    assert list(err.value.message_dict) == ["body"]
    assert not CheckMaterial.objects.exists()


# ---------------------------------------------------------------- scope


def test_attendees_read_meetings_outside_their_roles(org, march):
    meeting = MeetingFactory(org=org, unit="branch2")
    assert not meetings_for_user(org.member1).filter(pk=meeting.pk).exists()
    AttendanceFactory(meeting=meeting, person=org.member1)
    assert meetings_for_user(org.member1).filter(pk=meeting.pk).exists()
    assert meetings_for_user(org.contact2).filter(pk=meeting.pk).exists()
    assert not meetings_for_user(org.contact1).filter(pk=meeting.pk).exists()
    assert not meetings_for_user(org.outsider).exists()
    assert meetings_for_user(org.office).count() == 1


def test_meeting_permissions_per_role(org, march):
    meeting = MeetingFactory(org=org)
    guest = UserFactory(username="guest", unit=org.branch2)
    AttendanceFactory(meeting=meeting, person=guest)
    can = {
        name: {
            who: getattr(org, who, guest).has_perm(f"activities.{name}", meeting)
            for who in ("contact1", "office", "member1", "contact2", "outsider", "guest")
        }
        for name in ("view_meeting", "change_meeting", "prepare_meeting", "write_check_material")
    }
    assert can["view_meeting"] == {
        "contact1": True,
        "office": True,
        "member1": True,
        "contact2": False,
        "outsider": False,
        "guest": True,
    }
    writers = {"contact1": True, "office": True}
    others = {"member1": False, "contact2": False, "outsider": False, "guest": False}
    assert can["change_meeting"] == can["prepare_meeting"] == {**writers, **others}
    assert can["write_check_material"] == {**writers, **others, "guest": True}
    record_submit(actor=org.contact1, record=meeting.record)
    meeting.record.refresh_from_db()
    assert not org.contact1.has_perm("activities.change_meeting", meeting)
    assert org.contact1.has_perm("activities.prepare_meeting", meeting)


def test_a_replaced_statement_file_is_removed_once_committed(
    org, meeting, django_capture_on_commit_callbacks
):
    statement = svc.statement_create(
        actor=org.contact1,
        meeting=meeting,
        kind=StatementKind.READING,
        speaker=org.contact1,
        upload=pdf("旧.pdf"),
    )
    old = statement.file.name
    with django_capture_on_commit_callbacks(execute=True):
        svc.statement_update(actor=org.contact1, statement=statement, upload=pdf("新.pdf"))
    statement.refresh_from_db()
    storage = statement.file.storage
    assert statement.original_name == "新.pdf" and storage.exists(statement.file.name)
    assert statement.file.name != old and not storage.exists(old)


# ---------------------------------------------------------------- review fixes


def test_a_draft_check_material_is_read_by_its_author_and_the_preparers_only(org, meeting):
    guest = UserFactory(username="guest", name="列席人", unit=org.branch2)
    AttendanceFactory(meeting=meeting, person=org.member1)
    AttendanceFactory(meeting=meeting, person=guest)
    draft = svc.check_material_save(actor=org.member1, meeting=meeting, body="<p>草稿</p>")
    for reader in (org.member1, org.contact1, org.office):
        assert get_check_material_for_user(reader, draft.pk) == draft
    # Both read the meeting (an attendee, a supervisor over it), neither the draft.
    for reader in (guest, org.supervisor):
        assert meetings_for_user(reader).filter(pk=meeting.pk).exists()
        with pytest.raises(Http404):
            get_check_material_for_user(reader, draft.pk)
    svc.check_material_save(actor=org.member1, meeting=meeting, body="<p>定稿</p>", submit=True)
    for reader in (guest, org.supervisor):
        assert get_check_material_for_user(reader, draft.pk).body == "<p>定稿</p>"


def test_a_meetings_record_is_written_through_the_meeting_only(org, meeting):
    record = meeting.record
    with pytest.raises(ValidationError) as err:
        record_update(
            actor=org.contact1,
            record=record,
            title="改名",
            participant_count=99,
            held_on=D(2019, 2, 1),
        )
    assert "edit it on the meeting's page" in err.value.messages[0]
    record.refresh_from_db()
    assert (record.title, record.participant_count, record.held_on) == (
        "民主生活会",
        None,
        D(2019, 3, 1),
    )
    svc.meeting_update(actor=org.contact1, meeting=meeting, title="改名的民主生活会")
    assert ActivityRecord.objects.get(pk=record.pk).title == "改名的民主生活会"
    # Submitting and reviewing the record are unchanged.
    record_submit(actor=org.contact1, record=ActivityRecord.objects.get(pk=record.pk))
    assert ActivityRecord.objects.get(pk=record.pk).status == RecordStatus.SUBMITTED


def test_a_plain_record_is_still_edited_by_record_update(org, action1, march):
    from taolun.activities.tests.meeting_factories import make_record

    record = make_record(org)
    record_update(actor=org.contact1, record=record, title="改名", participant_count=12)
    record.refresh_from_db()
    assert (record.title, record.participant_count) == ("改名", 12)


def test_recording_the_plan_step_clears_the_not_reported_flag(org, meeting):
    assert meeting_view(meeting).report_flag.startswith("The plan has not been reported")
    svc.meeting_step_record(
        actor=org.contact1,
        meeting=meeting,
        step=PreparationStep.PLAN_REPORTED,
        done_on=D(2019, 2, 10),
    )
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.reported_up_on == D(2019, 2, 10)
    assert meeting_view(meeting).report_flag is None
    entry = LogEntry.objects.get_for_object(meeting).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == org.contact1 and "reported_up_on" in entry.changes_dict

    # Editing the date on the meeting moves the step; clearing it takes the step off.
    svc.meeting_update(actor=org.contact1, meeting=meeting, reported_up_on=D(2019, 2, 12))
    step = MeetingStep.objects.get(meeting=meeting, step=PreparationStep.PLAN_REPORTED)
    assert step.done_on == D(2019, 2, 12)
    svc.meeting_update(actor=org.contact1, meeting=meeting, reported_up_on=None)
    assert not MeetingStep.objects.filter(meeting=meeting).exists()
    assert meeting_view(meeting).report_flag.startswith("The plan has not been reported")
    svc.meeting_update(actor=org.contact1, meeting=meeting, reported_up_on=D(2019, 2, 11))
    step = MeetingStep.objects.get(meeting=meeting, step=PreparationStep.PLAN_REPORTED)
    assert (step.done_on, step.recorded_by) == (D(2019, 2, 11), org.contact1)


def test_a_meeting_created_with_its_report_date_has_the_step(org, action1, march):
    meeting = create(org, action1, reported_up_on=D(2019, 2, 10))
    step = MeetingStep.objects.get(meeting=meeting)
    assert (step.step, step.done_on) == (PreparationStep.PLAN_REPORTED, D(2019, 2, 10))
    mobilisation = create(org, action1, kind=kind("mobilisation"), reported_up_on=D(2019, 2, 10))
    assert not MeetingStep.objects.filter(meeting=mobilisation).exists()


def test_people_the_office_recorded_do_not_stop_the_contact_saving(org, meeting):
    svc.attendance_set(
        actor=org.office, meeting=meeting, present=[org.leader, org.contact1], absent=[]
    )
    svc.meeting_update(actor=org.office, meeting=meeting, chair=org.leader)
    statement = svc.statement_create(
        actor=org.office, meeting=meeting, kind=StatementKind.SPEECH, speaker=org.leader
    )
    # The leader is outside branch1's contact's reach, yet already recorded: saving works.
    svc.attendance_set(
        actor=org.contact1,
        meeting=meeting,
        present=[org.leader, org.contact1],
        absent=[(org.member1, "病假")],
    )
    assert set(meeting.record.participants.all()) == {org.leader, org.contact1}
    svc.meeting_update(actor=org.contact1, meeting=meeting, theme="新主题")
    svc.statement_update(actor=org.contact1, statement=statement, text="<p>讲话</p>")
    assert Meeting.objects.get(pk=meeting.pk).chair == org.leader
    # Someone new from outside the contact's reach is still refused, by field.
    with pytest.raises(ValidationError) as err:
        svc.attendance_set(
            actor=org.contact1,
            meeting=meeting,
            present=[org.leader, org.contact1, org.contact2],
            absent=[],
        )
    assert err.value.message_dict == {"present": ["联络员二 is not in a unit you can see."]}
    with pytest.raises(ValidationError) as err:
        svc.meeting_update(actor=org.contact1, meeting=meeting, chair=org.contact2)
    assert "chair" in err.value.message_dict


def test_saving_with_shown_people_keeps_the_rows_of_others(org, meeting):
    extra = UserFactory(username="member9", name="党员九", unit=org.branch1)
    svc.attendance_set(
        actor=org.contact1,
        meeting=meeting,
        present=[org.contact1],
        absent=[(org.member1, "病假")],
    )
    svc.attendance_set(
        actor=org.contact1, meeting=meeting, present=[extra], absent=[], shown=[org.contact1]
    )
    rows = {a.person_id: (a.present, a.absence_reason) for a in meeting.attendances.all()}
    assert rows == {extra.pk: (True, ""), org.member1.pk: (False, "病假")}
    record = ActivityRecord.objects.get(pk=meeting.record_id)
    assert list(record.participants.all()) == [extra] and record.participant_count == 1


def test_people_for_meeting_are_the_units_members_and_attendees(org, meeting):
    group = make_unit("第一党小组", "group1", org.branch1)
    below = UserFactory(username="grouped", unit=group)
    grant(org.leader, org.branch1, Role.MEMBER)  # a leader's own branch
    guest = UserFactory(username="guest", unit=org.branch2)
    assert set(people_for_meeting(org.branch1)) == {org.contact1, org.member1, org.leader}
    AttendanceFactory(meeting=meeting, person=guest)
    offered = set(people_for_meeting(org.branch1, meeting))
    assert offered == {org.contact1, org.member1, org.leader, guest}
    assert below not in offered and org.contact2 not in offered
    # The attendance page's units: the meeting's unit and the levels below, in reach.
    branch1 = Unit.objects.get(pk=org.branch1.pk)
    assert list(attendance_units(org.contact1, meeting)) == [branch1, group]
    assert list(attendance_units(org.office, meeting)) == [branch1, group]
