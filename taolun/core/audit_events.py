"""Events written to the audit trail that are not changes of a record: signing in and out,
failed attempts and lockouts, exports and downloads, views of sensitive data; and the guard
that keeps django-auditlog's records of changes as written."""

from __future__ import annotations

from auditlog.models import LogEntry
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from taolun.core.models import AuditEvent, AuditEventKind, ProtectedAuditRecord


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the web server saw it (``REMOTE_ADDR``; a proxy in front
    sets it with ``X-Real-IP`` in the deployment's nginx, see docs/deploy.md)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    request: HttpRequest | None,
    kind: AuditEventKind | str,
    *,
    actor=None,
    username: str = "",
    detail: str = "",
) -> AuditEvent:
    """Write one event; the actor defaults to the request's signed-in person."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        username=(username or getattr(actor, "username", ""))[:150],
        kind=kind,
        address=client_address(request),
        path=(request.get_full_path() if request is not None else "")[:500],
        detail=detail[:500],
    )


@receiver(user_logged_in, dispatch_uid="taolun.audit.logged_in")
def _logged_in(sender, request, user, **kwargs) -> None:
    record_event(request, AuditEventKind.LOGIN, actor=user)


@receiver(user_logged_out, dispatch_uid="taolun.audit.logged_out")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_event(request, AuditEventKind.LOGOUT, actor=user)


@receiver(user_login_failed, dispatch_uid="taolun.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    record_event(
        request, AuditEventKind.LOGIN_FAILED, username=str(credentials.get("username", ""))
    )


@receiver(user_locked_out, dispatch_uid="taolun.audit.locked_out")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    record_event(request, AuditEventKind.LOCKED_OUT, username=str(username or ""))


@receiver(pre_save, sender=LogEntry, dispatch_uid="taolun.audit.log_entry_written_once")
def _log_entry_written_once(sender, instance, raw=False, **kwargs) -> None:
    """auditlog writes a record of a change once; nothing saves it again."""
    if not instance._state.adding:
        raise ProtectedAuditRecord("records of changes are never changed")


@receiver(pre_delete, sender=LogEntry, dispatch_uid="taolun.audit.log_entry_kept")
def _log_entry_kept(sender, instance, **kwargs) -> None:
    """Deleting through the ORM (one record, a queryset, a cascade) sends this for each
    record; only ``prune_audit`` removes records, past the retention period, by raw SQL."""
    raise ProtectedAuditRecord("records of changes leave only through prune_audit")
