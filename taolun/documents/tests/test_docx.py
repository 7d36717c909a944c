"""The GB/T 9704-2012 writer, checked by opening what it saves with python-docx."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from taolun.documents.docx import (
    OfficialDocument,
    chinese_date,
    chinese_numeral,
    heading_level,
)

ISSUED = dt.date(2019, 2, 22)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def saved(doc: OfficialDocument) -> docx.document.Document:
    return docx.Document(io.BytesIO(doc.to_bytes()))


def sample() -> OfficialDocument:
    doc = OfficialDocument(title="关于开展大讨论的实施方案", issuer="省残联", date=ISSUED)
    doc.heading("一、总体要求", 1)
    doc.paragraph("为进一步解放思想和开拓进取。")
    doc.heading("（一）加强学习", 2)
    doc.heading("1.集中学习", 3)
    doc.heading("（1）个人自学", 4)
    doc.signature()
    return doc


def east_asia(style) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def size(style) -> Pt:
    """The style's size, or the one it inherits from its base style."""
    while style.font.size is None:
        style = style.base_style
    return style.font.size


def xml_of(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode()


def test_the_page_is_a4_with_the_standard_margins():
    section = saved(sample()).sections[0]
    for measured, expected in (
        (section.page_width.mm, 210),
        (section.page_height.mm, 297),
        (section.top_margin.mm, 37),
        (section.bottom_margin.mm, 35),
        (section.left_margin.mm, 28),
        (section.right_margin.mm, 26),
    ):
        assert measured == pytest.approx(expected, abs=0.1)


def test_twenty_two_lines_fit_the_type_area_and_a_twenty_third_does_not():
    document = saved(sample())
    section = document.sections[0]
    body = document.styles["Body Text"]
    pitch = body.paragraph_format.line_spacing or body.base_style.paragraph_format.line_spacing
    type_height = Length(section.page_height - section.top_margin - section.bottom_margin)
    assert pitch.pt == pytest.approx(28.9)
    assert 22 * pitch.pt <= type_height.pt < 23 * pitch.pt


def test_title_is_22_point_xiaobiaosong_centred_first():
    document = saved(sample())
    title = document.paragraphs[0]
    assert title.text == "关于开展大讨论的实施方案"
    assert title.style.name == "Title"
    assert size(title.style) == Pt(22)
    assert east_asia(title.style) == "方正小标宋简体"
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.style.font.bold is False


def test_body_is_16_point_fangsong_on_exact_lines_indented_two_characters():
    document = saved(sample())
    body = next(p for p in document.paragraphs if p.text.startswith("为进一步"))
    style = body.style
    assert style.name == "Body Text"
    assert size(style) == Pt(16)
    normal = document.styles["Normal"]
    assert east_asia(normal) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing == Pt(28.9)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    ind = style.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert int(ind.get(qn("w:firstLine"))) == 640  # 2 × 16 pt in twentieths of a point


def test_the_character_grid_sets_28_characters_to_the_line():
    data = sample().to_bytes()
    grid = re.search(r"<w:docGrid [^>]*/>", xml_of(data, "word/document.xml")).group(0)
    char_space = int(re.search(r'w:charSpace="(-?\d+)"', grid).group(1))
    section = saved(sample()).sections[0]
    width = Length(section.page_width - section.left_margin - section.right_margin).pt
    pitch = 16 + char_space / 4096
    assert 28 * pitch <= width < 29 * pitch
    assert 'w:type="linesAndChars"' in grid


@pytest.mark.parametrize(
    ("level", "text", "font"),
    [
        (1, "一、总体要求", "黑体"),
        (2, "（一）加强学习", "楷体_GB2312"),
        (3, "1.集中学习", "仿宋_GB2312"),
        (4, "（1）个人自学", "仿宋_GB2312"),
    ],
)
def test_each_heading_level_has_its_font_at_16_point(level, text, font):
    document = saved(sample())
    paragraph = next(p for p in document.paragraphs if p.text == text)
    style = paragraph.style
    assert style.name == f"Heading {level}"
    assert east_asia(style) == font
    assert size(style) == Pt(16)
    assert style.font.bold is False
    assert style.font.color.rgb is None  # no theme blue
    assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)
    assert style.element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"


