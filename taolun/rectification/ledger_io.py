"""The ledger in Excel (整改台账): export, and import by preview then apply.

The layout is the one offices already keep: a title, a header row, one row per
measure, the problem's own columns merged down over its measures. The importer reads
what the exporter writes (and what people type into it), so a ledger can go out to a
unit, come back filled in, and be imported again: rows with a known ledger number
update that problem, the others are added. Imports are all-or-nothing: any bad row
stops the whole file, with a message per row and column.

Speed matters (a province's ledger has 100,000 rows), so the import reads the sheet
once, looks every name up in a few queries (never one per row), checks rows with
plain Python mirroring the services' rules, and writes with bulk queries, auditing
every change in bulk the way django-auditlog would have.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import html
import json
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import itemgetter
from pathlib import Path, PurePath
from typing import IO, Any, Protocol

import filetype
import openpyxl
from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import connections, router, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.encoding import smart_str
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from taolun.campaigns.models import Campaign, Theme
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.uploads import safe_display_name
from taolun.documents.xlsx import Column, XlsxTable
from taolun.org.models import Unit, User
from taolun.org.selectors import scope_for
from taolun.rectification import selectors
from taolun.rectification.models import (
    TRANSITIONS,
    WORKING,
    ExtensionRequest,
    ExtensionState,
    ImportState,
    LedgerImport,
    Light,
    Measure,
    Problem,
    ProblemKind,
    ProblemLevel,
    ProblemSource,
    ProblemState,
    ProgressUpdate,
)
from taolun.rectification.rules import WHO
from taolun.rectification.services import ledger_number_prefix
from taolun.textmine.tasks import refresh_texts

# ---------------------------------------------------------------- the layout


@dataclass(frozen=True)
class LedgerColumn:
    """One column of the 台账.

    ``zh`` is the header offices write; the importer always accepts it, whatever the
    translation catalogue says. ``problem`` columns are merged down over the measures.
    """

    key: str
    header: Promise
    zh: str
    width: float
    problem: bool = True
    required: bool = False
    export_only: bool = False
    date: bool = False


COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("no", pgettext_lazy("ledger column", "No."), "序号", 6, export_only=True),
    LedgerColumn("ledger_number", pgettext_lazy("ledger column", "Ledger number"), "台账编号", 18),
    LedgerColumn(
        "description", pgettext_lazy("ledger column", "Description"), "问题描述", 40, required=True
    ),
    LedgerColumn("source", pgettext_lazy("ledger column", "Source"), "问题来源", 12),
    LedgerColumn("theme", pgettext_lazy("ledger column", "Theme"), "主题", 24),
    LedgerColumn("level", pgettext_lazy("ledger column", "Level"), "层级", 10),
    LedgerColumn(
        "unit", pgettext_lazy("ledger column", "Responsible unit"), "责任单位", 16, required=True
    ),
    LedgerColumn(
        "responsible_leader", pgettext_lazy("ledger column", "Responsible leader"), "责任领导", 10
    ),
    LedgerColumn(
        "person_in_charge", pgettext_lazy("ledger column", "Person in charge"), "责任人", 10
    ),
    LedgerColumn(
        "supporting_units", pgettext_lazy("ledger column", "Supporting units"), "配合单位", 16
    ),
    LedgerColumn(
        "measure",
        pgettext_lazy("ledger column", "Measure"),
        "整改措施",
        36,
        problem=False,
    ),
    LedgerColumn(
        "measure_deadline",
        pgettext_lazy("ledger column", "Measure deadline"),
        "措施时限",
        12,
        problem=False,
        date=True,
    ),
    LedgerColumn(
        "measure_done", pgettext_lazy("ledger column", "Measure done"), "措施完成", 8, problem=False
    ),
    LedgerColumn("target", pgettext_lazy("ledger column", "Target"), "整改目标", 28),
    LedgerColumn(
        "deadline",
        pgettext_lazy("ledger column", "Deadline"),
        "整改时限",
        12,
        required=True,
        date=True,
    ),
    LedgerColumn("kind", pgettext_lazy("ledger column", "Kind"), "整改类型", 10),
    LedgerColumn("state", pgettext_lazy("ledger column", "State"), "状态", 10),
    LedgerColumn("progress", pgettext_lazy("ledger column", "Latest progress"), "最新进展", 30),
    LedgerColumn(
        "extensions", pgettext_lazy("ledger column", "Extensions"), "延期次数", 8, export_only=True
    ),
    LedgerColumn(
        "light", pgettext_lazy("ledger column", "Warning light"), "警示", 8, export_only=True
    ),
    LedgerColumn("note", pgettext_lazy("ledger column", "Note"), "说明", 20),
)
KEYS = tuple(c.key for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
MEASURE_KEYS = ("measure", "measure_deadline", "measure_done")
# Columns that belong to the problem and are read by the importer.
PROBLEM_KEYS = tuple(c.key for c in COLUMNS if c.problem and not c.export_only)
SUPPORTING_SEPARATOR = "、"
YES, NO = "是", "否"

# Names written "姓名（单位名）" or "名称（代码）", with full- or half-width brackets.
_QUALIFIED = re.compile(r"^(.+?)\s*[（(]\s*(.+?)\s*[)）]$")
_SPLIT_UNITS = re.compile(r"[、,，;；\n]+")

BATCH = 2000
LOOKUP_CHUNK = 500
MAX_ERRORS = 1000
HEADER_SCAN_ROWS = 10


class Progress(Protocol):
    """What the long loops report to: a tqdm bar fits (``total`` and ``update``)."""

    total: float | None

    def update(self, n: float = 1) -> Any: ...


@contextlib.contextmanager
def _bulk_work() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an import holds its rows.

    The import keeps a few hundred thousand small objects alive (rows, plans) and
    creates more; each automatic collection walks all of them, which made the
    import's cost grow faster than its size. Reference counting still frees memory;
    cycles wait until the collector is back on (it was on before, it is on after).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def max_import_bytes() -> int:
    return int(getattr(settings, "TAOLUN_LEDGER_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_import_rows() -> int:
    return int(getattr(settings, "TAOLUN_LEDGER_IMPORT_MAX_ROWS", 200_000))


# ---------------------------------------------------------------- text in and out

_BREAKS = re.compile(r"<br\s*/?>|</(?:p|h[1-6]|li|blockquote|tr|div|ul|ol|table)\s*>", re.I)
_CELL_END = re.compile(r"</t[dh]\s*>", re.I)
_TAGS = re.compile(r"<[^>]*>")


def normalise_text(value: Any) -> str:
    """Lines stripped, empty lines dropped: the form in which texts are compared."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if "\n" not in text:
        return text.strip()
    return "\n".join(line for line in (part.strip() for part in text.split("\n")) if line)


def html_to_text(value: str) -> str:
    """Stored (sanitised) HTML as plain text for a cell: a line per paragraph or item.

    Control characters that an .xlsx cannot hold are dropped.
    """
    if not value:
        return ""
    text = _TAGS.sub("", _CELL_END.sub(" ", _BREAKS.sub("\n", value)))
    return normalise_text(ILLEGAL_CHARACTERS_RE.sub("", html.unescape(text)))


def text_to_html(text: str) -> str:
    """Normalised plain text as paragraphs, escaped the way ``clean_html`` stores it.

    Plain text needs no sanitiser: escaping is enough, and is what makes a cell that
    did not change compare equal to what is stored.
    """
    if not text:
        return ""
    return "".join(
        "<p>"
        + line.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\xa0", "&nbsp;")
        + "</p>"
        for line in text.split("\n")
    )


@lru_cache(maxsize=4096)
def _norm_key(value: Any) -> str:
    """A header or label as compared: no spaces, no marks of a required column, casefolded."""
    text = re.sub(r"\s+", "", str(value or "")).casefold()
    text = text.replace("*", "").replace("（必填）", "").replace("(必填)", "")
    return text


# ---------------------------------------------------------------- choices and labels


def _zh_label(choice: Any) -> str:
    with translation.override("zh-hans"):
        return str(choice.label)


def _choice_map(choices: Any) -> dict[str, str]:
    """Accepted spellings of each choice: stored value, English and Chinese labels."""
    accepted: dict[str, str] = {}
    for choice in choices:
        accepted[_norm_key(choice.value)] = choice.value
        with translation.override("en"):
            accepted[_norm_key(choice.label)] = choice.value
        accepted[_norm_key(_zh_label(choice))] = choice.value
    return accepted


def theme_title(theme: Theme | None = None, **parts: str) -> str:
    """A theme as the ledger names it: 破除…，着力解决…，坚持…."""
    if theme is not None:
        return str(theme)
    if not parts.get("break_with"):
        return ""
    return f"{parts['break_with']}，{parts['focus_on']}，{parts['adhere_to']}"


# ---------------------------------------------------------------- export


def _header(column: LedgerColumn) -> str:
    return str(column.header)


def ledger_title(campaign: Campaign) -> str:
    return _("%(campaign)s problem and rectification ledger") % {"campaign": campaign.name}


def export_filename(campaign: Campaign, today: dt.date) -> str:
    return f"{campaign.slug}-ledger-{today.isoformat()}.xlsx"


def _export_unit_label(user: User, campaign: Campaign, unit_slug: str | None) -> str:
    """Whose ledger it is: the filtered unit, or the top units of the user's scope."""
    if unit_slug:
        unit = Unit.objects.filter(slug=unit_slug).only("name").first()
        if unit is not None:
            return unit.name
    scope = scope_for(user)
    owner = campaign.owner_unit
    if scope.is_everything or any(owner.path.startswith(p) for p in scope.paths):
        return owner.name
    paths = [p for p in scope.paths if p.startswith(owner.path)]
    names = Unit.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True)
    return SUPPORTING_SEPARATOR.join(names)


_EXPORT_FIELDS = (
    "id",
    "ledger_number",
    "description",
    "source",
    "theme__break_with",
    "theme__focus_on",
    "theme__adhere_to",
    "level",
    "unit__name",
    "responsible_leader__name",
    "responsible_leader__unit__name",
    "person_in_charge__name",
    "person_in_charge__unit__name",
    "target_standard",
    "deadline",
    "kind",
    "state",
    "extension_count",
    "lamp",
    "carried_over_reason",
    "review_comment",
)


