"""Meeting pages: scope, who may write, kept input, sanitising, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from taolun.activities import meetings as svc
from taolun.activities.models import (
    ActivityRecord,
    Attendance,
    CheckMaterial,
    HeartTalk,
    Meeting,
    MeetingStep,
    Statement,
    StatementKind,
)
from taolun.activities.tests.files import fake_pdf, pdf
from taolun.activities.tests.meeting_factories import (
    AttendanceFactory,
    MeetingFactory,
    StatementFactory,
    kind,
)
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.rectification.tests.factories import make_problem

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def march(travel):
    return travel(D(2019, 3, 10))


@pytest.fixture
def meeting(org, march):
    return MeetingFactory(org=org)


def as_user(client, user):
    client.force_login(user)
    return client


def index_url(org, **query):
    url = reverse("meetings:index", args=[org.campaign.slug])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def create_url(org):
    return reverse("meetings:create", args=[org.campaign.slug])


def form_data(org, **overrides):
    data = {
        "kind": kind("democratic-life").pk,
        "unit": org.branch1.pk,
        "action": org.campaign.actions.get(kind="prescribed", number=1).pk,
        "title": "第一支部民主生活会",
        "held_on": "2019-03-05",
        "place": "三楼会议室",
        "chair": org.contact1.pk,
        "theme": "改革创新、奋发有为",
        "minutes": "<p>会议纪要</p>",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- list


def test_the_list_shows_meetings_in_scope_with_their_flags(org, meeting, client):
    other = MeetingFactory(org=org, unit="branch2", title="第二支部民主生活会")
    AttendanceFactory(meeting=meeting, person=org.contact1)
    AttendanceFactory(meeting=meeting, person=org.member1, present=False, absence_reason="病假")

    page = as_user(client, org.office).get(index_url(org)).content.decode()
    assert "民主生活会" in page and "第二支部民主生活会" in page
    assert "Attendance 50% is below the required 90%" in page
    assert "The plan has not been reported to the higher body" in page
    assert "1 present, 1 absent" in page

    page = as_user(client, org.contact1).get(index_url(org)).content.decode()
    assert meeting.get_absolute_url() in page and other.get_absolute_url() not in page
    assert "Record a meeting" in page

    page = as_user(client, org.member1).get(index_url(org)).content.decode()
    assert meeting.get_absolute_url() in page and "Record a meeting" not in page


def test_the_list_filters_by_kind_and_unit(org, meeting, client):
    mobilisation = MeetingFactory(org=org, kind=kind("mobilisation")).get_absolute_url()
    branch2 = MeetingFactory(org=org, unit="branch2").get_absolute_url()
    as_user(client, org.office)
    page = client.get(index_url(org, kind="mobilisation")).content.decode()
    assert mobilisation in page and branch2 not in page
    assert meeting.get_absolute_url() not in page
    page = client.get(index_url(org, unit="branch2")).content.decode()
    assert branch2 in page and mobilisation not in page
    page = client.get(index_url(org, unit="nowhere")).content.decode()
    assert 'id="id_unit_error"' in page and "No meeting matches." in page


def test_outsiders_do_not_see_the_campaigns_meetings(org, meeting, client):
    assert as_user(client, org.outsider).get(index_url(org)).status_code == 404
    assert client.get(meeting.get_absolute_url()).status_code == 404


# ---------------------------------------------------------------- create and edit


def test_contact_records_a_meeting_which_is_a_draft_record(org, march, client):
    as_user(client, org.contact1)
    page = client.get(create_url(org) + "?kind=democratic-life").content.decode()
    dl = kind("democratic-life").pk
    assert f'<option value="{dl}" selected>' in page
    assert 'value="2019-03-10"' in page  # today, by the platform's clock
    response = client.post(
        create_url(org),
        form_data(org, minutes='<p>纪要</p><script>alert(1)</script><p onclick="x()">续</p>'),
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.record.unit == org.branch1 and meeting.record.status == "draft"
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "纪要" in detail and "<script>alert" not in detail and "onclick" not in detail
    assert "Edit meeting" in detail and "Record attendance" in detail


def test_a_bad_meeting_form_keeps_what_was_typed(org, march, client):
    long_minutes = "<p>" + "会议讨论了改革创新的具体措施。" * 300 + "</p>"
    as_user(client, org.contact1)
    response = client.post(
        create_url(org), form_data(org, held_on="2019-03-20", minutes=long_minutes)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_held_on_error"' in page and "cannot be in the future" in page
    assert "会议讨论了改革创新的具体措施。" * 300 in page
    assert 'value="第一支部民主生活会"' in page
    assert not Meeting.objects.exists() and not ActivityRecord.objects.exists()


def test_only_contacts_and_office_may_record_meetings(org, march, client):
    assert as_user(client, org.member1).get(create_url(org)).status_code == 403
    assert as_user(client, org.leader).get(create_url(org)).status_code == 403
    assert as_user(client, org.outsider).get(create_url(org)).status_code == 404
    # A contact cannot record for another branch: the unit is not among the choices.
    response = as_user(client, org.contact1).post(
        create_url(org), form_data(org, unit=org.branch2.pk)
    )
    assert response.status_code == 200 and 'id="id_unit_error"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_edit_changes_meeting_and_record_until_submitted(org, meeting, client):
    as_user(client, org.contact1)
    url = reverse("meetings:edit", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert 'value="民主生活会"' in page and 'name="kind"' not in page
    data = form_data(org, title="改名的民主生活会", theme="新主题", reported_up_on="2019-02-10")
    assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.record.title, meeting.theme, meeting.reported_up_on) == (
        "改名的民主生活会",
        "新主题",
        D(2019, 2, 10),
    )
    client.post(reverse("activities:submit", args=[meeting.record_id]))
    assert client.get(url).status_code == 403
    assert as_user(client, org.member1).get(url).status_code == 403


# ---------------------------------------------------------------- the meeting page


def test_the_units_people_read_the_meeting_others_get_404(org, meeting, client):
    url = meeting.get_absolute_url()
    assert as_user(client, org.member1).get(url).status_code == 200
    assert as_user(client, org.supervisor).get(url).status_code == 200
    assert as_user(client, org.contact2).get(url).status_code == 404


def test_an_attendee_from_elsewhere_reads_but_does_not_edit(org, meeting, client):
    guest = UserFactory(username="guest", name="列席人", unit=org.branch2)
    grant(guest, org.branch2, Role.MEMBER)
    AttendanceFactory(meeting=meeting, person=guest)
    StatementFactory(meeting=meeting, speaker_title="党支部书记", kind=StatementKind.PLEDGE)
    as_user(client, guest)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "党支部书记" in page and "Edit meeting" not in page and "Record attendance" not in page
    for name in ("edit", "attendance", "statement_create"):
        assert client.get(reverse(f"meetings:{name}", args=[meeting.pk])).status_code == 403
    statement = meeting.statements.get()
    assert client.post(reverse("meetings:statement_delete", args=[statement.pk])).status_code == 403
    assert Statement.objects.exists()


def test_the_record_page_leads_to_the_meeting(org, meeting, client):
    page = as_user(client, org.contact1).get(meeting.record.get_absolute_url()).content.decode()
    assert "This record is a meeting." in page and meeting.get_absolute_url() in page


def test_last_rounds_problems_come_first_and_new_ones_link_back(org, march, client):
    last = MeetingFactory(org=org, title="上一轮民主生活会", held_on=D(2019, 2, 20))
    found = make_problem(org, source_object=last.record)
    meeting = MeetingFactory(org=org, title="本轮民主生活会", previous=last)
    page = as_user(client, org.contact1).get(meeting.get_absolute_url()).content.decode()
    assert page.index('id="last-round-heading"') < page.index('id="attendance-heading"')
    assert page.index('id="last-round-heading"') < page.index('id="statements-heading"')
    assert found.ledger_number in page and found.get_state_display() in page
    token = f"activities.activityrecord:{meeting.record_id}"
    assert f"?origin={token.replace(':', '%3A')}" in page
    assert "Record a problem raised here" in page
    page = as_user(client, org.member1).get(meeting.get_absolute_url()).content.decode()
    assert "Record a problem raised here" not in page


# ---------------------------------------------------------------- attendance


def test_attendance_page_sets_present_and_absent(org, meeting, client):
    url = reverse("meetings:attendance", args=[meeting.pk])
    as_user(client, org.contact1)
    page = client.get(url).content.decode()
    assert "Attendance of 党员一" in page
    data = {f"p{org.contact1.pk}": "present", f"p{org.member1.pk}": "absent"}
    response = client.post(url, {**data, f"r{org.member1.pk}": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give the reason why 党员一 was absent." in page
    assert '<option value="absent" selected>' in page
    assert not Attendance.objects.exists()
    response = client.post(url, {**data, f"r{org.member1.pk}": "病假"})
    assert response.status_code == 302
    record = ActivityRecord.objects.get(pk=meeting.record_id)
    assert list(record.participants.all()) == [org.contact1] and record.participant_count == 1
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "病假" in page and "Attendance 50% is below the required 90%" in page


# ---------------------------------------------------------------- statements


def test_statements_are_added_sanitised_and_served_in_scope(org, meeting, client):
    as_user(client, org.contact1)
    url = reverse("meetings:statement_create", args=[meeting.pk])
    long_text = "<p>" + "严格执行民主集中制。" * 200 + "</p>"
    response = client.post(url, {"kind": "pledge", "text": long_text})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_speaker_error"' in page and "严格执行民主集中制。" * 200 in page
    response = client.post(
        url,
        {
            "kind": "speech",
            "speaker": org.contact1.pk,
            "text": '<p>讲话</p><script>alert(1)</script><a href="javascript:alert(1)">链接</a>',
            "upload": pdf("讲话稿.pdf"),
        },
    )
    assert response.status_code == 302
    statement = Statement.objects.get()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "讲话" in page and "<script>alert" not in page and "javascript:" not in page
    file_url = reverse("meetings:statement_file", args=[statement.pk])
    assert file_url in page
    response = client.get(file_url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert as_user(client, org.contact2).get(file_url).status_code == 404

    as_user(client, org.contact1)
    edit = reverse("meetings:statement_edit", args=[statement.pk])
    assert (
        client.post(
            edit, {"kind": "speech", "speaker": org.contact1.pk, "order": "5", "remove_file": "on"}
        ).status_code
        == 302
    )
    statement.refresh_from_db()
    assert statement.order == 5 and not statement.has_file
    assert client.post(reverse("meetings:statement_delete", args=[statement.pk])).status_code == 302
    assert not Statement.objects.exists()
    assert client.get(reverse("meetings:statement_delete", args=[1])).status_code == 405


def test_a_refused_statement_file_is_named(org, meeting, client):
    as_user(client, org.contact1)
    url = reverse("meetings:statement_create", args=[meeting.pk])
    response = client.post(
        url, {"kind": "speech", "speaker": org.contact1.pk, "upload": fake_pdf("讲话.pdf")}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "is not an accepted file" in page
    assert not Statement.objects.exists()


# ---------------------------------------------------------------- preparation


def test_steps_and_talks_are_recorded_from_the_page(org, meeting, client):
    as_user(client, org.contact1)
    step_url = reverse("meetings:step", args=[meeting.pk])
    response = client.post(step_url, {"step-step": "theme_set", "step-done_on": "2019-03-20"})
    assert response.status_code == 400
    assert "The date cannot be in the future." in response.content.decode()
    assert not MeetingStep.objects.exists()
    response = client.post(
        step_url, {"step-step": "theme_set", "step-done_on": "2019-02-01", "step-note": "定题"}
    )
    assert response.status_code == 302
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Done on 2019-02-01" in page and "Not yet" in page

    talk_url = reverse("meetings:talk_create", args=[meeting.pk])
    same = {"talk-person": org.member1.pk, "talk-other": org.member1.pk}
    response = client.post(talk_url, {**same, "talk-held_on": "2019-02-25", "talk-note": "谈心"})
    assert response.status_code == 400 and "谈心" in response.content.decode()
    response = client.post(
        talk_url,
        {
            "talk-person": org.contact1.pk,
            "talk-other": org.member1.pk,
            "talk-held_on": "2019-02-25",
        },
    )
    assert response.status_code == 302 and HeartTalk.objects.count() == 1
    assert as_user(client, org.member1).post(step_url, {}).status_code == 403


def test_attendees_write_their_own_check_material(org, meeting, client):
    AttendanceFactory(meeting=meeting, person=org.member1)
    AttendanceFactory(meeting=meeting, person=org.contact1)
    url = reverse("meetings:check_material", args=[meeting.pk])
    as_user(client, org.member1)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "2 attendees have not submitted one." in page and "Write mine" in page
    long_body = "<p>" + "对照党章党规找差距。" * 300 + "</p>"
    response = client.post(url, {"body": long_body})
    assert response.status_code == 302
    assert CheckMaterial.objects.get().submitted_at is None
    response = client.post(url, {"body": long_body, "submit": "1"})
    assert response.status_code == 302
    material = CheckMaterial.objects.get()
    assert material.person == org.member1 and material.submitted_at is not None
    page = client.get(url).content.decode()
    assert "it can no longer be changed" in page
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "1 attendee has not submitted one." in page

    # The contact records one for an attendee; a member may not.
    as_user(client, org.contact1)
    response = client.post(url + f"?person={org.contact1.pk}", {"body": "<p>书记的材料</p>"})
    assert response.status_code == 302
    as_user(client, org.member1)
    assert client.get(url + f"?person={org.contact1.pk}").status_code == 403
    # Someone who can read the branch but did not attend has nothing to write.
    stranger = UserFactory(username="m2", unit=org.branch1)
    grant(stranger, org.branch1, Role.MEMBER)
    assert as_user(client, stranger).get(url).status_code == 403


def test_check_files_are_served_only_in_scope(org, meeting, client):
    AttendanceFactory(meeting=meeting, person=org.member1)
    material = svc.check_material_save(
        actor=org.member1, meeting=meeting, body="", upload=pdf("材料.pdf"), submit=True
    )
    url = reverse("meetings:check_file", args=[material.pk])
    assert as_user(client, org.contact1).get(url).status_code == 200
    assert as_user(client, org.contact2).get(url).status_code == 404


def test_a_check_material_form_error_keeps_the_text(org, meeting, client):
    AttendanceFactory(meeting=meeting, person=org.member1)
    url = reverse("meetings:check_material", args=[meeting.pk])
    response = as_user(client, org.member1).post(url, {"body": "<p> </p>", "submit": "1"})
    assert response.status_code == 200
    assert 'id="id_body_error"' in response.content.decode()
    assert not CheckMaterial.objects.exists()


# ---------------------------------------------------------------- queries


def _busy_meeting(org, i: int) -> Meeting:
    meeting = MeetingFactory(
        org=org, title=f"民主生活会{i}", unit="branch1" if i % 2 else "branch2"
    )
    for j in range(3):
        person = UserFactory(unit=meeting.record.unit)
        AttendanceFactory(meeting=meeting, person=person, present=bool(j), absence_reason="假")
        StatementFactory(
            meeting=meeting, speaker=person, kind=StatementKind.CRITICISM, about=person
        )
        CheckMaterial.objects.create(meeting=meeting, person=person, body="<p>材料</p>")
        HeartTalk.objects.create(
            meeting=meeting, person=person, other=org.contact1, held_on=D(2019, 2, 1)
        )
    MeetingStep.objects.create(
        meeting=meeting, step="theme_set", done_on=D(2019, 2, 1), recorded_by=org.contact1
    )
    return meeting


def _count(client, url, django_assert_max_num_queries, limit) -> int:
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_index_queries_do_not_grow_with_meetings(org, march, client, django_assert_max_num_queries):
    for i in range(2):
        _busy_meeting(org, i)
    as_user(client, org.office)
    client.get(index_url(org))
    few = _count(client, index_url(org), django_assert_max_num_queries, 20)
    for i in range(2, 12):
        _busy_meeting(org, i)
    many = _count(client, index_url(org), django_assert_max_num_queries, few)
    assert many == few


def test_detail_queries_do_not_grow_with_rows(org, march, client, django_assert_max_num_queries):
    small = _busy_meeting(org, 1)
    big = _busy_meeting(org, 3)
    for _ in range(10):
        person = UserFactory(unit=org.branch1)
        AttendanceFactory(meeting=big, person=person)
        StatementFactory(meeting=big, speaker=person, kind=StatementKind.CRITICISM, about=person)
        CheckMaterial.objects.create(meeting=big, person=person, body="<p>材料</p>")
        HeartTalk.objects.create(
            meeting=big, person=person, other=org.member1, held_on=D(2019, 2, 1)
        )
    for step in ("opinions_solicited", "talks_held", "check_materials"):
        MeetingStep.objects.create(
            meeting=big, step=step, done_on=D(2019, 2, 2), recorded_by=org.contact1
        )
    as_user(client, org.office)
    client.get(small.get_absolute_url())
    few = _count(client, small.get_absolute_url(), django_assert_max_num_queries, 30)
    many = _count(client, big.get_absolute_url(), django_assert_max_num_queries, few)
    assert many == few


def test_the_action_choices_are_those_the_units_carry_out(org, march, client):
    from taolun.campaigns.models import Action, ActionKind
    from taolun.campaigns.services import campaign_sync_statuses

    stage = org.campaign.stages.get(number=1)
    own = Action.objects.create(
        campaign=org.campaign,
        stage=stage,
        kind=ActionKind.SELF_SELECTED,
        unit=org.branch2,
        number=1,
        name="第二支部读书会",
    )
    campaign_sync_statuses(campaign=org.campaign)
    page = as_user(client, org.contact1).get(create_url(org)).content.decode()
    assert "规定动作1" in page and "第二支部读书会" not in page
    page = as_user(client, org.office).get(create_url(org)).content.decode()
    assert "第二支部读书会" in page
    response = as_user(client, org.contact1).post(create_url(org), form_data(org, action=own.pk))
    assert response.status_code == 200 and 'id="id_action_error"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_only_prepared_kinds_show_the_preparation(org, march, client):
    mobilisation = MeetingFactory(org=org, kind=kind("mobilisation"), title="动员部署会")
    as_user(client, org.contact1)
    page = client.get(mobilisation.get_absolute_url()).content.decode()
    assert 'id="preparation-heading"' not in page and 'id="last-round-heading"' not in page
    url = reverse("meetings:check_material", args=[mobilisation.pk])
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- review fixes


def test_a_draft_check_file_is_served_to_its_author_and_preparers_only(org, meeting, client):
    guest = UserFactory(username="guest", name="列席人", unit=org.branch2)
    AttendanceFactory(meeting=meeting, person=org.member1)
    AttendanceFactory(meeting=meeting, person=guest)
    material = svc.check_material_save(
        actor=org.member1, meeting=meeting, body="", upload=pdf("草稿.pdf")
    )
    url = reverse("meetings:check_file", args=[material.pk])
    for reader in (org.member1, org.contact1, org.office):
        assert as_user(client, reader).get(url).status_code == 200
    for reader in (guest, org.supervisor):
        assert as_user(client, reader).get(meeting.get_absolute_url()).status_code == 200
        assert as_user(client, reader).get(url).status_code == 404
    svc.check_material_save(actor=org.member1, meeting=meeting, body="", submit=True)
    for reader in (guest, org.supervisor):
        assert as_user(client, reader).get(url).status_code == 200


def test_a_meetings_record_is_edited_on_the_meeting_page(org, meeting, client):
    as_user(client, org.contact1)
    record = meeting.record
    page = client.get(record.get_absolute_url()).content.decode()
    assert reverse("meetings:edit", args=[meeting.pk]) in page
    assert reverse("activities:edit", args=[record.pk]) not in page
    edit = reverse("activities:edit", args=[record.pk])
    response = client.get(edit)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:edit", args=[meeting.pk])
    response = client.post(
        edit,
        {
            "title": "改名",
            "held_on": "2019-02-01",
            "participant_count": "99",
            "content": "<p>x</p>",
        },
    )
    assert response.status_code == 200
    assert "edit it on the meeting&#x27;s page" in response.content.decode()
    record.refresh_from_db()
    assert (record.title, record.held_on, record.participant_count) == (
        "民主生活会",
        D(2019, 3, 1),
        None,
    )
    assert as_user(client, org.member1).get(edit).status_code == 403


def test_recording_the_plan_step_on_the_page_clears_the_flag(org, meeting, client):
    as_user(client, org.contact1)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "The plan has not been reported to the higher body" in page
    response = client.post(
        reverse("meetings:step", args=[meeting.pk]),
        {"step-step": "plan_reported", "step-done_on": "2019-02-10"},
    )
    assert response.status_code == 302
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "The plan has not been reported" not in page and "Done on 2019-02-10" in page
    assert "The plan has not been reported" not in client.get(index_url(org)).content.decode()


@pytest.fixture
def group(org):
    """A party group under branch1, and the leader as a member of branch1 (双重组织生活)."""
    unit = make_unit("第一党小组", "group1", org.branch1)
    unit.grouped = UserFactory(username="grouped", name="小组党员", unit=unit)
    unit.by_role = UserFactory(username="by_role", name="机关干部", unit=org.root)
    grant(unit.by_role, unit, Role.MEMBER)
    grant(org.leader, org.branch1, Role.MEMBER)
    return unit


def test_the_attendance_page_lists_the_recorded_and_one_units_people(org, meeting, group, client):
    svc.attendance_set(actor=org.office, meeting=meeting, present=[org.supervisor], absent=[])
    url = reverse("meetings:attendance", args=[meeting.pk])
    as_user(client, org.contact1)
    page = client.get(url).content.decode()
    # Recorded (the supervisor the office added), the branch's people and its members by role.
    for name in ("督导", "联络员一", "党员一", "领导"):
        assert f"Attendance of {name}" in page
    assert "Attendance of 小组党员" not in page and "Attendance of 联络员二" not in page
    assert '<option value="group1">' in page and 'value="branch2"' not in page
    assert "Show people of this unit" in page

    page = client.get(url + "?unit=group1").content.decode()
    assert "Attendance of 小组党员" in page and "Attendance of 督导" in page
    assert "Attendance of 党员一" not in page
    assert 'action="?unit=group1"' in page

    page = client.get(url + "?unit=branch2").content.decode()
    assert 'id="id_unit_error"' in page and "Attendance of 党员一" in page


def test_saving_attendance_changes_only_the_rows_on_the_page(org, meeting, group, client):
    svc.attendance_set(
        actor=org.contact1, meeting=meeting, present=[org.contact1], absent=[(org.member1, "病假")]
    )
    url = reverse("meetings:attendance", args=[meeting.pk]) + "?unit=group1"
    as_user(client, org.contact1)
    # The page was loaded before 党员一 was recorded: their row was not sent, and is kept.
    assert "Attendance of 机关干部" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            f"p{org.contact1.pk}": "present",
            f"p{group.grouped.pk}": "present",
            f"p{group.by_role.pk}": "present",
        },
    )
    assert response.status_code == 302
    rows = {a.person_id: (a.present, a.absence_reason) for a in meeting.attendances.all()}
    assert rows == {
        org.contact1.pk: (True, ""),
        group.grouped.pk: (True, ""),
        group.by_role.pk: (True, ""),
        org.member1.pk: (False, "病假"),
    }
    record = ActivityRecord.objects.get(pk=meeting.record_id)
    assert set(record.participants.all()) == {org.contact1, group.grouped, group.by_role}
    assert record.participant_count == 3
    # A row that was sent as "Not listed" is taken off.
    response = client.post(url, {f"p{org.contact1.pk}": "present", f"p{org.member1.pk}": ""})
    assert response.status_code == 302
    assert set(meeting.attendances.values_list("person_id", flat=True)) == {
        org.contact1.pk,
        group.grouped.pk,
        group.by_role.pk,
    }


def test_the_person_selects_offer_the_units_people_and_attendees(org, meeting, group, client):
    guest = UserFactory(username="guest", name="列席人", unit=org.branch2)
    AttendanceFactory(meeting=meeting, person=guest)
    as_user(client, org.office)
    for name, args in (("edit", [meeting.pk]), ("statement_create", [meeting.pk])):
        page = client.get(reverse(f"meetings:{name}", args=args)).content.decode()
        for person in (org.contact1, org.member1, org.leader, guest):
            assert f'<option value="{person.pk}">' in page, (name, person)
        for person in (group.grouped, org.contact2, org.supervisor):
            assert f'<option value="{person.pk}">' not in page, (name, person)
    # The office's new meeting offers the chosen unit's people (its own unit's by default).
    page = client.get(create_url(org)).content.decode()
    assert f'<option value="{org.leader.pk}">' in page
    assert f'<option value="{org.member1.pk}">' not in page
    page = client.get(create_url(org) + f"?unit={org.branch1.pk}").content.decode()
    assert f'<option value="{org.member1.pk}">' in page


def test_attendance_page_queries_do_not_grow_with_people(
    org, meeting, group, client, django_assert_max_num_queries
):
    url = reverse("meetings:attendance", args=[meeting.pk])
    as_user(client, org.contact1)
    client.get(url)
    few = _count(client, url, django_assert_max_num_queries, 25)
    for _ in range(15):
        AttendanceFactory(meeting=meeting, person=UserFactory(unit=org.branch2))
        UserFactory(unit=org.branch1)
        grant(UserFactory(unit=org.root), org.branch1, Role.MEMBER)
    page = client.get(url).content.decode()
    # The branch's 3 + 15 people, 15 members by role, 15 recorded; not the group below.
    assert page.count("Attendance of ") == 3 + 15 * 3
    many = _count(client, url, django_assert_max_num_queries, few)
    assert many == few
