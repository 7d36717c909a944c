"""Every saved text is read again after its transaction commits.

The derived rows must follow every way a text is written (services, imports, the API, the
admin), so one receiver per source model listens here rather than a call in each service.
The task is queued on commit: a rolled-back save queues nothing, and the task reads the
committed row.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from taolun.textmine import indexing
from taolun.textmine.sources import SOURCES, source_for


def _saved(sender: type[models.Model], instance: models.Model, raw: bool = False, **_: Any) -> None:
    if raw:  # loaddata: fixtures are rebuilt in bulk afterwards
        return
    from taolun.textmine.tasks import refresh_text

    transaction.on_commit(partial(refresh_text.enqueue, sender._meta.label, instance.pk))


def _deleted(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    source = source_for(sender)
    if source is not None:
        indexing.forget(source.content_type(), instance.pk)


def connect() -> None:
    for source in SOURCES:
        uid = f"textmine:{source.label}"
        post_save.connect(_saved, sender=source.model, dispatch_uid=uid, weak=False)
        post_delete.connect(_deleted, sender=source.model, dispatch_uid=uid, weak=False)
