"""The recycle bin: business records deleted through the application are kept whole, with
the rows that went with them, so that the campaign office can put them back.

``recycle`` writes the rows a delete removes into a ``RecycledRecord`` (Django's
serialisation, parents first) and then deletes, in one transaction; ``restore`` loads the
same rows again with their own ids, or refuses with a message when something they point to
is gone or their place is taken; ``purge`` drops what has stayed past the retention period,
and only then the files. The bin is scoped like the pages: by the path of the unit the
record belonged to, read by the offices over it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.admin.utils import NestedObjects
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.models import RecycledRecord
from taolun.org.models import Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import scope_for

REPR_LENGTH = RecycledRecord._meta.get_field("object_repr").max_length


def retention_days() -> int:
    return int(getattr(settings, "TAOLUN_RECYCLE_DAYS", 90))


# ---------------------------------------------------------------- who reaches the bin


def bin_paths(user: User | None) -> tuple[str, ...]:
    """The subtrees whose deleted records ``user`` reads and restores: their offices'.

    Only the campaign office: restoring is its work, not the system administrator's (a
    superuser holds no office and reaches nothing here, as with the audit trail).
    """
    return scope_for(user).paths_for([Role.OFFICE])


def _within(paths: Sequence[str]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(unit_path__startswith=path)
    return q


def recycled_for_user(user: User) -> QuerySet[RecycledRecord]:
    """The records deleted within the user's offices' subtrees, newest first; 404 for
    someone who holds no office (the bin's existence is not told)."""
    paths = bin_paths(user)
    if not paths:
        raise Http404
    return RecycledRecord.objects.filter(_within(paths)).order_by("-deleted_at", "-id")


def get_recycled_for_user(user: User, pk: int) -> RecycledRecord:
    """One deleted record, or 404 when it does not exist or lies outside the user's bin."""
    record = (
        recycled_for_user(user)
        .select_related("content_type", "deleted_by", "restored_by", "unit")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404
    return record


def may_restore(user: User, record: RecycledRecord) -> bool:
    return any(record.unit_path.startswith(path) for path in bin_paths(user))


def kinds_in(records: QuerySet[RecycledRecord]) -> list[ContentType]:
    """The kinds of record present in ``records``, by name, for the bin's filter."""
    ids = records.order_by().values_list("content_type", flat=True).distinct()
    kinds = [ContentType.objects.get_for_id(pk) for pk in ids]
    return sorted(kinds, key=kind_name)


def kind_name(content_type: ContentType) -> str:
    model = content_type.model_class()
    return capfirst(str(model._meta.verbose_name)) if model else content_type.model


# ---------------------------------------------------------------- into the bin


def _parents_first(kinds: Sequence[type[models.Model]]) -> list[type[models.Model]]:
    """``kinds`` ordered so that each comes after the kinds its foreign keys point to.

    The collector's own order cannot serve: where the database defers its constraint
    checks (SQLite, PostgreSQL) it records no dependencies at all. A cycle keeps the order
    found, which the deferred checks accept.
    """
    concrete = {kind._meta.concrete_model for kind in kinds}
    needs = {
        kind: {
            field.related_model._meta.concrete_model
            for field in kind._meta.concrete_fields
            if field.is_relation and field.related_model._meta.concrete_model in concrete
        }
        - {kind._meta.concrete_model}
        for kind in kinds
    }
    ordered: list[type[models.Model]] = []
    placed: set[type[models.Model]] = set()
    while len(ordered) < len(kinds):
        ready = [k for k in kinds if k not in ordered and needs[k] <= placed]
        if not ready:
            ordered.extend(k for k in kinds if k not in ordered)
            break
        ordered.extend(ready)
        placed.update(k._meta.concrete_model for k in ready)
    return ordered


def _rows_deleted_with(obj: models.Model, using: str) -> list[dict[str, Any]]:
    """Every row deleting ``obj`` removes, serialised, parents before children.

    ``NestedObjects`` loads each row (no fast deletes that would skip one). The ids are
    kept and no natural keys used: the rows come back as they were.
    """
    collector = NestedObjects(using=using, origin=obj)
    collector.collect([obj])
    rows: list[dict[str, Any]] = []
    for kind in _parents_first(list(collector.data)):
        ordered = sorted(collector.data[kind], key=lambda o: o.pk)
        rows.extend(json.loads(serializers.serialize("json", ordered)))
    return rows


def recycle(obj: models.Model, *, actor: User, unit: Unit) -> RecycledRecord:
    """Delete ``obj`` (and what goes with it) into the recycle bin of ``unit``'s offices.

    The caller has checked that ``actor`` may delete it. Stored files stay where they are
    while the record is in the bin (deleting a row never removes its file): ``purge`` does
    that once the record leaves for good.
    """
    using = router.db_for_write(type(obj), instance=obj)
    with transaction.atomic(using=using), audited(actor):
        entry = RecycledRecord.objects.create(
            deleted_at=clock.now(),
            deleted_by=actor,
            content_type=ContentType.objects.get_for_model(obj),
            object_pk=str(obj.pk),
            object_repr=str(obj)[:REPR_LENGTH],
            unit=unit,
            unit_path=unit.path,
            payload=_rows_deleted_with(obj, using),
        )
        obj.delete()
    return entry


# ---------------------------------------------------------------- back out of the bin


def _refuse(record: RecycledRecord, reason: str) -> ValidationError:
    return ValidationError(
        _("“%(record)s” cannot be restored: %(reason)s")
        % {"record": record.object_repr, "reason": reason}
    )


def _deserialise(record: RecycledRecord) -> list[DeserializedObject]:
    try:
        return list(serializers.deserialize("python", record.payload))
    except DeserializationError as exc:
        raise _refuse(record, _("its rows no longer fit the application's records.")) from exc


def _check_places_free(record: RecycledRecord, objects: Iterable[DeserializedObject]) -> None:
    by_model: dict[type[models.Model], set[Any]] = defaultdict(set)
    for each in objects:
        by_model[type(each.object)].add(each.object.pk)
    for model, pks in by_model.items():
        if model._base_manager.filter(pk__in=pks).exists():
            raise _refuse(
                record,
                _("a %(kind)s with the same number exists already.")
                % {"kind": model._meta.verbose_name},
            )


def _links(each: DeserializedObject) -> Iterable[tuple[models.Field, Any]]:
    """(field, value) for every record the row points to: foreign keys and many-to-many."""
    obj = each.object
    for field in obj._meta.concrete_fields:
        if field.many_to_one or field.one_to_one:
            value = getattr(obj, field.attname)
            if value is not None:
                yield field, value
    for name, values in (each.m2m_data or {}).items():
        field = obj._meta.get_field(name)
        for value in values:
            yield field, value


def _check_links(record: RecycledRecord, objects: Sequence[DeserializedObject]) -> None:
    """Refuse, naming it, when a record the rows point to has been deleted meanwhile (its
    unit, its campaign …) and is not among the rows themselves."""
    coming = {(type(o.object)._meta.concrete_model, o.object.pk) for o in objects}
    wanted: dict[tuple[type[models.Model], str], dict[Any, models.Field]] = defaultdict(dict)
    for each in objects:
        for field, value in _links(each):
            target = field.related_model._meta.concrete_model
            target_field = field.target_field if not field.many_to_many else target._meta.pk
            if target_field.primary_key and (target, value) in coming:
                continue
            wanted[(target, target_field.attname)].setdefault(value, field)
    for (target, attname), fields in wanted.items():
        found = set(
            target._base_manager.filter(**{f"{attname}__in": list(fields)}).values_list(
                attname, flat=True
            )
        )
        for value, field in fields.items():
            if value not in found:
                raise _refuse(
                    record,
                    _("the %(what)s it belongs to (no. %(pk)s) has been deleted since.")
                    % {"what": field.verbose_name, "pk": value},
                )


def _check_constraints(record: RecycledRecord, objects: Iterable[DeserializedObject]) -> None:
    """Refuse when a row would clash with one written since (the same number in its list)."""
    for each in objects:
        try:
            each.object.validate_unique(exclude=[each.object._meta.pk.name])
            each.object.validate_constraints()
        except ValidationError as exc:
            raise _refuse(record, " ".join(exc.messages)) from exc


def _load(record: RecycledRecord, objects: Sequence[DeserializedObject], using: str) -> None:
    """Save the rows as they were (a raw save, like ``loaddata``) and check their links now
    rather than at the commit, so that a violation the checks above missed is still refused
    with a message. Many-to-many links come back as their own rows (the deletion took
    them), not again through the field."""
    tables = {type(each.object)._meta.db_table for each in objects}
    try:
        with transaction.atomic(using=using):
            for each in objects:
                each.save(save_m2m=False, using=using)
            connections[using].check_constraints(table_names=sorted(tables))
    except IntegrityError as exc:
        raise _refuse(record, _("a record it needs is missing or its place is taken.")) from exc


@transaction.atomic
def restore(record: RecycledRecord, *, actor: User) -> RecycledRecord:
    """Put a deleted record back with its own ids and the rows that went with it, then bring
    the figures kept from them up to date (search index, status cells …).

    Refused, changing nothing, when it was restored already, when something it points to
    has been deleted since, or when its place is taken.
    """
    record = RecycledRecord.objects.select_for_update().get(pk=record.pk)
    if not may_restore(actor, record):
        raise PermissionDenied
    if record.restored_at is not None:
        raise _refuse(record, _("it was restored already."))
    objects = _deserialise(record)
    using = router.db_for_write(RecycledRecord, instance=record)
    _check_places_free(record, objects)
    _check_links(record, objects)
    _check_constraints(record, objects)
    with audited(actor):
        _load(record, objects, using)
        record.restored_at = clock.now()
        record.restored_by = actor
        record.save(update_fields=["restored_at", "restored_by"])
        _refresh_derived([each.object for each in objects])
    return record


# ---------------------------------------------------------------- what is kept in step


def _refresh_texts(label: str, rows: list[models.Model]) -> None:
    """The text side reads a text when it is saved, but not on a raw save (``loaddata``):
    read the restored ones once the restore has committed."""
    from taolun.textmine.tasks import refresh_texts

    pks = [row.pk for row in rows]
    transaction.on_commit(partial(refresh_texts.enqueue, label, pks))


def _refresh_action_status(_label: str, rows: list[models.Model]) -> None:
    from taolun.activities.services import status_refresh

    for unit_id, action_id in {(row.unit_id, row.action_id) for row in rows}:
        status_refresh(unit_id=unit_id, action_id=action_id)


def _tag_finding_history(_label: str, rows: list[models.Model]) -> None:
    """As ``finding_add`` does: the finding's entries carry their inspection, so that its
    page lists the restore too."""
    from auditlog.models import LogEntry

    content_type = ContentType.objects.get_for_model(rows[0])
    for row in rows:
        LogEntry.objects.filter(
            content_type=content_type, object_id=row.pk, additional_data__isnull=True
        ).update(additional_data={"inspection": row.inspection_id})


def _refreshers() -> dict[str, list[Callable[[str, list[models.Model]], None]]]:
    """What each kind of row needs after a restore; the services do the same after a save."""
    from taolun.textmine.sources import SOURCES

    found: dict[str, list[Callable[[str, list[models.Model]], None]]] = defaultdict(list)
    for source in SOURCES:
        found[source.label].append(_refresh_texts)
    found["activities.ActivityRecord"].append(_refresh_action_status)
    found["supervision.Finding"].append(_tag_finding_history)
    return found


def _refresh_derived(rows: Iterable[models.Model]) -> None:
    by_label: dict[str, list[models.Model]] = defaultdict(list)
    for row in rows:
        by_label[row._meta.label].append(row)
    refreshers = _refreshers()
    for label, kept in by_label.items():
        for refresh in refreshers.get(label, ()):
            refresh(label, kept)


# ---------------------------------------------------------------- out for good


def _stored_files(record: RecycledRecord) -> list[tuple[Any, str]]:
    """(storage, name) of each file the rows kept that no live row uses."""
    files = []
    for row in record.payload:
        try:
            model = apps.get_model(row["model"])
        except (LookupError, KeyError, ValueError):
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            name = (row.get("fields") or {}).get(field.name)
            if name and not model._base_manager.filter(**{field.name: name}).exists():
                files.append((field.storage, name))
    return files


def purge(older_than_days: int | None = None) -> int:
    """Delete the bin's records older than ``older_than_days`` (the retention period by
    default) and, once each is gone, the files only it still kept; returns how many went.

    A restored record's rows are live again: its entry goes, its files stay.
    """
    days = retention_days() if older_than_days is None else older_than_days
    if days < 0:
        raise ValueError("the number of days cannot be negative")
    cutoff = clock.now() - dt.timedelta(days=days)
    total = 0
    for pk in RecycledRecord.objects.filter(deleted_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            record = RecycledRecord.objects.select_for_update().filter(pk=pk).first()
            if record is None:
                continue
            files = _stored_files(record) if record.restored_at is None else []
            record.delete()
            for storage, name in files:
                transaction.on_commit(partial(storage.delete, name))
            total += 1
    return total
