"""Optimistic concurrency for edit forms: a stale edit is refused and nothing is overwritten.

An edit form carries, hidden, the version of the row its editor started from. The save
locks the row, reads its version again and compares inside the same transaction as the
write, so when two people edit the same problem or brief the second learns that the
first saved instead of silently undoing their work. A version is read from what every
save already changes (``updated_at``, and the rows the form edits with it), so no model
needs a counter of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.formats import date_format

M = TypeVar("M", bound=Model)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def stamp(moment: dt.datetime | None) -> str:
    """A moment as whole microseconds since 1970: the same text whatever its time zone."""
    if moment is None:
        return ""
    return str((moment - _EPOCH) // dt.timedelta(microseconds=1))


def digest(rows: Iterable[Any]) -> str:
    """A short fingerprint of rows that change without touching their parent's row."""
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


class VersionField(forms.CharField):
    """The version the editor started from, sent back with the form.

    Not required: a form without it (opened before this field existed) is answered as
    stale by ``check_version``, which is the safe reading of "we do not know".
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)


@dataclass(frozen=True)
class StaleEdit:
    """Why a save was refused: the version now, and who changed the row last and when.

    ``missing`` means the form sent no version at all; ``actor`` and ``at`` are None
    when the audit log does not know.
    """

    current: str
    missing: bool
    actor: Any = None
    at: dt.datetime | None = None

    @property
    def actor_name(self) -> str:
        if self.actor is None:
            return ""
        return getattr(self.actor, "name", "") or self.actor.get_username()

    @property
    def when(self) -> str:
        """The time of the change; with the date when it was not today."""
        if self.at is None:
            return ""
        moment = timezone.localtime(self.at)
        if moment.date() == timezone.localdate():
            return date_format(moment, "H:i")
        return date_format(moment, "Y-m-d H:i")


def last_change(targets: Iterable[tuple[type[Model], Iterable[Any]]]) -> LogEntry | None:
    """The newest audit entry on any of the given rows (model, primary keys)."""
    condition = Q()
    for model, pks in targets:
        keys = [pk for pk in pks if pk is not None]
        if keys:
            content_type = ContentType.objects.get_for_model(model)
            condition |= Q(content_type=content_type, object_id__in=keys)
    if not condition:
        return None
    return (
        LogEntry.objects.filter(condition)
        .select_related("actor")
        .order_by("-timestamp", "-id")
        .first()
    )


def check_version(
    obj: M,
    sent: str | None,
    *,
    version: Callable[[M], str],
    audited_rows: Callable[[M], Iterable[tuple[type[Model], Iterable[Any]]]] | None = None,
) -> StaleEdit | None:
    """Lock ``obj``'s row and compare its version with ``sent``; None when they agree.

    Call inside the transaction that writes, so that nobody saves between the check and
    the write. ``audited_rows`` names the rows whose audit entries say who changed it.
    """
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    current = version(locked)
    if sent and sent == current:
        return None
    if not sent:
        return StaleEdit(current=current, missing=True)
    rows = audited_rows(locked) if audited_rows else [(type(obj), [obj.pk])]
    entry = last_change(rows)
    if entry is None:
        return StaleEdit(current=current, missing=False, at=getattr(locked, "updated_at", None))
    return StaleEdit(current=current, missing=False, actor=entry.actor, at=entry.timestamp)
