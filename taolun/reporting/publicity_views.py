"""The office's publicity pages: thin callers of ``reporting.publicity``.

Only a campaign's office works here (anyone else gets 404, as if the page did not
exist); a refused write answers 403; a ValidationError re-renders the page with the
form that was sent and what was typed in it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import get_campaign_for_user
from taolun.reporting import publicity
from taolun.reporting.models import Brief, Publication, PublicationState, TypicalCase
from taolun.reporting.publicity_forms import (
    MarkForm,
    PublicationFilterForm,
    PublicationForm,
    PublishForm,
)


def _office_campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = get_campaign_for_user(request.user, slug)
    if not publicity.can_manage_publicity(request.user, campaign):
        raise Http404
    return campaign


def _office_publication(request: HttpRequest, pk: int) -> Publication:
    publication = publicity.get_publication_for_user(request.user, pk)
    if not publicity.can_manage_publicity(request.user, publication.campaign):
        raise Http404
    return publication


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _publicity_page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    bound: tuple[str, Brief | TypicalCase, MarkForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page; ``bound`` is (kind, item, form) of a marking sent back with errors, shown
    first even when the item is marked already (on another channel)."""
    channels = list(publicity.active_channels(campaign))
    waiting_briefs = publicity.unmarked_briefs(campaign)
    waiting_cases = publicity.unmarked_cases(campaign)
    briefs = list(waiting_briefs[: publicity.PAGE_SIZE])
    cases = list(waiting_cases[: publicity.PAGE_SIZE])
    # The newest items wait on the page; the total says how many more there are.
    waiting = waiting_briefs.count() + waiting_cases.count()
    if bound:
        kind, sent, _form = bound
        items = briefs if kind == "brief" else cases
        items[:] = [sent, *(item for item in items if item.pk != sent.pk)]
    for kind, items in (("brief", briefs), ("case", cases)):
        for item in items:
            if bound and bound[0] == kind and bound[1].pk == item.pk:
                item.mark_form = bound[2]
            else:
                item.mark_form = MarkForm(channels=channels, prefix=f"{kind}-{item.pk}")
            if kind == "brief":
                item.adopted_title = publicity.adopted_text(item)[0]
    filters = PublicationFilterForm(request.GET or None)
    rows = publicity.campaign_publications(campaign, **filters.filters())
    page = Paginator(rows, publicity.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/publicity_index.html",
        {
            "campaign": campaign,
            "briefs": briefs,
            "cases": cases,
            "waiting": waiting,
            "shown": len(briefs) + len(cases),
            "filters": filters,
            "page_obj": page,
            "counts": publicity.publication_counts(campaign),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def index(request: HttpRequest, campaign: str) -> HttpResponse:
    """Items waiting to be marked, and the publications by state and channel."""
    return _publicity_page(request, _office_campaign(request, campaign))


@login_required
@require_http_methods(["POST"])
def mark(request: HttpRequest, campaign: str, kind: str, pk: int) -> HttpResponse:
    """Mark one adopted brief or approved case for the chosen channels."""
    campaign_obj = get_campaign_for_user(request.user, campaign)
    if not publicity.can_manage_publicity(request.user, campaign_obj):
        raise PermissionDenied
    item = publicity.get_publishable_item(campaign_obj, kind, pk)
    channels = list(publicity.active_channels(campaign_obj))
    form = MarkForm(request.POST, channels=channels, prefix=f"{kind}-{pk}")
    if form.is_valid():
        try:
            created = publicity.publication_mark(
                actor=request.user,
                campaign=campaign_obj,
                item=item,
                channels=form.cleaned_data["channels"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(
                request,
                _("“%(item)s” is to be published on %(count)d channel(s).")
                % {"item": item, "count": len(created)},
            )
            return redirect("reporting:publicity", campaign_obj.slug)
    return _publicity_page(request, campaign_obj, bound=(kind, item, form), status=400)


def _detail_page(
    request: HttpRequest,
    publication: Publication,
    *,
    edit_form: PublicationForm | None = None,
    publish_form: PublishForm | None = None,
    status: int = 200,
) -> HttpResponse:
    with_digest = publication.channel.kind == "wechat"
    if edit_form is None:
        edit_form = PublicationForm(
            initial={
                "title": publication.title,
                "digest": publication.digest,
                "body": publication.body,
            },
            with_digest=with_digest,
        )
    item = publication.item
    kind = "brief" if publication.brief_id else "case"
    more = list(publicity.free_channels(publication.campaign, item))
    return render(
        request,
        "reporting/publicity_detail.html",
        {
            "campaign": publication.campaign,
            "publication": publication,
            "item": item,
            "parts": publicity.ready_to_post(publication, site_url=_site_url(request)),
            "edit_form": edit_form,
            "publish_form": publish_form or PublishForm(),
            "states": PublicationState,
            "public_url": publicity.public_path(item),
            "kind": kind,
            "more_form": MarkForm(channels=more, prefix=f"{kind}-{item.pk}") if more else None,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One publication: its ready-to-post text, its edit form and its moves."""
    return _detail_page(request, _office_publication(request, pk))


@login_required
@require_http_methods(["POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _office_publication(request, pk)
    form = PublicationForm(request.POST, with_digest=publication.channel.kind == "wechat")
    if form.is_valid():
        try:
            publicity.publication_update(
                actor=request.user, publication=publication, **form.values()
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("The text was saved."))
            return redirect("reporting:publication", publication.pk)
    return _detail_page(request, publication, edit_form=form, status=400)


@login_required
@require_http_methods(["POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _office_publication(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            publicity.publication_publish(
                actor=request.user,
                publication=publication,
                published_on=form.cleaned_data["published_on"],
                link=form.cleaned_data["link"],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("Recorded as published."))
            return redirect("reporting:publication", publication.pk)
    return _detail_page(request, publication, publish_form=form, status=400)


def _simple_move(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    publication = _office_publication(request, pk)
    try:
        service(actor=request.user, publication=publication)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(reverse("reporting:publication", args=[publication.pk]))


@login_required
@require_http_methods(["POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_move(
        request, pk, publicity.publication_withdraw, _("The publication was withdrawn.")
    )


@login_required
@require_http_methods(["POST"])
def replan(request: HttpRequest, pk: int) -> HttpResponse:
    return _simple_move(
        request, pk, publicity.publication_replan, _("The publication is planned again.")
    )
