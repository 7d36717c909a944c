"""Every business change is written under a known actor (django-auditlog)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from auditlog.context import auditlog_value, set_actor


@contextlib.contextmanager
def audited(actor) -> Iterator[None]:
    """Attribute the changes in the block to ``actor``.

    Inside a request the audit middleware has already named the actor (with the
    client address); commands and tasks have no such context, so set one here.
    """
    try:
        current = auditlog_value.get()
    except LookupError:
        current = None
    if current and current.get("actor") is not None:
        yield
        return
    try:
        with set_actor(actor):
            yield
    finally:
        auditlog_value.set({})
