"""The audit trail as the office and the audit administrator read it: changes of records
(django-auditlog's ``LogEntry``) and events (``AuditEvent``: signing in and out, exports,
sensitive views) in one list, newest first, filtered and exported as CSV.

Who reads what (三员分立): the audit administrator reads everything; a campaign office reads
what people of its units did and what happened to their accounts; a system or security
administrator reads nothing here, nor does a superuser without the audit duty (the
superuser is the system administrator's account). Everyone else gets 404.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.core.validators import RegexValidator
from django.db.models import CharField, F, ForeignObjectRel, Model, Q, QuerySet, Value
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from taolun.core.audit_events import record_event
from taolun.core.forms import DateRangeMixin
from taolun.core.models import AuditEvent, AuditEventKind
from taolun.org.models import RoleAssignment, User
from taolun.org.roles import AdminDuty, Role

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
VALUE_CHARS = 200

CHANGE, EVENT = "c", "e"

# The kinds of record change a reader filters by; ACCESS is not recorded here.
CHANGE_KINDS = {
    "create": (LogEntry.Action.CREATE, _("Record created")),
    "update": (LogEntry.Action.UPDATE, _("Record changed")),
    "delete": (LogEntry.Action.DELETE, _("Record deleted")),
}
ACTION_LABELS = {action: label for action, label in CHANGE_KINDS.values()}

# Values that never leave the database, even to an auditor.
SECRET_FIELD_PARTS = ("password", "secret", "digest")


# -- Who reads what ------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditReach:
    """The audit trail a reader may see: everything, or the subtrees of their offices."""

    everything: bool = False
    paths: tuple[str, ...] = ()

    def _people(self) -> QuerySet[User]:
        return User.objects.filter(reduce(or_, (Q(unit__path__startswith=p) for p in self.paths)))

    def _acted_within(self) -> Q:
        return reduce(or_, (Q(actor__unit__path__startswith=p) for p in self.paths))

    def changes(self) -> QuerySet[LogEntry]:
        """Changes made by the office's people, and changes of their accounts."""
        entries = LogEntry.objects.exclude(action=LogEntry.Action.ACCESS)
        if self.everything:
            return entries
        # Who wrote an opinion (anonymous ones too) or cast a satisfaction vote is the audit
        # administrator's to read, never an office's: the change would name them.
        entries = entries.exclude(content_type__in=_secret_ballot_types())
        accounts = Q(
            content_type=ContentType.objects.get_for_model(User),
            object_id__in=self._people().values("pk"),
        )
        return entries.filter(self._acted_within() | accounts)

    def events(self) -> QuerySet[AuditEvent]:
        """Events of the office's people, and attempts on their accounts by no one signed in."""
        if self.everything:
            return AuditEvent.objects.all()
        typed = Q(actor__isnull=True, username__in=self._people().values("username"))
        return AuditEvent.objects.filter(self._acted_within() | typed)


def _secret_ballot_types() -> list[ContentType]:
    from taolun.discussion.models import Opinion
    from taolun.rectification.models import SatisfactionVote

    return list(ContentType.objects.get_for_models(Opinion, SatisfactionVote).values())


def may_read_audit(user: User, roles) -> bool:
    """``audit_reach``'s rule from role assignments already loaded (the home page's)."""
    if user.admin_duty == AdminDuty.AUDIT:
        return True
    if user.admin_duty or user.is_superuser:
        return False
    return any(assignment.role == Role.OFFICE for assignment in roles)


