"""A campaign's official documents: the .docx download and a printable page of the same.

Both read the campaign through ``get_campaign_for_user`` (404 outside scope) and build
the document with the campaign documents' builders; an unknown kind answers 404.
"""

from __future__ import annotations

import io
import re

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.documents.campaign_docs import CAMPAIGN_DOCUMENTS, DocumentKind

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _kind(kind: str) -> DocumentKind:
    found = CAMPAIGN_DOCUMENTS.get(kind)
    if found is None:
        raise Http404
    return found


def docx_filename(title: str) -> str:
    """The document's title as a file name (characters Windows refuses replaced)."""
    return (_UNSAFE_IN_NAME.sub("_", title).strip() or "document")[:150] + ".docx"


@login_required
@require_http_methods(["GET"])
def document_docx(request: HttpRequest, slug: str, kind: str) -> FileResponse:
    builder = _kind(kind)
    campaign = get_campaign_for_user(request.user, slug)
    document = builder.build(campaign)
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
    campaign = get_campaign_for_user(request.user, slug)
    document = builder.build(campaign)
    return render(
        request,
        "documents/print.html",
        {"campaign": campaign, "kind": builder, "document": document},
    )
