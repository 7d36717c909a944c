"""The back office for records: scoped, status and evidence read-only, statuses kept current."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib import admin

from taolun.activities.models import ActivityRecord, Attachment, RecordStatus
from taolun.activities.services import record_create, record_review, record_submit
from taolun.activities.tests.files import pdf, png
from taolun.campaigns.models import ActionStatus, RecordState
from taolun.core.tests.admin_utils import make_staff, url
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db
D = dt.date
RECORD_PERMS = (
    "activities.view_activityrecord",
    "activities.change_activityrecord",
    "activities.delete_activityrecord",
    "activities.view_attachment",
    "activities.delete_attachment",
)


def make(org, unit: str, title: str, number: int = 1, **kw) -> ActivityRecord:
    who = "contact1" if unit == "branch1" else "contact2"
    return record_create(
        actor=getattr(org, who),
        action=org.campaign.actions.get(number=number),
        unit=getattr(org, unit),
        title=title,
        held_on=D(2019, 3, 1),
        **kw,
    )


@pytest.fixture
def records(org):
    return {
        "branch1": make(org, "branch1", "第一支部动员部署会", files=[png()]),
        "branch2": make(org, "branch2", "第二支部动员部署会", files=[pdf()]),
    }


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", name="超级管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def staff1(org, client):
    """branch1's contact, also its office: only the office role writes in the back office."""
    grant(org.contact1, org.branch1, Role.OFFICE)
    user = make_staff(org.contact1, *RECORD_PERMS, "org.view_user")
    client.force_login(user)
    return user


def record_form(record: ActivityRecord, **overrides) -> dict:
    data = {
        "title": record.title,
        "held_on": record.held_on.isoformat(),
        "place": record.place,
        "participant_count": record.participant_count or "",
        "content": record.content,
        "attachments-TOTAL_FORMS": record.attachments.count(),
        "attachments-INITIAL_FORMS": record.attachments.count(),
        "attachments-MIN_NUM_FORMS": 0,
        "attachments-MAX_NUM_FORMS": 1000,
    }
    for i, attachment in enumerate(record.attachments.order_by("id")):
        data[f"attachments-{i}-id"] = attachment.pk
        data[f"attachments-{i}-record"] = record.pk
    data.update(overrides)
    return data


def test_record_models_are_registered():
    assert ActivityRecord in admin.site._registry
    assert Attachment in admin.site._registry
    assert [i.model for i in admin.site._registry[ActivityRecord].inlines] == [Attachment]


def test_superuser_sees_every_changelist(org, records, superuser, client):
    client.force_login(superuser)
    for model in (ActivityRecord, Attachment):
        response = client.get(url(model))
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == 2
    # Records and their evidence are entered on the unit's pages, where uploads are checked.
    assert client.get(url(ActivityRecord, "add")).status_code == 403
    assert client.get(url(Attachment, "add")).status_code == 403
    response = client.get(url(ActivityRecord, "change", records["branch2"].pk))
    assert response.status_code == 200
    assert "现场照片.png" not in response.content.decode()
    assert "会议纪要.pdf" in response.content.decode()


def test_records_are_scoped(org, records, staff1, client):
    shown = list(client.get(url(ActivityRecord)).context["cl"].result_list)
    assert shown == [records["branch1"]]
    assert client.get(url(ActivityRecord, "change", records["branch1"].pk)).status_code == 200
    for view in ("change", "delete", "history"):
        response = client.get(url(ActivityRecord, view, records["branch2"].pk))
        assert response.status_code == 404, view


def test_attachments_are_scoped(org, records, staff1, client):
    shown = list(client.get(url(Attachment)).context["cl"].result_list)
    assert [a.original_name for a in shown] == ["现场照片.png"]
    other = records["branch2"].attachments.get()
    assert client.get(url(Attachment, "change", other.pk)).status_code == 404


def test_record_search_in_chinese_and_status_filter(org, records, superuser, client):
    client.force_login(superuser)
    found = list(client.get(url(ActivityRecord), {"q": "第二支部"}).context["cl"].result_list)
    assert found == [records["branch2"]]
    found = list(client.get(url(ActivityRecord), {"q": "机关第一党支部"}).context["cl"].result_list)
    assert found == [records["branch1"]]
    found = client.get(url(ActivityRecord), {"status__exact": RecordStatus.SUBMITTED})
    assert list(found.context["cl"].result_list) == []


