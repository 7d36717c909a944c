"""Typical-case pages: thin callers of ``reporting.cases`` and the scoping selectors.

Reads go through ``cases_for_user`` (404 outside scope); each write is one service call
whose PermissionDenied answers 403 and whose ValidationError is shown on the form that
was sent, with what the user typed kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core.uploads import download_response
from taolun.org.models import Unit, User
from taolun.reporting import cases as services
from taolun.reporting.case_forms import CaseFilterForm, CaseForm, DecideForm
from taolun.reporting.models import TypicalCase
from taolun.reporting.selectors import get_case_for_user

PAGE_SIZE = 50


def _chosen_unit(request: HttpRequest, units: QuerySet[Unit], default: int | None) -> Unit | None:
    """The unit the form is filled for (posted, linked with ``?unit=`` or the only one)."""
    wanted = (request.POST or request.GET).get("unit") or default
    if wanted is None or not str(wanted).isdigit():
        return None
    return units.filter(pk=int(wanted)).first()


def _people(unit: Unit | None) -> QuerySet[User]:
    """A person case names one of the chosen unit's people; none before a unit is chosen,
    so an office reaching a whole province is never handed every person in it."""
    return services.people_for_case(unit) if unit is not None else User.objects.none()


@login_required
@require_http_methods(["GET"])
def cases(request: HttpRequest, campaign: str) -> HttpResponse:
    """The campaign's typical cases the user reads, filtered by kind, state and unit."""
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    visible = services.case_list(user, campaign_obj)
    units = Unit.objects.filter(pk__in=visible.values("unit_id")).order_by("path")
    form = CaseFilterForm(request.GET or None, units=units)
    filters = form.filters()
    page = Paginator(services.case_list(user, campaign_obj, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reporting/case_list.html",
        {
            "campaign": campaign_obj,
            "form": form,
            "page_obj": page,
            "filtered": any(filters.values()),
            "can_nominate": services.units_for_reporting(campaign_obj, user).exists(),
        },
    )


def _form_page(
    request: HttpRequest,
    form: CaseForm,
    campaign: Campaign,
    case: TypicalCase | None,
    *,
    many_units: bool = False,
) -> HttpResponse:
    if form.is_bound and form.errors:
        form.note_lost_file("photo")
    return render(
        request,
        "reporting/case_form.html",
        {"form": form, "campaign": campaign, "case": case, "many_units": many_units},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    units = services.units_for_reporting(campaign_obj, user)
    first_two = list(units[:2])
    if not first_two:
        raise PermissionDenied
    only = first_two[0].pk if len(first_two) == 1 else None
    chosen = _chosen_unit(request, units, only)
    kwargs = {"campaign": campaign_obj, "units": units, "people": _people(chosen)}
    if "pick_unit" in request.POST:
        # The unit changed: show its people, with everything typed so far kept.
        form = CaseForm(initial=request.POST.dict(), **kwargs)
        return _form_page(request, form, campaign_obj, None, many_units=True)
    initial: dict[str, Any] = {"unit": chosen.pk} if chosen else {}
    form = CaseForm(request.POST or None, request.FILES or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_nominate(
                actor=user,
                campaign=campaign_obj,
                unit=form.cleaned_data["unit"],
                photo=form.cleaned_data["photo"],
                **form.case_fields(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The case was nominated to the campaign office."))
            return redirect(case)
    return _form_page(request, form, campaign_obj, None, many_units=only is None)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A returned case is edited and, with "nominate again", sent back to the office."""
    user = request.user
    case = get_case_for_user(user, pk)
    if not user.has_perm("reporting.change_case", case):
        raise PermissionDenied
    units = Unit.objects.filter(pk=case.unit_id)
    initial = {
        "unit": case.unit_id,
        "kind": case.kind,
        "person": case.person_id,
        "name": case.name,
        "summary": case.summary,
        "theme": case.theme_id,
        "story": case.story,
    }
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        campaign=case.campaign,
        units=units,
        people=_people(case.unit),
        has_photo=case.has_file,
    )
    if request.method == "POST" and form.is_valid():
        again = "nominate" in request.POST
        try:
            services.case_update(
                actor=user,
                case=case,
                photo=form.cleaned_data["photo"],
                remove_photo=form.cleaned_data.get("remove_photo", False),
                nominate_again=again,
                **form.case_fields(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            if again:
                messages.success(request, _("The case was nominated again."))
            else:
                messages.success(request, _("The case was saved."))
            return redirect(case)
    return _form_page(request, form, case.campaign, case)


def _detail(request: HttpRequest, case: TypicalCase, decide_form: DecideForm | None = None):
    user = request.user
    can_decide = user.has_perm("reporting.decide_case", case)
    return render(
        request,
        "reporting/case_detail.html",
        {
            "case": case,
            "campaign": case.campaign,
            "can_edit": user.has_perm("reporting.change_case", case),
            "decide_form": (decide_form or DecideForm()) if can_decide else None,
            "history": services.case_history(case),
        },
    )


@login_required
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_case_for_user(request.user, pk))


@login_required
@require_http_methods(["POST"])
def case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The office approves the case or returns it with comments."""
    user = request.user
    case = get_case_for_user(user, pk)
    if not user.has_perm("reporting.decide_case", case):
        raise PermissionDenied
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.case_decide(
                actor=user, case=case, approve=approve, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            if approve:
                messages.success(
                    request, _("The case was approved and is shared with the campaign.")
                )
            else:
                messages.success(request, _("The case was returned with your comments."))
            return redirect(case)
    return _detail(request, case, form)


@login_required
@require_http_methods(["GET"])
def case_photo(request: HttpRequest, pk: int) -> FileResponse:
    return download_response(get_case_for_user(request.user, pk))
