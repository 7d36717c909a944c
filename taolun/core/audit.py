"""Every business change is written under a known actor (django-auditlog)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from auditlog.context import auditlog_value, set_actor
from django.db.models.signals import pre_save


def _is_live(context: dict | None) -> bool:
    """True while the audit context that set ``context`` is still in force.

    auditlog leaves its last context in the context variable after a request ends;
    only a context whose receiver is still connected names the current actor.
    """
    if not context or context.get("actor") is None:
        return False
    duid = context.get("signal_duid")
    return any(lookup[0] == duid for lookup, *_rest in pre_save.receivers)


@contextlib.contextmanager
def audited(actor) -> Iterator[None]:
    """Attribute the changes in the block to ``actor``.

    Inside a request the audit middleware has already named the actor (with the
    client address); commands, tasks and requests without a session (the API's tokens)
    have no such context, so set one here, and give back the one found afterwards: the
    middleware reads its own when the request ends.
    """
    try:
        current = auditlog_value.get()
    except LookupError:
        current = None
    if _is_live(current):
        yield
        return
    try:
        with set_actor(actor):
            yield
    finally:
        auditlog_value.set(current if current is not None else {})
