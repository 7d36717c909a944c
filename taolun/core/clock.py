"""The one clock the platform reads: every status that depends on "today" asks here.

Tests move through a campaign with ``clock.travel(date)``; a demo can pin a date
with the TAOLUN_TODAY setting (YYYY-MM-DD).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

_frozen: dt.date | None = None


def today() -> dt.date:
    if _frozen is not None:
        return _frozen
    if settings.TAOLUN_TODAY:
        return dt.date.fromisoformat(settings.TAOLUN_TODAY)
    return timezone.localdate()


def now() -> dt.datetime:
    """The current moment on ``today()``: the wall clock's time of day on the pinned day,
    so what a demo or a test writes on a pinned day is dated that day."""
    current = timezone.localtime()
    day = today()
    if day == current.date():
        return current
    return current.replace(year=day.year, month=day.month, day=day.day)


@contextlib.contextmanager
def travel(day: dt.date) -> Iterator[dt.date]:
    """Make ``today()`` answer ``day`` inside the block."""
    global _frozen
    previous, _frozen = _frozen, day
    try:
        yield day
    finally:
        _frozen = previous
