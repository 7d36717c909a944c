"""The campaign summary and bulletin pages: thin callers of ``summary.py`` and
``bulletin.py``.

The campaign is read through ``get_campaign_for_user`` (404 outside scope), a draft
summary or draft issue only by those who may (404 otherwise); a service's
PermissionDenied answers 403 and its ValidationError lands on the form that was sent,
re-shown with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core import clock
from taolun.reporting import bulletin, summary
from taolun.reporting.models import BriefIssue, CampaignSummary, IssueState, SummaryState
from taolun.reporting.summary_forms import IssueForm, IssueItemsForm, SummaryForm

# ---------------------------------------------------------------- the summary


def _summary_or_404(request: HttpRequest, campaign: Campaign) -> CampaignSummary:
    found = summary.summary_for_user(request.user, campaign)
    if found is None:
        raise Http404
    return found


@login_required
@require_http_methods(["GET"])
def summary_page(request: HttpRequest, campaign: str) -> HttpResponse:
    """The summary as it stands: state, who edited it when, the text and the downloads."""
    campaign_obj = get_campaign_for_user(request.user, campaign)
    found = summary.summary_for_user(request.user, campaign_obj)
    return render(
        request,
        "reporting/summary.html",
        {
            "campaign": campaign_obj,
            "summary": found,
            "can_change": summary.can_change_summary(request.user, campaign_obj),
            "is_final": found is not None and found.state == SummaryState.FINAL,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def summary_assemble(request: HttpRequest, campaign: str) -> HttpResponse:
    """Assemble the draft from the data; replacing an existing draft is confirmed first."""
    campaign_obj = get_campaign_for_user(request.user, campaign)
    if not summary.can_change_summary(request.user, campaign_obj):
        raise PermissionDenied
    current = summary.summary_for_user(request.user, campaign_obj)
    if request.method == "POST":
        try:
            summary.summary_assemble(actor=request.user, campaign=campaign_obj)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The summary was assembled from the data."))
        return redirect("reporting:summary", campaign_obj.slug)
    return render(
        request,
        "reporting/summary_assemble.html",
        {"campaign": campaign_obj, "summary": current},
    )


@login_required
@require_http_methods(["GET", "POST"])
def summary_edit(request: HttpRequest, campaign: str) -> HttpResponse:
    campaign_obj = get_campaign_for_user(request.user, campaign)
    found = _summary_or_404(request, campaign_obj)
    if not summary.can_change_summary(request.user, campaign_obj):
        raise PermissionDenied
    if found.state == SummaryState.FINAL:
        messages.info(request, _("The summary is final and is no longer changed."))
        return redirect("reporting:summary", campaign_obj.slug)
    form = SummaryForm(request.POST or None, initial={"title": found.title, "body": found.body})
    if request.method == "POST" and form.is_valid():
        try:
            summary.summary_edit(
                actor=request.user,
                summary=found,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The summary was saved."))
            return redirect("reporting:summary", campaign_obj.slug)
    return render(
        request,
        "reporting/summary_edit.html",
        {"campaign": campaign_obj, "summary": found, "form": form},
    )


@login_required
@require_http_methods(["POST"])
def summary_finalise(request: HttpRequest, campaign: str) -> HttpResponse:
    campaign_obj = get_campaign_for_user(request.user, campaign)
    found = _summary_or_404(request, campaign_obj)
    try:
        summary.summary_finalise(actor=request.user, summary=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The summary is final."))
    return redirect("reporting:summary", campaign_obj.slug)


# ---------------------------------------------------------------- the bulletin


def _issue_initial(campaign: Campaign) -> dict:
    return {
        "masthead": bulletin.default_masthead(campaign),
        "number": bulletin.next_number(campaign),
        "editor": bulletin.default_editor(campaign),
        "issued_on": clock.today(),
        "recipients": bulletin.default_recipients(campaign),
    }


def _issue_fields(form: IssueForm) -> dict:
    data = form.cleaned_data
    return {
        "masthead": data["masthead"],
        "number": data["number"],
        "editor": data["editor"],
        "issued_on": data["issued_on"],
        "recipients": data["recipients"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def bulletins(request: HttpRequest, campaign: str) -> HttpResponse:
    """The campaign's issues; the office starts a new one here."""
    campaign_obj = get_campaign_for_user(request.user, campaign)
    can_manage = bulletin.can_manage_bulletin(request.user, campaign_obj)
    form = None
    if can_manage:
        form = IssueForm(request.POST or None, initial=_issue_initial(campaign_obj))
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            issue = bulletin.issue_create(
                actor=request.user, campaign=campaign_obj, **_issue_fields(form)
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Issue %(n)d was started.") % {"n": issue.number})
            return redirect("reporting:bulletin", campaign_obj.slug, issue.number)
    issues = list(bulletin.issues_for_user(request.user, campaign_obj).prefetch_related("items"))
    return render(
        request,
        "reporting/bulletins.html",
        {"campaign": campaign_obj, "issues": issues, "form": form, "can_manage": can_manage},
    )


def _items_form(issue: BriefIssue, data=None) -> IssueItemsForm:
    chosen = {item.brief_id: item.order for item in issue.items.all()}
    rows = [
        (brief, bulletin.adopted_text(brief, issue.campaign)[0])
        for brief in bulletin.adoptable_briefs(issue.campaign)
    ]
    initial = {f"pos_{pk}": order for pk, order in chosen.items()}
    return IssueItemsForm(data, briefs=rows, initial=initial)


def _refuse_if_issued(request, campaign_obj, issue) -> HttpResponse | None:
    """An issued issue has no forms left to show an error on: say so above the page."""
    if issue.state == IssueState.DRAFT:
        return None
    messages.error(request, _("This issue has been issued and is no longer changed."))
    return redirect("reporting:bulletin", campaign_obj.slug, issue.number)


def _issue_page(request, campaign_obj, issue, *, form=None, items_form=None) -> HttpResponse:
    can_edit = issue.state == IssueState.DRAFT and bulletin.can_manage_bulletin(
        request.user, campaign_obj
    )
    if can_edit:
        form = form or IssueForm(
            initial={
                "masthead": issue.masthead,
                "number": issue.number,
                "editor": issue.editor,
                "issued_on": issue.issued_on,
                "recipients": issue.recipients,
            }
        )
        items_form = items_form or _items_form(issue)
    return render(
        request,
        "reporting/bulletin_detail.html",
        {
            "campaign": campaign_obj,
            "issue": issue,
            "items": bulletin.issue_items(issue),
            "can_edit": can_edit,
            "form": form if can_edit else None,
            "items_form": items_form if can_edit else None,
            "recipient_lines": [line for line in issue.recipients.splitlines() if line.strip()],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_detail(request: HttpRequest, campaign: str, number: int) -> HttpResponse:
    """One issue; while it is a draft the office edits its heading fields here."""
    campaign_obj = get_campaign_for_user(request.user, campaign)
    issue = bulletin.get_issue_for_user(request.user, campaign_obj, number)
    if request.method == "GET":
        return _issue_page(request, campaign_obj, issue)
    if refused := _refuse_if_issued(request, campaign_obj, issue):
        return refused
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            issue = bulletin.issue_update(actor=request.user, issue=issue, **_issue_fields(form))
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The issue was saved."))
            return redirect("reporting:bulletin", campaign_obj.slug, issue.number)
    return _issue_page(request, campaign_obj, issue, form=form)


@login_required
@require_http_methods(["POST"])
def bulletin_items(request: HttpRequest, campaign: str, number: int) -> HttpResponse:
    """Pick and order the issue's briefs."""
    campaign_obj = get_campaign_for_user(request.user, campaign)
    issue = bulletin.get_issue_for_user(request.user, campaign_obj, number)
    if not bulletin.can_manage_bulletin(request.user, campaign_obj):
        raise PermissionDenied
    if refused := _refuse_if_issued(request, campaign_obj, issue):
        return refused
    items_form = _items_form(issue, request.POST)
    if items_form.is_valid():
        try:
            bulletin.issue_set_items(
                actor=request.user, issue=issue, brief_ids=items_form.brief_ids()
            )
        except ValidationError as error:
            items_form.apply_errors(error)
        else:
            messages.success(request, _("The items of the issue were saved."))
            return redirect("reporting:bulletin", campaign_obj.slug, issue.number)
    return _issue_page(request, campaign_obj, issue, items_form=items_form)


@login_required
@require_http_methods(["POST"])
def bulletin_issue(request: HttpRequest, campaign: str, number: int) -> HttpResponse:
    campaign_obj = get_campaign_for_user(request.user, campaign)
    issue = bulletin.get_issue_for_user(request.user, campaign_obj, number)
    try:
        bulletin.issue_publish(actor=request.user, issue=issue)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Issue %(n)d was issued.") % {"n": issue.number})
    return redirect("reporting:bulletin", campaign_obj.slug, issue.number)
