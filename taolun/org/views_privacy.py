"""A person's disability record and their data on request, under /people/.

The person reads and edits their own record and downloads their own data; the campaign
office over their home unit does the same for them (it records what the person told it,
and hands over the file the person asked for). Everyone else gets 404 (``sensitive``).
Each page that shows someone's record to the office is written to the audit trail, and so
is the office's list; each download is written by ``ExportAuditMiddleware``, whose record
names the file, and the file's name names the person.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from taolun.core.audit_events import record_event
from taolun.core.models import AuditEventKind
from taolun.org.forms_privacy import DisabilityRecordForm, FindPersonForm, RecordsFilterForm
from taolun.org.sensitive import (
    access_person,
    disability_record_delete,
    disability_record_save,
    disability_records_for_office,
    find_person_for_office,
    get_person_for_user,
    office_units,
    personal_data_file,
    record_of,
)

PAGE_SIZE = 50
ZIP_CONTENT_TYPE = "application/zip"
# What the audit trail says was looked at (AuditEvent.detail, not translated).
SEEN_RECORD = "disability record"
SEEN_LIST = "list"


def _back_to_record(request: HttpRequest, pk: int) -> HttpResponse:
    if pk == request.user.pk:
        return redirect("privacy:mine")
    return redirect("privacy:record", pk=pk)


# ---------------------------------------------------------------- the record


def _record_page(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_person(request, pk, what=SEEN_RECORD)
    return render(
        request,
        "org/privacy_record.html",
        {"person": person, "record": record_of(person), "own": person.pk == request.user.pk},
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def my_record(request: HttpRequest) -> HttpResponse:
    return _record_page(request, request.user.pk)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def record(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_page(request, pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_person(request, pk, what=SEEN_RECORD)
    existing = record_of(person)
    form = DisabilityRecordForm.for_record(existing, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            disability_record_save(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The record was saved."))
            return _back_to_record(request, pk)
    return render(
        request,
        "org/privacy_record_form.html",
        {
            "person": person,
            "record": existing,
            "form": form,
            "own": person.pk == request.user.pk,
        },
    )


@never_cache
@login_required
@require_POST
def record_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_person(request, pk, what=SEEN_RECORD)
    if disability_record_delete(actor=request.user, person=person):
        messages.success(request, _("The record was removed."))
    return _back_to_record(request, pk)


# ---------------------------------------------------------------- the office's list


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def records(request: HttpRequest) -> HttpResponse:
    """The people of an office's unit who have a record, with the support they need (for
    arranging meetings and study); never their certificate numbers."""
    units = office_units(request.user)
    if not units:
        raise Http404
    find = FindPersonForm(request.GET if "username" in request.GET else None)
    if find.is_bound and find.is_valid():
        person = find_person_for_office(request.user, find.cleaned_data["username"])
        if person is not None:
            return _back_to_record(request, person.pk)
        find.add_error(
            "username", _("No one with this user name has their home unit in your units.")
        )
    data = {"unit": units[0].slug, **request.GET.dict()}
    filters = RecordsFilterForm(data, units=units)
    if filters.is_valid():
        unit, name = filters.cleaned_data["unit"], filters.cleaned_data["name"]
    else:
        unit, name = units[0], ""
    shown = disability_records_for_office(request.user, unit, name=name)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(request, AuditEventKind.SENSITIVE_VIEW, detail=f"{SEEN_LIST}: {unit.name}")
    return render(
        request,
        "org/privacy_records.html",
        {"unit": unit, "filters": filters, "find": find, "page_obj": page},
    )


# ---------------------------------------------------------------- data on request


def _data_page(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    own = person.pk == request.user.pk
    # The file holds records of other units (inspections, meetings elsewhere): it goes to
    # the person alone, never to an office on their behalf.
    if not own:
        raise Http404
    if request.method == "POST":
        filename = f"personal-data-{person.username}-{timezone.localdate():%Y%m%d}.zip"
        response = FileResponse(
            personal_data_file(person),
            as_attachment=True,
            filename=filename,
            content_type=ZIP_CONTENT_TYPE,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
    return render(request, "org/privacy_data.html", {"person": person, "own": own})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    return _data_page(request, request.user.pk)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def person_data(request: HttpRequest, pk: int) -> HttpResponse:
    return _data_page(request, pk)