def test_page_numbers_sit_right_on_odd_pages_and_left_on_even_pages():
    data = sample().to_bytes()
    document = docx.Document(io.BytesIO(data))
    assert document.settings.odd_and_even_pages_header_footer is True
    assert "<w:evenAndOddHeaders" in xml_of(data, "word/settings.xml")
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        assert paragraph.text == "— 1 —"
        element = paragraph._p
        instructions = [t.text.strip() for t in element.iter(f"{W}instrText")]
        assert instructions == ["PAGE"]
        kinds = [c.get(qn("w:fldCharType")) for c in element.iter(f"{W}fldChar")]
        assert kinds == ["begin", "separate", "end"]
        for run in paragraph.runs:
            assert run.font.size == Pt(14)
            assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_chinese_fonts_are_declared_with_their_charset_and_a_fallback():
    fonts = xml_of(sample().to_bytes(), "word/fontTable.xml")
    for name, fallback in (
        ("方正小标宋简体", "宋体"),
        ("仿宋_GB2312", "仿宋"),
        ("楷体_GB2312", "楷体"),
    ):
        entry = re.search(rf'<w:font w:name="{name}">(.*?)</w:font>', fonts, re.S).group(1)
        assert f'<w:altName w:val="{fallback}"/>' in entry
        assert '<w:charset w:val="86"/>' in entry


def test_properties_name_the_title_and_the_issuing_unit():
    props = saved(sample()).core_properties
    assert props.title == "关于开展大讨论的实施方案"
    assert props.author == "省残联"
    assert props.created.date() == ISSUED


def test_signature_puts_the_unit_and_the_chinese_date_on_the_right():
    document = saved(sample())
    unit, date = document.paragraphs[-2:]
    assert (unit.text, date.text) == ("省残联", "2019年2月22日")
    for paragraph in (unit, date):
        assert paragraph.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # The date (6.5 characters wide) is longer than the unit (3): it stays two characters
    # in and the unit moves left so the date starts two characters right of the unit.
    assert date._p.pPr.ind.get(qn("w:rightChars")) == "200"
    assert unit._p.pPr.ind.get(qn("w:rightChars")) == "750"  # 2 + 6.5 + 2 - 3


def test_a_long_unit_keeps_two_characters_and_the_date_starts_two_further_right():
    doc = OfficialDocument(title="题", issuer="山西省残疾人联合会机关党委", date=ISSUED)
    doc.signature()
    unit, date = saved(doc).paragraphs[-2:]
    assert unit._p.pPr.ind.get(qn("w:rightChars")) == "200"
    assert date._p.pPr.ind.get(qn("w:rightChars")) == "650"  # 13 - 6.5 characters


def html_doc(value: str) -> tuple[OfficialDocument, docx.document.Document]:
    doc = OfficialDocument(title="题", issuer="省残联", date=ISSUED)
    doc.html(value)
    return doc, saved(doc)


def test_unsafe_html_never_reaches_the_document():
    doc, document = html_doc(
        '<p onclick="steal()">正文<script>alert("x")</script>'
        '<a href="javascript:alert(1)">链接</a></p><script>evil()</script>'
    )
    data = doc.to_bytes()
    everything = "".join(
        zipfile.ZipFile(io.BytesIO(data)).read(n).decode(errors="ignore")
        for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
        if n.endswith(".xml")
    )
    for bad in ("alert", "steal", "evil", "javascript", "onclick", "<script"):
        assert bad not in everything
    assert [p.text for p in document.paragraphs[1:]] == ["正文链接"]


def test_list_items_become_numbered_paragraphs_nested_ones_in_brackets():
    _doc, document = html_doc(
        "<ol><li>学习<ul><li>自学</li><li>集中学</li></ul></li><li>讨论</li></ol>"
        "<ul><li>3.已经编号</li></ul>"
    )
    assert [p.text for p in document.paragraphs[1:]] == [
        "1.学习",
        "（1）自学",
        "（2）集中学",
        "2.讨论",
        "3.已经编号",
    ]
    assert {p.style.name for p in document.paragraphs[1:]} == {"Body Text"}


