"""The public page: what was published on a public channel, for anyone, without login.

Every read goes through the public selectors of ``reporting.publicity`` (which start
from ``selectors.public_publications()``); anything else answers 404. Only the
publication's own text, the unit's name and the date are shown: no reviewer, comment,
author or phone.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from taolun.core.sanitize import clean_html
from taolun.core.uploads import download_response
from taolun.reporting import publicity
from taolun.reporting.models import Publication


@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """Published items, newest first, 20 a page, by campaign if one is chosen."""
    campaigns = list(publicity.public_campaigns())
    chosen = next((c for c in campaigns if c.slug == request.GET.get("campaign")), None)
    rows = publicity.public_items(chosen)
    page = Paginator(rows, publicity.PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/index.html",
        {"page_obj": page, "campaigns": campaigns, "chosen": chosen},
    )


@require_http_methods(["GET"])
def brief(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "public/item.html", {"shown": publicity.get_public_brief(pk)})


@require_http_methods(["GET"])
def case(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "public/item.html", {"shown": publicity.get_public_case(pk)})


@require_http_methods(["GET"])
def brief_photo(request: HttpRequest, pk: int, photo: int) -> HttpResponse:
    return download_response(publicity.get_public_brief_photo(pk, photo))


@require_http_methods(["GET"])
def case_photo(request: HttpRequest, pk: int) -> HttpResponse:
    return download_response(publicity.get_public_case_photo(pk))


class PublicFeed(Feed):
    """The public page as an Atom feed: the same items, newest first."""

    feed_type = Atom1Feed
    title = gettext_lazy("taolun — published news")
    subtitle = gettext_lazy("Items published on the campaigns' public channels.")
    link = reverse_lazy("public:index")

    def items(self) -> list[Publication]:
        return list(publicity.public_items()[: publicity.FEED_SIZE])

    def item_title(self, item: Publication) -> str:
        return item.title

    def item_description(self, item: Publication) -> str:
        return clean_html(item.body)

    def item_link(self, item: Publication) -> str:
        return publicity.public_path(item.item)

    def item_author_name(self, item: Publication) -> str:
        return item.item.unit.name

    def _moment(self, item: Publication) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(item.published_on, dt.time(0)))

    def item_pubdate(self, item: Publication) -> dt.datetime:
        return self._moment(item)

    def item_updateddate(self, item: Publication) -> dt.datetime:
        return self._moment(item)
