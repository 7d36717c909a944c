"""The brief pages: thin callers of ``brief_selectors`` and the ``briefs`` services.

Every read goes through the scoping selectors (404 outside scope); every write is one
service call whose PermissionDenied answers 403 and whose ValidationError is shown on
the form that was sent, with what the user typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.core.concurrency import StaleEdit, check_version
from taolun.core.forms import add_service_errors
from taolun.core.uploads import download_response
from taolun.org.models import User
from taolun.reporting import briefs as services
from taolun.reporting.brief_forms import (
    BriefForm,
    CaptionForm,
    DecideForm,
    ForwardForm,
    NoFieldsForm,
    OwnFilterForm,
    PhotoForm,
    ReceivedFilterForm,
    SendBackForm,
    brief_version,
)
from taolun.reporting.brief_selectors import (
    brief_events,
    brief_photos,
    brief_reviews,
    briefs_to_sign,
    get_photo_for_user,
    get_review_for_user,
    reads_reviews_here,
    received_reviews,
    unit_briefs,
    units_for_briefs,
)
from taolun.reporting.models import Brief, BriefReview, ReviewState
from taolun.reporting.selectors import get_brief_for_user

PAGE_SIZE = 50

EVENT_LABELS = {
    "create": gettext_lazy("Written"),
    "edit": gettext_lazy("Edited"),
    "send_for_signoff": gettext_lazy("Sent for sign-off"),
    "sign": gettext_lazy("Signed off"),
    "send_back": gettext_lazy("Sent back for changes"),
    "submit": gettext_lazy("Submitted to the office"),
    "return": gettext_lazy("Returned"),
    "adopt": gettext_lazy("Adopted"),
    "forward": gettext_lazy("Forwarded to the office above"),
    "edit_text": gettext_lazy("Adopted text revised"),
}


# ---------------------------------------------------------------- the hub


@login_required
@require_http_methods(["GET"])
def briefs(request: HttpRequest, campaign: str) -> HttpResponse:
    """Our unit's briefs, those to sign off, and what reached this campaign's office."""
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    own_form = OwnFilterForm(request.GET or None)
    own_all = unit_briefs(user, campaign_obj)
    own_page = Paginator(
        unit_briefs(user, campaign_obj, state=own_form.state_value()), PAGE_SIZE
    ).get_page(request.GET.get("own_page"))
    context: dict[str, Any] = {
        "campaign": campaign_obj,
        "can_add": units_for_briefs(campaign_obj, user).exists(),
        "own_form": own_form,
        "own_page": own_page,
        "has_own": own_all.exists(),
        "to_sign": list(briefs_to_sign(user, campaign_obj)[:PAGE_SIZE]),
        "office": reads_reviews_here(user, campaign_obj),
    }
    if context["office"]:
        form = ReceivedFilterForm(request.GET or None, campaign=campaign_obj, user=user)
        reviews = received_reviews(user, campaign_obj, form.filters())
        context["received_form"] = form
        context["page_obj"] = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reporting/brief_hub.html", context)


# ---------------------------------------------------------------- writing and editing


@login_required
@require_http_methods(["GET", "POST"])
def brief_create(request: HttpRequest, campaign: str) -> HttpResponse:
    user = request.user
    campaign_obj = get_campaign_for_user(user, campaign)
    units = list(units_for_briefs(campaign_obj, user)[:2])
    if not units:
        raise PermissionDenied
    initial: dict[str, Any] = {
        "byline": user.name,
        "unit": units[0].pk if len(units) == 1 else None,
    }
    data = request.POST if request.method == "POST" else None
    form = BriefForm(data, request.FILES or None, campaign=campaign_obj, user=user, initial=initial)
    if data is not None and form.is_valid():
        fields = form.brief_fields()
        upload = form.cleaned_data.get("photo")
        photos = [services.PhotoInput(upload, form.cleaned_data["caption"])] if upload else []
        try:
            brief = services.brief_create(
                actor=user, campaign=campaign_obj, photos=photos, **fields
            )
        except ValidationError as exc:
            _lost_photo(form, exc)
        else:
            messages.success(request, _("The brief was saved as a draft."))
            _hint(request, brief)
            return redirect(brief)
    elif data is not None:
        _lost_photo(form, None)
    return render(
        request,
        "reporting/brief_form.html",
        {"campaign": campaign_obj, "form": form, "brief": None, **_length(form)},
    )


def _lost_photo(form: BriefForm, error: ValidationError | None) -> None:
    """Errors on their fields; a chosen photo is not kept by the browser: say so."""
    if error is not None:
        if hasattr(error, "error_dict") and "photos" in error.error_dict:
            error.error_dict["photo"] = error.error_dict.pop("photos")
        add_service_errors(form, error)
    if form.files.get("photo") and "photo" not in form.errors:
        form.add_error(
            "photo", _("Files are not kept when the form has errors: please choose it again.")
        )


def _length(form: BriefForm) -> dict[str, Any]:
    """The character count of the text as it stands in the form, with its hint."""
    body = form.data.get("body") if form.is_bound else form.initial.get("body", "")
    kind = form.data.get("kind") if form.is_bound else form.initial.get("kind", "news")
    return {
        "length": services.text_length(body or ""),
        "length_hint": services.length_hint(kind or "news", body or ""),
        "norm": services.NEWS_NORM,
        "hint_above": services.NEWS_HINT_ABOVE,
    }


def _hint(request: HttpRequest, brief: Brief) -> None:
    if hint := services.length_hint(brief.kind, brief.body):
        messages.info(request, hint)


def _stale_message(stale: StaleEdit) -> str:
    if stale.missing:
        return _(
            "The form did not say which version of this brief you started from, so your "
            "changes were not saved: compare them with the brief as it is now and save again."
        )
    if stale.actor is not None:
        return _(
            "%(who)s changed this brief at %(when)s, while you were editing it. Your changes "
            "were not saved: compare them with the brief as it is now and save again."
        ) % {"who": stale.actor_name, "when": stale.when}
    return _(
        "This brief was changed at %(when)s, while you were editing it. Your changes were "
        "not saved: compare them with the brief as it is now and save again."
    ) % {"when": stale.when}


def _refused_form(data: Any, stale: StaleEdit, *, brief: Brief, user: User) -> BriefForm:
    """What the user typed, now carrying the current version: saving again is deliberate."""
    again = data.copy()
    again["version"] = stale.current
    form = BriefForm(
        again, campaign=brief.campaign, user=user, brief=brief, initial=BriefForm.initial_for(brief)
    )
    form.is_valid()
    form.add_error(None, _stale_message(stale))
    return form


@login_required
@require_http_methods(["GET", "POST"])
def brief_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    brief = get_brief_for_user(user, pk)
    if not user.has_perm("reporting.change_brief", brief):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = BriefForm(
        data,
        campaign=brief.campaign,
        user=user,
        brief=brief,
        initial=BriefForm.initial_for(brief),
    )
    if data is not None and form.is_valid():
        try:
            with transaction.atomic():
                stale = check_version(
                    brief, form.cleaned_data.get("version"), version=brief_version
                )
                if stale is None:
                    services.brief_update(actor=user, brief=brief, **form.brief_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if stale is None:
                messages.success(request, _("The brief was saved."))
                _hint(request, brief)
                return redirect(brief)
            brief = get_brief_for_user(user, pk)
            form = _refused_form(data, stale, brief=brief, user=user)
    return render(
        request,
        "reporting/brief_form.html",
        {"campaign": brief.campaign, "form": form, "brief": brief, **_length(form)},
    )


# ---------------------------------------------------------------- the brief page


@dataclass(frozen=True)
class BriefAction:
    """One move from the brief's page: a permission verb, a form, a service."""

    verb: str
    form: type[forms.Form]
    run: Callable[[User, Brief, dict[str, Any]], object]
    done: str