def test_status_and_review_are_read_only(org, records, superuser, client):
    client.force_login(superuser)
    record = records["branch1"]
    form = client.get(url(ActivityRecord, "change", record.pk)).context["adminform"].form
    for name in ("status", "reviewed_by", "review_comment", "unit", "action", "created_by"):
        assert name not in form.fields
    response = client.post(
        url(ActivityRecord, "change", record.pk),
        record_form(record, status=RecordStatus.ACCEPTED, unit=org.branch2.pk),
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT and record.unit == org.branch1


def test_correction_is_sanitised_audited_and_reaches_the_status_table(org, records, staff1, client):
    record = records["branch1"]
    record_submit(actor=org.contact1, record=record)
    record_review(actor=org.office, record=record, accept=False, comment="补充纪要")
    response = client.post(
        url(ActivityRecord, "change", record.pk),
        record_form(record, held_on="2019-02-28", content="<p>纪要</p><script>x()</script>"),
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.content == "<p>纪要</p>"
    assert record.held_on == D(2019, 2, 28)
    assert record.status == RecordStatus.RETURNED
    row = ActionStatus.objects.get(unit=org.branch1, action=record.action)
    assert row.record_state == RecordState.WORKING
    assert row.latest_record_id == record.pk
    entry = LogEntry.objects.get_for_object(record).filter(action=LogEntry.Action.UPDATE).first()
    assert entry.actor == staff1
    assert entry.changes_dict["held_on"] == ["2019-03-01", "2019-02-28"]


@pytest.mark.parametrize("accept", [True, None])
def test_submitted_and_accepted_records_are_not_rewritten(org, records, superuser, client, accept):
    client.force_login(superuser)
    record = records["branch1"]
    record_submit(actor=org.contact1, record=record)
    if accept:
        record_review(actor=org.office, record=record, accept=True)
    form = client.get(url(ActivityRecord, "change", record.pk)).context["adminform"].form
    assert not {"title", "held_on", "content", "participants"} & set(form.fields)
    client.post(
        url(ActivityRecord, "change", record.pk),
        record_form(record, title="改写", held_on="2019-02-20", participants=[org.member1.pk]),
    )
    record.refresh_from_db()
    assert (record.title, record.held_on) == ("第一支部动员部署会", D(2019, 3, 1))
    assert record.participants.count() == 0
    row = ActionStatus.objects.get(unit=org.branch1, action=record.action)
    assert row.completed_on == (D(2019, 3, 1) if accept else None)


def test_correction_passes_the_services_checks(org, records, superuser, client):
    client.force_login(superuser)
    record = records["branch1"]
    response = client.post(
        url(ActivityRecord, "change", record.pk), record_form(record, held_on="2099-01-01")
    )
    assert response.status_code == 200
    assert "held_on" in response.context["adminform"].form.errors
    record.refresh_from_db()
    assert record.held_on == D(2019, 3, 1)


def test_contact_without_office_only_reads_records(org, records, client):
    client.force_login(make_staff(org.contact1, *RECORD_PERMS))
    record = records["branch1"]
    assert client.get(url(ActivityRecord, "change", record.pk)).status_code == 200
    response = client.post(
        url(ActivityRecord, "change", record.pk), record_form(record, title="改写")
    )
    assert response.status_code == 403
    response = client.post(url(ActivityRecord, "delete", record.pk), {"post": "yes"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.title == "第一支部动员部署会"


def test_participants_must_be_in_scope(org, records, staff1, client):
    record = records["branch1"]
    response = client.post(
        url(ActivityRecord, "change", record.pk),
        record_form(record, participants=[org.member1.pk, org.contact2.pk]),
    )
    assert "participants" in response.context["adminform"].form.errors
    assert record.participants.count() == 0


def test_attachments_cannot_be_added_or_removed_in_the_admin(org, records, superuser, client):
    client.force_login(superuser)
    record = records["branch1"]
    data = record_form(record)
    data["attachments-0-DELETE"] = "on"
    client.post(url(ActivityRecord, "change", record.pk), data)
    assert record.attachments.count() == 1
    inline = client.get(url(ActivityRecord, "change", record.pk)).context["inline_admin_formsets"][
        0
    ]
    assert not inline.has_add_permission and not inline.has_delete_permission


def test_deleting_a_record_clears_its_cell_and_keeps_its_files_for_the_bin(
    org, records, superuser, client, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    record = records["branch1"]
    stored = record.attachments.get().file
    assert stored.storage.exists(stored.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(ActivityRecord, "delete", record.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not ActivityRecord.objects.filter(pk=record.pk).exists()
    assert stored.storage.exists(stored.name)  # kept while the record is in the recycle bin
    row = ActionStatus.objects.get(unit=org.branch1, action=record.action)
    assert row.record_state == RecordState.NONE and row.records_count == 0


def test_bulk_delete_is_scoped_and_clears_cells(org, records, staff1, client):
    both = [records["branch1"].pk, records["branch2"].pk]
    client.post(
        url(ActivityRecord), {"action": "delete_selected", "_selected_action": both, "post": "yes"}
    )
    assert list(ActivityRecord.objects.values_list("pk", flat=True)) == [records["branch2"].pk]
    row = ActionStatus.objects.get(unit=org.branch1, action=records["branch1"].action)
    assert row.record_state == RecordState.NONE


def test_changelist_queries_do_not_grow_with_rows(
    org, staff1, client, django_assert_max_num_queries
):
    for i in range(2):
        make(org, "branch1", f"学习会{i}", number=1 + i % 4)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url(ActivityRecord)).status_code == 200
    for i in range(2, 14):
        make(org, "branch1", f"学习会{i}", number=1 + i % 4, files=[png()])
    for model in (ActivityRecord, Attachment):
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url(model)).status_code == 200


def test_change_page_queries_do_not_grow_with_attachments(
    org, superuser, client, django_assert_max_num_queries
):
    client.force_login(superuser)
    record = make(org, "branch1", "学习会", files=[png()])
    with django_assert_max_num_queries(40) as small:
        assert client.get(url(ActivityRecord, "change", record.pk)).status_code == 200
    record2 = make(org, "branch1", "学习会二", files=[png(), pdf(), png("二.png"), pdf("三.pdf")])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(ActivityRecord, "change", record2.pk)).status_code == 200
