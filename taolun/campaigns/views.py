"""Campaign pages: list, plan, overview matrix, unit plan and self-selected actions.

Views parse input, read through the scoping selectors (404 outside scope) and call
one service; a PermissionDenied (in scope, not allowed) answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from taolun.campaigns.forms import (
    ActionDecideForm,
    ActionProposeForm,
    UnitPlanForm,
)
from taolun.campaigns.models import ActionKind, ActionStatus, Approval, Campaign, CellStatus
from taolun.campaigns.selectors import (
    campaign_leading_group,
    campaign_overview,
    campaign_stages,
    campaign_units_for_user,
    campaigns_for_user,
    get_action_for_user,
    get_campaign_for_user,
    status_counts,
    unit_campaigns_for_user,
    unit_plan,
)
from taolun.campaigns.services import (
    self_selected_action_decide,
    self_selected_action_propose,
    unit_plan_save,
)
from taolun.core import clock
from taolun.core.forms import add_service_errors
from taolun.org.models import Unit
from taolun.org.predicates import InCampaign
from taolun.org.selectors import get_unit_for_user, scoped
from taolun.rectification.selectors import rectification_counts_for_user
from taolun.textmine.scan import scan_paths
from taolun.textmine.services_plan import may_import_plan

OVERVIEW_PAGE_SIZE = 50


def unit_url(unit: Unit, campaign: Campaign) -> str:
    return f"{unit.get_absolute_url()}?campaign={campaign.slug}"


def _campaign_and_unit(
    request: HttpRequest, slug: str, unit_slug: str, perm: str
) -> tuple[Campaign, Unit]:
    """The campaign and a unit taking part in it (404 otherwise); 403 without ``perm``."""
    campaign = get_campaign_for_user(request.user, slug)
    unit = get_unit_for_user(request.user, unit_slug)
    if not unit_campaigns_for_user(request.user, unit).filter(pk=campaign.pk).exists():
        raise Http404
    if not request.user.has_perm(perm, InCampaign(unit, campaign)):
        raise PermissionDenied
    return campaign, unit


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_for_user(request.user).select_related("parent", "owner_unit")
    return render(
        request,
        "campaigns/list.html",
        {"campaigns": campaigns, "can_import_plan": may_import_plan(request.user)},
    )


@login_required
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    campaign = get_campaign_for_user(user, slug, related=("parent", "office_unit"))
    visible = campaigns_for_user(user)
    parent_visible = (
        campaign.parent_id is not None and visible.filter(pk=campaign.parent_id).exists()
    )
    rectification, whole = rectification_counts_for_user(campaign, user, clock.today())
    sections = [
        (title, text)
        for title, text in (
            (_("General requirements"), campaign.general_requirements),
            (_("Main tasks"), campaign.main_tasks),
            (_("Methods and steps"), campaign.methods),
            (_("Organisation and leadership"), campaign.organisation),
        )
        if text.strip()
    ]
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "parent_visible": parent_visible,
            "children": visible.filter(parent=campaign).select_related("owner_unit"),
            "sections": sections,
            "themes": campaign.themes.order_by("number"),
            "stages": campaign_stages(campaign),
            "leading_group": campaign_leading_group(campaign),
            "rectification": rectification,
            "rectification_whole": whole,
            "may_scan_copies": bool(scan_paths(user, campaign)),
        },
    )


@login_required
def campaign_overview_page(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    campaign = get_campaign_for_user(user, slug)
    today = clock.today()
    paginator = Paginator(campaign_units_for_user(campaign, user), OVERVIEW_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    actions, rows = campaign_overview(campaign, user, today, units=list(page.object_list))
    labelled_rows = [
        (row.unit, [(cell, CellStatus(cell).label if cell else None) for cell in row.cells])
        for row in rows
    ]
    counts = status_counts(scoped(ActionStatus.objects.filter(campaign=campaign), user), today)
    return render(
        request,
        "campaigns/overview.html",
        {
            "campaign": campaign,
            "today": today,
            "actions": actions,
            "rows": labelled_rows,
            "page": page,
            "counts": [(s.value, s.label, counts.get(s.value, 0)) for s in CellStatus],
        },
    )


@login_required
def plan_edit(request: HttpRequest, slug: str, unit_slug: str) -> HttpResponse:
    campaign, unit = _campaign_and_unit(request, slug, unit_slug, "campaigns.change_unit_plan")
    plan = unit_plan(campaign, unit)
    if request.method == "POST":
        form = UnitPlanForm(request.POST)
        if form.is_valid():
            try:
                unit_plan_save(
                    actor=request.user,
                    campaign=campaign,
                    unit=unit,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The unit plan has been saved."))
                return redirect(unit_url(unit, campaign))
    else:
        initial = (
            {"title": plan.title, "body": plan.body}
            if plan
            else {"title": f"{unit.name}{campaign.name}具体实施方案"}
        )
        form = UnitPlanForm(initial=initial)
    return render(
        request,
        "campaigns/plan_edit.html",
        {
            "campaign": campaign,
            "unit": unit,
            "form": form,
            "plan": plan,
            "back_url": unit_url(unit, campaign),
        },
    )


@login_required
def action_propose(request: HttpRequest, slug: str, unit_slug: str) -> HttpResponse:
    campaign, unit = _campaign_and_unit(request, slug, unit_slug, "campaigns.propose_action")
    if request.method == "POST":
        form = ActionProposeForm(request.POST, campaign=campaign)
        if form.is_valid():
            data = form.cleaned_data
            try:
                self_selected_action_propose(
                    actor=request.user,
                    campaign=campaign,
                    unit=unit,
                    stage=data["stage"],
                    name=data["name"],
                    description=data["description"],
                    due_on=data["due_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The action has been proposed; the campaign office will decide on it."),
                )
                return redirect(unit_url(unit, campaign))
    else:
        form = ActionProposeForm(campaign=campaign)
    return render(
        request,
        "campaigns/action_propose.html",
        {
            "campaign": campaign,
            "unit": unit,
            "form": form,
            "back_url": unit_url(unit, campaign),
        },
    )


@login_required
def action_decide(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk)
    if action.kind != ActionKind.SELF_SELECTED:
        raise Http404
    if not request.user.has_perm("campaigns.decide_action", action):
        raise PermissionDenied
    back_url = unit_url(action.unit, action.campaign)
    pending = action.approval == Approval.PROPOSED
    if request.method == "POST" and not pending:
        messages.error(request, _("This action has already been decided."))
        return redirect(request.path)
    if request.method == "POST":
        form = ActionDecideForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == ActionDecideForm.APPROVE
            try:
                self_selected_action_decide(
                    actor=request.user,
                    action=action,
                    approve=approve,
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The action has been approved.")
                    if approve
                    else _("The action has not been approved."),
                )
                return redirect(back_url)
    else:
        form = ActionDecideForm()
    return render(
        request,
        "campaigns/action_decide.html",
        {
            "action": action,
            "form": form,
            "pending": pending,
            "back_url": back_url,
        },
    )