ACTIONS: dict[str, BriefAction] = {
    "send_for_signoff": BriefAction(
        "send_for_signoff",
        NoFieldsForm,
        lambda user, b, d: services.brief_send_for_signoff(actor=user, brief=b),
        gettext_lazy("The brief was sent to the unit's head for sign-off."),
    ),
    "sign": BriefAction(
        "sign",
        NoFieldsForm,
        lambda user, b, d: services.brief_sign(actor=user, brief=b),
        gettext_lazy("The brief is signed off."),
    ),
    "send_back": BriefAction(
        "send_back",
        SendBackForm,
        lambda user, b, d: services.brief_send_back(actor=user, brief=b, comment=d["comment"]),
        gettext_lazy("The brief was sent back to its writer with your comment."),
    ),
    "submit": BriefAction(
        "submit",
        NoFieldsForm,
        lambda user, b, d: services.brief_submit(actor=user, brief=b),
        gettext_lazy("The brief was submitted to the campaign's office."),
    ),
}


@dataclass(frozen=True)
class ReviewRow:
    """One level's review as the brief page shows it."""

    review: BriefReview
    received: tuple[str, str]
    version: tuple[str, str] | None
    edited: bool
    from_level: int
    can_decide: bool
    can_forward: bool


def _review_rows(user: User, brief: Brief, reviews: list[BriefReview]) -> list[ReviewRow]:
    rows = []
    for review in reviews:
        review.brief = brief
        received = services.text_at(review, reviews)
        adopted = review.state == ReviewState.ADOPTED
        rows.append(
            ReviewRow(
                review=review,
                received=received,
                version=services.version_of(review, reviews) if adopted else None,
                edited=adopted and bool(review.title or review.body),
                from_level=max(
                    [r.level for r in reviews if r.level < review.level and (r.title or r.body)]
                    or [0]
                ),
                can_decide=services.may(user, "decide", review),
                can_forward=services.may(user, "forward", review),
            )
        )
    return rows


