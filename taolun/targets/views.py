"""Work-target pages: thin callers of the targets selectors and services.

Reads go through the scoping selectors (404 outside what the user can see); each write
is one service call whose PermissionDenied answers 403 and whose ValidationError is
shown on the form that was sent, with what the user typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core import clock
from taolun.core.forms import add_service_errors
from taolun.org.models import Unit
from taolun.targets import services
from taolun.targets.access import may_manage, may_report, report_paths
from taolun.targets.forms import AreaForm, IndicatorForm, ReportForm
from taolun.targets.models import Indicator
from taolun.targets.periods import headline_period
from taolun.targets.selectors import (
    areas_for_user,
    bar_width,
    child_values,
    drill_unit,
    get_area_for_user,
    get_indicator_for_user,
    get_period,
    headlines,
    own_report,
    periods,
    progress,
    report_history,
    rollups_by_period,
    target_campaigns_for_user,
    unit_trail,
    unreported_for_user,
)


def indicator_url(indicator: Indicator, unit: Unit | None = None, period_key: str = "") -> str:
    url = reverse("targets:indicator", args=[indicator.pk])
    query = "&".join(
        part
        for part in (
            f"unit={unit.slug}" if unit else "",
            f"period={period_key}" if period_key else "",
        )
        if part
    )
    return f"{url}?{query}" if query else url


# ---------------------------------------------------------------- reading


@login_required
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns with target areas that the user can see."""
    return render(
        request, "targets/index.html", {"campaigns": list(target_campaigns_for_user(request.user))}
    )


