"""Turn an uploaded plan (.txt or .docx bytes) into plain text for :func:`parse_plan`.

Offices receive plans as Word files or as text saved on whatever machine typed them
(UTF-8, UTF-8 with a BOM, or GBK/GB18030 from older Windows). The file is judged by its
content, never its name: a ``.docx`` must really be a zip holding ``word/document.xml``.
Everything happens in memory; nothing a user sends is written to disk or executed.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import PurePath

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_PLAN_FILE_BYTES = 5 * 1024 * 1024
# A .docx expands when unzipped; refuse archives that would expand beyond this (zip bombs).
MAX_DOCX_UNZIPPED_BYTES = 100 * 1024 * 1024
ACCEPTED_EXTENSIONS = (".txt", ".docx")
# Share of characters that may be control/unassigned before a "text" is judged to be binary.
MAX_NON_TEXT_SHARE = 0.01


class PlanFileError(ValueError):
    """A plan file that cannot be read; ``str(error)`` is a message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_plan_file(name: str, data: bytes) -> str:
    """Return the text of a plan file, or raise :class:`PlanFileError` saying what is wrong."""
    shown = PurePath((name or "").replace("\\", "/")).name or _("the file")
    if not data:
        raise PlanFileError(_("“%(name)s” is empty.") % {"name": shown})
    if len(data) > MAX_PLAN_FILE_BYTES:
        raise PlanFileError(
            _("“%(name)s” is %(size)s; a plan file may be at most %(limit)s.")
            % {
                "name": shown,
                "size": filesizeformat(len(data)),
                "limit": filesizeformat(MAX_PLAN_FILE_BYTES),
            }
        )
    extension = PurePath(shown).suffix.lower()
    if extension == ".txt":
        return _decode_text(shown, data)
    if extension == ".docx":
        return _docx_text(shown, data)
    raise PlanFileError(
        _("“%(name)s” is not a plan file: upload a .txt or a .docx (Word) file.") % {"name": shown}
    )


def _decode_text(shown: str, data: bytes) -> str:
    """Decode by BOM, then UTF-8, then GB18030 (a superset of GBK); refuse binary content."""
    text: str | None = None
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            break
        text = None
    if text is None:
        raise PlanFileError(
            _(
                "“%(name)s” is not readable text. Save the plan as UTF-8 or GBK text, "
                "or upload the Word (.docx) file."
            )
            % {"name": shown}
        )
    return text


def _looks_like_text(text: str) -> bool:
    """True unless control, private-use or unassigned characters betray binary content."""
    if not text:
        return True
    odd = 0
    for ch in text:
        if ch in "\t\n\r\f":
            continue
        if unicodedata.category(ch) in {"Cc", "Co", "Cn", "Cs"}:
            odd += 1
    return odd <= MAX_NON_TEXT_SHARE * len(text)


def _docx_text(shown: str, data: bytes) -> str:
    """Paragraphs and table rows in document order; a table row's cells joined by tabs."""
    not_word = PlanFileError(
        _("“%(name)s” is not a Word (.docx) document, whatever its name says.") % {"name": shown}
    )
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise not_word
    try:
        with zipfile.ZipFile(buffer) as archive:
            members = archive.infolist()
            if "word/document.xml" not in {member.filename for member in members}:
                raise not_word
            if sum(member.file_size for member in members) > MAX_DOCX_UNZIPPED_BYTES:
                raise PlanFileError(
                    _("“%(name)s” expands to more than %(limit)s when opened.")
                    % {"name": shown, "limit": filesizeformat(MAX_DOCX_UNZIPPED_BYTES)}
                )
    except zipfile.BadZipFile as exc:
        raise not_word from exc

    from docx import Document
    from docx.table import Table

    try:
        document = Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
            else:
                lines.append(block.text)
    except PlanFileError:
        raise
    except Exception as exc:  # python-docx/lxml raise many kinds on a damaged file
        raise PlanFileError(
            _("“%(name)s” is a damaged Word document and cannot be read.") % {"name": shown}
        ) from exc
    return "\n".join(lines)


def _table_lines(table) -> list[str]:
    """One line per row; cells merged across columns appear once."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        lines.append("\t".join(cells).rstrip())
    return lines
