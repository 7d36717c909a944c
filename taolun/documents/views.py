"""A campaign's official documents: the .docx download and a printable page of the same.

Both read the campaign through ``get_campaign_for_user`` (404 outside scope) and build
the document with the campaign documents' builders, which answer 404 for what the user
may not read (a draft summary, a draft bulletin issue); an unknown kind answers 404.
The bulletin takes ``?issue=N`` (default: the latest issued) and ``?copies=N``.
"""

from __future__ import annotations

import io
import re

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.documents.campaign_docs import CAMPAIGN_DOCUMENTS, DocumentKind, DocumentRequest
from taolun.documents.docx import OfficialDocument

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _kind(kind: str) -> DocumentKind:
    found = CAMPAIGN_DOCUMENTS.get(kind)
    if found is None:
        raise Http404
    return found


def _positive(value: str | None) -> int | None:
    """A positive whole number from the query string; anything else is not found."""
    if value is None or value == "":
        return None
    if not value.isdigit() or int(value) < 1:
        raise Http404
    return int(value)


def _build(request: HttpRequest, slug: str, builder: DocumentKind) -> tuple:
    campaign = get_campaign_for_user(request.user, slug)
    asked = DocumentRequest(
        user=request.user,
        campaign=campaign,
        issue=_positive(request.GET.get("issue")),
        copies=_positive(request.GET.get("copies")),
    )
    document: OfficialDocument = builder.build(asked)
    return campaign, document, asked


def docx_filename(title: str) -> str:
    """The document's title as a file name (characters Windows refuses replaced)."""
    return (_UNSAFE_IN_NAME.sub("_", title).strip() or "document")[:150] + ".docx"


@login_required
@require_http_methods(["GET"])
def document_docx(request: HttpRequest, slug: str, kind: str) -> FileResponse:
    builder = _kind(kind)
    _campaign, document, _asked = _build(request, slug, builder)
    response = FileResponse(
        io.BytesIO(document.to_bytes()),
        as_attachment=True,
        filename=docx_filename(document.title),
        content_type=DOCX_CONTENT_TYPE,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET"])
def document_print(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    builder = _kind(kind)
    campaign, document, asked = _build(request, slug, builder)
    query = f"?issue={asked.issue}" if asked.issue else ""
    return render(
        request,
        "documents/print.html",
        {"campaign": campaign, "kind": builder, "document": document, "query": query},
    )