@login_required
@require_http_methods(["GET"])
def campaign_page(request: HttpRequest, campaign: str) -> HttpResponse:
    """The campaign's target areas, each indicator with its latest rolled-up value."""
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    today = clock.today()
    areas = areas_for_user(user, campaign_obj)
    indicators = [i for area in areas for i in area.indicator_list]
    heads = headlines(indicators, today)
    return render(
        request,
        "targets/campaign.html",
        {
            "campaign": campaign_obj,
            "areas": [(area, [heads[i.pk] for i in area.indicator_list]) for area in areas],
            "unreported": unreported_for_user(user, indicators, today),
            "can_manage": may_manage(user, campaign_obj),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET"])
def indicator_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Periods × rolled-up value, then one unit's children for a period, drillable."""
    user = request.user
    indicator = get_indicator_for_user(user, pk)
    today = clock.today()
    all_periods = periods(indicator)
    figures = rollups_by_period(indicator, indicator.responsible_unit)
    rows = []
    for period in all_periods:
        figure = figures.get(period.start)
        value = figure.value if figure else None
        pct = progress(indicator, value)
        rows.append(
            {
                "period": period,
                "begun": period.has_begun(today),
                "value": value,
                "reported": figure.reported if figure else 0,
                "progress": pct,
                "bar": bar_width(pct),
            }
        )
    selected = get_period(indicator, request.GET.get("period")) or headline_period(
        all_periods, today
    )
    unit = drill_unit(user, indicator, request.GET.get("unit"))
    breakdown = child_values(indicator, unit, selected.start) if unit and selected else None
    # The shared charts.js draws plain side-by-side bars for any kind but "bar"/"stacked".
    chart = {
        "categories": [r["period"].label for r in rows],
        "series": [
            {
                "name": _("Rolled-up value"),
                "data": [float(r["value"]) if r["value"] is not None else None for r in rows],
            },
            {"name": _("Target"), "data": [float(indicator.target)] * len(rows)},
            {"name": _("Baseline"), "data": [float(indicator.baseline)] * len(rows)},
        ],
    }
    return render(
        request,
        "targets/indicator.html",
        {
            "indicator": indicator,
            "campaign": indicator.area.campaign,
            "rows": rows,
            "chart": chart,
            "periods": [p for p in all_periods if p.has_begun(today)],
            "selected": selected,
            "unit": unit,
            "trail": unit_trail(user, indicator, unit) if unit else [],
            "breakdown": breakdown,
            "can_report_here": unit is not None and may_report(user, indicator, unit),
            "can_report": bool(report_paths(user, indicator)),
            "can_manage": may_manage(user, indicator.area.campaign),
        },
    )


# ---------------------------------------------------------------- reporting


def _report_unit(request: HttpRequest, indicator: Indicator, paths: list[str]) -> Unit:
    """The unit the form starts with: ``?unit=`` (404 outside reach), the user's own
    unit when they report for it, else their topmost unit in reach."""
    slug = request.GET.get("unit")
    if slug:
        unit = Unit.objects.filter(slug=slug).first()
        if unit is None or not any(unit.path.startswith(p) for p in paths):
            raise Http404
        return unit
    home = request.user.unit
    if home is not None and any(home.path.startswith(p) for p in paths):
        return home
    if paths[0] == indicator.responsible_unit.path:
        return indicator.responsible_unit
    return Unit.objects.get(path=paths[0])


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """A contact or the office records a unit's own value for a period."""
    user = request.user
    indicator = get_indicator_for_user(user, pk)
    paths = report_paths(user, indicator)
    if not paths:
        raise PermissionDenied
    today = clock.today()
    begun = [p for p in periods(indicator) if p.has_begun(today)]
    chosen = _report_unit(request, indicator, paths)
    period = get_period(indicator, request.GET.get("period")) or headline_period(begun, today)
    existing = own_report(indicator, chosen, period.start) if period else None
    initial = {"unit": chosen.pk, "period_start": period.key if period else ""}
    if existing is not None:
        initial.update(value=existing.value, note=existing.note)
    kwargs = {"paths": paths, "periods": begun, "chosen": chosen}
    if request.method == "POST":
        form = ReportForm(request.POST, initial=initial, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.report_value(
                    user, indicator, data["unit"], data["period_start"], data["value"], data["note"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The value of %(unit)s was saved.") % {"unit": saved.unit.name},
                )
                return redirect(
                    indicator_url(indicator, saved.unit, saved.period_start.isoformat())
                )
    else:
        form = ReportForm(initial=initial, **kwargs)
    return render(
        request,
        "targets/report_form.html",
        {
            "indicator": indicator,
            "campaign": indicator.area.campaign,
            "form": form,
            "unit": chosen,
            "period": period,
            "existing": existing,
            "history": report_history(existing) if existing else [],
            "no_period": not begun,
        },
    )


# ---------------------------------------------------------------- managing


def _area_initial(area) -> dict:
    return {"number": area.number, "name": area.name, "description": area.description}


@login_required
@require_http_methods(["GET", "POST"])
def area_new(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    if not may_manage(user, campaign_obj):
        raise PermissionDenied
    following = (
        campaign_obj.target_areas.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    form = AreaForm(request.POST or None, initial={"number": following})
    if request.method == "POST" and form.is_valid():
        try:
            services.area_save(actor=user, campaign=campaign_obj, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The target area was added."))
            return redirect("targets:campaign", campaign_obj.slug)
    return render(
        request, "targets/area_form.html", {"form": form, "campaign": campaign_obj, "area": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    area = get_area_for_user(user, pk)
    campaign_obj = area.campaign
    if not may_manage(user, campaign_obj):
        raise PermissionDenied
    form = AreaForm(request.POST or None, initial=_area_initial(area))
    if request.method == "POST" and form.is_valid():
        try:
            services.area_save(actor=user, campaign=campaign_obj, area=area, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The target area was saved."))
            return redirect("targets:campaign", campaign_obj.slug)
    return render(
        request, "targets/area_form.html", {"form": form, "campaign": campaign_obj, "area": area}
    )


def _indicator_initial(indicator: Indicator) -> dict:
    return {
        "number": indicator.number,
        "name": indicator.name,
        "measure": indicator.measure,
        "baseline": indicator.baseline,
        "target": indicator.target,
        "direction": indicator.direction,
        "aggregation": indicator.aggregation,
        "responsible_unit": indicator.responsible_unit_id,
        "period": indicator.period,
        "starts_on": indicator.starts_on,
        "ends_on": indicator.ends_on,
    }


@login_required
@require_http_methods(["GET", "POST"])
def indicator_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an indicator to the area ``pk``."""
    user = request.user
    area = get_area_for_user(user, pk)
    campaign_obj = area.campaign
    if not may_manage(user, campaign_obj):
        raise PermissionDenied
    following = (
        area.indicators.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    initial = {
        "number": following,
        "baseline": 0,
        "responsible_unit": campaign_obj.owner_unit_id,
        "starts_on": campaign_obj.starts_on,
        "ends_on": campaign_obj.ends_on,
    }
    form = IndicatorForm(request.POST or None, initial=initial, owner=campaign_obj.owner_unit)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_save(actor=user, area=area, **form.indicator_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The indicator was added."))
            return redirect(indicator_url(indicator))
    return render(
        request,
        "targets/indicator_form.html",
        {"form": form, "campaign": campaign_obj, "area": area, "indicator": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    indicator = get_indicator_for_user(user, pk)
    campaign_obj = indicator.area.campaign
    if not may_manage(user, campaign_obj):
        raise PermissionDenied
    form = IndicatorForm(
        request.POST or None,
        initial=_indicator_initial(indicator),
        owner=campaign_obj.owner_unit,
        current=indicator.responsible_unit,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(
                actor=user, area=indicator.area, indicator=indicator, **form.indicator_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect(indicator_url(indicator))
    return render(
        request,
        "targets/indicator_form.html",
        {"form": form, "campaign": campaign_obj, "area": indicator.area, "indicator": indicator},
    )
