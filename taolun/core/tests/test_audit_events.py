"""Audit events are written with who, when and from where; audit records are neither
changed nor deleted through the application; ``prune_audit`` keeps the retention period."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from taolun.core.middleware import ExportAuditMiddleware
from taolun.core.models import AuditEvent, AuditEventKind, ProtectedAuditRecord
from taolun.org.models import Unit
from taolun.org.roles import AdminDuty
from taolun.org.tests.factories import UserFactory

PASSWORD = "correct-horse-battery-9"


# -- Signing in and out --------------------------------------------------------------------


def test_sign_in_failure_and_sign_out_are_written_with_the_address(client, db):
    person = UserFactory()
    client.post(
        reverse("login"),
        {"username": person.username, "password": "wrong"},
        REMOTE_ADDR="10.0.0.8",
    )
    client.post(
        reverse("login"),
        {"username": person.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.10")

    failed, login, logout = AuditEvent.objects.order_by("at", "id")
    assert (failed.kind, failed.actor, failed.username, failed.address) == (
        AuditEventKind.LOGIN_FAILED,
        None,
        person.username,
        "10.0.0.8",
    )
    assert (login.kind, login.actor, login.address) == (AuditEventKind.LOGIN, person, "10.0.0.9")
    assert (logout.kind, logout.actor, logout.address) == (
        AuditEventKind.LOGOUT,
        person,
        "10.0.0.10",
    )


def test_a_failed_sign_in_for_no_such_account_keeps_the_typed_name(client, db):
    client.post(reverse("login"), {"username": "ghost", "password": "x"}, REMOTE_ADDR="10.7.0.1")
    event = AuditEvent.objects.get()
    assert event.kind == AuditEventKind.LOGIN_FAILED and event.username == "ghost"


# -- Exports and downloads -----------------------------------------------------------------


def run_middleware(response: HttpResponse, *, user=None) -> list[AuditEvent]:
    request = RequestFactory().get("/some/export/?year=2019", REMOTE_ADDR="10.2.0.1")
    request.user = user
    ExportAuditMiddleware(lambda request: response)(request)
    return list(AuditEvent.objects.all())


def test_an_attachment_is_written_as_an_export(db):
    person = UserFactory()
    response = HttpResponse(b"x", content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="ledger.csv"'
    (event,) = run_middleware(response, user=person)
    assert event.kind == AuditEventKind.EXPORT and event.actor == person
    assert event.address == "10.2.0.1" and event.path == "/some/export/?year=2019"
    assert "ledger.csv" in event.detail


@pytest.mark.parametrize(
    ("status", "disposition"),
    [(200, ""), (200, 'inline; filename="a.pdf"'), (404, 'attachment; filename="a.csv"')],
)
def test_pages_inline_files_and_failures_are_not_exports(db, status, disposition):
    response = HttpResponse(b"x", status=status)
    if disposition:
        response["Content-Disposition"] = disposition
    assert run_middleware(response, user=UserFactory()) == []


def test_a_real_download_through_the_stack_is_written_once(client, org):
    auditor = UserFactory(admin_duty=AdminDuty.AUDIT)
    client.force_login(auditor)
    response = client.get(reverse("audit:export"), REMOTE_ADDR="10.4.0.4")
    b"".join(response.streaming_content)
    exports = AuditEvent.objects.filter(kind=AuditEventKind.EXPORT)
    assert exports.count() == 1
    assert exports.get().actor == auditor and exports.get().address == "10.4.0.4"


# -- Records are written once --------------------------------------------------------------


@pytest.fixture
def event(db) -> AuditEvent:
    return AuditEvent.objects.create(username="someone", kind=AuditEventKind.LOGIN)


@pytest.fixture
def entry(org) -> LogEntry:
    with set_actor(org.office, remote_addr="10.0.0.1"):
        org.branch1.name = "改名"
        org.branch1.save()
    return LogEntry.objects.get_for_object(org.branch1).latest("timestamp")


def test_an_event_cannot_be_changed_or_deleted(event):
    event.detail = "covered up"
    with pytest.raises(ProtectedAuditRecord):
        event.save()
    with pytest.raises(ProtectedAuditRecord):
        event.delete()
    with pytest.raises(ProtectedAuditRecord):
        AuditEvent.objects.filter(pk=event.pk).update(detail="covered up")
    with pytest.raises(ProtectedAuditRecord):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.detail == ""


def test_a_record_of_a_change_cannot_be_changed_or_deleted(entry):
    entry.object_repr = "covered up"
    with pytest.raises(ProtectedAuditRecord):
        entry.save()
    # Django deletes inside the caller's transaction: a savepoint keeps the test's usable.
    with pytest.raises(ProtectedAuditRecord), transaction.atomic():
        entry.delete()
    with pytest.raises(ProtectedAuditRecord), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    assert LogEntry.objects.get(pk=entry.pk).object_repr == "改名"


def test_deleting_a_kind_of_record_does_not_take_its_trail_along(entry):
    """The content type cascades to the entries; the guard stops the cascade."""
    with pytest.raises(ProtectedAuditRecord), transaction.atomic():
        ContentType.objects.get_for_model(Unit).delete()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


# -- The back office -----------------------------------------------------------------------


def admin_urls(entry: LogEntry, event: AuditEvent) -> dict[str, str]:
    return {
        "entries": reverse("admin:auditlog_logentry_changelist"),
        "entry": reverse("admin:auditlog_logentry_change", args=[entry.pk]),
        "entry_delete": reverse("admin:auditlog_logentry_delete", args=[entry.pk]),
        "events": reverse("admin:core_auditevent_changelist"),
        "event": reverse("admin:core_auditevent_change", args=[event.pk]),
        "event_delete": reverse("admin:core_auditevent_delete", args=[event.pk]),
        "event_add": reverse("admin:core_auditevent_add"),
    }


def test_the_audit_administrator_reads_but_cannot_change_in_the_back_office(client, entry, event):
    urls = admin_urls(entry, event)
    client.force_login(UserFactory(admin_duty=AdminDuty.AUDIT, is_staff=True))
    for name in ("entries", "entry", "events", "event"):
        assert client.get(urls[name]).status_code == 200, name
    for name in ("entry_delete", "event_delete", "event_add"):
        assert client.get(urls[name]).status_code == 403, name
    assert client.post(urls["entry_delete"], {"post": "yes"}).status_code == 403
    assert client.post(urls["event"], {"detail": "covered up"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [event.pk]}
    client.post(urls["events"], bulk)
    assert AuditEvent.objects.filter(pk=event.pk, detail="").exists()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_a_superuser_does_not_read_the_trail_in_the_back_office(client, entry, event):
    """三员分立: the system administrator's account is not the auditor's."""
    urls = admin_urls(entry, event)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for name, url in urls.items():
        assert client.get(url).status_code == 403, name
    assert client.post(urls["entry_delete"], {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    index = client.get(reverse("admin:index")).content.decode()
    assert urls["entries"] not in index and urls["events"] not in index


# -- Retention -----------------------------------------------------------------------------


def old_and_new(org, days_old: int) -> tuple[list[int], list[int]]:
    """One record of each kind ``days_old`` days old and one from today: (old, new) ids."""
    then = timezone.now() - dt.timedelta(days=days_old)
    unit_type = ContentType.objects.get_for_model(Unit)
    entries = [
        LogEntry.objects.create(
            content_type=unit_type,
            object_pk=str(org.branch1.pk),
            object_id=org.branch1.pk,
            object_repr=name,
            action=LogEntry.Action.UPDATE,
            changes={"name": ["a", "b"]},
            timestamp=when,
        )
        for name, when in (("old", then), ("new", timezone.now()))
    ]
    events = [
        AuditEvent.objects.create(username=name, kind=AuditEventKind.LOGIN, at=when)
        for name, when in (("old", then), ("new", timezone.now()))
    ]
    return [entries[0].pk, events[0].pk], [entries[1].pk, events[1].pk]


def test_prune_refuses_less_than_the_retention_period(org, settings):
    settings.TAOLUN_AUDIT_RETENTION_DAYS = 180
    (old_entry, old_event), _new = old_and_new(org, days_old=400)
    with pytest.raises(CommandError, match="180"):
        call_command("prune_audit", "--older-than", "179")
    assert LogEntry.objects.filter(pk=old_entry).exists()
    assert AuditEvent.objects.filter(pk=old_event).exists()


def test_prune_follows_a_longer_retention_setting(org, settings):
    settings.TAOLUN_AUDIT_RETENTION_DAYS = 365
    old_and_new(org, days_old=400)
    with pytest.raises(CommandError, match="365"):
        call_command("prune_audit", "--older-than", "200")


def test_prune_removes_only_what_is_older(org, settings):
    settings.TAOLUN_AUDIT_RETENTION_DAYS = 180
    (old_entry, old_event), (new_entry, new_event) = old_and_new(org, days_old=181)
    (kept_entry, kept_event), _ = old_and_new(org, days_old=179)
    call_command("prune_audit", "--older-than", "180")
    assert not LogEntry.objects.filter(pk=old_entry).exists()
    assert not AuditEvent.objects.filter(pk=old_event).exists()
    assert LogEntry.objects.filter(pk__in=[new_entry, kept_entry]).count() == 2
    assert AuditEvent.objects.filter(pk__in=[new_event, kept_event]).count() == 2
