"""The recycle bin: what a delete keeps, what a restore brings back (with the figures kept
from it), who reads and restores it, what it refuses, and what the purge lets go."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone, translation

from taolun.activities.models import ActivityRecord, Attachment, Attendance, Meeting, Statement
from taolun.activities.services import record_create, status_refresh
from taolun.activities.tests.files import png
from taolun.activities.tests.meeting_factories import MeetingFactory, StatementFactory
from taolun.campaigns.models import ActionStatus, RecordState
from taolun.core import clock
from taolun.core import recycle as recycling
from taolun.core.models import RecycledRecord
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.study.models import StudyLog
from taolun.study.tests.factories import LogFactory
from taolun.urls import urlpatterns as site_urls

D = dt.date

# Until the site's URLconf includes the bin, the tests add it to a copy of it.
urlpatterns = [*site_urls]
if not any(getattr(p, "namespace", None) == "recycle" for p in site_urls):
    urlpatterns.append(path("recycle/", include("taolun.core.recycle_urls")))

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def office2(org):
    """The office of branch2 only: a sibling of branch1's subtree."""
    user = UserFactory(username="office2", name="二支部办公室", unit=org.branch2)
    grant(user, org.branch2, Role.OFFICE)
    return user


def a_log(org, **kw) -> StudyLog:
    return LogFactory(campaign=org.campaign, person=org.member1, **kw)


def recycled_log(org, **kw) -> tuple[int, RecycledRecord]:
    log = a_log(org, **kw)
    pk = log.pk
    return pk, recycling.recycle(log, actor=org.member1, unit=log.unit)


# ---------------------------------------------------------------- into the bin and back


def test_a_recycled_record_is_gone_and_kept_whole_with_who_when_and_where(org):
    pk, entry = recycled_log(org, minutes=45, note="读原文")
    assert not StudyLog.objects.filter(pk=pk).exists()
    entry.refresh_from_db()
    assert (entry.deleted_by, entry.unit, entry.unit_path) == (
        org.member1,
        org.branch1,
        org.branch1.path,
    )
    assert entry.content_type == ContentType.objects.get_for_model(StudyLog)
    assert entry.object_pk == str(pk) and entry.restored_at is None
    [row] = entry.payload
    assert row["model"] == "study.studylog" and row["pk"] == pk
    assert row["fields"]["minutes"] == 45 and row["fields"]["note"] == "读原文"


@pytest.fixture
def record_with_children(org, travel):
    """A meeting record of branch1 with an attachment, a participant, attendance and a
    statement: deleting the record takes all of them."""
    travel(D(2019, 3, 10))
    action = org.campaign.actions.get(kind="prescribed", number=1)
    record = record_create(
        actor=org.contact1,
        action=action,
        unit=org.branch1,
        title="民主生活会",
        held_on=D(2019, 3, 1),
        participants=[org.member1],
        files=[png()],
    )
    meeting = MeetingFactory(org=org, record=record)
    Attendance.objects.create(meeting=meeting, person=org.member1, present=True)
    StatementFactory(meeting=meeting, speaker=org.member1)
    return record


def test_a_record_comes_back_with_the_same_ids_its_children_and_its_status_cell(
    org, record_with_children, django_capture_on_commit_callbacks
):
    record = record_with_children
    pk, action_id = record.pk, record.action_id
    before = {
        model: set(model.objects.values_list("pk", flat=True))
        for model in (Attachment, Meeting, Attendance, Statement)
    }
    stored = record.attachments.get().file
    entry = recycling.recycle(record, actor=org.office, unit=org.branch1)
    status_refresh(unit_id=org.branch1.pk, action_id=action_id)
    cell = ActionStatus.objects.get(unit=org.branch1, action_id=action_id)
    assert (cell.records_count, cell.record_state) == (0, RecordState.NONE)
    assert not any(model.objects.exists() for model in before)
    assert {row["model"] for row in entry.payload} >= {
        "activities.activityrecord",
        "activities.attachment",
        "activities.meeting",
        "activities.attendance",
        "activities.statement",
    }
    models_in_order = [row["model"] for row in entry.payload]
    assert (
        models_in_order.index("activities.activityrecord")
        < models_in_order.index("activities.meeting")
        < models_in_order.index("activities.statement")
    )
    assert stored.storage.exists(stored.name)  # kept while in the bin

    with django_capture_on_commit_callbacks(execute=True):
        recycling.restore(entry, actor=org.office)

    restored = ActivityRecord.objects.get(pk=pk)
    assert list(restored.participants.all()) == [org.member1]
    assert {model: set(model.objects.values_list("pk", flat=True)) for model in before} == before
    assert restored.attachments.get().file.name == stored.name
    cell.refresh_from_db()
    assert (cell.records_count, cell.record_state, cell.latest_record_id) == (
        1,
        RecordState.WORKING,
        pk,
    )
    entry.refresh_from_db()
    assert entry.restored_by == org.office and entry.restored_at is not None


