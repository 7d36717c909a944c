"""Reading plan files: judged by content, decoded in any office encoding, refused clearly."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.utils import translation
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from taolun.textmine.plan import parse_plan
from taolun.textmine.plan_files import MAX_PLAN_FILE_BYTES, PlanFileError, read_plan_file

SEED = (Path(__file__).parent / "plans" / "seed.txt").read_text(encoding="utf-8")
PNG = (
    bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\0" * 64
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted on their English msgids; one test checks the Chinese UI."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.encode("gbk"),
        lambda text: text.encode("gb18030"),
        lambda text: text.encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "utf-16"],
)
def test_text_in_every_office_encoding_reads_back(encode):
    assert read_plan_file("方案.txt", encode(SEED)) == SEED


def test_extension_is_case_insensitive_and_path_is_ignored():
    assert read_plan_file("C:\\Users\\office\\PLAN.TXT", "组长".encode()) == "组长"


def test_empty_file():
    with pytest.raises(PlanFileError, match=r"“plan\.txt” is empty"):
        read_plan_file("plan.txt", b"")


def test_errors_speak_the_users_language():
    with translation.override("zh-hans"), pytest.raises(PlanFileError) as error:
        read_plan_file("plan.txt", b"")
    assert "plan.txt" in str(error.value)
    assert "is empty" not in str(error.value)


def test_file_too_big():
    with pytest.raises(PlanFileError, match=r"at most 5\.0\xa0MB"):
        read_plan_file("plan.txt", b"a" * (MAX_PLAN_FILE_BYTES + 1))


@pytest.mark.parametrize("name", ["plan.doc", "plan.pdf", "plan", "plan.txt.exe"])
def test_unknown_extension(name):
    with pytest.raises(PlanFileError, match=r"upload a \.txt or a \.docx"):
        read_plan_file(name, "组长".encode())


@pytest.mark.parametrize("data", [PNG, bytes(range(256)) * 8, b"\x00\x01\x02\x03" * 100])
def test_binary_content_named_txt_is_not_text(data):
    with pytest.raises(PlanFileError, match="is not readable text"):
        read_plan_file("plan.txt", data)


def test_png_renamed_docx_is_refused_by_content():
    with pytest.raises(PlanFileError, match=r"is not a Word \(\.docx\) document"):
        read_plan_file("plan.docx", PNG)


def test_zip_without_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(PlanFileError, match="is not a Word"):
        read_plan_file("plan.docx", buffer.getvalue())


def test_damaged_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "not xml <")
        archive.writestr("word/document.xml", "not xml <")
    with pytest.raises(PlanFileError, match="damaged Word document"):
        read_plan_file("plan.docx", buffer.getvalue())


def test_docx_round_trips_paragraphs_and_tables_in_order():
    document = Document()
    document.add_heading("关于开展专题活动的实施方案", level=1)
    document.add_paragraph("一、组织领导")
    table = document.add_table(rows=2, cols=3)
    rows = [("职务", "姓名", "职务说明"), ("组长", "王建国", "局长")]
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_paragraph("2021年3月5日")
    buffer = io.BytesIO()
    document.save(buffer)

    text = read_plan_file("方案.docx", buffer.getvalue())

    assert text.split("\n") == [
        "关于开展专题活动的实施方案",
        "一、组织领导",
        "职务\t姓名\t职务说明",
        "组长\t王建国\t局长",
        "2021年3月5日",
    ]
    draft = parse_plan(text)
    assert draft.title == "关于开展专题活动的实施方案"
    assert [(p.name, p.role, p.posts) for p in draft.people] == [("王建国", "组长", ["局长"])]
    assert draft.issued_on.isoformat() == "2021-03-05"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["a.txt", "a.docx", "a.pdf"]))
def test_any_bytes_give_text_or_a_clear_error(data, name):
    try:
        text = read_plan_file(name, data)
    except PlanFileError as error:
        assert "“a." in str(error)
    else:
        assert isinstance(text, str)
