"""The recycle bin as the campaign office reads it: the records deleted within its units,
newest first, filtered by kind and date, each put back after a confirmation.

Everyone who holds no office gets 404, as does a record outside the reader's subtrees.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from taolun.core.forms import DateRangeMixin
from taolun.core.models import RecycledRecord
from taolun.core.recycle import (
    get_recycled_for_user,
    kind_name,
    kinds_in,
    recycled_for_user,
    restore,
    retention_days,
)
from taolun.org.roles import Role

PAGE_SIZE = 50

_SELECT = {"class": "form-select"}
_DATE = {"class": "form-control", "type": "date"}


def may_open_bin(roles) -> bool:
    """Whether the home page links to the bin, from role assignments already loaded."""
    return any(assignment.role == Role.OFFICE for assignment in roles)


class RecycleFilterForm(DateRangeMixin, forms.Form):
    """The bin's filters from the query string; a wrong value is named, never ignored."""

    kind = forms.ChoiceField(
        label=_("Kind of record"), required=False, widget=forms.Select(_SELECT)
    )
    date_from = forms.DateField(
        label=_("Deleted from (date)"),
        required=False,
        widget=forms.DateInput(_DATE, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Deleted until (date)"),
        required=False,
        widget=forms.DateInput(_DATE, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, kinds: list[ContentType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            ("", _("Any")),
            *((str(kind.pk), kind_name(kind)) for kind in kinds),
        ]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(records: QuerySet[RecycledRecord], data: dict[str, Any]) -> QuerySet:
    if kind := data.get("kind"):
        records = records.filter(content_type_id=int(kind))
    if start := data.get("date_from"):
        records = records.filter(deleted_at__gte=_day_start(start))
    if end := data.get("date_to"):
        records = records.filter(deleted_at__lt=_day_start(end + dt.timedelta(days=1)))
    return records


def _contents(record: RecycledRecord) -> list[tuple[str, int]]:
    """What the record took with it, as (kind, how many), the record's own kind first."""
    counts = Counter(row.get("model", "") for row in record.payload)
    own = f"{record.content_type.app_label}.{record.content_type.model}"
    labels = sorted(counts, key=lambda label: (label != own, label))
    shown = []
    for label in labels:
        app_label, _dot, model = label.partition(".")
        try:
            kind = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            shown.append((label, counts[label]))
        else:
            shown.append((kind_name(kind), counts[label]))
    return shown


@login_required
@require_GET
def recycle_list(request: HttpRequest) -> HttpResponse:
    """The records in the bin (restored ones leave it), newest first."""
    records = recycled_for_user(request.user).filter(restored_at__isnull=True)
    form = RecycleFilterForm(request.GET or None, kinds=kinds_in(records))
    page = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        shown = _filtered(records, data).select_related("content_type", "deleted_by", "unit")
        page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
        for record in page:
            record.kind = kind_name(record.content_type)
    return render(
        request,
        "core/recycle_list.html",
        {
            "form": form,
            "page_obj": page,
            "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
            "retention_days": retention_days(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recycle_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to confirm, then restore (POST); a refusal says why and changes nothing."""
    record = get_recycled_for_user(request.user, pk)
    error = None
    if request.method == "POST" and record.restored_at is None:
        try:
            restore(record, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, gettext("“%(record)s” was restored.") % {"record": record.object_repr}
            )
            return redirect("recycle:list")
    return render(
        request,
        "core/recycle_restore.html",
        {
            "record": record,
            "kind": kind_name(record.content_type),
            "contents": _contents(record),
            "error": error,
        },
    )