def test_a_restore_is_refused_once_done(org):
    _pk, entry = recycled_log(org)
    recycling.restore(entry, actor=org.office)
    with pytest.raises(ValidationError, match="restored already"):
        recycling.restore(entry, actor=org.office)
    assert StudyLog.objects.count() == 1


def test_a_restore_is_refused_naming_the_unit_deleted_since(org):
    unit = make_unit("临时支部", "temp", org.organ)
    person = UserFactory(username="temp1", name="临时", unit=unit)
    log = LogFactory(campaign=org.campaign, person=person)
    entry = recycling.recycle(log, actor=person, unit=unit)
    person.unit = None
    person.save()
    type(unit).objects.get(pk=unit.pk).delete()
    entry.refresh_from_db()
    assert entry.unit is None and entry.unit_path == unit.path  # still scoped as it was
    with pytest.raises(ValidationError) as exc:
        recycling.restore(entry, actor=org.office)
    assert "the unit it belongs to" in exc.value.messages[0]
    assert not StudyLog.objects.exists()
    entry.refresh_from_db()
    assert entry.restored_at is None


def test_a_restore_is_refused_when_its_place_is_taken(org):
    pk, entry = recycled_log(org)
    a_log(org, pk=pk)
    with pytest.raises(ValidationError, match="same number exists already"):
        recycling.restore(entry, actor=org.office)
    entry.refresh_from_db()
    assert entry.restored_at is None


def test_only_an_office_over_the_unit_restores(org, office2):
    _pk, entry = recycled_log(org)
    for who in (office2, org.contact1, org.member1, org.leader, org.supervisor):
        with pytest.raises(PermissionDenied):
            recycling.restore(entry, actor=who)
    assert not StudyLog.objects.exists()


# ---------------------------------------------------------------- who reads the bin


def test_the_bin_is_scoped_to_the_office_subtrees(org, office2):
    _pk, mine = recycled_log(org)
    log2 = LogFactory(campaign=org.campaign, person=org.contact2)
    theirs = recycling.recycle(log2, actor=org.contact2, unit=org.branch2)
    assert list(recycling.recycled_for_user(org.office)) == [theirs, mine]
    assert list(recycling.recycled_for_user(office2)) == [theirs]
    with pytest.raises(Http404):
        recycling.get_recycled_for_user(office2, mine.pk)
    for nobody in (org.member1, org.contact1, org.leader, org.outsider):
        with pytest.raises(Http404):
            recycling.recycled_for_user(nobody)


def test_a_superuser_holds_no_office_and_reaches_nothing(org):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    recycled_log(org)
    with pytest.raises(Http404):
        recycling.recycled_for_user(admin)


# ---------------------------------------------------------------- the pages


def test_the_page_lists_the_bin_newest_first_and_restores_after_confirming(
    org, client, django_capture_on_commit_callbacks
):
    pk, older = recycled_log(org, other_title="旧文章")
    RecycledRecord.objects.filter(pk=older.pk).update(
        deleted_at=timezone.now() - dt.timedelta(days=3)
    )
    _pk2, newer = recycled_log(org, other_title="新文章")
    client.force_login(org.office)
    page = client.get(reverse("recycle:list"))
    assert page.status_code == 200
    assert list(page.context["page_obj"]) == [newer, older]
    html = page.content.decode()
    assert "<td>党员一</td>" in html and "党员一 · 2019-03-01" in html  # who deleted what
    assert reverse("recycle:restore", args=[older.pk]) in html

    confirm = client.get(reverse("recycle:restore", args=[older.pk]))
    assert confirm.status_code == 200
    assert "comes back as it was when deleted" in confirm.content.decode()
    assert StudyLog.objects.count() == 0  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("recycle:restore", args=[older.pk]))
    assert done.status_code == 302 and done.url == reverse("recycle:list")
    assert StudyLog.objects.get(pk=pk).other_title == "旧文章"
    after = client.get(reverse("recycle:list"))
    assert list(after.context["page_obj"]) == [newer]  # a restored record leaves the list
    assert "was restored" in after.content.decode()


