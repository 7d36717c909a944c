"""Inspection pages: thin callers of the inspection selectors and services.

Every read goes through the scoping selectors (404 outside scope); a refused write
answers 403; a ValidationError re-renders the form that was sent, with what was typed.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import get_campaign_for_user
from taolun.org.models import Unit, User
from taolun.supervision import inspections as svc
from taolun.supervision.access import inspector_paths, reader_paths
from taolun.supervision.inspection_forms import FindingForm, InspectionFilterForm, InspectionForm
from taolun.supervision.models import Finding, Inspection

PAGE_SIZE = 30


def inspection_url(inspection: Inspection | int, finding: Finding | None = None) -> str:
    pk = inspection if isinstance(inspection, int) else inspection.pk
    url = reverse("supervision:inspection", args=[pk])
    return f"{url}#finding-{finding.number}" if finding is not None else url


def _paths_units(paths: list[str]) -> QuerySet[Unit]:
    if not paths:
        return Unit.objects.none()
    return Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths))).order_by("path")


def _people(user: User, inspection: Inspection | None = None) -> QuerySet[User]:
    """The team members offered: inspectors in reach, and whoever is on the team already."""
    ids = list(svc.team_choices(user).values_list("pk", flat=True))
    if inspection is not None:
        ids += list(inspection.members.values_list("pk", flat=True))
    return User.objects.filter(pk__in=ids).select_related("unit").order_by("unit__path", "name")


# ---------------------------------------------------------------- the list


@login_required
@require_http_methods(["GET"])
def inspection_list(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    form = InspectionFilterForm(
        request.GET or None, units=_paths_units(reader_paths(user, campaign_obj))
    )
    rows = svc.inspection_list(svc.inspections_for_user(user, campaign_obj), **form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/inspection_list.html",
        {
            "campaign": campaign_obj,
            "form": form,
            "page_obj": page,
            "can_record": bool(inspector_paths(user, campaign_obj)),
        },
    )


# ---------------------------------------------------------------- recording and editing


def _inspection_form(
    request: HttpRequest, campaign: Campaign, inspection: Inspection | None = None
) -> InspectionForm:
    user = request.user
    initial = InspectionForm.initial_for(inspection) if inspection else {}
    return InspectionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        units=svc.inspection_units(user, campaign),
        people=_people(user, inspection),
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    if not inspector_paths(user, campaign_obj):
        raise PermissionDenied
    form = _inspection_form(request, campaign_obj)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = svc.inspection_create(
                actor=user, campaign=campaign_obj, **form.inspection_fields()
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The inspection was recorded: now add its findings."))
            return redirect(inspection_url(inspection) + "#add-finding")
    return render(
        request,
        "supervision/inspection_form.html",
        {"campaign": campaign_obj, "form": form, "inspection": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    inspection = svc.get_inspection_for_user(user, pk)
    if not svc.may_edit_inspection(user, inspection):
        raise PermissionDenied
    form = _inspection_form(request, inspection.campaign, inspection)
    if request.method == "POST" and form.is_valid():
        try:
            svc.inspection_update(actor=user, inspection=inspection, **form.inspection_fields())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The inspection was saved."))
            return redirect(inspection_url(inspection))
    return render(
        request,
        "supervision/inspection_form.html",
        {"campaign": inspection.campaign, "form": form, "inspection": inspection},
    )


# ---------------------------------------------------------------- the inspection's page


def _finding_form(
    inspection: Inspection, data: Any = None, finding: Finding | None = None
) -> FindingForm:
    return FindingForm(
        data,
        prefix="finding",
        initial=FindingForm.initial_for(finding) if finding else {},
        inspection=inspection,
        units=Unit.objects.filter(path__startswith=inspection.unit.path).order_by("path"),
    )


def _detail(
    request: HttpRequest, inspection: Inspection, *, finding_form: FindingForm | None = None
) -> HttpResponse:
    user = request.user
    can_edit = svc.may_edit_inspection(user, inspection)
    whole = svc.reads_whole_visit(user, inspection)
    rows = svc.inspection_findings(user, inspection)
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "campaign": inspection.campaign,
            "inspection": inspection,
            "whole": whole,
            "members": list(inspection.members.order_by("name")) if whole else [],
            "rows": [(row, svc.may_add_to_ledger(user, row.finding)) for row in rows],
            "can_edit": can_edit,
            "finding_form": finding_form
            if finding_form is not None
            else (_finding_form(inspection) if can_edit else None),
            "history": svc.inspection_history(
                inspection, None if whole else [row.finding.pk for row in rows]
            ),
        },
    )


@login_required
@require_http_methods(["GET"])
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, svc.get_inspection_for_user(request.user, pk))


@login_required
@require_http_methods(["POST"])
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    inspection = svc.get_inspection_for_user(user, pk)
    if not svc.may_edit_inspection(user, inspection):
        raise PermissionDenied
    form = _finding_form(inspection, request.POST)
    if form.is_valid():
        try:
            finding = svc.finding_add(actor=user, inspection=inspection, **form.finding_fields())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Finding %(n)s was added.") % {"n": finding.number})
            return redirect(inspection_url(inspection, finding))
    return _detail(request, inspection, finding_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    finding = svc.get_finding_for_user(user, pk)
    inspection = finding.inspection
    if not svc.may_edit_inspection(user, inspection):
        raise PermissionDenied
    form = _finding_form(inspection, request.POST if request.method == "POST" else None, finding)
    if request.method == "POST" and form.is_valid():
        try:
            svc.finding_update(actor=user, finding=finding, **form.finding_fields())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Finding %(n)s was saved.") % {"n": finding.number})
            return redirect(inspection_url(inspection, finding))
    return render(
        request,
        "supervision/inspection_finding_form.html",
        {
            "campaign": inspection.campaign,
            "inspection": inspection,
            "finding": finding,
            "form": form,
        },
    )


@login_required
@require_http_methods(["POST"])
def finding_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    finding = svc.get_finding_for_user(user, pk)
    inspection = finding.inspection
    try:
        svc.finding_delete(actor=user, finding=finding)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Finding %(n)s was deleted.") % {"n": finding.number})
    return redirect(inspection_url(inspection))


@login_required
@require_http_methods(["POST"])
def finding_to_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """One step from a finding to a draft problem of the unit's ledger, then its edit page."""
    user = request.user
    finding = svc.get_finding_for_user(user, pk)
    try:
        problem = svc.finding_to_problem(actor=user, finding=finding)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(inspection_url(finding.inspection_id, finding))
    messages.success(
        request,
        _(
            "Finding %(n)s is now problem %(number)s, a draft: set its measures, the person in "
            "charge and its deadline, then put it on the ledger."
        )
        % {"n": finding.number, "number": problem.ledger_number},
    )
    return redirect("rectification:problem_edit", problem.pk)
