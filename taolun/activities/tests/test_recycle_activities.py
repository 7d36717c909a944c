"""A meeting's statement and a record's attachment, deleted, go to the recycle bin of their
unit's office with their files kept, and come back with what is derived from them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from taolun.activities import meetings
from taolun.activities.models import ActivityRecord, Attachment, Meeting, Statement, StatementKind
from taolun.activities.services import attachment_delete, record_create
from taolun.activities.tests.files import pdf, png
from taolun.activities.tests.meeting_factories import MeetingFactory
from taolun.core.recycle import get_recycled_for_user, recycled_for_user, restore
from taolun.textmine.models import SearchEntry

D = dt.date


@pytest.fixture(autouse=True)
def _march(travel):
    travel(D(2019, 3, 10))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def search_entries(statement_pk: int) -> int:
    ct = ContentType.objects.get_for_model(Statement)
    return SearchEntry.objects.filter(content_type=ct, object_id=statement_pk).count()


@pytest.fixture
def statement(org, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(org=org)
    with django_capture_on_commit_callbacks(execute=True):
        return meetings.statement_create(
            actor=org.contact1,
            meeting=meeting,
            kind=StatementKind.PLEDGE,
            speaker=org.member1,
            title="表态发言",
            text="<p>坚决扛起改革创新的责任。</p>",
            upload=pdf("发言稿.pdf"),
        )


def test_a_deleted_statement_keeps_its_file_and_comes_back_searchable(
    org, client, statement, django_capture_on_commit_callbacks
):
    pk, stored = statement.pk, statement.file
    assert search_entries(pk) == 1
    client.force_login(org.contact1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:statement_delete", args=[pk]))
    assert response.status_code == 302
    assert not Statement.objects.filter(pk=pk).exists() and search_entries(pk) == 0
    assert stored.storage.exists(stored.name)  # kept while the statement is in the bin
    page = client.get(reverse("meetings:detail", args=[statement.meeting_id])).content.decode()
    assert "表态发言" not in page

    [entry] = recycled_for_user(org.office)
    assert (entry.unit, entry.deleted_by) == (org.branch1, org.contact1)
    with django_capture_on_commit_callbacks(execute=True):
        restore(get_recycled_for_user(org.office, entry.pk), actor=org.office)

    back = Statement.objects.get(pk=pk)
    assert (back.meeting_id, back.speaker, back.file.name) == (
        statement.meeting_id,
        org.member1,
        stored.name,
    )
    assert search_entries(pk) == 1
    page = client.get(reverse("meetings:detail", args=[back.meeting_id])).content.decode()
    assert "表态发言" in page
    download = client.get(reverse("meetings:statement_file", args=[pk]))
    assert download.status_code == 200


def test_a_statement_whose_meeting_went_since_is_refused_naming_it(org, statement):
    meetings.statement_delete(actor=org.contact1, statement=statement)
    Meeting.objects.filter(pk=statement.meeting_id).delete()
    [entry] = recycled_for_user(org.office)
    with pytest.raises(ValidationError) as exc:
        restore(entry, actor=org.office)
    assert "the meeting it belongs to" in " ".join(exc.value.messages)
    assert not Statement.objects.exists()


@pytest.fixture
def record(org):
    return record_create(
        actor=org.contact1,
        action=org.campaign.actions.get(kind="prescribed", number=1),
        unit=org.branch1,
        title="召开动员部署会",
        held_on=D(2019, 3, 1),
        files=[png()],
    )


def test_a_deleted_attachment_keeps_its_file_and_comes_back(org, client, record):
    attachment = record.attachments.get()
    pk, stored = attachment.pk, attachment.file
    client.force_login(org.contact1)
    response = client.post(reverse("activities:attachment_delete", args=[pk]))
    assert response.status_code == 302
    assert not record.attachments.exists()
    assert stored.storage.exists(stored.name)
    assert client.get(reverse("activities:attachment", args=[pk])).status_code == 404

    [entry] = recycled_for_user(org.office)
    assert (entry.unit, entry.object_repr) == (org.branch1, "现场照片.png")
    restore(entry, actor=org.office)

    assert record.attachments.get().pk == pk
    download = client.get(reverse("activities:attachment", args=[pk]))
    assert download.status_code == 200


def test_an_attachment_whose_record_went_since_is_refused_naming_it(org, record):
    attachment_delete(actor=org.contact1, attachment=record.attachments.get())
    ActivityRecord.objects.filter(pk=record.pk).delete()
    [entry] = recycled_for_user(org.office)
    with pytest.raises(ValidationError) as exc:
        restore(entry, actor=org.office)
    assert "the record it belongs to" in " ".join(exc.value.messages)
    assert not Attachment.objects.exists()