def test_the_page_filters_by_kind_and_date_and_names_a_wrong_filter(org, client, travel):
    _pk, log_entry = recycled_log(org)
    statement_entry = recycling.recycle(
        StatementFactory(meeting=MeetingFactory(org=org)), actor=org.contact1, unit=org.branch1
    )
    RecycledRecord.objects.filter(pk=log_entry.pk).update(
        deleted_at=timezone.make_aware(dt.datetime(2019, 3, 1, 10))
    )
    client.force_login(org.office)
    url = reverse("recycle:list")
    kind = ContentType.objects.get_for_model(StudyLog).pk
    by_kind = client.get(url, {"kind": kind})
    assert list(by_kind.context["page_obj"]) == [log_entry]
    by_date = client.get(url, {"date_from": "2019-03-01", "date_to": "2019-03-01"})
    assert list(by_date.context["page_obj"]) == [log_entry]
    since = client.get(url, {"date_from": "2019-03-02"})
    assert list(since.context["page_obj"]) == [statement_entry]
    wrong = client.get(url, {"date_from": "2019-03-05", "date_to": "2019-03-01"})
    assert wrong.context["page_obj"] is None
    assert "The end of the range is before its start." in wrong.content.decode()
    unknown = client.get(url, {"kind": "999999"})
    assert unknown.context["page_obj"] is None and unknown.context["form"].errors["kind"]


def test_a_refused_restore_says_why_on_the_page_and_changes_nothing(org, client):
    pk, entry = recycled_log(org)
    a_log(org, pk=pk, other_title="新写的")
    client.force_login(org.office)
    response = client.post(reverse("recycle:restore", args=[entry.pk]))
    assert response.status_code == 200
    assert "same number exists already" in response.content.decode()
    assert StudyLog.objects.get(pk=pk).other_title == "新写的"
    entry.refresh_from_db()
    assert entry.restored_at is None


def test_the_pages_answer_404_outside_the_bin(org, client, office2):
    _pk, entry = recycled_log(org)
    for who in (org.member1, org.contact1, org.outsider):
        client.force_login(who)
        assert client.get(reverse("recycle:list")).status_code == 404
        assert client.get(reverse("recycle:restore", args=[entry.pk])).status_code == 404
    client.force_login(office2)
    assert list(client.get(reverse("recycle:list")).context["page_obj"]) == []
    assert client.get(reverse("recycle:restore", args=[entry.pk])).status_code == 404
    assert client.post(reverse("recycle:restore", args=[entry.pk])).status_code == 404
    assert not StudyLog.objects.exists()


def test_restoring_needs_the_form_token(org):
    _pk, entry = recycled_log(org)
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.office)
    assert client.post(reverse("recycle:restore", args=[entry.pk])).status_code == 403
    assert not StudyLog.objects.exists()


# ---------------------------------------------------------------- purge


def test_purge_keeps_young_records_and_lets_old_ones_go_with_their_files(
    org, travel, django_capture_on_commit_callbacks
):
    travel(D(2019, 3, 10))
    action = org.campaign.actions.get(kind="prescribed", number=1)
    record = record_create(
        actor=org.contact1,
        action=action,
        unit=org.branch1,
        title="动员会",
        held_on=D(2019, 3, 1),
        files=[png(), png("第二张.png")],
    )
    old_file, kept_file = (a.file for a in record.attachments.order_by("pk"))
    old = recycling.recycle(
        record.attachments.order_by("pk")[0], actor=org.office, unit=org.branch1
    )
    restored = recycling.recycle(record.attachments.get(), actor=org.office, unit=org.branch1)
    recycling.restore(restored, actor=org.office)
    _pk, young = recycled_log(org)
    long_ago = clock.now() - dt.timedelta(days=91)
    RecycledRecord.objects.filter(pk__in=[old.pk, restored.pk]).update(deleted_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_recycle_bin")

    assert list(RecycledRecord.objects.all()) == [young]
    assert not old_file.storage.exists(old_file.name)
    assert kept_file.storage.exists(kept_file.name)  # its attachment is live again
    assert record.attachments.get().file.name == kept_file.name


def test_purge_takes_its_days_from_the_command_or_the_setting(org, settings):
    _pk, entry = recycled_log(org)
    RecycledRecord.objects.filter(pk=entry.pk).update(
        deleted_at=timezone.now() - dt.timedelta(days=10)
    )
    call_command("purge_recycle_bin", "--older-than", "30")
    assert RecycledRecord.objects.exists()
    settings.TAOLUN_RECYCLE_DAYS = 7
    call_command("purge_recycle_bin")
    assert not RecycledRecord.objects.exists()
