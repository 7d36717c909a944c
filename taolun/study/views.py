"""Study pages: thin callers of the study selectors and services.

Reads go through the scoping selectors (404 outside scope); each write is one service
call whose PermissionDenied answers 403 and whose ValidationError is shown on the form
that was sent, with what the user typed kept.
"""

from __future__ import annotations

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core.forms import add_service_errors
from taolun.core.uploads import download_response
from taolun.org.models import Unit
from taolun.org.selectors import unit_children, units_for_user
from taolun.study import services
from taolun.study.forms import (
    CompletionFilterForm,
    LogForm,
    MaterialForm,
    ReflectionFilterForm,
    ReflectionForm,
)
from taolun.study.models import Reflection, StudyLog, StudyMaterial
from taolun.study.rules import READER_ROLES
from taolun.study.selectors import (
    get_completion_unit_for_user,
    get_material_for_user,
    get_reflection_for_user,
    is_reader_in,
    materials_for_user,
    member_page,
    my_study,
    reader_units,
    reflection_list,
    reflections_for_user,
    unit_completion,
)

PAGE_SIZE = 50

LOCKED = gettext_lazy(
    "This reflection was marked excellent and shared while you were editing it, so it can "
    "no longer be changed. Your text is kept below: copy it if you want to keep it."
)


def _published(user, campaign: Campaign):
    return (
        materials_for_user(user, campaign)
        .filter(published_at__isnull=False)
        .order_by("order", "id")
    )


def _preselected(request: HttpRequest, user, campaign: Campaign) -> StudyMaterial | None:
    """The ``?material=pk`` a link chose, when it is a published material of the campaign."""
    pk = request.GET.get("material", "")
    if not pk.isdigit():
        return None
    return _published(user, campaign).filter(pk=int(pk)).first()


# ---------------------------------------------------------------- materials


