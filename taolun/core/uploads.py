"""Uploads are trusted by what their bytes are, never by their name.

Accepted kinds are sniffed with ``filetype``; the stored name is generated, the
original name kept only for display and the download's Content-Disposition.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension -> MIME type, for every kind a record may carry.
ALLOWED_KINDS: dict[str, str] = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


@dataclass(frozen=True)
class CheckedUpload:
    extension: str
    content_type: str
    size: int
    original_name: str
    stored_name: str


def safe_display_name(name: str) -> str:
    """Keep a name fit to show and to send back: no path, no control characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*')
    return base[:200] or "file"


def check_upload(upload: UploadedFile, *, max_bytes: int | None = None) -> CheckedUpload:
    """Raise ValidationError (in the user's language) unless the file is an allowed kind."""
    limit = max_bytes or settings.TAOLUN_UPLOAD_MAX_BYTES
    name = safe_display_name(upload.name or "")
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED_KINDS:
        raise ValidationError(
            _(
                "“%(name)s” is not an accepted file. Accepted: images (JPEG, PNG, GIF, WebP), "
                "PDF and Office documents."
            )
            % {"name": name},
            code="bad_kind",
        )
    stem = PurePath(name).stem[:150] or "file"
    return CheckedUpload(
        extension=kind.extension,
        content_type=ALLOWED_KINDS[kind.extension],
        size=upload.size,
        original_name=f"{stem}.{kind.extension}",
        stored_name=f"{uuid.uuid4().hex}.{kind.extension}",
    )


def check_uploads(files, *, field: str) -> None:
    """Check every file before anything is written, so one bad file changes nothing.

    Raises one ValidationError on ``field`` naming each refused file.
    """
    errors: list[str] = []
    for upload in files:
        try:
            check_upload(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({field: errors})


def download_response(stored) -> FileResponse:
    """A stored upload (an object with ``file``, ``original_name`` and ``content_type``)
    served as a download under its original name, never rendered inline.

    The caller has already fetched the owning object through a scoping selector; an
    object without a file, or a file missing from storage, answers 404.
    """
    if not stored.file:
        raise Http404
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