def test_numbered_paragraphs_and_html_headings_become_headings_of_their_level():
    _doc, document = html_doc(
        "<p>一、总体要求</p><p>（二）主要任务</p><p>3.方法</p><p>（4）步骤</p>"
        "<h2>组织领导</h2><h3>分工</h3><p>2019年2月22日召开，增长1.5倍。</p>"
    )
    styles = [(p.text, p.style.name) for p in document.paragraphs[1:]]
    assert styles == [
        ("一、总体要求", "Heading 1"),
        ("（二）主要任务", "Heading 2"),
        ("3.方法", "Heading 3"),
        ("（4）步骤", "Heading 4"),
        ("组织领导", "Heading 1"),
        ("分工", "Heading 2"),
        ("2019年2月22日召开，增长1.5倍。", "Body Text"),
    ]


def test_emphasis_and_line_breaks_are_kept():
    _doc, document = html_doc("<p>一行<strong>加粗</strong><em>强调</em><br>二行</p>")
    paragraph = document.paragraphs[1]
    assert paragraph.text == "一行加粗强调\n二行"
    bold = [r.text for r in paragraph.runs if r.bold]
    italic = [r.text for r in paragraph.runs if r.italic]
    assert (bold, italic) == (["加粗"], ["强调"])


def test_plain_text_without_tags_becomes_paragraphs():
    _doc, document = html_doc("第一段\n第二段")
    assert [p.text for p in document.paragraphs[1:]] == ["第一段", "第二段"]


def test_html_tables_become_bordered_tables_with_a_repeated_header():
    _doc, document = html_doc(
        "<table><thead><tr><th>单位</th><th>人数</th></tr></thead>"
        "<tbody><tr><td>机关</td><td>12</td></tr></tbody></table>"
    )
    (table,) = document.tables
    assert table.style.name == "Table Grid"
    assert [[c.text for c in row.cells] for row in table.rows] == [["单位", "人数"], ["机关", "12"]]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[0].cells[0].paragraphs[0].runs[0].bold is True
    cell_style = table.rows[1].cells[0].paragraphs[0].style
    assert cell_style.name == "Official Table Text"
    assert cell_style.font.size == Pt(14)
    assert east_asia(document.styles["Normal"]) == "仿宋_GB2312"


def test_blocks_keep_what_was_written_for_the_html_view():
    doc = sample()
    doc.table(["甲", "乙"], [[1, None]], caption="表")
    kinds = [(b.kind, b.level) for b in doc.blocks]
    assert kinds == [
        ("heading", 1),
        ("paragraph", 0),
        ("heading", 2),
        ("heading", 3),
        ("heading", 4),
        ("signature", 0),
        ("table", 0),
    ]
    assert doc.blocks[-1].rows == (("1", ""),)


@pytest.mark.parametrize(
    ("number", "written"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三"), (99, "九十九")],
)
def test_chinese_numerals(number, written):
    assert chinese_numeral(number) == written


def test_numbers_outside_headings_range_are_refused():
    with pytest.raises(ValueError):
        chinese_numeral(100)
    with pytest.raises(ValueError):
        OfficialDocument(title="题").heading("五、", 5)


def test_dates_and_heading_levels():
    assert chinese_date(dt.date(2019, 3, 1)) == "2019年3月1日"
    assert heading_level("十二、其他") == 1
    assert heading_level("(三)半角括号") == 2
    assert heading_level("12．全角点") == 3
    assert heading_level("1.5亿元") is None
    assert heading_level("2019年") is None


def test_a_long_document_renders_to_a_sane_number_of_pdf_pages(tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: the PDF rendering check runs where it is")
    doc = sample()
    for number in range(1, 41):
        doc.paragraph(f"第{number}段。" + "为进一步解放思想和开拓进取，实现改革开放再出发。" * 3)
    source = tmp_path / "plan.docx"
    doc.save(source)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=120,
        capture_output=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = (tmp_path / "plan.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 20