def _detail_context(
    request: HttpRequest,
    brief: Brief,
    *,
    failed: tuple[str, forms.Form] | None = None,
) -> dict[str, Any]:
    user = request.user
    action_forms: dict[str, forms.Form] = {
        name: action.form(prefix=name)
        for name, action in ACTIONS.items()
        if services.may(user, action.verb, brief)
    }
    can_edit = services.may(user, "edit", brief)
    if can_edit:
        action_forms["photo"] = PhotoForm(prefix="photo")
    if failed is not None:
        action_forms[failed[0]] = failed[1]
    reviews = brief_reviews(brief)
    return {
        "brief": brief,
        "campaign": brief.campaign,
        "length": services.text_length(brief.body),
        "length_hint": services.length_hint(brief.kind, brief.body),
        "photos": brief_photos(brief),
        "review_rows": _review_rows(user, brief, reviews),
        "events": [(e, EVENT_LABELS.get(e.verb, e.verb)) for e in brief_events(brief)],
        "can_edit": can_edit,
        "action_forms": action_forms,
    }


@login_required
@require_http_methods(["GET"])
def brief_detail(request: HttpRequest, pk: int) -> HttpResponse:
    brief = get_brief_for_user(request.user, pk)
    return render(request, "reporting/brief_detail.html", _detail_context(request, brief))


def _refused(request: HttpRequest, brief: Brief, name: str, form: forms.Form) -> HttpResponse:
    """The brief page again, the refused form showing its errors and what was typed."""
    context = _detail_context(request, brief, failed=(name, form))
    return render(request, "reporting/brief_detail.html", context)


