"""The streaming .xlsx table writer: layout, merges and print setup as Excel reads them."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from taolun.documents.xlsx import DATE_FORMAT, Column, XlsxTable

COLUMNS = [
    Column("序号", width=6, merge=True, horizontal="center"),
    Column("问题", width=30, merge=True),
    Column("措施", width=20),
    Column("时限", width=12),
]


def saved(table: XlsxTable) -> openpyxl.Workbook:
    out = io.BytesIO()
    table.save(out)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def test_title_header_and_rows_are_where_a_ledger_has_them():
    table = XlsxTable(COLUMNS, title="问题整改台账", subtitle="单位：机关")
    table.add_row([1, "问题一", "措施一", dt.date(2019, 4, 30)])
    sheet = saved(table).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "问题整改台账" and rows[1][0] == "单位：机关"
    assert rows[2] == ("序号", "问题", "措施", "时限")
    assert rows[3] == (1, "问题一", "措施一", dt.datetime(2019, 4, 30))
    assert table.header_row == 3 and table.rows_written == 4
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:D1", "A2:D2"}


def test_cells_are_styled_for_print():
    table = XlsxTable(COLUMNS, title="台账")
    table.add_row([1, "一段很长的问题描述", None, dt.date(2019, 4, 30)])
    sheet = saved(table).active
    header, cell, empty, date = sheet["B3"], sheet["B4"], sheet["C4"], sheet["D4"]
    assert header.font.b and header.fill.fgColor.rgb.endswith("D9D9D9")
    assert cell.alignment.wrap_text and cell.border.left.style == "thin"
    assert empty.border.bottom.style == "thin"  # empty cells keep the grid
    assert date.number_format == DATE_FORMAT
    assert sheet["A4"].alignment.horizontal == "center"
    assert sheet.column_dimensions["B"].width == 30
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.oddFooter.center.text == "&P / &N"


def test_groups_merge_their_record_columns_down():
    table = XlsxTable(COLUMNS, title="台账")
    table.add_group([[1, "问题一", "措施一", None], [1, "问题一", "措施二", None]])
    table.add_group([[2, "问题二", "措施三", None]])
    table.add_group([])
    sheet = saved(table).active
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:D1", "A2:D2", "A4:A5", "B4:B5"}
    assert [r[:3] for r in sheet.iter_rows(min_row=4, values_only=True)] == [
        (1, "问题一", "措施一"),
        (None, None, "措施二"),
        (2, "问题二", "措施三"),
    ]


def test_many_merges_are_written_in_one_pass():
    table = XlsxTable(COLUMNS, title="台账")
    table.add_groups(
        [[i, f"问题{i}", "甲", None], [i, f"问题{i}", "乙", None]] for i in range(1000)
    )
    out = io.BytesIO()
    table.save(out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 3 + 2000
    full = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert len(full.merged_cells.ranges) == 2 + 2 * 1000


def test_sheet_titles_are_made_acceptable_to_excel():
    table = XlsxTable(
        COLUMNS,
        title="台账",
        sheet_title="2019/台账:[草稿]*这个名字超过了三十一个字符的限制吗是的超过了",
    )
    sheet = saved(table).active
    assert "/" not in sheet.title and ":" not in sheet.title and len(sheet.title) <= 31