def audit_reach(user: User) -> AuditReach | None:
    """What ``user`` may read of the audit trail; None when nothing (the page answers 404)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.admin_duty == AdminDuty.AUDIT:
        return AuditReach(everything=True)
    if user.admin_duty or user.is_superuser:
        return None
    paths = sorted(
        set(
            RoleAssignment.objects.filter(user=user, role=Role.OFFICE).values_list(
                "unit__path", flat=True
            )
        )
    )
    kept: list[str] = []
    for path in paths:
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return AuditReach(paths=tuple(kept)) if kept else None


def get_audit_reach(user: User) -> AuditReach:
    """The reader's reach, or 404: the page's existence is not told to those who may not."""
    reach = audit_reach(user)
    if reach is None:
        raise Http404
    return reach


# -- Filters -------------------------------------------------------------------------------

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


def _record_types() -> list[tuple[str, str]]:
    """The kinds of record whose changes are written down, by name."""
    models = sorted(auditlog.get_models(), key=lambda m: str(m._meta.verbose_name))
    return [(m._meta.label_lower, capfirst(str(m._meta.verbose_name))) for m in models]


def _kind_choices() -> list:
    return [
        ("", _("Any")),
        (_("Records"), [(code, label) for code, (_action, label) in CHANGE_KINDS.items()]),
        (_("Events"), list(AuditEventKind.choices)),
    ]


class AuditFilterForm(DateRangeMixin, forms.Form):
    """The list's filters from the query string; a wrong value is named, never ignored."""

    person = forms.CharField(
        label=_("Person"),
        help_text=_("A name or user name, or part of one."),
        max_length=150,
        required=False,
        widget=forms.TextInput(_TEXT),
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("audit", "What happened"),
        required=False,
        widget=forms.Select(_SELECT),
    )
    record_type = forms.ChoiceField(
        label=_("Record type"), required=False, widget=forms.Select(_SELECT)
    )
    date_from = forms.DateField(
        label=_("From (date)"),
        required=False,
        widget=forms.DateInput({**_TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To (date)"),
        required=False,
        widget=forms.DateInput({**_TEXT, "type": "date"}, format="%Y-%m-%d"),
    )
    address = forms.CharField(
        label=pgettext_lazy("audit", "Address"),
        help_text=_("An IP address or its beginning, e.g. 10.1."),
        max_length=45,
        required=False,
        validators=[
            RegexValidator(
                r"^[0-9A-Fa-f.:]+$",
                _("Enter an IP address or its beginning: digits, dots and colons only."),
            )
        ],
        widget=forms.TextInput(_TEXT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices()
        self.fields["record_type"].choices = [("", _("Any")), *_record_types()]

    @property
    def filtered(self) -> bool:
        return self.is_bound and any(self.cleaned_data.get(name) for name in self.fields)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _narrow(qs: QuerySet | None, condition: Q) -> QuerySet | None:
    return qs.filter(condition) if qs is not None else None


def filter_trail(
    reach: AuditReach, data: dict[str, Any]
) -> tuple[QuerySet[LogEntry] | None, QuerySet[AuditEvent] | None]:
    """The reader's changes and events narrowed by the filters; None for a side a filter
    rules out (a record type has no events, a sign-in is no change of a record)."""
    changes: QuerySet[LogEntry] | None = reach.changes()
    events: QuerySet[AuditEvent] | None = reach.events()
    kind = data.get("kind") or ""
    if kind in CHANGE_KINDS:
        changes, events = _narrow(changes, Q(action=CHANGE_KINDS[kind][0])), None
    elif kind:
        changes, events = None, _narrow(events, Q(kind=kind))
    if record_type := data.get("record_type"):
        app_label, model_name = record_type.split(".")
        type_q = Q(content_type__app_label=app_label, content_type__model=model_name)
        changes, events = _narrow(changes, type_q), None
    if person := (data.get("person") or "").strip():
        by_actor = Q(actor__username__icontains=person) | Q(actor__name__icontains=person)
        changes = _narrow(changes, by_actor)
        events = _narrow(events, by_actor | Q(username__icontains=person))
    if start := data.get("date_from"):
        since = _day_start(start)
        changes, events = (
            _narrow(changes, Q(timestamp__gte=since)),
            _narrow(events, Q(at__gte=since)),
        )
    if end := data.get("date_to"):
        until = _day_start(end + dt.timedelta(days=1))
        changes, events = _narrow(changes, Q(timestamp__lt=until)), _narrow(events, Q(at__lt=until))
    if address := data.get("address"):
        changes = _narrow(changes, Q(remote_addr__startswith=address))
        events = _narrow(events, Q(address__startswith=address))
    return changes, events


def merged_keys(
    changes: QuerySet[LogEntry] | None, events: QuerySet[AuditEvent] | None
) -> QuerySet:
    """Both lists as one, newest first: (source, id, moment) rows, read by the page's slice."""
    sides = []
    if changes is not None:
        sides.append(
            changes.annotate(
                src=Value(CHANGE, output_field=CharField()), ref=F("pk"), moment=F("timestamp")
            ).values("src", "ref", "moment")
        )
    if events is not None:
        sides.append(
            events.annotate(
                src=Value(EVENT, output_field=CharField()), ref=F("pk"), moment=F("at")
            ).values("src", "ref", "moment")
        )
    if not sides:
        return AuditEvent.objects.none().values("pk")
    if len(sides) == 1:
        return sides[0].order_by("-moment", "-ref")
    changes_keys, events_keys = (side.order_by() for side in sides)
    return changes_keys.union(events_keys, all=True).order_by("-moment", "-ref")


# -- Rows as the page shows them -----------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class AuditRow:
    at: dt.datetime
    actor: User | None
    username: str
    what: str
    record_type: str = ""
    record: str = ""
    address: str = ""
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def who(self) -> str:
        if self.actor is not None:
            return self.actor.name or self.actor.username
        return self.username

    @property
    def account(self) -> str:
        return self.actor.username if self.actor is not None else self.username

    def changes_text(self) -> str:
        return "; ".join(f"{c.label}: {c.before} → {c.after}" for c in self.changes)


def _is_secret(name: str) -> bool:
    return any(part in name.lower() for part in SECRET_FIELD_PARTS)


def _foreign_key(model: type[Model] | None, name: str):
    if model is None:
        return None
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(model_field, ForeignObjectRel):
        return None
    return model_field if model_field.many_to_one or model_field.one_to_one else None


def _pairs(entry: LogEntry) -> Iterator[tuple[str, Any]]:
    changes = entry.changes_dict or {}
    return iter(changes.items()) if isinstance(changes, dict) else iter(())


def _names_of_related(entries: Iterable[LogEntry]) -> dict[type[Model], dict[str, str]]:
    """The name of each object a foreign key of the page's changes points to: one query per
    kind of object, by its name-like columns, never by ``str()`` (which may query again)."""
    wanted: dict[type[Model], set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in _pairs(entry):
            fk = _foreign_key(model, name)
            if fk is None or not isinstance(values, list | tuple):
                continue
            wanted[fk.related_model].update(str(v) for v in values if v not in (None, "None"))
    names: dict[type[Model], dict[str, str]] = {}
    for related, keys in wanted.items():
        columns = [
            c for c in ("name", "title", "username") if _has_field(related, c) and not _is_secret(c)
        ]
        pk_field = related._meta.pk
        pks = []
        for key in keys:
            try:
                pks.append(pk_field.to_python(key))
            except ValidationError:  # a key of an older type: shown as it was written
                continue
        found: dict[str, str] = {}
        if columns and pks:
            for pk, *labels in related._base_manager.filter(pk__in=pks).values_list("pk", *columns):
                found[str(pk)] = next((str(label) for label in labels if label), str(pk))
        names[related] = found
    return names


def _has_field(model: type[Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _shown(value: Any, model_field, related_names: dict[str, str] | None) -> str:
    if value is None or value == "None" or value == "":
        return "—"
    text = str(value)
    if related_names is not None:
        text = related_names.get(text, f"#{text}")
    elif model_field is not None and getattr(model_field, "flatchoices", None):
        labels = {str(key): label for key, label in model_field.flatchoices}
        text = str(labels.get(text, text))
    elif text in ("True", "False"):
        text = _g("Yes") if text == "True" else _g("No")
    return Truncator(text).chars(VALUE_CHARS)


def describe_change(entry: LogEntry, names: dict[type[Model], dict[str, str]]) -> list[FieldChange]:
    """Each changed field by its name in the reader's language, as before → after."""
    model = entry.content_type.model_class()
    described = []
    for name, values in _pairs(entry):
        model_field = None
        if model is not None:
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                model_field = None
        if isinstance(model_field, ForeignObjectRel):
            continue  # another record's link to this one, written as "app.Model.None"
        label = capfirst(str(getattr(model_field, "verbose_name", name)))
        if _is_secret(name):
            described.append(FieldChange(label, "***", "***"))
        elif isinstance(values, dict) and values.get("type") == "m2m":
            objects = ", ".join(str(o) for o in values.get("objects", []))
            if values.get("operation") == "delete":
                described.append(FieldChange(label, objects, "—"))
            else:
                described.append(FieldChange(label, "—", objects))
        elif isinstance(values, list | tuple) and len(values) == 2:
            fk = _foreign_key(model, name)
            related = names.get(fk.related_model, {}) if fk is not None else None
            before, after = (_shown(v, model_field, related) for v in values)
            described.append(FieldChange(label, before, after))
    return described


def _record_type(entry: LogEntry) -> str:
    model = entry.content_type.model_class()
    if model is None:
        return entry.content_type.model
    return capfirst(str(model._meta.verbose_name))


def hydrate(keys: Iterable[dict[str, Any]]) -> list[AuditRow]:
    """The page's rows from their keys: one query per source, one per kind of related
    object named in the changes, whatever the number of rows."""
    keys = list(keys)
    change_ids = [k["ref"] for k in keys if k["src"] == CHANGE]
    event_ids = [k["ref"] for k in keys if k["src"] == EVENT]
    entries = (
        LogEntry.objects.select_related("actor", "content_type").in_bulk(change_ids)
        if change_ids
        else {}
    )
    events = AuditEvent.objects.select_related("actor").in_bulk(event_ids) if event_ids else {}
    names = _names_of_related(entries.values())
    rows = []
    for key in keys:
        if key["src"] == CHANGE and key["ref"] in entries:
            entry = entries[key["ref"]]
            rows.append(
                AuditRow(
                    at=entry.timestamp,
                    actor=entry.actor,
                    # auditlog keeps the e-mail address of an account deleted since.
                    username=entry.actor.username if entry.actor else (entry.actor_email or ""),
                    what=str(ACTION_LABELS.get(entry.action, entry.get_action_display())),
                    record_type=_record_type(entry),
                    record=entry.object_repr,
                    address=entry.remote_addr or "",
                    changes=describe_change(entry, names),
                )
            )
        elif key["src"] == EVENT and key["ref"] in events:
            event = events[key["ref"]]
            rows.append(
                AuditRow(
                    at=event.at,
                    actor=event.actor,
                    username=event.username,
                    what=event.get_kind_display(),
                    record=" ".join(part for part in (event.path, event.detail) if part),
                    address=event.address or "",
                )
            )
    return rows


# -- Pages ---------------------------------------------------------------------------------


def _trail(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet | None]:
    reach = get_audit_reach(request.user)
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    return form, merged_keys(*filter_trail(reach, data))


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit trail in the reader's reach; reading it is itself written down."""
    form, keys = _trail(request)
    page: Page | None = None
    if keys is not None:
        page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = hydrate(page.object_list)
    record_event(request, AuditEventKind.SENSITIVE_VIEW, detail="audit trail")
    return render(
        request,
        "core/audit_list.html",
        {
            "form": form,
            "page_obj": page,
            "filtered": form.is_bound and form.is_valid() and form.filtered,
            "query": request.GET.urlencode(),
        },
    )


CSV_HEADER = (
    _("When"),
    _("Who"),
    _("User name"),
    pgettext_lazy("audit", "What happened"),
    _("Record type"),
    _("Record"),
    pgettext_lazy("audit", "Address"),
    _("Before → after"),
)


def _cell(value: str) -> str:
    """Text a spreadsheet would run as a formula is kept as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(keys: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(h) for h in CSV_HEADER])
    offset = 0
    while True:
        chunk = list(keys[offset : offset + EXPORT_CHUNK])
        if not chunk:
            return
        for row in hydrate(chunk):
            yield writer.writerow(
                [
                    _cell(value)
                    for value in (
                        timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                        row.who,
                        row.account,
                        row.what,
                        row.record_type,
                        row.record,
                        row.address,
                        row.changes_text(),
                    )
                ]
            )
        offset += EXPORT_CHUNK


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV (UTF-8 with a BOM, for Excel); as an attachment the export
    middleware writes it to the audit trail."""
    _form, keys = _trail(request)
    if keys is None:
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")
    response = StreamingHttpResponse(_csv_lines(keys), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