@login_required
@require_http_methods(["POST"])
def brief_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One move of the brief in its unit: send for sign-off, sign, send back, submit."""
    user = request.user
    brief = get_brief_for_user(user, pk)
    spec = ACTIONS[action]
    form = spec.form(request.POST, prefix=action)
    if not form.is_valid():
        if not services.may(user, spec.verb, brief):
            raise PermissionDenied
        return _refused(request, brief, action, form)
    try:
        spec.run(user, brief, form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _refused(request, get_brief_for_user(user, pk), action, form)
    messages.success(request, str(spec.done))
    return redirect(brief)


@login_required
@require_http_methods(["POST"])
def brief_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    brief = get_brief_for_user(user, pk)
    form = PhotoForm(request.POST, request.FILES, prefix="photo")
    if not form.is_valid():
        if not services.may(user, "edit", brief):
            raise PermissionDenied
        return _refused(request, brief, "photo", form)
    try:
        services.brief_photo_add(
            actor=user,
            brief=brief,
            upload=form.cleaned_data["photo"],
            caption=form.cleaned_data["caption"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _refused(request, brief, "photo", form)
    messages.success(request, _("The photo was added."))
    return redirect(brief)


@login_required
@require_http_methods(["POST"])
def brief_photo_remove(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_photo_for_user(request.user, pk)
    brief = photo.brief
    try:
        services.brief_photo_remove(actor=request.user, photo=photo)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The photo was removed."))
    return redirect(brief)


@login_required
@require_http_methods(["POST"])
def brief_photo_caption(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one photo's caption (the brief's page has a small form under each photo)."""
    photo = get_photo_for_user(request.user, pk)
    form = CaptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["caption"]))
        return redirect(photo.brief)
    try:
        services.brief_photo_update(
            actor=request.user, photo=photo, caption=form.cleaned_data["caption"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The caption was saved."))
    return redirect(photo.brief)


@login_required
@require_http_methods(["GET"])
def brief_photo(request: HttpRequest, pk: int) -> FileResponse:
    return download_response(get_photo_for_user(request.user, pk))


# ---------------------------------------------------------------- the offices


def _review_page(
    request: HttpRequest, template: str, review: BriefReview, form: forms.Form
) -> HttpResponse:
    reviews = list(review.brief.reviews.all())
    received = services.text_at(review, reviews)
    return render(
        request,
        template,
        {
            "review": review,
            "brief": review.brief,
            "campaign": review.campaign,
            "received": received,
            "length": services.text_length(received[1]),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Adopt (with an optional edited text) or return a brief that reached this office."""
    user = request.user
    review = get_review_for_user(user, pk)
    if not services.may(user, "decide", review):
        raise PermissionDenied
    if request.method == "GET":
        title, body = services.text_at(review, list(review.brief.reviews.all()))
        form = DecideForm(initial={"title": title, "body": body})
        return _review_page(request, "reporting/brief_decide.html", review, form)
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.review_decide(
                actor=user,
                review=review,
                adopt=data["decision"] == "adopt",
                comment=data["comment"],
                title=data["title"],
                body=data["body"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if data["decision"] == "adopt":
                messages.success(request, _("The brief was adopted."))
            else:
                messages.success(request, _("The brief was returned with your comments."))
            return redirect(review.brief)
    return _review_page(request, "reporting/brief_decide.html", review, form)


@login_required
@require_http_methods(["GET", "POST"])
def review_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """Send this level's adopted version (revised here if need be) to the office above."""
    user = request.user
    review = get_review_for_user(user, pk)
    if not services.may(user, "forward", review):
        raise PermissionDenied
    if request.method == "GET":
        title, body = services.version_of(review, list(review.brief.reviews.all()))
        form = ForwardForm(initial={"title": title, "body": body})
        return _review_page(request, "reporting/brief_forward.html", review, form)
    form = ForwardForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.review_edit_text(
                    actor=user, review=review, title=data["title"], body=data["body"]
                )
                services.review_forward(actor=user, review=review, comment=data["comment"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The brief was forwarded to the office of %(campaign)s.")
                % {"campaign": review.campaign.parent.name},
            )
            return redirect(review.brief)
    return _review_page(request, "reporting/brief_forward.html", review, form)
