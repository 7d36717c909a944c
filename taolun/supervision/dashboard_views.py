"""Dashboards, lagging units and scores: thin callers of ``dashboard`` and ``scores``.

The campaign comes through ``get_campaign_for_user`` and each unit through
``get_dashboard_unit`` / ``get_score_root`` (404 outside the reader's reach); the writes,
the scoring scheme (``scores.scheme_save``, errors land on the form) and "Refresh now"
(``snapshots.snapshot_refresh_now``), go through their services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core import clock
from taolun.documents.xlsx import Column, XlsxTable, xlsx_download
from taolun.supervision import dashboard as board
from taolun.supervision import scores as svc
from taolun.supervision import snapshots
from taolun.supervision.access import may_manage_scheme, reader_paths
from taolun.supervision.dashboard_forms import LaggingForm, LevelForm, RefreshForm, SchemeForm
from taolun.supervision.rollups import max_depth_below


@login_required
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns whose dashboards the user reads."""
    campaigns = board.supervised_campaigns(request.user)
    return render(request, "supervision/index.html", {"campaigns": campaigns})


@login_required
@require_http_methods(["GET"])
def dashboard(request: HttpRequest, slug: str, unit_slug: str | None = None) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug)
    unit = board.get_dashboard_unit(request.user, campaign, unit_slug)
    today = clock.today()
    data = board.dashboard(request.user, campaign, unit, today)
    return render(
        request,
        "supervision/dashboard.html",
        {
            "campaign": campaign,
            "unit": unit,
            "board": data,
            "trail": board.trail(request.user, campaign, unit),
            "statuses": board.STATUS_ORDER,
            "today": today,
            "stage_chart": data.stage_chart(),
            "children_chart": data.children_chart(),
            "show_scores": svc.may_see_scores(request.user, campaign),
            "as_of": data.figures.as_of,
            "may_refresh": svc.may_refresh(request.user, campaign, unit),
            "refresh_depth": 1,
        },
    )


@login_required
@require_http_methods(["GET"])
def lagging(request: HttpRequest, slug: str) -> HttpResponse:
    """Units that lag at one level under a unit, with their reasons; 50 a page."""
    campaign = get_campaign_for_user(request.user, slug)
    root = board.get_dashboard_unit(request.user, campaign, request.GET.get("under") or None)
    today = clock.today()
    deepest = max_depth_below(root)
    form = LaggingForm(
        request.GET or None,
        units=board.filter_units(reader_paths(request.user, campaign), root),
        root=root,
        max_depth=deepest,
    )
    result = board.lagging_units(
        campaign, root, form.value("depth", 1), today, sort=form.value("sort", "unit")
    )
    page = Paginator(result.rows, board.LAGGING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/lagging.html",
        {
            "campaign": campaign,
            "root": root,
            "form": form,
            "result": result,
            "page_obj": page,
            "share": round(board.LAGGING_SHARE * 100),
            "today": today,
            "show_scores": svc.may_see_scores(request.user, campaign),
            "as_of": result.as_of,
            "may_refresh": svc.may_refresh(request.user, campaign, root),
            "refresh_depth": result.depth,
        },
    )


def _ranking(request: HttpRequest, slug: str):
    campaign = get_campaign_for_user(request.user, slug)
    root = svc.get_score_root(request.user, campaign, request.GET.get("under") or None)
    deepest = max_depth_below(root)
    form = LevelForm(
        request.GET or None,
        units=board.filter_units(svc.score_paths(request.user, campaign), root),
        root=root,
        max_depth=deepest,
    )
    depth = max(1, min(form.value("depth", 1), deepest)) if deepest else 0
    ranking = (
        svc.ranking(campaign, root, depth, clock.today())
        if depth
        else svc.Ranking(root=root, depth=0, scheme=svc.scheme_for(campaign)[0], scheme_saved=True)
    )
    return campaign, form, ranking


@login_required
@require_http_methods(["GET"])
def scores(request: HttpRequest, slug: str) -> HttpResponse:
    """Units of one level ranked by score, each with the reasons behind it; 50 a page
    (the whole level is ranked; the Excel download has every row)."""
    campaign, form, ranking = _ranking(request, slug)
    page = Paginator(ranking.scores, svc.SCORES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/scores.html",
        {
            "campaign": campaign,
            "form": form,
            "ranking": ranking,
            "page_obj": page,
            "may_manage": may_manage_scheme(request.user, campaign),
            "show_scores": True,
            "today": clock.today(),
            "as_of": ranking.as_of,
            "may_refresh": svc.may_refresh(request.user, campaign, ranking.root),
            "refresh_depth": ranking.depth,
        },
    )


@login_required
@require_http_methods(["GET"])
def scores_xlsx(request: HttpRequest, slug: str) -> FileResponse:
    """The ranking shown on the scores page, as an Excel workbook."""
    campaign, _form, ranking = _ranking(request, slug)
    parts = list(svc.PARTS.items())
    columns = [
        Column(_("Rank"), 8),
        Column(_("Unit"), 30),
        *(Column(str(label), 14) for _key, label in parts),
        Column(_("Deductions"), 12),
        Column(_("Score"), 10),
    ]
    sheet = XlsxTable(
        columns,
        title=_("Scores of %(campaign)s") % {"campaign": campaign.name},
        subtitle=_("Units under %(unit)s, as of %(day)s")
        % {"unit": ranking.root.name, "day": f"{clock.today():%Y-%m-%d}"},
        sheet_title=_("Scores"),
    )
    for score in ranking.scores:
        sheet.add_row(
            [
                score.rank,
                score.unit.name,
                *(float(p.points) for p in score.parts),
                float(score.deduction),
                float(score.total),
            ]
        )
    return xlsx_download(sheet.save, f"scores-{campaign.slug}-{clock.today():%Y%m%d}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def scheme(request: HttpRequest, slug: str) -> HttpResponse:
    """The office edits the campaign's scoring scheme."""
    campaign = get_campaign_for_user(request.user, slug)
    if not may_manage_scheme(request.user, campaign):
        raise PermissionDenied
    current, saved = svc.scheme_for(campaign)
    form = SchemeForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            svc.scheme_save(actor=request.user, campaign=campaign, **form.values())
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The scoring scheme was saved."))
            return redirect("supervision:scores", slug=campaign.slug)
    return render(
        request,
        "supervision/scheme.html",
        {"campaign": campaign, "form": form, "saved": saved, "show_scores": True},
    )


@login_required
@require_http_methods(["POST"])
def refresh(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Refresh now": recompute the snapshot a page showed, then go back to the page."""
    campaign = get_campaign_for_user(request.user, slug)
    form = RefreshForm(request.POST)
    unit_slug = form.data.get("unit") or None
    unit = board.get_dashboard_unit(request.user, campaign, unit_slug)
    back = form.data.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("supervision:dashboard_unit", args=[campaign.slug, unit.slug])
    if not svc.may_refresh(request.user, campaign, unit):
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("The figures were not recomputed: the level is missing."))
        return HttpResponseRedirect(back)
    try:
        snapshots.snapshot_refresh_now(
            actor=request.user, campaign=campaign, unit=unit, depth=form.cleaned_data["depth"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The figures were recomputed just now."))
    return HttpResponseRedirect(back)
