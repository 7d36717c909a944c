"""Streaming .xlsx tables: a title, a header row and data rows, written row by row.

Built on openpyxl's write-only mode so that a table of 100,000 rows never sits in
memory: each row goes to a temporary file as it is added. What a printed ledger needs
is all here: the title merged across the columns, a header row repeated on every
printed page (print titles) and frozen on screen, column widths, wrapped text, thin
borders, A4 landscape fitted to the page width, page numbers in the footer, and
vertical merges for records that take several rows (a problem with several measures).

Two things write-only mode does not offer, and how they are done instead:

- styles go on cells one by one (rows and columns cannot carry a style): every cell
  shares one prepared style array per kind of cell, so styling costs a lookup, not a
  new style per cell;
- merged ranges are kept by openpyxl as objects checked against each other on every
  addition (quadratic for a large sheet) and all built at once when the file is saved;
  here they are kept as short strings and streamed into the sheet's ``<mergeCells>``
  element when it is written (see ``_stream_merges``).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import Element

DATE_FORMAT = "yyyy-mm-dd"

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")

# Excel's own limit on a sheet's rows.
MAX_SHEET_ROWS = 1_048_576


@dataclass(frozen=True)
class Column:
    """One column of the table.

    ``merge``: in a group of rows (``XlsxTable.add_group``) the column shows the group's
    value once, merged down over the group's rows. ``number_format`` applies to the
    data cells (dates get ``DATE_FORMAT`` unless told otherwise).
    """

    header: str
    width: float = 12
    merge: bool = False
    number_format: str | None = None
    horizontal: str = "left"


class XlsxTable:
    """A one-sheet workbook written as rows are added; call ``save`` once at the end.

    Row 1 holds ``title`` merged across all columns, row 2 the ``subtitle`` (may be empty),
    then the header row; data rows follow. ``header_row`` says where the header is.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        title: str,
        subtitle: str = "",
        sheet_title: str = "Sheet1",
        footer: str = "&P / &N",
    ) -> None:
        if not columns:
            raise ValueError("a table needs at least one column")
        self.columns = list(columns)
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet(title=_sheet_title(sheet_title))
        self._merges: list[str] = []
        self._row = 0
        self._last_letter = get_column_letter(len(self.columns))
        self._setup_sheet(footer)
        self._styles = self._prepare_styles()
        # The writer must exist (and its top part be written) before merges can be hooked.
        self._ws._get_writer()
        self._ws._writer.write_merged_cells = self._stream_merges
        self._ws._rows = self._sink = self._row_sink()
        next(self._sink)
        self._write_title(title, subtitle)
        self.header_row = self._write_header()

    # ---------------------------------------------------------------- layout

    def _setup_sheet(self, footer: str) -> None:
        ws = self._ws
        for i, column in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.print_options.horizontalCentered = True
        if footer:
            ws.oddFooter.center.text = footer
        # Freeze panes and print titles are known now: the header is row 2 or 3.
        self._header_at = 3
        ws.freeze_panes = f"A{self._header_at + 1}"
        ws.print_title_rows = f"{self._header_at}:{self._header_at}"

    def _prepare_styles(self) -> dict[str, Any]:
        """One template cell per kind of cell; data cells borrow its style array."""

        def template(**styles: Any) -> Any:
            cell = Cell(self._ws)
            for name, value in styles.items():
                setattr(cell, name, value)
            return cell._style

        styles: dict[str, Any] = {
            "title": template(
                font=Font(bold=True, size=16),
                alignment=Alignment(horizontal="center", vertical="center"),
            ),
            "subtitle": template(alignment=Alignment(horizontal="right", vertical="center")),
            "header": template(
                font=Font(bold=True),
                fill=_HEADER_FILL,
                border=_BORDER,
                alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            ),
        }
        for i, column in enumerate(self.columns):
            align = Alignment(horizontal=column.horizontal, vertical="center", wrap_text=True)
            styles[i] = template(border=_BORDER, alignment=align)
            styles[("date", i)] = template(
                border=_BORDER,
                alignment=align,
                number_format=column.number_format or DATE_FORMAT,
            )
            if column.number_format:
                styles[i] = styles[("date", i)]
        return styles

    def _cell(self, value: Any, style: Any, column: int) -> Cell:
        cell = Cell(self._ws, row=self._row + 1, column=column)
        cell._style = style
        if value is not None:
            cell.value = value
        return cell

    def _write_title(self, title: str, subtitle: str) -> None:
        ws = self._ws
        ws.row_dimensions[1].height = 32
        self._append([self._cell(title, self._styles["title"], 1)])
        self._merge(1, 1, 1, len(self.columns))
        self._append([self._cell(subtitle or None, self._styles["subtitle"], 1)])
        self._merge(2, 2, 1, len(self.columns))

    def _write_header(self) -> int:
        style = self._styles["header"]
        self._ws.row_dimensions[self._header_at].height = 30
        self._append([self._cell(c.header, style, i) for i, c in enumerate(self.columns, 1)])
        return self._header_at

    # ---------------------------------------------------------------- rows

    def _row_sink(self) -> Generator[None, list[Cell], None]:
        """Receive rows of ready cells and write them into ``<sheetData>``.

        The same steps as openpyxl's ``WriteOnlyWorksheet._write_rows``, minus its
        conversion of each value to a cell, which for an already built cell goes
        through a raised and caught exception per cell.
        """
        writer = self._ws._writer
        xf = writer.xf.send(True)
        with xf.element("sheetData"):
            try:
                while True:
                    cells = yield
                    writer.write_row(xf, cells, cells[0].row)
            except GeneratorExit:
                pass
        writer.xf.send(None)

    def _append(self, cells: list[Cell]) -> None:
        if self._row >= MAX_SHEET_ROWS:
            raise ValueError("an Excel sheet holds at most 1,048,576 rows")
        self._sink.send(cells)
        self._row += 1

    def _data_cells(self, values: Sequence[Any]) -> list[Cell]:
        styles = self._styles
        row = self._row + 1
        cells = []
        for i, value in enumerate(values):
            cell = Cell(self._ws, row=row, column=i + 1)
            if value is None:
                cell._style = styles[i]
            elif isinstance(value, dt.date):
                cell._style = styles[("date", i)]
                cell.value = value
            else:
                cell._style = styles[i]
                cell.value = value
            cells.append(cell)
        return cells

    def add_row(self, values: Sequence[Any]) -> None:
        """One data row: a value per column (None for an empty cell)."""
        self._append(self._data_cells(values))

    def add_group(self, rows: Sequence[Sequence[Any]]) -> None:
        """Rows of one record: the ``merge`` columns take the first row's value, merged down."""
        if not rows:
            return
        first = self._row + 1
        self.add_row(rows[0])
        if len(rows) == 1:
            return
        merged = [i for i, c in enumerate(self.columns) if c.merge]
        for values in rows[1:]:
            values = list(values)
            for i in merged:
                values[i] = None
            self.add_row(values)
        last = self._row
        for i in merged:
            self._merge(first, last, i + 1, i + 1)

    def add_groups(self, groups: Iterable[Sequence[Sequence[Any]]]) -> None:
        for rows in groups:
            self.add_group(rows)

    @property
    def rows_written(self) -> int:
        """Rows of the sheet so far, title and header included."""
        return self._row

    # ---------------------------------------------------------------- merges and saving

    def _merge(self, first_row: int, last_row: int, first_col: int, last_col: int) -> None:
        start = f"{get_column_letter(first_col)}{first_row}"
        end = f"{get_column_letter(last_col)}{last_row}"
        self._merges.append(f"{start}:{end}")

    def _stream_merges(self) -> None:
        """Write ``<mergeCells>`` from the kept strings (replaces openpyxl's writer step)."""
        if not self._merges:
            return
        writer = self._ws._writer
        xf = writer.xf.send(True)
        with xf.element("mergeCells", count=str(len(self._merges))):
            for ref in self._merges:
                xf.write(Element("mergeCell", ref=ref))
        writer.xf.send(None)

    def save(self, target: str | Path | IO[bytes]) -> None:
        """Write the workbook to a path or a binary file object (it is not closed)."""
        self._wb.save(str(target) if isinstance(target, Path) else target)


def _sheet_title(title: str) -> str:
    """Excel refuses some characters in sheet names and more than 31 characters."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'") or "Sheet1"
    return cleaned[:31]


__all__ = ["DATE_FORMAT", "Column", "XlsxTable"]


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_download(write: Callable[[IO[bytes]], Any], filename: str) -> FileResponse:
    """A download of the workbook ``write`` puts into the file it is given, spooled to disk
    past a few MiB: a province's sheet never sits whole in memory."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write(out)
    out.seek(0)
    response = FileResponse(
        out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