def _chunks(iterable: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _export_chunk_related(
    rows: list[dict[str, Any]], owner_path: str
) -> tuple[dict[int, list], dict[int, str], dict[int, list[str]], set[str]]:
    """Measures, latest progress, supporting units and shared names of a chunk: 4 queries."""
    ids = [r["id"] for r in rows]
    measures: dict[int, list] = defaultdict(list)
    for pid, text, deadline, done in (
        Measure.objects.filter(problem_id__in=ids)
        .order_by("problem_id", "order", "id")
        .values_list("problem_id", "text", "deadline", "done")
    ):
        measures[pid].append((text, deadline, done))
    latest: dict[int, str] = {}
    for pid, text in (
        ProgressUpdate.objects.filter(problem_id__in=ids)
        .order_by("problem_id", "-reported_on", "-id")
        .values_list("problem_id", "text")
    ):
        latest.setdefault(pid, text)
    supporting: dict[int, list[str]] = defaultdict(list)
    for pid, name in (
        Problem.supporting_units.through.objects.filter(problem_id__in=ids)
        .order_by("problem_id", "unit__path")
        .values_list("problem_id", "unit__name")
    ):
        supporting[pid].append(name)
    names = {
        r[key] for r in rows for key in ("responsible_leader__name", "person_in_charge__name")
    } - {None, ""}
    shared = set(
        User.objects.filter(name__in=names, unit__path__startswith=owner_path)
        .values("name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    return measures, latest, supporting, shared


def _person_label(name: str | None, unit_name: str | None, shared: set[str]) -> str | None:
    if not name:
        return None
    if name in shared and unit_name:
        return f"{name}（{unit_name}）"
    return name


def ledger_export(
    *,
    user: User,
    campaign: Campaign,
    out: str | Path | IO[bytes],
    filters: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the ledger ``user`` may see, filtered as the ledger page filters, as .xlsx.

    Returns the number of problems written. Problems stream in chunks; the measures,
    latest progress and supporting units of each chunk come in a few queries.
    """
    today = today or clock.today()
    filters = dict(filters or {})
    qs = selectors.ledger(selectors.problems_for_user(user, campaign), today=today, **filters)
    subtitle = "    ".join(
        [
            _("Unit: %(unit)s") % {"unit": _export_unit_label(user, campaign, filters.get("unit"))},
            _("Exported on %(date)s") % {"date": today.isoformat()},
        ]
    )
    columns = [
        Column(
            _header(c),
            width=c.width,
            merge=c.problem,
            horizontal="center" if c.key in ("no", "extensions", "measure_done") else "left",
        )
        for c in COLUMNS
    ]
    table = XlsxTable(
        columns,
        title=ledger_title(campaign),
        subtitle=subtitle,
        sheet_title=_("Ledger"),
        footer=_("Page &P of &N"),
    )
    labels = {
        "source": {c.value: _zh_label(c) for c in ProblemSource},
        "level": {c.value: _zh_label(c) for c in ProblemLevel},
        "kind": {c.value: _zh_label(c) for c in ProblemKind},
        "state": {c.value: _zh_label(c) for c in ProblemState},
        "light": {c.value: _zh_label(c) for c in Light},
    }
    owner_path = campaign.owner_unit.path
    if progress is not None:
        progress.total = qs.count()
    count = 0
    for chunk in _chunks(qs.values(*_EXPORT_FIELDS).iterator(chunk_size=BATCH), BATCH):
        measures, latest, supporting, shared = _export_chunk_related(chunk, owner_path)
        for r in chunk:
            count += 1
            pid = r["id"]
            state = r["state"]
            note = r["carried_over_reason"] if state == ProblemState.CARRIED_OVER else None
            problem_cells = {
                "no": count,
                "ledger_number": r["ledger_number"],
                "description": html_to_text(r["description"]) or None,
                "source": labels["source"].get(r["source"]),
                "theme": theme_title(
                    break_with=r["theme__break_with"],
                    focus_on=r["theme__focus_on"],
                    adhere_to=r["theme__adhere_to"],
                )
                or None,
                "level": labels["level"].get(r["level"]),
                "unit": r["unit__name"],
                "responsible_leader": _person_label(
                    r["responsible_leader__name"], r["responsible_leader__unit__name"], shared
                ),
                "person_in_charge": _person_label(
                    r["person_in_charge__name"], r["person_in_charge__unit__name"], shared
                ),
                "supporting_units": SUPPORTING_SEPARATOR.join(supporting.get(pid, ())) or None,
                "target": html_to_text(r["target_standard"]) or None,
                "deadline": r["deadline"],
                "kind": labels["kind"].get(r["kind"]),
                "state": labels["state"].get(state),
                "progress": html_to_text(latest.get(pid, "")) or None,
                "extensions": r["extension_count"],
                "light": labels["light"].get(r["lamp"]),
                "note": (note if note is not None else r["review_comment"]) or None,
            }
            own = measures.get(pid) or [(None, None, None)]
            rows = []
            for text, deadline, done in own:
                cells = dict(problem_cells)
                cells["measure"] = text
                cells["measure_deadline"] = deadline
                cells["measure_done"] = None if done is None else (YES if done else NO)
                rows.append([cells[k] for k in KEYS])
            table.add_group(rows)
        if progress is not None:
            progress.update(len(chunk))
    table.save(out)
    return count


# ---------------------------------------------------------------- reading a file


class LedgerFileError(Exception):
    """The file cannot be read as a ledger; the message says why, in the user's language."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedSheet:
    """The rows under the header, as tuples; ``columns`` maps a key to (index, header)."""

    columns: dict[str, tuple[int, str]]
    rows: list[tuple[int, tuple[Any, ...]]]
    sheet_rows: int = 0

    def header(self, key: str) -> str:
        found = self.columns.get(key)
        return found[1] if found else _header(BY_KEY[key])


def check_file_kind(head: bytes, name: str) -> None:
    """Refuse, by content, anything that is not an .xlsx workbook, saying what it is."""
    if head.startswith(b"PK\x03\x04"):
        return
    display = safe_display_name(name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerFileError(
            _(
                "“%(name)s” is an old-style Excel 97–2003 file (.xls). Open it in Excel or WPS "
                "and save it as an Excel workbook (.xlsx)."
            )
            % {"name": display}
        )
    kind = filetype.guess(head)
    if kind is not None:
        raise LedgerFileError(
            _("“%(name)s” is a %(kind)s file, not an Excel workbook (.xlsx).")
            % {"name": display, "kind": kind.extension.upper()}
        )
    raise LedgerFileError(_("“%(name)s” is not an Excel workbook (.xlsx).") % {"name": display})


def _check_zip(source: IO[bytes], name: str, limit: int) -> None:
    """An .xlsx is a zip with the workbook parts; its unpacked size is bounded too."""
    display = safe_display_name(name)
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise LedgerFileError(
            _("“%(name)s” is damaged: it cannot be opened as an Excel workbook.")
            % {"name": display}
        ) from exc
    finally:
        source.seek(0)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        kind = "DOCX" if "word/document.xml" in names else "ZIP"
        raise LedgerFileError(
            _("“%(name)s” is a %(kind)s file, not an Excel workbook (.xlsx).")
            % {"name": display, "kind": kind}
        )
    # A zip bomb unpacks to far more than any real ledger (XML packs about 10:1).
    if sum(i.file_size for i in infos) > 100 * limit:
        raise LedgerFileError(_too_large_message(display, None, limit))


def _too_large_message(name: str, size: int | None, limit: int) -> str:
    if size is None:
        return _("“%(name)s” unpacks to more than a ledger may hold (%(limit)s packed).") % {
            "name": name,
            "limit": filesizeformat(limit),
        }
    return _("“%(name)s” is %(size)s; a ledger file may be at most %(limit)s.") % {
        "name": name,
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }


def _header_aliases() -> dict[str, str]:
    """Every accepted spelling of each header; the Chinese headers of the layout win."""
    aliases: dict[str, str] = {}
    for column in COLUMNS:
        for language in ("en", "zh-hans", None):
            with translation.override(language):
                aliases.setdefault(_norm_key(column.header), column.key)
    aliases.update({_norm_key(column.zh): column.key for column in COLUMNS})
    return aliases


def _find_header(
    first_rows: list[tuple[int, tuple[Any, ...]]],
) -> tuple[int, dict[str, tuple[int, str]]] | None:
    aliases = _header_aliases()
    for number, values in first_rows:
        found: dict[str, tuple[int, str]] = {}
        duplicates = []
        for index, value in enumerate(values):
            key = aliases.get(_norm_key(value)) if value is not None else None
            if key is None:
                continue
            if key in found:
                duplicates.append(str(value).strip())
            found[key] = (index, str(value).strip())
        if len(found) >= 3:
            if duplicates:
                raise LedgerFileError(
                    _("Row %(row)s: the column “%(column)s” appears twice.")
                    % {"row": number, "column": duplicates[0]}
                )
            return number, found
    return None


def read_ledger(
    source: str | Path | IO[bytes],
    *,
    name: str = "",
    size: int | None = None,
    progress: Progress | None = None,
) -> ParsedSheet:
    """Read the first sheet of an .xlsx ledger (openpyxl read-only mode).

    Raises LedgerFileError, naming the file and what is wrong, for anything that is
    not a ledger: another kind of file, too large, no header, a required column
    missing, no rows, too many rows.
    """
    own = isinstance(source, str | Path)
    stream: IO[bytes] = open(source, "rb") if own else source  # noqa: SIM115
    try:
        with _bulk_work():
            return _read_stream(stream, name=name or str(source), size=size, progress=progress)
    finally:
        if own:
            stream.close()


def _read_stream(
    stream: IO[bytes], *, name: str, size: int | None, progress: Progress | None
) -> ParsedSheet:
    display = safe_display_name(PurePath(name).name if name else "")
    limit = max_import_bytes()
    if size is None:
        stream.seek(0, 2)
        size = stream.tell()
    stream.seek(0)
    if size > limit:
        raise LedgerFileError(_too_large_message(display, size, limit))
    if size == 0:
        raise LedgerFileError(_("“%(name)s” is empty.") % {"name": display})
    check_file_kind(stream.read(262), display)
    stream.seek(0)
    _check_zip(stream, display, limit)
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise LedgerFileError(
            _("“%(name)s” is damaged: it cannot be opened as an Excel workbook.")
            % {"name": display}
        ) from exc
    try:
        return _read_sheet(workbook, progress)
    except LedgerFileError:
        raise
    except Exception as exc:  # read-only mode parses the sheet's XML only while iterating
        raise LedgerFileError(
            _("“%(name)s” is damaged: it cannot be opened as an Excel workbook.")
            % {"name": display}
        ) from exc
    finally:
        workbook.close()


def _read_sheet(workbook: Any, progress: Progress | None) -> ParsedSheet:
    if not workbook.worksheets:
        raise LedgerFileError(_("The workbook has no sheet."))
    sheet = workbook.worksheets[0]
    declared = sheet.max_row or 0
    # Some programs write a wrong size into the file: read every row that is there.
    sheet.reset_dimensions()
    max_rows = max_import_rows()
    rows_iter = enumerate(sheet.iter_rows(values_only=True), start=1)
    first: list[tuple[int, tuple[Any, ...]]] = []
    for number, values in rows_iter:
        first.append((number, tuple(values)))
        if len(first) >= HEADER_SCAN_ROWS:
            break
    if not any(any(v is not None and str(v).strip() for v in values) for _n, values in first):
        raise LedgerFileError(_("The sheet is empty."))
    found = _find_header(first)
    required = [c for c in COLUMNS if c.required]
    if found is None:
        raise LedgerFileError(
            _(
                "No header row was found in the first %(n)s rows. The ledger needs the "
                "columns: %(columns)s."
            )
            % {"n": HEADER_SCAN_ROWS, "columns": "、".join(_header(c) for c in required)}
        )
    header_row, columns = found
    if progress is not None and declared > header_row:
        progress.total = declared - header_row
    missing = [c for c in required if c.key not in columns]
    if missing:
        raise LedgerFileError(
            _("The sheet has no “%(column)s” column (row %(row)s is read as the header).")
            % {"column": _header(missing[0]), "row": header_row}
        )
    wanted = [(key, index) for key, (index, _h) in columns.items() if not BY_KEY[key].export_only]
    rows: list[tuple[int, tuple[Any, ...]]] = []

    indexes = [i for _k, i in wanted]
    pick = itemgetter(*indexes) if len(indexes) > 1 else (lambda values: (values[indexes[0]],))
    top = max(indexes)

    def keep(number: int, values: Sequence[Any]) -> None:
        # The hot loop of the import: one pass per row, strings stripped, blanks None.
        if len(values) > top:
            raw = pick(values)
        else:
            raw = [values[i] if i < len(values) else None for i in indexes]
        picked = tuple([(v.strip() or None) if v.__class__ is str else v for v in raw])
        if picked.count(None) < len(picked):
            if len(rows) >= max_rows:
                raise LedgerFileError(
                    _("The sheet has more than %(max)s rows; split it into several files.")
                    % {"max": f"{max_rows:,}"}
                )
            rows.append((number, picked))

    for number, values in first:
        if number > header_row:
            keep(number, values)
    for number, values in rows_iter:
        keep(number, values)
        if progress is not None and number % 1000 == 0:
            progress.update(1000)
    if not rows:
        raise LedgerFileError(_("The sheet has no rows under its header."))
    positions = {key: (pos, columns[key][1]) for pos, (key, _i) in enumerate(wanted)}
    return ParsedSheet(columns=positions, rows=rows, sheet_rows=declared)


# ---------------------------------------------------------------- planning


@dataclass
class _Unit:
    id: int
    name: str
    short_name: str
    slug: str
    path: str


@dataclass
class _Person:
    id: int
    name: str
    unit_name: str
    unit_short: str
    path: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit_name}）"


@dataclass
class _Existing:
    """What is stored about a problem the sheet names by its ledger number."""

    id: int
    number: str
    unit_id: int
    unit_path: str
    values: dict[str, Any]
    state: str
    reopen_count: int
    measures: list[tuple[str, dt.date, bool, dt.date | None]] = field(default_factory=list)
    supporting: dict[int, str] = field(default_factory=dict)
    latest: str | None = None
    has_updates: bool = False


@dataclass
class Planned:
    """One problem to add (``problem_id`` None) or to change, as the import will write it."""

    row: int
    number: str
    unit_id: int
    problem_id: int | None
    fields: dict[str, Any]
    old: dict[str, Any] = field(default_factory=dict)
    measures: list[tuple[str, dt.date, bool, dt.date | None]] | None = None
    old_measures: str = ""
    supporting: tuple[int, ...] | None = None
    old_supporting: tuple[int, ...] = ()
    progress: str = ""
    moves: list[str] = field(default_factory=list)
    display: list[tuple[str, str, str]] = field(default_factory=list)
    description: str = ""

    def fingerprint(self) -> list[Any]:
        return [
            self.row,
            self.number,
            self.unit_id,
            self.problem_id,
            sorted((k, smart_str(v)) for k, v in self.fields.items()),
            [[t, d.isoformat(), bool(done)] for t, d, done, _on in self.measures or ()],
            list(self.supporting) if self.supporting is not None else None,
            self.progress,
            self.moves,
        ]


@dataclass
class ImportPlan:
    """What an import would do: the errors, or the problems to add and to change."""

    campaign: Campaign
    unit: Unit
    actor: User
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    adds: list[Planned] = field(default_factory=list)
    changes: list[Planned] = field(default_factory=list)
    unchanged: int = 0
    unit_names: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.adds), "changed": len(self.changes), "unchanged": self.unchanged}

    def digest(self) -> str:
        """A fingerprint of what applying would write: apply refuses if it moved."""
        payload = [
            self.campaign.pk,
            self.unit.pk,
            self.actor.pk,
            [p.fingerprint() for p in self.adds],
            [p.fingerprint() for p in self.changes],
            self.unchanged,
        ]
        return hashlib.sha256(
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        ).hexdigest()

    def error_dicts(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.errors]

    def preview(self, limit: int = 100) -> dict[str, Any]:
        """A JSON-able sample of the plan for the preview page."""
        return {
            "adds": [
                {
                    "row": p.row,
                    "number": p.number,
                    "unit": self.unit_names.get(p.unit_id, ""),
                    "description": _excerpt(p.description),
                    "state": str(ProblemState(p.fields["state"]).label),
                }
                for p in self.adds[:limit]
            ],
            "changes": [
                {
                    "row": p.row,
                    "number": p.number,
                    "fields": [
                        {"column": c, "old": _excerpt(o), "new": _excerpt(n)}
                        for c, o, n in p.display
                    ],
                }
                for p in self.changes[:limit]
            ],
            "more_adds": max(0, len(self.adds) - limit),
            "more_changes": max(0, len(self.changes) - limit),
        }


def _excerpt(text: str, length: int = 120) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= length else text[: length - 1] + "…"


def _date_of(value: Any) -> dt.date | str | None:
    """A date from a cell: an Excel date, or 2019-04-30, 2019/4/30, 2019年4月30日.

    Returns None for an empty cell and "" for a cell that is not a date.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    match = _DATE.match(text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return ""
    return ""


# A ledger number as generated: the unit's prefix, then digits.
_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_TRUE = {"是", "yes", "y", "true", "1", "√", "✓", "✔", "已完成", "完成", "done"}
_FALSE = {"否", "no", "n", "false", "0", "×", "未完成", "not done"}


_NONE: frozenset[int] = frozenset()


class _Planner:
    """Turns parsed rows into an ImportPlan. One instance per import."""

    def __init__(self, *, actor: User, campaign: Campaign, unit: Unit, sheet: ParsedSheet) -> None:
        self.actor = actor
        self.campaign = campaign
        self.unit = unit
        self.sheet = sheet
        self.plan = ImportPlan(campaign=campaign, unit=unit, actor=actor)
        self.today = clock.today()
        self.owner_path = campaign.owner_unit.path
        self.pos = {key: pos for key, (pos, _h) in sheet.columns.items()}
        self.has = set(self.pos)
        self.keys = [key for key, _pos in sorted(self.pos.items(), key=lambda item: item[1])]
        self.problem_pos = [self.pos[k] for k in PROBLEM_KEYS if k in self.pos]
        self.choices = {
            "source": _choice_map(ProblemSource),
            "level": _choice_map(ProblemLevel),
            "kind": _choice_map(ProblemKind),
            "state": _choice_map(ProblemState),
        }
        scope = scope_for(actor)
        self.scope_everything = scope.is_everything
        self.scope_paths = scope.paths
        self._who_cache: dict[tuple[str, int], bool] = {}
        self._unit_memo: dict[tuple[bool, str], tuple[_Unit | None, str]] = {}
        self._person_memo: dict[tuple[str, int | None], tuple[_Person | None, str]] = {}

    # -------------------------------------------------------------- errors

    def error(self, row: int, key: str, message: str) -> None:
        self.plan.error_count += 1
        if len(self.plan.errors) < MAX_ERRORS:
            self.plan.errors.append(RowError(row, self.sheet.header(key), message))

    def cell(self, values: tuple[Any, ...], key: str) -> Any:
        """A cell of the row by column key (texts arrive stripped; blank is None)."""
        pos = self.pos.get(key)
        return None if pos is None else values[pos]

    # -------------------------------------------------------------- grouping

    def group(self) -> list[list[tuple[int, tuple[Any, ...]]]]:
        """Rows of one problem together: by ledger number, or following rows that
        fill only the measure columns (merged cells read as empty)."""
        groups: list[list[tuple[int, tuple[Any, ...]]]] = []
        by_number: dict[str, list[tuple[int, tuple[Any, ...]]]] = {}
        current: list[tuple[int, tuple[Any, ...]]] | None = None
        problem_pos = self.problem_pos
        number_pos = self.pos.get("ledger_number")
        for number, values in self.sheet.rows:
            if all(values[p] is None for p in problem_pos):
                if current is None:
                    self.error(number, "description", _("This row has a measure but no problem."))
                else:
                    current.append((number, values))
                continue
            raw = values[number_pos] if number_pos is not None else None
            ledger_number = _cell_text(raw)
            if ledger_number and ledger_number in by_number:
                current = by_number[ledger_number]
                current.append((number, values))
                continue
            current = [(number, values)]
            groups.append(current)
            if ledger_number:
                by_number[ledger_number] = current
        return groups

    # -------------------------------------------------------------- lookups

    def _in_scope(self, path: str) -> bool:
        if path.startswith(self.unit.path) or self.scope_everything:
            return True
        return any(path.startswith(p) for p in self.scope_paths)

    def load(self, groups: list[list[tuple[int, tuple[Any, ...]]]]) -> None:
        """Every lookup of the import, by the distinct names the sheet uses."""
        unit_names: set[str] = set()
        person_names: set[str] = set()
        numbers: set[str] = set()
        for rows in groups:
            for _number, values in rows:
                unit = self.cell(values, "unit")
                if unit is not None:
                    unit_names.add(str(unit))
                supporting = self.cell(values, "supporting_units")
                if supporting is not None:
                    unit_names.update(n.strip() for n in _SPLIT_UNITS.split(str(supporting)))
                for key in ("responsible_leader", "person_in_charge"):
                    person = self.cell(values, key)
                    if person is not None:
                        text = str(person)
                        match = _QUALIFIED.match(text)
                        person_names.add(match[1] if match else text)
                ledger_number = self.cell(values, "ledger_number")
                if ledger_number is not None:
                    numbers.add(_cell_text(ledger_number))
        unit_names.discard("")
        self.units_by_name: dict[str, list[_Unit]] = defaultdict(list)
        self.units: dict[int, _Unit] = {}
        for chunk in _chunks(sorted(unit_names), LOOKUP_CHUNK):
            found = Unit.objects.filter(
                Q(name__in=chunk) | Q(short_name__in=chunk) | Q(slug__in=chunk),
                path__startswith=self.owner_path,
            ).values_list("id", "name", "short_name", "slug", "path")
            for row in found:
                self._add_unit(_Unit(*row))
        self.people_by_name: dict[str, list[_Person]] = defaultdict(list)
        self.people: dict[int, _Person] = {}
        for chunk in _chunks(sorted(person_names), LOOKUP_CHUNK):
            found = User.objects.filter(
                name__in=chunk, unit__path__startswith=self.owner_path
            ).values_list("id", "name", "unit__name", "unit__short_name", "unit__path")
            for row in found:
                self._add_person(_Person(*row))
        self.themes: dict[str, int] = {}
        self.theme_titles: dict[int, str] = {}
        for theme in Theme.objects.filter(campaign=self.campaign).order_by("number"):
            title = theme_title(theme)
            self.theme_titles[theme.pk] = title
            for key in (title, theme.break_with, str(theme.number)):
                self.themes.setdefault(_norm_key(key), theme.pk)
        self.existing = self._load_existing(numbers)

    def _add_unit(self, unit: _Unit) -> None:
        if unit.id in self.units:
            return
        self.units[unit.id] = unit
        for key in {unit.name, unit.short_name, unit.slug} - {""}:
            self.units_by_name[key].append(unit)

    def _add_person(self, person: _Person) -> None:
        if person.id in self.people:
            return
        self.people[person.id] = person
        self.people_by_name[person.name].append(person)

    def _load_existing(self, numbers: set[str]) -> dict[str, _Existing]:
        existing: dict[str, _Existing] = {}
        self.known_unit_names: dict[int, str] = {}
        fields = (
            "id",
            "ledger_number",
            "unit_id",
            "unit__path",
            "state",
            "reopen_count",
            "description",
            "source",
            "theme_id",
            "level",
            "responsible_leader_id",
            "person_in_charge_id",
            "target_standard",
            "deadline",
            "kind",
            "carried_over_reason",
            "review_comment",
        )
        people_ids: set[int] = set()
        for chunk in _chunks(sorted(numbers), LOOKUP_CHUNK):
            rows = Problem.objects.filter(campaign=self.campaign, ledger_number__in=chunk).values(
                *fields
            )
            by_id: dict[int, _Existing] = {}
            for r in rows:
                item = _Existing(
                    id=r["id"],
                    number=r["ledger_number"],
                    unit_id=r["unit_id"],
                    unit_path=r["unit__path"],
                    values={k: r[k] for k in fields[6:]},
                    state=r["state"],
                    reopen_count=r["reopen_count"],
                )
                existing[item.number] = by_id[item.id] = item
                people_ids.update(
                    pid
                    for pid in (r["responsible_leader_id"], r["person_in_charge_id"])
                    if pid is not None
                )
            if not by_id:
                continue
            ids = list(by_id)
            for pid, text, deadline, done, done_on in (
                Measure.objects.filter(problem_id__in=ids)
                .order_by("problem_id", "order", "id")
                .values_list("problem_id", "text", "deadline", "done", "done_on")
            ):
                by_id[pid].measures.append((text, deadline, done, done_on))
            for pid, unit_id, name in Problem.supporting_units.through.objects.filter(
                problem_id__in=ids
            ).values_list("problem_id", "unit_id", "unit__name"):
                by_id[pid].supporting[unit_id] = name
                self.known_unit_names[unit_id] = name
            for pid, text in (
                ProgressUpdate.objects.filter(problem_id__in=ids)
                .order_by("problem_id", "-reported_on", "-id")
                .values_list("problem_id", "text")
            ):
                item = by_id[pid]
                if not item.has_updates:
                    item.has_updates = True
                    item.latest = text
        # People already named on these problems may stay, even outside the actor's scope.
        missing = people_ids - set(self.people)
        for chunk in _chunks(sorted(missing), LOOKUP_CHUNK):
            for row in User.objects.filter(pk__in=chunk).values_list(
                "id", "name", "unit__name", "unit__short_name", "unit__path"
            ):
                self._add_person(_Person(row[0], row[1], row[2] or "", row[3] or "", row[4] or ""))
        return existing

    def find_unit(
        self, row: int, key: str, name: str, *, responsible: bool, kept: frozenset[int] = _NONE
    ) -> _Unit | None:
        """The unit ``name`` designates: a responsible unit lies in the import's subtree,
        a supporting unit within the actor's reach (or already supports the problem)."""
        memo_key = (responsible, name)
        found = self._unit_memo.get(memo_key) if not kept else None
        if found is None:
            if responsible:
                candidates = [
                    u for u in self.units_by_name.get(name, ()) if u.path.startswith(self.unit.path)
                ]
            else:
                candidates = [
                    u
                    for u in self.units_by_name.get(name, ())
                    if u.id in kept or self._in_scope(u.path)
                ]
            found = self._one_unit(name, candidates)
            if not kept:
                self._unit_memo[memo_key] = found
        unit, message = found
        if message:
            self.error(row, key, message)
        return unit

    def _one_unit(self, name: str, candidates: list[_Unit]) -> tuple[_Unit | None, str]:
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, _(
                "Unknown unit “%(name)s”: no unit of this name in %(unit)s takes part in "
                "the campaign."
            ) % {"name": name, "unit": self.unit.name}
        return None, _(
            "“%(name)s” names several units; write the unit's code instead (%(codes)s)."
        ) % {"name": name, "codes": "、".join(sorted(u.slug for u in candidates))}

    def find_person(self, row: int, key: str, text: str, *, current: int | None) -> _Person | None:
        """The person ``text`` names ("姓名" or "姓名（单位）") among the people in reach."""
        memo_key = (text, current)
        found = self._person_memo.get(memo_key)
        if found is None:
            found = self._person_memo[memo_key] = self._one_person(text, current)
        person, message = found
        if message:
            self.error(row, key, message)
        return person

    def _one_person(self, text: str, current: int | None) -> tuple[_Person | None, str]:
        match = _QUALIFIED.match(text)
        name, unit_name = (match[1], match[2]) if match else (text, None)
        candidates = [
            p
            for p in self.people_by_name.get(name, ())
            if p.id == current
            or (p.path and p.path.startswith(self.owner_path) and self._in_scope(p.path))
        ]
        if unit_name is not None:
            candidates = [p for p in candidates if unit_name in (p.unit_name, p.unit_short)]
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, _(
                "Unknown person “%(name)s”: nobody of this name works in a unit you can "
                "reach in this campaign."
            ) % {"name": text}
        return None, _(
            "Several people are called “%(name)s”: write the name with the unit, as %(example)s."
        ) % {"name": name, "example": candidates[0].label}

    def may(self, verb: str, unit: _Unit) -> bool:
        """The WHO table for a problem of ``unit`` in this campaign (cached per unit)."""
        key = (verb, unit.id)
        if key not in self._who_cache:
            stub = Problem(campaign=self.campaign, unit=Unit(pk=unit.id, path=unit.path))
            self._who_cache[key] = WHO[verb].test(self.actor, stub)
        return self._who_cache[key]

    # -------------------------------------------------------------- one problem

    def read_problem(self, rows: list[tuple[int, tuple[Any, ...]]]) -> dict[str, Any] | None:
        """The sheet's values for one problem, checked cell by cell; None after an error."""
        first, values = rows[0]
        cells = dict(zip(self.keys, values, strict=True))
        before = self.plan.error_count
        # Rows after the first repeat the problem's cells, or leave them empty.
        for number, other in rows[1:]:
            if all(other[p] is None for p in self.problem_pos):
                continue
            for key in PROBLEM_KEYS:
                if key not in self.pos:
                    continue
                mine, theirs = cells.get(key), self.cell(other, key)
                if theirs is not None and _cell_text(theirs) != _cell_text(mine):
                    self.error(
                        number,
                        key,
                        _(
                            "Differs from row %(row)s, the problem's first row; a problem's cells "
                            "must be the same on all its rows (or left empty)."
                        )
                        % {"row": first},
                    )
        data: dict[str, Any] = {"row": first}
        ledger_number = cells.get("ledger_number")
        data["number"] = _cell_text(ledger_number) if ledger_number is not None else ""
        if len(data["number"]) > 130:
            self.error(first, "ledger_number", _("A ledger number has at most 130 characters."))
        existing = self.existing.get(data["number"]) if data["number"] else None
        data["existing"] = existing
        description = normalise_text(cells.get("description"))
        if not description:
            self.error(first, "description", _("Describe the problem: this cell is empty."))
        data["description"] = description
        for key in ("source", "level", "kind", "state"):
            raw = cells.get(key)
            if raw is None:
                data[key] = None
                continue
            choice = self.choices[key].get(_norm_key(raw))
            if choice is None:
                labels = "、".join(
                    str(c.label)
                    for c in {
                        "source": ProblemSource,
                        "level": ProblemLevel,
                        "kind": ProblemKind,
                        "state": ProblemState,
                    }[key]
                )
                self.error(
                    first,
                    key,
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": raw, "choices": labels},
                )
            data[key] = choice
        raw_theme = cells.get("theme")
        data["theme"] = None
        if raw_theme is not None:
            data["theme"] = self.themes.get(_norm_key(raw_theme))
            if data["theme"] is None:
                self.error(
                    first,
                    "theme",
                    _("“%(value)s” is not one of this campaign's themes.") % {"value": raw_theme},
                )
        unit_name = cells.get("unit")
        data["unit"] = None
        if unit_name is None:
            self.error(first, "unit", _("Name the responsible unit: this cell is empty."))
        else:
            data["unit"] = self.find_unit(first, "unit", _cell_text(unit_name), responsible=True)
        for key in ("responsible_leader", "person_in_charge"):
            raw = cells.get(key)
            data[key] = None
            if raw is not None:
                current = existing.values[f"{key}_id"] if existing else None
                person = self.find_person(first, key, _cell_text(raw), current=current)
                data[key] = person.id if person else None
        data["supporting"] = None
        if "supporting_units" in self.has:
            raw = cells.get("supporting_units")
            chosen: list[int] = []
            kept = frozenset(existing.supporting) if existing else _NONE
            for name in _SPLIT_UNITS.split(_cell_text(raw)) if raw is not None else ():
                name = name.strip()
                if not name:
                    continue
                found = self.find_unit(
                    first, "supporting_units", name, responsible=False, kept=kept
                )
                if found is not None and found.id not in chosen:
                    chosen.append(found.id)
            if data["unit"] is not None and data["unit"].id in chosen:
                self.error(
                    first,
                    "supporting_units",
                    _("The responsible unit cannot also be a supporting unit."),
                )
            data["supporting"] = tuple(sorted(chosen))
        data["target"] = normalise_text(cells.get("target"))
        deadline = _date_of(cells.get("deadline"))
        if deadline == "":
            self.error(first, "deadline", _bad_date(cells.get("deadline")))
            deadline = None
        data["deadline"] = deadline
        kind = data["kind"] or (existing.values["kind"] if existing else ProblemKind.DEADLINE)
        if deadline is None and kind != ProblemKind.LONG_TERM and cells.get("deadline") is None:
            self.error(
                first,
                "deadline",
                _("Give a deadline; only a long-term problem may have none."),
            )
        data["measures"] = self.read_measures(rows, deadline)
        data["progress"] = normalise_text(cells.get("progress"))
        data["note"] = normalise_text(cells.get("note"))
        if self.plan.error_count > before:
            return None
        return data

    def read_measures(
        self, rows: list[tuple[int, tuple[Any, ...]]], deadline: dt.date | None
    ) -> list[tuple[str, dt.date, bool]]:
        measures = []
        cell = self.cell
        for number, values in rows:
            text = normalise_text(cell(values, "measure"))
            raw_deadline = cell(values, "measure_deadline")
            raw_done = cell(values, "measure_done")
            if not text and raw_deadline is None and raw_done is None:
                continue
            if not text:
                self.error(number, "measure", _("Describe the measure: this cell is empty."))
            measure_deadline = _date_of(raw_deadline)
            if measure_deadline is None:
                self.error(number, "measure_deadline", _("Give the measure's deadline."))
            elif measure_deadline == "":
                self.error(number, "measure_deadline", _bad_date(raw_deadline))
            elif deadline and measure_deadline > deadline:
                self.error(
                    number,
                    "measure_deadline",
                    _("The measure's deadline is after the problem's deadline (%(deadline)s).")
                    % {"deadline": deadline.isoformat()},
                )
            done = False
            if raw_done is not None:
                key = _norm_key(raw_done)
                if key in _TRUE:
                    done = True
                elif key not in _FALSE:
                    self.error(
                        number,
                        "measure_done",
                        _("Write “是” (done) or “否” (not done), not “%(value)s”.")
                        % {"value": raw_done},
                    )
            if text and isinstance(measure_deadline, dt.date):
                measures.append((text, measure_deadline, done))
        return measures

    # -------------------------------------------------------------- the plan

    def build(self) -> ImportPlan:
        groups = self.group()
        self.load(groups)
        numbering: dict[int, list[Planned]] = defaultdict(list)
        seen_numbers: set[str] = set()
        for rows in groups:
            data = self.read_problem(rows)
            if data is None:
                continue
            seen_numbers.add(data["number"])
            if data["existing"] is not None:
                self.plan_change(data)
                continue
            planned = self.plan_add(data)
            if planned is not None and not planned.number:
                numbering[planned.unit_id].append(planned)
        if numbering and self.plan.ok:
            self.allocate_numbers(numbering, seen_numbers)
        self.plan.unit_names = {
            **self.known_unit_names,
            **{u.id: u.name for u in self.units.values()},
        }
        return self.plan

    def allocate_numbers(self, numbering: dict[int, list[Planned]], taken: set[str]) -> None:
        """Generated numbers per unit, after the highest used in the campaign or the sheet."""
        prefixes = {
            uid: ledger_number_prefix(self.campaign, Unit(slug=self.units[uid].slug))
            for uid in numbering
        }
        highest: dict[str, int] = dict.fromkeys(prefixes.values(), 0)
        used: list[str] = [n for n in taken if n]
        for chunk in _chunks(sorted(highest), 100):
            condition = Q()
            for prefix in chunk:
                condition |= Q(ledger_number__startswith=prefix)
            used.extend(
                Problem.objects.filter(condition, campaign=self.campaign).values_list(
                    "ledger_number", flat=True
                )
            )
        for number in used:
            match = _NUMBERED.match(number)
            if match and match[1] in highest:
                highest[match[1]] = max(highest[match[1]], int(match[2]))
        for uid, planned in numbering.items():
            prefix = prefixes[uid]
            for item in planned:
                highest[prefix] += 1
                item.number = f"{prefix}{highest[prefix]:03d}"

    def plan_add(self, data: dict[str, Any]) -> Planned | None:
        row = data["row"]
        unit: _Unit = data["unit"]
        number = data["number"]
        state = data["state"] or ProblemState.DRAFT
        progress = data["progress"]
        note = data["note"]
        if progress and state == ProblemState.DRAFT:
            self.error(
                row,
                "progress",
                _(
                    "A draft has no progress yet: set the state to in progress, or leave the "
                    "progress empty."
                ),
            )
            return None
        if progress and state == ProblemState.OPEN:
            state = ProblemState.IN_PROGRESS  # as posting progress does
        verb = {
            ProblemState.VERIFIED: "verify",
            ProblemState.CARRIED_OVER: "carry_over",
        }.get(state, "open")
        if not self.may(verb, unit):
            self.error(
                row,
                "state",
                _("You may not record a problem as “%(state)s”.")
                % {"state": ProblemState(state).label},
            )
            return None
        if state in (ProblemState.COMPLETED, ProblemState.VERIFIED) and not progress:
            self.error(
                row,
                "progress",
                _("A problem “%(state)s” needs its evidence: say in the progress what was done.")
                % {"state": ProblemState(state).label},
            )
            return None
        if state == ProblemState.CARRIED_OVER and not note:
            self.error(row, "note", _("Say in the note why the problem is carried over."))
            return None
        fields: dict[str, Any] = {
            "description": text_to_html(data["description"]),
            "source": data["source"] or ProblemSource.OTHER,
            "theme_id": data["theme"],
            "level": data["level"] or ProblemLevel.UNIT,
            "responsible_leader_id": data["responsible_leader"],
            "person_in_charge_id": data["person_in_charge"],
            "target_standard": text_to_html(data["target"]),
            "deadline": data["deadline"],
            "kind": data["kind"] or ProblemKind.DEADLINE,
            "state": state,
        }
        if state == ProblemState.CARRIED_OVER:
            fields["carried_over_reason"] = note
        else:
            fields["review_comment"] = note
        if state in (ProblemState.COMPLETED, ProblemState.VERIFIED):
            fields["completed_on"] = self.today
        if state == ProblemState.VERIFIED:
            fields["verified_by_id"] = self.actor.pk
            fields["verified_on"] = self.today
        planned = Planned(
            row=row,
            number=number,
            unit_id=unit.id,
            problem_id=None,
            fields=fields,
            measures=[
                (text, deadline, done, self.today if done else None)
                for text, deadline, done in data["measures"]
            ],
            supporting=data["supporting"] or (),
            progress=text_to_html(progress),
            description=data["description"],
        )
        self.plan.adds.append(planned)
        return planned

    def plan_change(self, data: dict[str, Any]) -> None:
        existing: _Existing = data["existing"]
        row = data["row"]
        unit: _Unit = data["unit"]
        if not existing.unit_path.startswith(self.unit.path):
            self.error(
                row,
                "ledger_number",
                _("Ledger number “%(number)s” is already used in this campaign.")
                % {"number": existing.number},
            )
            return
        if unit.id != existing.unit_id:
            self.error(
                row,
                "unit",
                _(
                    "The responsible unit of problem %(number)s cannot be changed: its ledger "
                    "number was given for its unit."
                )
                % {"number": existing.number},
            )
            return
        old = existing.values
        planned = Planned(
            row=row,
            number=existing.number,
            unit_id=existing.unit_id,
            problem_id=existing.id,
            fields={},
            description=data["description"],
        )
        header = self.sheet.header
        display = planned.display
        edits: list[str] = []  # columns whose change needs an editable problem

        def change(key: str, name: str, new: Any, old_value: Any, shown: tuple[str, str]) -> None:
            planned.fields[name] = new
            planned.old[name] = old_value
            display.append((header(key), *shown))
            edits.append(key)

        if html_to_text(old["description"]) != data["description"]:
            change(
                "description",
                "description",
                text_to_html(data["description"]),
                old["description"],
                (html_to_text(old["description"]), data["description"]),
            )
        if "target" in self.has and html_to_text(old["target_standard"]) != data["target"]:
            change(
                "target",
                "target_standard",
                text_to_html(data["target"]),
                old["target_standard"],
                (html_to_text(old["target_standard"]), data["target"]),
            )
        for key, enum in (
            ("source", ProblemSource),
            ("level", ProblemLevel),
            ("kind", ProblemKind),
        ):
            if key in self.has and data[key] is not None and data[key] != old[key]:
                change(
                    key,
                    key,
                    data[key],
                    old[key],
                    (str(enum(old[key]).label), str(enum(data[key]).label)),
                )
        if "theme" in self.has and data["theme"] != old["theme_id"]:
            change(
                "theme",
                "theme_id",
                data["theme"],
                old["theme_id"],
                (
                    self.theme_titles.get(old["theme_id"], ""),
                    self.theme_titles.get(data["theme"], ""),
                ),
            )
        for key in ("responsible_leader", "person_in_charge"):
            name = f"{key}_id"
            if key in self.has and data[key] != old[name]:
                change(
                    key,
                    name,
                    data[key],
                    old[name],
                    (self._person_name(old[name]), self._person_name(data[key])),
                )
        if "deadline" in self.has and data["deadline"] != old["deadline"]:
            if existing.state != ProblemState.DRAFT:
                self.error(
                    row,
                    "deadline",
                    _(
                        "Only a draft's deadline can be changed; ask for an extension to move "
                        "the deadline of problem %(number)s."
                    )
                    % {"number": existing.number},
                )
                return
            change(
                "deadline",
                "deadline",
                data["deadline"],
                old["deadline"],
                (_date_text(old["deadline"]), _date_text(data["deadline"])),
            )
        if data["supporting"] is not None and set(data["supporting"]) != set(existing.supporting):
            planned.supporting = data["supporting"]
            planned.old_supporting = tuple(sorted(existing.supporting))
            names = {**existing.supporting, **{u.id: u.name for u in self.units.values()}}
            display.append(
                (
                    header("supporting_units"),
                    SUPPORTING_SEPARATOR.join(existing.supporting.values()),
                    SUPPORTING_SEPARATOR.join(names[i] for i in data["supporting"]),
                )
            )
            edits.append("supporting_units")
        old_measures = [(t, d, done) for t, d, done, _on in existing.measures]
        if "measure" in self.has and data["measures"] != old_measures:
            kept_on = {(t, d): on for t, d, done, on in existing.measures if done}
            planned.measures = [
                (t, d, done, (kept_on.get((t, d)) or self.today) if done else None)
                for t, d, done in data["measures"]
            ]
            planned.old_measures = _measures_text(old_measures)
            display.append(
                (header("measure"), planned.old_measures, _measures_text(data["measures"]))
            )
            edits.append("measure")
        if edits and existing.state not in (
            ProblemState.DRAFT,
            ProblemState.OPEN,
            ProblemState.IN_PROGRESS,
        ):
            self.error(
                row,
                edits[0],
                _(
                    "Problem %(number)s is “%(state)s”: only a draft, open or in-progress "
                    "problem can be edited."
                )
                % {"number": existing.number, "state": ProblemState(existing.state).label},
            )
            return
        if not self.plan_moves(planned, data, existing, unit):
            return
        if (
            planned.fields
            or planned.measures is not None
            or planned.supporting is not None
            or (planned.progress)
        ):
            self.plan.changes.append(planned)
        else:
            self.plan.unchanged += 1

    def _person_name(self, pk: int | None) -> str:
        person = self.people.get(pk) if pk else None
        return person.name if person else ""

    def plan_moves(
        self, planned: Planned, data: dict[str, Any], existing: _Existing, unit: _Unit
    ) -> bool:
        """The state column and the progress, checked as the services check them."""
        row = data["row"]
        old_state = existing.state
        target = data["state"] or old_state
        note = data["note"]
        old_note = (
            existing.values["carried_over_reason"]
            if old_state == ProblemState.CARRIED_OVER
            else existing.values["review_comment"]
        )
        progress = data["progress"]
        progress_new = (
            bool(progress)
            and "progress" in self.has
            and (progress != html_to_text(existing.latest or ""))
        )
        state = old_state
        moves: list[str] = []
        if progress_new:
            if state == ProblemState.OPEN:
                moves.append("start")  # posting progress starts the work
                state = ProblemState.IN_PROGRESS
                if target == ProblemState.OPEN:
                    target = state
            elif state not in WORKING and target not in WORKING:
                self.error(
                    row,
                    "progress",
                    _(
                        "Progress can be reported only while a problem is open or in progress; "
                        "problem %(number)s is “%(state)s”."
                    )
                    % {"number": existing.number, "state": ProblemState(old_state).label},
                )
                return False
        if target != state:
            verb = TRANSITIONS.get((state, target))
            states = {
                "number": existing.number,
                "state": ProblemState(old_state).label,
                "target": ProblemState(target).label,
            }
            if verb is None:
                self.error(
                    row,
                    "state",
                    _("Problem %(number)s is “%(state)s” and cannot become “%(target)s”.") % states,
                )
                return False
            if not self.may(verb, unit):
                self.error(
                    row,
                    "state",
                    _("You may not move problem %(number)s from “%(state)s” to “%(target)s”.")
                    % states,
                )
                return False
            evidence = existing.has_updates or progress_new
            if verb in ("complete", "verify") and not evidence:
                self.error(
                    row,
                    "progress",
                    _(
                        "Problem %(number)s needs its evidence to become “%(target)s”: say in the "
                        "progress what was done."
                    )
                    % {"number": existing.number, "target": ProblemState(target).label},
                )
                return False
            if verb in ("carry_over", "send_back", "reopen") and not note:
                self.error(
                    row,
                    "note",
                    {
                        "carry_over": _("Say in the note why the problem is carried over."),
                        "send_back": _("Say in the note what is still missing."),
                        "reopen": _("Say in the note why the problem is reopened."),
                    }[verb],
                )
                return False
            moves.append(verb)
            state = target
        elif note != old_note and "note" in self.has:
            self.error(
                row,
                "note",
                _(
                    "The note changes only with the state: it is the reason for carrying over, "
                    "sending back or reopening, or the comment on verification."
                ),
            )
            return False
        if progress_new:
            planned.progress = text_to_html(progress)
            planned.display.append(
                (self.sheet.header("progress"), html_to_text(existing.latest or ""), progress)
            )
        if not moves:
            return True
        fields, old = planned.fields, planned.old
        old_values = existing.values

        def put(name: str, value: Any, before: Any) -> None:
            fields[name] = value
            old.setdefault(name, before)

        put("state", state, old_state)
        for verb in moves:
            if verb == "complete":
                put("completed_on", self.today, None)
            elif verb == "send_back":
                put("completed_on", None, None)
            elif verb == "verify":
                put("verified_by_id", self.actor.pk, None)
                put("verified_on", self.today, None)
            elif verb == "reopen":
                put("reopen_reason", note, "")
                put("reopen_count", existing.reopen_count + 1, existing.reopen_count)
                put("evaluation_open", False, None)
                put("verified_by_id", None, None)
                put("verified_on", None, None)
                put("completed_on", None, None)
        # The note goes with the move: the reason for carrying over, else the comment.
        if state == ProblemState.CARRIED_OVER:
            put("carried_over_reason", note, old_values["carried_over_reason"])
        elif note != old_values["review_comment"]:
            put("review_comment", note, old_values["review_comment"])
        planned.moves = moves
        planned.display.append(
            (
                self.sheet.header("state"),
                str(ProblemState(old_state).label),
                str(ProblemState(state).label),
            )
        )
        return True


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _bad_date(value: Any) -> str:
    return _("“%(value)s” is not a date; write it as 2019-04-30.") % {"value": value}


def _date_text(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _measures_text(measures: Sequence[tuple[str, dt.date, bool]]) -> str:
    return "\n".join(
        f"{i}. {text} ({deadline.isoformat()}{'，' + YES if done else ''})"
        for i, (text, deadline, done) in enumerate(measures, start=1)
    )


def check_import_permission(actor: User, campaign: Campaign, unit: Unit) -> None:
    """The import is for ``unit``: the actor must be able to record its problems."""
    if not unit.path.startswith(campaign.owner_unit.path):
        raise PermissionDenied
    if not actor.has_perm("rectification.add_problem", unit):
        raise PermissionDenied


def plan_import(*, actor: User, campaign: Campaign, unit: Unit, sheet: ParsedSheet) -> ImportPlan:
    """Check every row and work out what the import would add and change; writes nothing."""
    check_import_permission(actor, campaign, unit)
    with _bulk_work():
        return _Planner(actor=actor, campaign=campaign, unit=unit, sheet=sheet).build()


# ---------------------------------------------------------------- applying


class StalePlan(Exception):
    """The ledger changed since the preview: what would be written is not what was shown."""


# ---- bulk inserts
#
# Django's bulk_create prepares every value of every object through the field API and
# builds a model instance per row; for a 100,000-row ledger that alone costs more than
# reading the file. Rows that need no returned primary key (measures, links, progress,
# audit entries) and the problems themselves (found again by their unique ledger
# number) are inserted with one executemany per batch, values adapted per column.


@dataclass(frozen=True)
class _Column:
    attname: str
    name: str
    column: str
    default: Any
    adapt: Callable[[Any], Any] | None
    is_datetime: bool
    is_relation: bool


_COLUMNS: dict[type, list[_Column]] = {}


def _columns(model: type) -> list[_Column]:
    if model not in _COLUMNS:
        connection = connections[router.db_for_write(model)]
        columns = []
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            kind = f.get_internal_type()
            adapt: Callable[[Any], Any] | None = None
            if kind == "DateTimeField":
                # An import stamps every row with one moment: adapt it once.
                adapt = lru_cache(maxsize=16)(connection.ops.adapt_datetimefield_value)
            elif kind == "DateField":
                adapt = connection.ops.adapt_datefield_value
            elif kind == "JSONField":
                adapt = partial(f.get_db_prep_save, connection=connection)
            dynamic = (f.has_default() and callable(f.default)) or f.has_db_default()
            default = None if dynamic else f.get_default()
            columns.append(
                _Column(
                    f.attname,
                    f.name,
                    f.column,
                    default,
                    adapt,
                    kind == "DateTimeField",
                    f.many_to_one,
                )
            )
        _COLUMNS[model] = columns
    return _COLUMNS[model]


def _insert(model: type, rows: list[dict[str, Any]], *, ready: bool = False) -> None:
    """INSERT ``rows`` (attname -> value; missing columns take the field default).

    ``ready``: the rows are already lists of adapted values in ``_columns`` order.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    columns = _columns(model)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(c.column) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    if ready:
        params: list[Any] = rows
    else:
        pairs = [(c.attname, c.default) for c in columns]
        adapted = [(i, c.adapt) for i, c in enumerate(columns) if c.adapt is not None]
        params = []
        for row in rows:
            values = [row.get(attname, default) for attname, default in pairs]
            for i, adapt in adapted:
                if values[i] is not None:
                    values[i] = adapt(values[i])
            params.append(values)
    with connection.cursor() as cursor:
        for chunk in _chunks(params, BATCH):
            cursor.executemany(sql, chunk)


@lru_cache(maxsize=16)
def _log_datetime(value: dt.datetime) -> str:
    """A moment as django-auditlog writes it into ``changes``: naive UTC."""
    if timezone.is_aware(value):
        value = timezone.make_naive(value, dt.UTC)
    return str(value)


_LOGGED: dict[type, list[tuple[str, str, Any, bool]]] = {}


_NO_RELATION = ["None", "None"]


def _created_changes(model: type, pk: int, row: dict[str, Any]) -> dict[str, list[str]]:
    """The ``changes`` auditlog writes for a new object: every field from "None".

    auditlog compares a new object's fields with "None" as strings, except that an
    empty relation reads as None and so counts as changed: ``["None", "None"]``.
    """
    logged = _LOGGED.get(model)
    if logged is None:
        logged = _LOGGED[model] = [
            (c.name, c.attname, c.default, c.is_datetime, c.is_relation) for c in _columns(model)
        ]
    changes = {"id": ["None", str(pk)]}
    changes.update(
        {
            name: _NO_RELATION
            if value is None
            else ["None", _log_datetime(value) if is_datetime else str(value)]
            for name, attname, default, is_datetime, is_relation in logged
            if (value := row.get(attname, default)) is not None or is_relation
        }
    )
    return changes


class _Audit:
    """LogEntry rows written in bulk, shaped as auditlog's own (actor, action, changes)."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.entries: list[list[Any]] = []
        self.now = timezone.now()
        self.cid = get_cid()
        context = auditlog_value.get(None) or {}
        same = context.get("actor") is not None and getattr(context["actor"], "pk", None) == (
            actor.pk
        )
        self.remote_addr = context.get("remote_addr") if same else None
        self.remote_port = context.get("remote_port") if same else None
        self.types = {
            model: ContentType.objects.get_for_model(model).pk
            for model in (Problem, ProgressUpdate, ExtensionRequest)
        }
        # Entries differ only in object, action and changes: the rest is built once.
        columns = _columns(LogEntry)
        constant = {
            "changes_text": "",
            "actor_id": actor.pk,
            "actor_email": actor.email or None,
            "cid": self.cid,
            "remote_addr": self.remote_addr,
            "remote_port": self.remote_port,
            "timestamp": self.now,
        }
        self.base = [
            c.adapt(v) if c.adapt is not None and v is not None else v
            for c in columns
            for v in (constant.get(c.attname, c.default),)
        ]
        at = {c.attname: i for i, c in enumerate(columns)}
        self.at = [at[k] for k in ("content_type_id", "object_pk", "object_id", "object_repr")]
        self.at_action, self.at_changes = at["action"], at["changes"]
        self.adapt_changes = columns[self.at_changes].adapt

    def add(self, model: type, pk: int, repr_: str, action: int, changes: dict) -> None:
        row = self.base.copy()
        i_type, i_pk, i_id, i_repr = self.at
        row[i_type], row[i_pk], row[i_id], row[i_repr] = self.types[model], str(pk), pk, repr_
        row[self.at_action] = action
        row[self.at_changes] = self.adapt_changes(changes)
        self.entries.append(row)
        if len(self.entries) >= BATCH:
            self.flush()

    def flush(self) -> None:
        _insert(LogEntry, self.entries, ready=True)
        self.entries = []


def apply_plan(plan: ImportPlan) -> dict[str, int]:
    """Write a checked plan in one transaction: bulk inserts and updates, audited in bulk."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    with _bulk_work(), transaction.atomic(), audited(plan.actor):
        audit = _Audit(plan.actor)
        now = audit.now
        unit_names = plan.unit_names
        for batch in _chunks(plan.adds, BATCH):
            _apply_adds(plan, batch, audit, now, unit_names)
        for batch in _chunks(plan.changes, BATCH):
            _apply_changes(plan, batch, audit, now, unit_names)
        audit.flush()
        # Bulk writes send no save signals: the search index reads the problems again
        # as a task once this commits.
        written = [p.problem_id for p in (*plan.adds, *plan.changes) if p.problem_id]
        if written:
            transaction.on_commit(partial(refresh_texts.enqueue, Problem._meta.label, written))
    return plan.counts


# Columns that differ from one new problem to the next (no date-times among them).
_PER_PROBLEM = frozenset(
    {
        "ledger_number",
        "unit_id",
        "description",
        "source",
        "theme_id",
        "level",
        "responsible_leader_id",
        "person_in_charge_id",
        "target_standard",
        "deadline",
        "kind",
        "state",
        "carried_over_reason",
        "review_comment",
        "completed_on",
        "verified_by_id",
        "verified_on",
    }
)


def _apply_adds(
    plan: ImportPlan, batch: list[Planned], audit: _Audit, now: dt.datetime, names: dict
) -> None:
    actor, today = plan.actor, clock.today()
    rows = [
        {
            "campaign_id": plan.campaign.pk,
            "ledger_number": p.number,
            "unit_id": p.unit_id,
            "created_by_id": actor.pk,
            "created_at": now,
            "updated_at": now,
            **p.fields,
        }
        for p in batch
    ]
    _insert(Problem, rows)
    ids = dict(
        Problem.objects.filter(
            campaign=plan.campaign, ledger_number__in=[p.number for p in batch]
        ).values_list("ledger_number", "id")
    )
    measures, links, updates = [], [], []
    for planned in batch:
        pid = planned.problem_id = ids[planned.number]
        for order, (text, deadline, done, done_on) in enumerate(planned.measures or (), 1):
            measures.append(
                {
                    "problem_id": pid,
                    "text": text,
                    "deadline": deadline,
                    "order": order,
                    "done": done,
                    "done_on": done_on,
                }
            )
        links.extend({"problem_id": pid, "unit_id": uid} for uid in planned.supporting or ())
        if planned.progress:
            updates.append(
                {
                    "problem_id": pid,
                    "text": planned.progress,
                    "reported_on": today,
                    "author_id": actor.pk,
                    "created_at": now,
                }
            )
    _insert(Measure, measures)
    _insert(Problem.supporting_units.through, links)
    _insert(ProgressUpdate, updates)
    # The columns every new problem shares are described once; each adds its own.
    shared = {k: v for k, v in rows[0].items() if k not in _PER_PROBLEM}
    template = _created_changes(Problem, 0, shared)
    del template["id"]
    field_names = {c.attname: c.name for c in _columns(Problem)}
    relations = {c.attname for c in _columns(Problem) if c.is_relation}
    for planned, row in zip(batch, rows, strict=True):
        pid = planned.problem_id
        changes = dict(template)
        changes["id"] = ["None", str(pid)]
        for attname in _PER_PROBLEM.intersection(row):
            value = row[attname]
            if value is not None:
                changes[field_names[attname]] = ["None", str(value)]
            elif attname in relations:
                changes[field_names[attname]] = _NO_RELATION
            else:
                changes.pop(field_names[attname], None)
        if planned.measures:
            changes["measures"] = ["", _measures_text([m[:3] for m in planned.measures])]
        audit.add(Problem, pid, planned.number, LogEntry.Action.CREATE, changes)
        if planned.supporting:
            audit.add(
                Problem,
                pid,
                planned.number,
                LogEntry.Action.UPDATE,
                _m2m_change("add", planned.supporting, names),
            )
    if updates:
        update_ids = dict(
            ProgressUpdate.objects.filter(problem_id__in=list(ids.values())).values_list(
                "problem_id", "id"
            )
        )
        for update in updates:
            pk = update_ids[update["problem_id"]]
            audit.add(
                ProgressUpdate,
                pk,
                f"{update['problem_id']} {update['reported_on']}",
                LogEntry.Action.CREATE,
                _created_changes(ProgressUpdate, pk, update),
            )


def _m2m_change(operation: str, ids: Iterable[int], names: dict[int, str]) -> dict:
    return {
        "supporting_units": {
            "type": "m2m",
            "operation": operation,
            "objects": [names.get(i, str(i)) for i in ids],
        }
    }


def _log_updates(updates: list[ProgressUpdate], audit: _Audit) -> None:
    for update in updates:
        audit.add(
            ProgressUpdate,
            update.pk,
            str(update),
            LogEntry.Action.CREATE,
            _created_changes(
                ProgressUpdate,
                update.pk,
                {c.attname: getattr(update, c.attname) for c in _columns(ProgressUpdate)},
            ),
        )


def _apply_changes(
    plan: ImportPlan, batch: list[Planned], audit: _Audit, now: dt.datetime, names: dict
) -> None:
    by_fields: dict[tuple[str, ...], list[Problem]] = defaultdict(list)
    for p in batch:
        if not p.fields:
            continue
        problem = Problem(pk=p.problem_id, updated_at=now, **p.fields)
        by_fields[tuple(sorted(p.fields))].append(problem)
    for names_, objs in by_fields.items():
        Problem.objects.bulk_update(objs, [*names_, "updated_at"], batch_size=BATCH)
    replaced = [p for p in batch if p.measures is not None]
    if replaced:
        Measure.objects.filter(problem_id__in=[p.problem_id for p in replaced]).delete()
        Measure.objects.bulk_create(
            [
                Measure(
                    problem_id=p.problem_id,
                    text=text,
                    deadline=deadline,
                    order=order,
                    done=done,
                    done_on=done_on,
                )
                for p in replaced
                for order, (text, deadline, done, done_on) in enumerate(p.measures or (), 1)
            ],
            batch_size=BATCH,
        )
    through = Problem.supporting_units.through
    relinked = [p for p in batch if p.supporting is not None]
    for p in relinked:
        removed = set(p.old_supporting) - set(p.supporting or ())
        if removed:
            through.objects.filter(problem_id=p.problem_id, unit_id__in=removed).delete()
    through.objects.bulk_create(
        [
            through(problem_id=p.problem_id, unit_id=uid)
            for p in relinked
            for uid in sorted(set(p.supporting or ()) - set(p.old_supporting))
        ],
        batch_size=BATCH,
    )
    closing = [p.problem_id for p in batch if {"verify", "carry_over"} & set(p.moves)]
    if closing:
        for pids in _chunks(closing, LOOKUP_CHUNK):
            verified = {p.problem_id for p in batch if "verify" in p.moves}
            for state_pids, comment in (
                ([i for i in pids if i in verified], _("Closed: the problem was verified.")),
                (
                    [i for i in pids if i not in verified],
                    _("Closed: the problem was carried over."),
                ),
            ):
                if not state_pids:
                    continue
                pending = ExtensionRequest.objects.filter(
                    problem_id__in=state_pids, state=ExtensionState.REQUESTED
                )
                for pk, problem_id in pending.values_list("pk", "problem_id"):
                    audit.add(
                        ExtensionRequest,
                        pk,
                        f"{problem_id} → refused",
                        LogEntry.Action.UPDATE,
                        {
                            "state": [ExtensionState.REQUESTED, ExtensionState.REFUSED],
                            "decided_by": ["None", str(plan.actor.pk)],
                            "decision_comment": ["", str(comment)],
                        },
                    )
                pending.update(
                    state=ExtensionState.REFUSED,
                    decided_by=plan.actor,
                    decided_at=now,
                    decision_comment=comment,
                )
    updates = [
        ProgressUpdate(
            problem_id=p.problem_id, text=p.progress, reported_on=clock.today(), author=plan.actor
        )
        for p in batch
        if p.progress
    ]
    ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
    for p in batch:
        changes: dict[str, Any] = {}
        for name, value in p.fields.items():
            key = name[:-3] if name.endswith("_id") else name
            changes[key] = [smart_str(p.old.get(name)), smart_str(value)]
        if p.measures is not None:
            changes["measures"] = [p.old_measures, _measures_text([m[:3] for m in p.measures])]
        if changes:
            audit.add(Problem, p.problem_id, p.number, LogEntry.Action.UPDATE, changes)
        if p.supporting is not None:
            added = sorted(set(p.supporting) - set(p.old_supporting))
            removed = sorted(set(p.old_supporting) - set(p.supporting))
            if added:
                audit.add(
                    Problem,
                    p.problem_id,
                    p.number,
                    LogEntry.Action.UPDATE,
                    _m2m_change("add", added, names),
                )
            if removed:
                audit.add(
                    Problem,
                    p.problem_id,
                    p.number,
                    LogEntry.Action.UPDATE,
                    _m2m_change("delete", removed, names),
                )
    _log_updates(updates, audit)


# ---------------------------------------------------------------- the import, end to end


def ledger_import_run(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    source: str | Path | IO[bytes],
    name: str = "",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read, check and (unless ``dry_run`` or on any error) apply a ledger file at once.

    The command line's path: planning and writing happen in one transaction, so what
    is written is exactly what was checked. The import is recorded as a LedgerImport.
    """
    check_import_permission(actor, campaign, unit)
    digest = _sha256(source)
    sheet = read_ledger(source, name=name, progress=progress)
    if dry_run:
        return plan_import(actor=actor, campaign=campaign, unit=unit, sheet=sheet)
    with transaction.atomic():
        plan = plan_import(actor=actor, campaign=campaign, unit=unit, sheet=sheet)
        if plan.ok:
            apply_plan(plan)
            counts = plan.counts
            with audited(actor):
                LedgerImport.objects.create(
                    campaign=campaign,
                    unit=unit,
                    original_name=safe_display_name(PurePath(name or str(source)).name),
                    sha256=digest,
                    state=ImportState.APPLIED,
                    uploaded_by=actor,
                    applied_at=timezone.now(),
                    **counts,
                )
    return plan


def _sha256(source: str | Path | IO[bytes]) -> str:
    digest = hashlib.sha256()
    if isinstance(source, str | Path):
        with open(source, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    source.seek(0)
    for block in iter(lambda: source.read(1 << 20), b""):
        digest.update(block)
    source.seek(0)
    return digest.hexdigest()


def ledger_import_check(
    *, actor: User, campaign: Campaign, unit: Unit, upload: UploadedFile
) -> tuple[LedgerImport, ImportPlan]:
    """Check an uploaded ledger and record it for the preview; nothing else is written.

    Raises LedgerFileError for a file that is not a readable ledger (nothing is
    recorded then). Row errors are recorded on the import (state failed), otherwise
    the file is kept until the import is applied or cancelled.
    """
    check_import_permission(actor, campaign, unit)
    sheet = read_ledger(upload, name=upload.name or "", size=upload.size)
    plan = plan_import(actor=actor, campaign=campaign, unit=unit, sheet=sheet)
    record = LedgerImport(
        campaign=campaign,
        unit=unit,
        original_name=safe_display_name(upload.name or "ledger.xlsx"),
        sha256=_sha256(upload),
        state=ImportState.PREVIEWED if plan.ok else ImportState.FAILED,
        errors=plan.error_dicts(),
        uploaded_by=actor,
        **plan.counts,
    )
    with transaction.atomic(), audited(actor):
        if plan.ok:
            upload.seek(0)
            record.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
        record.save()
    return record, plan


def ledger_import_replan(ledger_import: LedgerImport) -> ImportPlan:
    """Check the stored file again (for a preview shown in another session, or to apply)."""
    with ledger_import.file.open("rb") as stream:
        sheet = read_ledger(stream, name=ledger_import.original_name)
    return plan_import(
        actor=ledger_import.uploaded_by,
        campaign=ledger_import.campaign,
        unit=ledger_import.unit,
        sheet=sheet,
    )


@dataclass(frozen=True)
class ApplyOutcome:
    applied: bool
    stale: bool = False
    message: str = ""


def ledger_import_apply(*, ledger_import: LedgerImport, digest: str) -> ApplyOutcome:
    """Apply a previewed import if the stored file still plans to what was previewed.

    Reads the file again and plans again inside the transaction that writes, so the
    rows written are the rows checked; if the plan moved (someone changed the ledger
    in between), nothing is written and the import's counts are refreshed for a new
    preview.
    """
    record = LedgerImport.objects.select_related("campaign__owner_unit", "unit", "uploaded_by").get(
        pk=ledger_import.pk
    )
    actor = record.uploaded_by
    if record.state != ImportState.PREVIEWED:
        return ApplyOutcome(
            applied=False, message=_("This import is no longer waiting to be applied.")
        )
    try:
        with record.file.open("rb") as stream:
            sheet = read_ledger(stream, name=record.original_name)
        with transaction.atomic():
            plan = plan_import(actor=actor, campaign=record.campaign, unit=record.unit, sheet=sheet)
            if not plan.ok or plan.digest() != digest:
                raise StalePlan
            counts = apply_plan(plan)
            record.state = ImportState.APPLIED
            record.applied_at = timezone.now()
            for key, value in counts.items():
                setattr(record, key, value)
            with audited(actor):
                record.save()
    except StalePlan:
        record.added, record.changed, record.unchanged = (
            len(plan.adds),
            len(plan.changes),
            plan.unchanged,
        )
        record.errors = plan.error_dicts()
        if not plan.ok:
            record.state = ImportState.FAILED
        with audited(actor):
            record.save()
        return ApplyOutcome(
            applied=False,
            stale=True,
            message=_(
                "The ledger changed since the preview: check the new preview and apply again."
            ),
        )
    except (LedgerFileError, OSError) as exc:
        record.state = ImportState.FAILED
        record.errors = [{"row": 0, "column": "", "message": str(exc)}]
        with audited(actor):
            record.save()
        return ApplyOutcome(applied=False, message=str(exc))
    _discard_file(record)
    return ApplyOutcome(
        applied=True,
        message=_(
            "The ledger was imported: %(added)s added, %(changed)s changed, "
            "%(unchanged)s unchanged."
        )
        % counts,
    )


def ledger_import_cancel(*, actor: User, ledger_import: LedgerImport) -> LedgerImport:
    """Drop a previewed import and its stored file."""
    if ledger_import.uploaded_by_id != actor.pk:
        raise PermissionDenied
    if ledger_import.state == ImportState.PREVIEWED:
        ledger_import.state = ImportState.CANCELLED
        with audited(actor):
            ledger_import.save(update_fields=["state"])
        _discard_file(ledger_import)
    return ledger_import


def _discard_file(record: LedgerImport) -> None:
    if record.file:
        record.file.delete(save=False)
        LedgerImport.objects.filter(pk=record.pk).update(file="")


def get_ledger_import_for_user(user: User, pk: int) -> LedgerImport:
    """An import its uploader may see; 404 for anyone else."""
    record = (
        LedgerImport.objects.select_related("campaign__owner_unit", "unit", "uploaded_by")
        .filter(pk=pk, uploaded_by=user)
        .first()
        if user.is_authenticated
        else None
    )
    if record is None:
        raise Http404
    return record


def campaign_office_holder(campaign: Campaign) -> User | None:
    """The one person holding the office role at the campaign's office unit, if exactly one.

    Commands act as someone: without ``--as`` they act as the campaign's office, but only
    when that is one person, so that the audit trail never guesses.
    """
    from taolun.org.models import RoleAssignment
    from taolun.org.roles import Role

    unit_id = campaign.office_unit_id or campaign.owner_unit_id
    holders = list(
        User.objects.filter(
            pk__in=RoleAssignment.objects.filter(unit_id=unit_id, role=Role.OFFICE).values(
                "user_id"
            ),
            is_active=True,
        )[:2]
    )
    return holders[0] if len(holders) == 1 else None


def import_units_for_user(user: User, campaign: Campaign) -> list[Unit]:
    """Units of the campaign in scope where the user may record problems (and so import)."""
    from taolun.campaigns.selectors import campaign_units_for_user

    return [
        u
        for u in campaign_units_for_user(campaign, user)
        if user.has_perm("rectification.add_problem", u)
    ]


__all__ = [
    "COLUMNS",
    "ApplyOutcome",
    "ImportPlan",
    "LedgerFileError",
    "ParsedSheet",
    "RowError",
    "apply_plan",
    "campaign_office_holder",
    "export_filename",
    "get_ledger_import_for_user",
    "html_to_text",
    "import_units_for_user",
    "ledger_export",
    "ledger_import_apply",
    "ledger_import_cancel",
    "ledger_import_check",
    "ledger_import_replan",
    "ledger_import_run",
    "plan_import",
    "read_ledger",
    "text_to_html",
]
