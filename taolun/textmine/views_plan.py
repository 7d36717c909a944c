"""The plan import: paste or upload a plan, review the draft campaign, create it.

Step 1 reads and parses the plan and answers with the review page; the review is posted
back whole (the plan's text in a hidden field) until the user creates the campaign, so
nothing is stored before then. Only a campaign office may import (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from taolun.core.forms import add_service_errors
from taolun.org.models import Unit
from taolun.textmine.forms_plan import (
    MEMBERS_PREFIX,
    STAGES_PREFIX,
    THEMES_PREFIX,
    CampaignReviewForm,
    MemberFormSet,
    PlanSourceForm,
    StageFormSet,
    ThemeFormSet,
)
from taolun.textmine.plan import PlanDraft
from taolun.textmine.plan_files import MAX_PLAN_FILE_BYTES
from taolun.textmine.services_plan import (
    campaign_create_from_plan,
    may_import_plan,
    people_match,
    plan_owner_units,
    plan_review_initial,
)

# Buttons of the review that show it again instead of creating: (name, formset to grow).
ADD_BUTTONS = {"add_theme": THEMES_PREFIX, "add_stage": STAGES_PREFIX, "add_member": MEMBERS_PREFIX}
REFRESH_BUTTON = "refresh"
ROW_KEYS = (THEMES_PREFIX, STAGES_PREFIX, MEMBERS_PREFIX)


def _owner_units(request: HttpRequest) -> QuerySet[Unit]:
    """The units the user may create a campaign for; 403 for anyone but a campaign office."""
    if not may_import_plan(request.user):
        raise PermissionDenied
    return plan_owner_units(request.user)


@login_required
def plan_import(request: HttpRequest) -> HttpResponse:
    units = _owner_units(request)
    if request.method == "POST":
        form = PlanSourceForm(request.POST, request.FILES)
        if form.is_valid():
            return _first_review(
                request, units, form.cleaned_data["draft"], form.cleaned_data["plan_text"]
            )
        form.note_lost_file("file")
    else:
        form = PlanSourceForm()
    return render(
        request, "textmine/plan_import.html", {"form": form, "max_bytes": MAX_PLAN_FILE_BYTES}
    )


def _first_review(
    request: HttpRequest, units: QuerySet[Unit], draft: PlanDraft, text: str
) -> HttpResponse:
    """The review page filled from the draft (nothing saved)."""
    owner = units.first()
    initial = plan_review_initial(actor=request.user, draft=draft, owner=owner)
    form = CampaignReviewForm(initial={**initial.campaign, "source": text}, units=units)
    themes = ThemeFormSet(initial=initial.themes, prefix=THEMES_PREFIX, extra=1)
    stages = StageFormSet(
        initial=initial.stages, prefix=STAGES_PREFIX, extra=max(1, initial.missing_stages)
    )
    members = MemberFormSet(initial=initial.members, prefix=MEMBERS_PREFIX, extra=1)
    return _review(request, form, themes, stages, members, draft=draft, notes=initial.notes)


@login_required
def plan_review(request: HttpRequest) -> HttpResponse:
    """The posted review: shown again (rows added, names checked) or the campaign created."""
    units = _owner_units(request)
    if request.method != "POST":
        return redirect("textmine:plan_import")
    data = request.POST
    form = CampaignReviewForm(data, units=units)
    themes = ThemeFormSet(data, prefix=THEMES_PREFIX)
    stages = StageFormSet(data, prefix=STAGES_PREFIX)
    members = MemberFormSet(data, prefix=MEMBERS_PREFIX)
    draft = form.draft()
    grow = next((prefix for button, prefix in ADD_BUTTONS.items() if button in data), None)
    if grow is not None or REFRESH_BUTTON in data:
        form = CampaignReviewForm(initial=_typed(form), units=units)
        themes, stages, members = (
            formset.__class__(
                initial=formset.typed(),
                prefix=formset.prefix,
                extra=1 if grow == formset.prefix else 0,
            )
            for formset in (themes, stages, members)
        )
        return _review(request, form, themes, stages, members, draft=draft)
    row_errors: dict[str, list[str]] = {}
    if all([form.is_valid(), themes.is_valid(), stages.is_valid(), members.is_valid()]):
        try:
            campaign = campaign_create_from_plan(
                actor=request.user,
                themes=themes.rows(),
                stages=stages.rows(),
                members=members.rows(),
                **form.campaign_fields(),
            )
        except ValidationError as error:
            row_errors = _split_row_errors(form, error)
        else:
            messages.success(
                request,
                _("The campaign “%(name)s” was created from the plan.") % {"name": campaign.name},
            )
            return redirect(campaign.get_absolute_url())
    return _review(request, form, themes, stages, members, draft=draft, row_errors=row_errors)


def _typed(form: CampaignReviewForm) -> dict[str, Any]:
    """What the user typed in the campaign's fields, as initial values (unchecked)."""
    return {
        name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        for name, field in form.fields.items()
    }


def _split_row_errors(form: CampaignReviewForm, error: ValidationError) -> dict[str, list[str]]:
    """The service's errors: the rows' for their tables, the rest on the campaign's fields."""
    if not hasattr(error, "error_dict"):
        add_service_errors(form, error)
        return {}
    rows = {key: error.error_dict.pop(key) for key in ROW_KEYS if key in error.error_dict}
    if error.error_dict:
        add_service_errors(form, error)
    return {key: [m for e in errors for m in e.messages] for key, errors in rows.items()}


def _member_row(member: Any) -> tuple[str, str]:
    """A leading group row's name and role as typed (bound) or as drafted (unbound)."""
    if member.is_bound:
        values = (member.data.get(member.add_prefix(n), "") for n in ("name", "role"))
    else:
        values = (member.initial.get(n) or "" for n in ("name", "role"))
    name, role = values
    return str(name).strip(), str(role)


def _review(
    request: HttpRequest,
    form: CampaignReviewForm,
    themes: ThemeFormSet,
    stages: StageFormSet,
    members: MemberFormSet,
    *,
    draft: PlanDraft | None,
    notes: list[str] | None = None,
    row_errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    rows = [_member_row(member) for member in members.forms]
    matches = people_match(actor=request.user, names=[name for name, _role in rows])
    member_rows = [
        (member, matches.get(name), bool(role and not name))
        for member, (name, role) in zip(members.forms, rows, strict=True)
    ]
    row_errors = row_errors or {}
    has_errors = bool(
        form.errors
        or themes.total_error_count()
        or stages.total_error_count()
        or members.total_error_count()
        or row_errors
    )
    return render(
        request,
        "textmine/plan_review.html",
        {
            "form": form,
            "themes": themes,
            "stages": stages,
            "members": members,
            "member_rows": member_rows,
            "draft": draft,
            "notes": notes or [],
            "row_errors": row_errors,
            "has_errors": has_errors,
        },
    )


urlpatterns: list[URLPattern] = [
    path("plan/", plan_import, name="plan_import"),
    path("plan/review/", plan_review, name="plan_review"),
]