@login_required
@require_http_methods(["GET"])
def index(request: HttpRequest, campaign: str) -> HttpResponse:
    """The campaign's materials by stage, with whether I have studied each."""
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    mine = {row.material.pk: row for row in my_study(user, campaign_obj)}
    stages: OrderedDict = OrderedDict()
    materials = materials_for_user(user, campaign_obj).order_by("stage__number", "order", "id")
    for material in materials:
        stages.setdefault(material.stage, []).append((material, mine.get(material.pk)))
    return render(
        request,
        "study/index.html",
        {
            "campaign": campaign_obj,
            "stages": list(stages.items()),
            "can_add": user.has_perm("study.add_material", campaign_obj),
            "takes_part": user.has_perm("study.take_part", campaign_obj),
            "reader_units": list(reader_units(user, campaign_obj)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_create(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    if not user.has_perm("study.add_material", campaign_obj):
        raise PermissionDenied
    form = MaterialForm(request.POST or None, request.FILES or None, campaign=campaign_obj)
    if request.method == "POST" and form.is_valid():
        try:
            material = services.material_create(
                actor=user,
                campaign=campaign_obj,
                for_units=form.cleaned_data["for_units"],
                upload=form.cleaned_data["upload"],
                publish="publish" in request.POST,
                **form.material_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The material was published.")
                if material.is_published
                else _("The material was saved as a draft."),
            )
            return redirect(material)
    if form.errors:
        form.note_lost_file()
    return render(
        request,
        "study/material_form.html",
        {"form": form, "campaign": campaign_obj, "material": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    material = get_material_for_user(user, pk)
    if not user.has_perm("study.change_material", material):
        raise PermissionDenied
    initial = {
        "title": material.title,
        "source": material.source,
        "body": material.body,
        "stage": material.stage_id,
        "theme": material.theme_id,
        "required": material.required,
        "due_on": material.due_on,
        "order": material.order,
        "for_units": list(material.for_units.values_list("pk", flat=True)),
    }
    form = MaterialForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        campaign=material.campaign,
        has_file=material.has_file,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.material_update(
                actor=user,
                material=material,
                for_units=form.cleaned_data["for_units"],
                upload=form.cleaned_data["upload"],
                remove_file=form.cleaned_data.get("remove_file", False),
                **form.material_fields(),
            )
            if "publish" in request.POST and not material.is_published:
                services.material_publish(actor=user, material=material)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The material was saved."))
            return redirect(material)
    if form.errors:
        form.note_lost_file()
    return render(
        request,
        "study/material_form.html",
        {"form": form, "campaign": material.campaign, "material": material},
    )


@login_required
@require_POST
def material_publish(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_material_for_user(request.user, pk)
    try:
        services.material_publish(actor=request.user, material=material)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The material was published."))
    return redirect(material)


@login_required
@require_http_methods(["GET"])
def material_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    material = get_material_for_user(user, pk)
    campaign = material.campaign
    return render(
        request,
        "study/material_detail.html",
        {
            "material": material,
            "campaign": campaign,
            "for_units": list(material.for_units.order_by("path")),
            "my_logs": list(
                StudyLog.objects.filter(person=user, material=material).select_related(
                    "meeting__record"
                )
            ),
            "can_edit": user.has_perm("study.change_material", material),
            "takes_part": material.is_published and user.has_perm("study.take_part", campaign),
        },
    )


@login_required
@require_http_methods(["GET"])
def material_file(request: HttpRequest, pk: int) -> FileResponse:
    material = get_material_for_user(request.user, pk)
    return download_response(material)


# ---------------------------------------------------------------- logs


@login_required
@require_http_methods(["GET", "POST"])
def log_create(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    if not user.has_perm("study.take_part", campaign_obj):
        raise PermissionDenied
    chosen = _preselected(request, user, campaign_obj)
    form = LogForm(
        request.POST or None,
        initial={"material": chosen.pk if chosen else None},
        materials=_published(user, campaign_obj),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.log_add(
                actor=user,
                campaign=campaign_obj,
                material=data["material"],
                other_title=data["other_title"],
                studied_on=data["studied_on"],
                minutes=data["minutes"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your study was logged."))
            return redirect("study:me", campaign_obj.slug)
    return render(request, "study/log_form.html", {"form": form, "campaign": campaign_obj})


@login_required
@require_POST
def log_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    # Only one's own logs can be deleted: anyone else's answers 404, seen or not.
    log = StudyLog.objects.select_related("campaign").filter(pk=pk, person=user).first()
    if log is None:
        raise Http404
    services.log_delete(actor=user, log=log)
    messages.success(request, _("The log was deleted."))
    return redirect("study:me", log.campaign.slug)


# ---------------------------------------------------------------- reflections


@login_required
@require_http_methods(["GET"])
def reflections(request: HttpRequest, campaign: str) -> HttpResponse:
    """Mine, the excellent ones, and for readers the submitted ones in scope."""
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    materials = _published(user, campaign_obj)
    form = ReflectionFilterForm(request.GET or None, materials=materials)
    visible = reflections_for_user(user, campaign_obj)
    mine = list(visible.filter(author=user).order_by("-updated_at", "-id"))
    others = visible.exclude(author=user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        unit = None
        if data["unit"]:
            unit = units_for_user(user).filter(slug=data["unit"]).first()
            if unit is None:
                form.add_error("unit", _("No unit with this code is within your reach."))
        others = reflection_list(
            others, unit=unit, material=data["material"], excellent=data["excellent"]
        )
    else:
        others = reflection_list(others)
    if form.errors:
        others = others.none()
    page = Paginator(others, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "study/reflections.html",
        {
            "campaign": campaign_obj,
            "form": form,
            "mine": mine,
            "page_obj": page,
            "is_reader": is_reader_in(user, campaign_obj),
            "takes_part": user.has_perm("study.take_part", campaign_obj),
        },
    )


def _reflection_form_page(
    request: HttpRequest, campaign: Campaign, reflection: Reflection | None
) -> HttpResponse:
    user = request.user
    if reflection is None:
        chosen = _preselected(request, user, campaign)
        initial = {"material": chosen.pk if chosen else None}
    else:
        initial = {
            "title": reflection.title,
            "body": reflection.body,
            "material": reflection.material_id,
            "theme": reflection.theme_id,
        }
    form = ReflectionForm(
        request.POST or None,
        initial=initial,
        materials=_published(user, campaign),
        campaign=campaign,
    )
    if reflection is not None and not user.has_perm("study.edit_reflection", reflection):
        form.add_error(None, LOCKED)  # a late post: say so at once, keep the text
    elif request.method == "POST" and form.is_valid():
        try:
            saved = services.reflection_save(
                actor=user,
                campaign=campaign,
                reflection=reflection,
                submit="submit" in request.POST,
                **form.reflection_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            # Marked excellent (and locked) while its author was editing: keep the text.
            form.add_error(None, LOCKED)
        else:
            messages.success(
                request,
                _("Your reflection was submitted.")
                if saved.is_submitted
                else _("Your reflection was saved as a draft."),
            )
            return redirect(saved)
    return render(
        request,
        "study/reflection_form.html",
        {"form": form, "campaign": campaign, "reflection": reflection},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reflection_create(request: HttpRequest, campaign: str) -> HttpResponse:
    campaign_obj = get_campaign_for_user(request.user, campaign)
    if not request.user.has_perm("study.take_part", campaign_obj):
        raise PermissionDenied
    return _reflection_form_page(request, campaign_obj, None)


@login_required
@require_http_methods(["GET", "POST"])
def reflection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_reflection_for_user(request.user, pk)
    # The author's own edit posted after the reflection was locked is answered with the form
    # and its text, never thrown away: the service refuses it.
    own_late_post = request.method == "POST" and reflection.author_id == request.user.pk
    if not request.user.has_perm("study.edit_reflection", reflection) and not own_late_post:
        raise PermissionDenied
    return _reflection_form_page(request, reflection.campaign, reflection)


@login_required
@require_http_methods(["GET"])
def reflection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    reflection = get_reflection_for_user(user, pk)
    return render(
        request,
        "study/reflection_detail.html",
        {
            "reflection": reflection,
            "campaign": reflection.campaign,
            "can_edit": user.has_perm("study.edit_reflection", reflection),
            "can_mark": user.has_perm("study.mark_reflection", reflection),
        },
    )


@login_required
@require_POST
def reflection_mark(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_reflection_for_user(request.user, pk)
    excellent = request.POST.get("excellent") == "1"
    services.reflection_mark(actor=request.user, reflection=reflection, excellent=excellent)
    messages.success(
        request,
        _("The reflection was marked excellent and is shared with the campaign.")
        if excellent
        else _("The reflection is no longer marked excellent."),
    )
    return redirect(reflection)


# ---------------------------------------------------------------- completion and my page


@login_required
@require_http_methods(["GET"])
def completion(request: HttpRequest, campaign: str, unit: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    unit_obj: Unit = get_completion_unit_for_user(user, campaign_obj, unit)
    form = CompletionFilterForm(request.GET or None)
    without = bool(form.is_valid() and form.cleaned_data["without_reflection"])
    result = unit_completion(
        user, campaign_obj, unit_obj, request.GET.get("page"), without_reflection=without
    )
    return render(
        request,
        "study/completion.html",
        {
            "campaign": campaign_obj,
            "unit": unit_obj,
            "form": form,
            "result": result,
            "page_obj": result.page,
            "children": list(unit_children(unit_obj)),
            "parent": _readable_parent(user, campaign_obj, unit_obj),
        },
    )


def _readable_parent(user, campaign: Campaign, unit: Unit) -> Unit | None:
    """The unit above, when the user may read its completion too (for the breadcrumbs)."""
    if unit.path == campaign.owner_unit.path or unit.depth <= 1:
        return None
    parent_path = unit.path[: -Unit.steplen]
    return (
        units_for_user(user, roles=READER_ROLES)
        .filter(path=parent_path, path__startswith=campaign.owner_unit.path)
        .first()
    )


@login_required
@require_http_methods(["GET"])
def me(request: HttpRequest, campaign: str) -> HttpResponse:
    """The member's own page: what to study, what was done, written and attended."""
    campaign_obj = get_campaign_for_user(request.user, campaign)
    page = member_page(request.user, campaign_obj)
    return render(
        request,
        "study/me.html",
        {
            "campaign": campaign_obj,
            "page": page,
        },
    )
