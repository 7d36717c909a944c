"""An object's audit trail as its page shows it: who did what when, the changed fields
named in the reader's language, a state move as "before → after"."""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, TextChoices
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# auditlog ships no Chinese: name the kind of change in our own catalogue.
AUDIT_ACTIONS = {
    LogEntry.Action.CREATE: _("created"),
    LogEntry.Action.UPDATE: _("changed"),
    LogEntry.Action.DELETE: _("deleted"),
    LogEntry.Action.ACCESS: _("viewed"),
}


@dataclass(frozen=True)
class HistoryRow:
    entry: LogEntry
    changes: list[str]

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTIONS.get(self.entry.action, self.entry.get_action_display()))


def describe_changes(
    entry: LogEntry,
    model: type[Model],
    *,
    hidden: frozenset[str],
    state_field: str | None = None,
    states: type[TextChoices] | None = None,
) -> list[str]:
    """Name the changed fields (and the state move); a creation needs no list."""
    if entry.action == LogEntry.Action.CREATE:
        return []
    described = []
    for name, values in (entry.changes_dict or {}).items():
        if name in hidden:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        label = capfirst(str(getattr(field, "verbose_name", name)))
        if name == state_field and isinstance(values, list | tuple) and len(values) == 2:
            before, after = (_label(states, v) for v in values)
            described.append(f"{label}: {before} → {after}" if before else f"{label}: {after}")
        else:
            described.append(label)
    return described


def _label(states: type[TextChoices] | None, value: str | None) -> str:
    try:
        return str(states(value).label) if states is not None else (value or "")
    except ValueError:
        return ""


def object_history(
    obj: Model,
    *,
    hidden: frozenset[str],
    state_field: str | None = None,
    states: type[TextChoices] | None = None,
) -> list[HistoryRow]:
    """The object's audit trail in one query, described without further lookups."""
    meta = obj._meta
    entries = (
        LogEntry.objects.filter(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id=obj.pk,
        )
        .select_related("actor")
        .order_by("timestamp", "id")
    )
    model = type(obj)
    return [
        HistoryRow(
            entry=e,
            changes=describe_changes(
                e, model, hidden=hidden, state_field=state_field, states=states
            ),
        )
        for e in entries
    ]
