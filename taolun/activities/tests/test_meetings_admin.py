"""The back office reads meetings in scope; it writes none of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from taolun.activities import meetings as svc
from taolun.activities.models import Meeting, MeetingKind
from taolun.activities.tests.files import pdf
from taolun.activities.tests.meeting_factories import AttendanceFactory, MeetingFactory
from taolun.core.tests.admin_utils import make_staff, url
from taolun.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PERMS = (
    "activities.view_meeting",
    "activities.change_meeting",
    "activities.delete_meeting",
    "activities.view_meetingkind",
    "activities.view_attendance",
    "activities.view_statement",
    "activities.view_meetingstep",
    "activities.view_hearttalk",
    "activities.view_checkmaterial",
)


@pytest.fixture
def meetings(org, travel):
    travel(dt.date(2019, 3, 10))
    return {
        "branch1": MeetingFactory(org=org, title="第一支部民主生活会"),
        "branch2": MeetingFactory(org=org, unit="branch2", title="第二支部民主生活会"),
    }


def test_staff_read_the_meetings_of_their_scope_only(org, meetings, client):
    client.force_login(make_staff(org.contact1, *PERMS))
    page = client.get(url(Meeting)).content.decode()
    assert "第一支部民主生活会" in page and "第二支部民主生活会" not in page
    mine = client.get(url(Meeting, "change", meetings["branch1"].pk))
    assert mine.status_code == 200 and 'name="_save"' not in mine.content.decode()
    assert client.get(url(Meeting, "change", meetings["branch2"].pk)).status_code == 404
    assert client.get(url(Meeting, "add")).status_code == 403
    assert (
        client.post(url(Meeting, "delete", meetings["branch1"].pk), {"post": "yes"}).status_code
        == 403
    )
    assert Meeting.objects.count() == 2


def test_the_meeting_page_in_the_back_office_links_its_files(org, meetings, client):
    meeting = meetings["branch1"]
    AttendanceFactory(meeting=meeting, person=org.member1)
    material = svc.check_material_save(
        actor=org.member1, meeting=meeting, body="", upload=pdf("材料.pdf"), submit=True
    )
    client.force_login(make_staff(org.contact1, *PERMS))
    page = client.get(url(Meeting, "change", meeting.pk)).content.decode()
    assert reverse("meetings:check_file", args=[material.pk]) in page and "党员一" in page


def test_meeting_kinds_are_reference_data_written_by_superusers(org, client):
    client.force_login(make_staff(org.office, *PERMS, "activities.change_meetingkind"))
    page = client.get(url(MeetingKind)).content.decode()
    assert "民主生活会" in page
    kind = MeetingKind.objects.get(code="democratic-life")
    response = client.post(
        url(MeetingKind, "change", kind.pk),
        {"code": "democratic-life", "name": "改", "order": 2, "required_attendance_percent": 50},
    )
    assert response.status_code == 403
    kind.refresh_from_db()
    assert kind.required_attendance_percent == 90


def test_a_meetings_record_is_read_only_in_the_back_office(org, meetings, client):
    from taolun.activities.models import ActivityRecord

    superuser = UserFactory(username="root", name="超级管理员", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    record = meetings["branch1"].record
    change = url(ActivityRecord, "change", record.pk)
    form = client.get(change).context["adminform"].form
    assert not {"title", "held_on", "participant_count", "participants"} & set(form.fields)
    management = {
        f"attachments-{name}": value
        for name, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0), ("MAX_NUM_FORMS", 1000))
    }
    response = client.post(
        change, {"title": "改写", "held_on": "2019-02-20", "participant_count": 99, **management}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.title, record.held_on, record.participant_count) == (
        "第一支部民主生活会",
        dt.date(2019, 3, 1),
        None,
    )
