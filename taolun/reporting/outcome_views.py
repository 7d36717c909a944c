"""Institutional-outcome pages: thin callers of ``reporting.outcomes`` and the selectors.

Reads go through ``outcomes_for_user`` (404 outside scope); each write is one service
call whose PermissionDenied answers 403 and whose ValidationError is shown on the form
that was sent, with what the user typed kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core.uploads import download_response
from taolun.org.models import Unit
from taolun.reporting import outcomes as services
from taolun.reporting.cases import units_for_reporting
from taolun.reporting.models import InstitutionalOutcome, OutcomeKind
from taolun.reporting.outcome_forms import OutcomeFilterForm, OutcomeForm
from taolun.reporting.selectors import get_outcome_for_user, outcomes_for_user

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET"])
def outcomes(request: HttpRequest, campaign: str) -> HttpResponse:
    """The campaign's rules, filtered by theme, issuing unit and kind, with counts."""
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    visible = outcomes_for_user(user).filter(campaign=campaign_obj)
    units = Unit.objects.filter(pk__in=visible.values("unit_id")).order_by("path")
    form = OutcomeFilterForm(request.GET or None, campaign=campaign_obj, units=units)
    filters = form.filters()
    rows = services.outcome_list(user, campaign_obj, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = services.outcome_counts(user, campaign_obj)
    return render(
        request,
        "reporting/outcome_list.html",
        {
            "campaign": campaign_obj,
            "form": form,
            "page_obj": page,
            "counts": counts,
            "kind_counts": [(k.label, counts.by_kind[k.value]) for k in OutcomeKind],
            "filtered": any(filters.values()),
            "can_add": units_for_reporting(campaign_obj, user).exists(),
        },
    )


def _form_page(
    request: HttpRequest,
    form: OutcomeForm,
    campaign: Campaign,
    outcome: InstitutionalOutcome | None,
) -> HttpResponse:
    if form.errors:
        form.note_lost_file("upload")
    return render(
        request,
        "reporting/outcome_form.html",
        {"form": form, "campaign": campaign, "outcome": outcome},
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_create(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    units = units_for_reporting(campaign_obj, user)
    first_two = list(units[:2])
    if not first_two:
        raise PermissionDenied
    initial: dict[str, Any] = {"unit": first_two[0].pk} if len(first_two) == 1 else {}
    form = OutcomeForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        campaign=campaign_obj,
        units=units,
        problems=services.problems_to_link(user, campaign_obj),
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.outcome_add(
                actor=user,
                campaign=campaign_obj,
                problems=form.cleaned_data["problems"],
                themes=form.cleaned_data["themes"],
                upload=form.cleaned_data["upload"],
                **form.outcome_fields(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The institutional outcome was recorded."))
            return redirect(outcome)
    return _form_page(request, form, campaign_obj, None)


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    outcome = get_outcome_for_user(user, pk)
    if not user.has_perm("reporting.change_outcome", outcome):
        raise PermissionDenied
    campaign = outcome.campaign
    linkable = services.problems_to_link(user, campaign)
    initial = {
        "unit": outcome.unit_id,
        "kind": outcome.kind,
        "title": outcome.title,
        "document_number": outcome.document_number,
        "issued_on": outcome.issued_on,
        "revises": outcome.revises,
        "summary": outcome.summary,
        "problems": list(
            outcome.problems.filter(pk__in=linkable.values("pk")).values_list("pk", flat=True)
        ),
        "themes": list(outcome.themes.values_list("pk", flat=True)),
    }
    form = OutcomeForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        campaign=campaign,
        units=units_for_reporting(campaign, user),
        problems=linkable,
        has_file=outcome.has_file,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_update(
                actor=user,
                outcome=outcome,
                problems=form.cleaned_data["problems"],
                themes=form.cleaned_data["themes"],
                upload=form.cleaned_data["upload"],
                remove_file=form.cleaned_data.get("remove_file", False),
                **form.outcome_fields(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The institutional outcome was saved."))
            return redirect(outcome)
    return _form_page(request, form, campaign, outcome)


@login_required
@require_http_methods(["GET"])
def outcome_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    outcome = get_outcome_for_user(user, pk)
    return render(
        request,
        "reporting/outcome_detail.html",
        {
            "outcome": outcome,
            "campaign": outcome.campaign,
            "problems": services.outcome_problems(user, outcome),
            "themes": list(outcome.themes.order_by("number")),
            "can_edit": user.has_perm("reporting.change_outcome", outcome),
        },
    )


@login_required
@require_http_methods(["GET"])
def outcome_file(request: HttpRequest, pk: int) -> FileResponse:
    return download_response(get_outcome_for_user(request.user, pk))
