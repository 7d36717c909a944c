"""Counts, quotas, points and league tables of briefs: thin callers of ``stats``.

The campaign comes through ``get_campaign_for_user`` and the counts through
``stats_access`` (404 for whoever has no reach over them); each write is one service
call whose PermissionDenied answers 403 and whose ValidationError is shown on the
form that was sent, with what was typed kept.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core import clock
from taolun.documents.xlsx import Column, XlsxTable, xlsx_download
from taolun.org.models import Unit
from taolun.reporting import stats as svc
from taolun.reporting.stats_forms import (
    LeaguePeriodForm,
    MonthFilterForm,
    PointsForm,
    QuotaForm,
)

# The counts page lists this many units short this month; the shortfalls page has them all.
SHORT_SHOWN = 20


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    return get_campaign_for_user(request.user, slug)


def _parent_unit(request: HttpRequest, access: svc.StatsAccess) -> Unit | None:
    """The unit whose children the table lists (``?unit=slug``): 404 outside reach."""
    return svc.get_stats_unit(access, request.GET.get("unit"))


@login_required
@require_http_methods(["GET"])
def stats(request: HttpRequest, campaign: str) -> HttpResponse:
    """Units × months: submitted here, adopted here and above; shortfalls this month."""
    campaign_obj = _campaign(request, campaign)
    access = svc.stats_access(request.user, campaign_obj)
    parent = _parent_unit(request, access)
    form = MonthFilterForm(request.GET or None, months=svc.campaign_months(campaign_obj))
    table = svc.count_table(campaign_obj, access, parent=parent, months=form.chosen())
    today = clock.today()
    shown = parent or access.roots[0]
    short = (
        svc.quota_shortfalls(campaign_obj, today, within=shown, current_month_only=True)
        if access.full
        else []
    )
    return render(
        request,
        "reporting/stats_counts.html",
        {
            "campaign": campaign_obj,
            "access": access,
            "parent": shown if access.full else None,
            "ancestors": svc.unit_trail(shown, access) if access.full else [],
            "form": form,
            "table": table,
            "short": short,
            "short_shown": SHORT_SHOWN,
            "today": today,
            "can_manage": svc.can_manage(request.user, campaign_obj),
        },
    )


@login_required
@require_http_methods(["GET"])
def stats_xlsx(request: HttpRequest, campaign: str) -> FileResponse:
    """The counts as shown (unit, month filter) as an Excel workbook."""
    campaign_obj = _campaign(request, campaign)
    access = svc.stats_access(request.user, campaign_obj)
    parent = _parent_unit(request, access)
    form = MonthFilterForm(request.GET or None, months=svc.campaign_months(campaign_obj))
    table = svc.count_table(campaign_obj, access, parent=parent, months=form.chosen())
    columns = [Column(_("Unit"), width=28)]
    for heading in [*(f"{m:%Y-%m}" for m in table.months), _("Total")]:
        columns.append(Column(f"{heading} {_('submitted')}", width=10, horizontal="right"))
        for level in table.levels:
            columns.append(Column(f"{heading} {_level_label(level)}", width=12, horizontal="right"))
    sheet = XlsxTable(
        columns,
        title=_("Briefs of %(campaign)s") % {"campaign": campaign_obj.name},
        subtitle=_("As of %(day)s") % {"day": f"{clock.today():%Y-%m-%d}"},
        sheet_title=_("Briefs"),
    )
    for row, values in table.lines():
        name = row.unit.name
        if row.own_only:
            name = _("%(unit)s (its own briefs)") % {"unit": row.unit.name}
        sheet.add_row([name, *values])
    if table.total:
        sheet.add_row([_("Total"), *table.total_values])
    return xlsx_download(sheet.save, f"briefs-{campaign_obj.slug}-{clock.today():%Y%m%d}.xlsx")


def _level_label(level: svc.Level) -> str:
    if level.is_here:
        return _("adopted here")
    return _("adopted by %(office)s") % {"office": level.campaign.name}


@login_required
@require_http_methods(["GET"])
def shortfalls(request: HttpRequest, campaign: str) -> HttpResponse:
    """Every unit short of its quota, per ended period and for the running one so far."""
    campaign_obj = _campaign(request, campaign)
    access = svc.stats_access(request.user, campaign_obj)
    if not access.full:
        raise Http404
    parent = _parent_unit(request, access) or access.roots[0]
    today = clock.today()
    return render(
        request,
        "reporting/stats_shortfalls.html",
        {
            "campaign": campaign_obj,
            "parent": parent,
            "quotas": svc.campaign_quotas(campaign_obj),
            "rows": svc.quota_shortfalls(campaign_obj, today, within=parent),
            "today": today,
            "can_manage": svc.can_manage(request.user, campaign_obj),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def quotas_edit(request: HttpRequest, campaign: str) -> HttpResponse:
    campaign_obj = _campaign(request, campaign)
    if not svc.can_manage(request.user, campaign_obj):
        raise PermissionDenied
    kwargs = {
        "kinds": svc.campaign_unit_kinds(campaign_obj),
        "quotas": svc.campaign_quotas(campaign_obj),
    }
    form = QuotaForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            svc.quotas_set(actor=request.user, campaign=campaign_obj, specs=form.specs())
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The quotas were saved."))
            return redirect("reporting:stats_shortfalls", campaign=campaign_obj.slug)
    return render(request, "reporting/stats_quotas.html", {"campaign": campaign_obj, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def points_edit(request: HttpRequest, campaign: str) -> HttpResponse:
    campaign_obj = _campaign(request, campaign)
    if not svc.can_manage(request.user, campaign_obj):
        raise PermissionDenied
    levels = svc.campaign_levels(campaign_obj)
    current = svc.points_table(campaign_obj)
    form = PointsForm(request.POST or None, levels=levels, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            svc.points_set(actor=request.user, campaign=campaign_obj, points=form.points())
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The points were saved."))
            return redirect("reporting:league", campaign=campaign_obj.slug)
    return render(
        request,
        "reporting/stats_points.html",
        {
            "campaign": campaign_obj,
            "form": form,
            "uses_default": not campaign_obj.brief_points.exists(),
        },
    )


def _default_period(campaign: Campaign) -> dict[str, dt.date]:
    return {"starts_on": campaign.starts_on, "ends_on": min(clock.today(), campaign.ends_on)}


@login_required
@require_http_methods(["GET"])
def league(request: HttpRequest, campaign: str) -> HttpResponse:
    """Published league tables for everyone taking part; the live ranking for a chosen
    period, and the form to publish it, for the campaign's office, leaders and supervisors."""
    campaign_obj = _campaign(request, campaign)
    access = svc.stats_reader(request.user, campaign_obj)
    form = live = publish_form = None
    if access is not None:
        default = _default_period(campaign_obj)
        form = LeaguePeriodForm(request.GET or None, initial=default)
        period = default if not form.is_bound else form.cleaned_data if form.is_valid() else None
        if period:
            live = svc.league_rows(
                campaign_obj, period["starts_on"], period["ends_on"], within=access.roots[0]
            )
            if svc.can_publish(request.user, campaign_obj):
                publish_form = LeaguePeriodForm(
                    auto_id="publish_%s",
                    require_title=True,
                    initial={"starts_on": period["starts_on"], "ends_on": period["ends_on"]},
                )
    return render(
        request,
        "reporting/stats_league.html",
        {
            "campaign": campaign_obj,
            "tables": svc.league_tables_for_user(request.user, campaign_obj),
            "form": form,
            "live": live,
            "levels": svc.campaign_levels(campaign_obj),
            "publish_form": publish_form,
            "can_manage": svc.can_manage(request.user, campaign_obj),
        },
    )


@login_required
@require_http_methods(["POST"])
def league_publish(request: HttpRequest, campaign: str) -> HttpResponse:
    campaign_obj = _campaign(request, campaign)
    if not svc.can_publish(request.user, campaign_obj):
        raise PermissionDenied
    form = LeaguePeriodForm(request.POST, require_title=True, auto_id="publish_%s")
    if form.is_valid():
        try:
            table = svc.league_table_publish(
                actor=request.user,
                campaign=campaign_obj,
                title=form.cleaned_data["title"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The league table was published."))
            return redirect("reporting:league_table", campaign=campaign_obj.slug, pk=table.pk)
    return render(
        request,
        "reporting/stats_publish.html",
        {"campaign": campaign_obj, "form": form},
        status=400,
    )


@login_required
@require_http_methods(["GET"])
def league_table(request: HttpRequest, campaign: str, pk: int) -> HttpResponse:
    """A published table, as it was when it was published."""
    campaign_obj = _campaign(request, campaign)
    table = svc.get_league_table_for_user(request.user, campaign_obj, pk)
    levels = svc.campaign_levels(campaign_obj)
    return render(
        request,
        "reporting/stats_league_table.html",
        {"campaign": campaign_obj, "table": table, "levels": levels},
    )
