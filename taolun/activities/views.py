"""Pages of activity records: thin callers of the activities selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taolun.activities.forms import RecordFilterForm, RecordForm, ReviewForm
from taolun.activities.meeting_selectors import get_record_with_meeting_for_user
from taolun.activities.models import ActivityRecord, RecordStatus
from taolun.activities.selectors import (
    get_attachment_for_user,
    get_record_for_user,
    record_attachments,
    record_history,
    records_for_user,
    records_with_counts,
)
from taolun.activities.services import (
    attachment_delete as attachment_delete_service,
)
from taolun.activities.services import (
    record_create,
    record_review,
    record_submit,
    record_update,
)
from taolun.campaigns.models import Action, ActionKind, Approval
from taolun.campaigns.selectors import campaigns_for_user, get_action_for_user
from taolun.core.forms import add_service_errors
from taolun.core.uploads import download_response
from taolun.org.predicates import InCampaign
from taolun.org.selectors import get_unit_for_user, units_for_user
from taolun.rectification.selectors import problems_from_for_user, source_token

PAGE_SIZE = 50


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaigns = list(
        campaigns_for_user(user).order_by("-starts_on", "slug").values_list("slug", "name")
    )
    form = RecordFilterForm(
        request.GET or None, campaigns=campaigns, actions=_action_choices(request, campaigns)
    )
    records = records_with_counts(records_for_user(user)).order_by("-held_on", "-id")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["campaign"]:
            records = records.filter(campaign__slug=data["campaign"])
        if data["unit"]:
            unit = units_for_user(user).filter(slug=data["unit"]).first()
            if unit is None:
                form.add_error("unit", _("No unit with this code is within your reach."))
            else:
                records = records.filter(unit__path__startswith=unit.path)
        if data["status"]:
            records = records.filter(status=data["status"])
        if data["action"]:
            records = records.filter(action_id=data["action"])
    if form.errors:
        records = records.none()
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activities/record_list.html", {"form": form, "page_obj": page})


def _action_choices(request: HttpRequest, campaigns: list[tuple[str, str]]) -> list:
    """Prescribed actions of the chosen campaign, plus the requested action if visible."""
    choices: list[tuple[int, str]] = []
    slug = request.GET.get("campaign")
    if slug and slug in {s for s, _name in campaigns}:
        actions = Action.objects.filter(
            campaign__slug=slug, kind=ActionKind.PRESCRIBED, approval=Approval.APPROVED
        ).order_by("number")
        choices = [(a.pk, str(a)) for a in actions]
    wanted = request.GET.get("action")
    if wanted and wanted.isdigit() and int(wanted) not in {pk for pk, _label in choices}:
        try:
            action = get_action_for_user(request.user, int(wanted))
        except Http404:
            return choices
        choices.append((action.pk, str(action)))
    return choices


@login_required
def record_create_view(request: HttpRequest, unit_slug: str, action_pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, unit_slug)
    action = get_action_for_user(request.user, action_pk)
    if not request.user.has_perm("activities.add_record", InCampaign(unit, action.campaign)):
        raise PermissionDenied
    form = RecordForm(request.POST or None, request.FILES or None, user=request.user, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            record = record_create(
                actor=request.user,
                action=action,
                unit=unit,
                participants=form.cleaned_data["participants"],
                files=form.cleaned_data["attachments"],
                submit="submit" in request.POST,
                **form.record_fields(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            _saved_message(request, record)
            return redirect(record)
    if form.errors:
        form.note_lost_files()
    return render(
        request,
        "activities/record_form.html",
        {"form": form, "unit": unit, "action": action, "record": None},
    )


def _saved_message(request: HttpRequest, record: ActivityRecord) -> None:
    if record.status == RecordStatus.SUBMITTED:
        messages.success(request, _("The record was saved and submitted for review."))
    else:
        messages.success(request, _("The record was saved as a draft."))


def _detail_context(
    request: HttpRequest, record: ActivityRecord, review_form: ReviewForm | None = None
) -> dict:
    user = request.user
    can_review = record.status == RecordStatus.SUBMITTED and user.has_perm(
        "activities.review_record", record
    )
    return {
        "record": record,
        "participants": list(record.participants.order_by("name", "pk")),
        "attachments": record_attachments(record),
        "history": record_history(record),
        "can_edit": user.has_perm("activities.change_record", record),
        "can_review": can_review,
        "review_form": (review_form or ReviewForm()) if can_review else None,
        # The ledger: problems found here, and a way to record one.
        "problems": list(problems_from_for_user(user, record)),
        "can_record_problem": user.has_perm("rectification.add_problem", record.unit),
        "source_token": source_token(record),
        # A meeting's record: its attendance, statements and minutes are on the meeting page.
        "meeting": getattr(record, "meeting", None),
    }


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_record_with_meeting_for_user(request.user, pk)
    return render(request, "activities/record_detail.html", _detail_context(request, record))


@login_required
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a plain record; a meeting's record is edited on the meeting's page."""
    record = get_record_with_meeting_for_user(request.user, pk)
    if not request.user.has_perm("activities.change_record", record):
        raise PermissionDenied
    meeting = getattr(record, "meeting", None)
    if meeting is not None and request.method == "GET":
        return redirect("meetings:edit", pk=meeting.pk)
    initial = {
        "title": record.title,
        "held_on": record.held_on,
        "place": record.place,
        "participant_count": record.participant_count,
        "content": record.content,
        "participants": list(record.participants.values_list("pk", flat=True)),
    }
    form = RecordForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        user=request.user,
        unit=record.unit,
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = record_update(
                actor=request.user,
                record=record,
                participants=form.cleaned_data["participants"],
                files=form.cleaned_data["attachments"],
                submit="submit" in request.POST,
                **form.record_fields(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
            # The service may have touched the instance before refusing: show what is stored.
            record = get_record_for_user(request.user, pk)
        else:
            _saved_message(request, record)
            return redirect(record)
    if form.errors:
        form.note_lost_files()
    return render(
        request,
        "activities/record_form.html",
        {
            "form": form,
            "unit": record.unit,
            "action": record.action,
            "record": record,
            "attachments": record_attachments(record),
        },
    )


@login_required
@require_POST
def record_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk)
    try:
        record_submit(actor=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The record was submitted for review."))
    return redirect(record)


@login_required
@require_POST
def record_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    decision = request.POST.get("decision")
    if decision not in {"accept", "return"} or not form.is_valid():
        form.add_error(None, _("Choose whether to accept or return the record."))
    else:
        try:
            record = record_review(
                actor=request.user,
                record=record,
                accept=decision == "accept",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect(record)
            add_service_errors(form, exc)
        else:
            if record.status == RecordStatus.ACCEPTED:
                messages.success(request, _("The record was accepted."))
            else:
                messages.success(request, _("The record was returned with your comment."))
            return redirect(record)
    if not request.user.has_perm("activities.review_record", record):
        raise PermissionDenied
    return render(
        request, "activities/record_detail.html", _detail_context(request, record, review_form=form)
    )


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_attachment_for_user(request.user, pk)
    return download_response(attachment)


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_attachment_for_user(request.user, pk)
    record = attachment.record
    name = attachment.original_name
    attachment_delete_service(actor=request.user, attachment=attachment)
    messages.success(request, _("“%(name)s” was removed.") % {"name": name})
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(record)
