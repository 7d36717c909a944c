"""Deleting in the back office is deleting on the pages: business records go to the recycle
bin with their files kept, leave the same audit trail, and the office restores them; the
organisation and reference data are deleted outright."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from taolun.activities.models import ActivityRecord, Attachment, MeetingKind
from taolun.activities.services import record_create
from taolun.activities.tests.files import pdf, png
from taolun.campaigns.models import ActionStatus
from taolun.core.models import RecycledRecord
from taolun.core.tests.admin_utils import make_staff, url
from taolun.org.models import Post
from taolun.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = dt.date
PERMS = (
    "activities.view_activityrecord",
    "activities.delete_activityrecord",
    "activities.view_attachment",
    "activities.delete_attachment",
)


@pytest.fixture(autouse=True)
def _march(travel):
    travel(D(2019, 3, 10))


@pytest.fixture
def office(org, client):
    """The office over the whole tree, with the back office's rights on records."""
    user = make_staff(org.office, *PERMS)
    client.force_login(user)
    return user


def a_record(org, title: str = "第一支部动员部署会", files=None) -> ActivityRecord:
    return record_create(
        actor=org.contact1,
        action=org.campaign.actions.get(number=1),
        unit=org.branch1,
        title=title,
        held_on=D(2019, 3, 1),
        files=files if files is not None else [png("会场.png")],
    )


def delete_page(client, obj, capture):
    with capture(execute=True):
        return client.post(url(type(obj), "delete", obj.pk), {"post": "yes"}, follow=True)


def bulk_delete(client, model, pks, capture):
    data = {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    with capture(execute=True):
        return client.post(url(model), data, follow=True)


def restore_page(client, entry: RecycledRecord, capture):
    with capture(execute=True):
        response = client.post(reverse("recycle:restore", args=[entry.pk]))
    assert response.status_code == 302, response.status_code
    entry.refresh_from_db()
    assert entry.restored_at is not None


def shown(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_an_attachment_deleted_on_its_page_is_in_the_bin_with_its_file_and_comes_back(
    org, office, client, django_capture_on_commit_callbacks
):
    record = a_record(org)
    attachment = record.attachments.get()
    pk, stored = attachment.pk, attachment.file
    response = delete_page(client, attachment, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "1 deleted record is in the recycle bin" in shown(response)
    assert not Attachment.objects.filter(pk=pk).exists()
    assert stored.storage.exists(stored.name)  # kept while it is in the bin

    entry = RecycledRecord.objects.get()
    assert (entry.object_pk, entry.unit, entry.deleted_by) == (str(pk), org.branch1, office)
    assert entry.content_type == ContentType.objects.get_for_model(Attachment)
    assert "会场.png" in client.get(reverse("recycle:list")).content.decode()

    restore_page(client, entry, django_capture_on_commit_callbacks)
    back = Attachment.objects.get(pk=pk)
    assert (back.record, back.original_name, back.file.name) == (record, "会场.png", stored.name)
    assert back.file.storage.exists(back.file.name)


def test_a_record_deleted_in_the_back_office_takes_its_evidence_to_the_bin_and_its_cell_back(
    org, office, client, django_capture_on_commit_callbacks
):
    record = a_record(org, files=[png("会场.png"), pdf("方案.pdf")])
    files = [a.file for a in record.attachments.all()]
    cell = ActionStatus.objects.get(unit=org.branch1, action=record.action)
    assert cell.records_count == 1

    delete_page(client, record, django_capture_on_commit_callbacks)
    assert not ActivityRecord.objects.filter(pk=record.pk).exists()
    assert not Attachment.objects.exists()
    assert all(f.storage.exists(f.name) for f in files)
    cell.refresh_from_db()
    assert cell.records_count == 0

    entry = RecycledRecord.objects.get()
    assert entry.content_type == ContentType.objects.get_for_model(ActivityRecord)
    restore_page(client, entry, django_capture_on_commit_callbacks)
    back = ActivityRecord.objects.get(pk=record.pk)
    assert sorted(a.file.name for a in back.attachments.all()) == sorted(f.name for f in files)
    cell.refresh_from_db()
    assert cell.records_count == 1


def test_the_bulk_action_sends_each_to_the_bin_and_each_comes_back(
    org, office, client, django_capture_on_commit_callbacks
):
    record = a_record(org, files=[png("一.png"), png("二.png"), png("三.png")])
    chosen = list(record.attachments.order_by("pk")[:2])
    stored = [a.file for a in chosen]
    response = bulk_delete(
        client, Attachment, [a.pk for a in chosen], django_capture_on_commit_callbacks
    )
    assert "2 deleted records are in the recycle bin" in shown(response)
    assert list(record.attachments.values_list("original_name", flat=True)) == ["三.png"]
    assert all(f.storage.exists(f.name) for f in stored)

    # object_pk is text, where "10" sorts before "9": compare the ids as numbers.
    entries = list(RecycledRecord.objects.all())
    assert sorted(int(e.object_pk) for e in entries) == [a.pk for a in chosen]
    for entry in entries:
        restore_page(client, entry, django_capture_on_commit_callbacks)
    assert record.attachments.count() == 3


def test_bulk_deleted_records_go_to_the_bin_one_by_one(
    org, office, client, django_capture_on_commit_callbacks
):
    records = [a_record(org, "学习会一"), a_record(org, "学习会二")]
    bulk_delete(client, ActivityRecord, [r.pk for r in records], django_capture_on_commit_callbacks)
    assert not ActivityRecord.objects.exists()
    assert sorted(RecycledRecord.objects.values_list("object_repr", flat=True)) == sorted(
        str(r) for r in records
    )
    cell = ActionStatus.objects.get(unit=org.branch1, action=records[0].action)
    assert cell.records_count == 0


def _trail(since: int) -> list[tuple]:
    """What auditlog wrote after entry ``since``: kind of row, action, who, from where."""
    return sorted(
        (e.content_type.model, e.action, e.actor_id, e.remote_addr)
        for e in LogEntry.objects.filter(pk__gt=since).select_related("content_type")
    )


def test_a_back_office_deletion_leaves_the_trail_of_a_deletion_on_the_pages(
    org, office, client, django_capture_on_commit_callbacks
):
    record = a_record(org, files=[png("一.png"), png("二.png")])
    on_page, in_admin = record.attachments.order_by("pk")
    mark = LogEntry.objects.latest("pk").pk
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("activities:attachment_delete", args=[on_page.pk]))
    page_trail = _trail(mark)
    assert page_trail == [("attachment", LogEntry.Action.DELETE, office.pk, "127.0.0.1")]

    mark = LogEntry.objects.latest("pk").pk
    delete_page(client, in_admin, django_capture_on_commit_callbacks)
    assert _trail(mark) == page_trail
    assert RecycledRecord.objects.count() == 2


def test_reference_data_and_the_organisation_are_deleted_outright(
    org, client, django_capture_on_commit_callbacks
):
    """No unit, or the administrators' to keep: the offices' bin does not take them."""
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    kind = MeetingKind.objects.create(code="trial", name="试点会")
    post = Post.objects.create(unit=org.branch1, title="组织委员")
    for obj in (kind, post):
        response = delete_page(client, obj, django_capture_on_commit_callbacks)
        assert response.status_code == 200
        assert not type(obj).objects.filter(pk=obj.pk).exists()
        assert "recycle bin" not in shown(response)
    assert not RecycledRecord.objects.exists()
