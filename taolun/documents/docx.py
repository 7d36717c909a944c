"""Official-format Word documents (公文) laid out to GB/T 9704-2012, on python-docx.

What the standard fixes, and how it is done here:

- A4 paper, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right: a type area of
  156 mm × 225 mm.
- Body text 3号 (16 pt) 仿宋_GB2312, 22 lines of 28 characters in the type area.
  225 mm is 637.8 pt; 637.8 / 22 = 28.99 pt a line. The lines are set *exactly*
  28.9 pt apart (578 twentieths of a point, the unit Word stores): 22 × 28.9 = 635.8 pt,
  which leaves 2 pt for Word's and WPS's rounding, so the 22nd line never spills onto
  the next page and a 23rd never squeezes in. Across, 156 mm is 8844 twips = 442.2 pt;
  28 characters of 16 pt would need 448 pt, so the section's character grid narrows
  each character's pitch by 0.207 pt (``w:charSpace`` counts 4096ths of a point:
  -849, rounded down so that 28 always fit) — the value Chinese Office templates carry.
- Title 2号 (22 pt) 方正小标宋简体, centred, one blank line below it.
- Headings by their numbering: 一、 in 黑体, （一） in 楷体_GB2312, 1. and （1） in
  仿宋_GB2312, all 16 pt and indented two characters like the body.
- Page numbers "— 1 —" in 4号 (14 pt) 宋体 at the foot, one character in from the
  right on odd pages and from the left on even pages (``w:evenAndOddHeaders`` in the
  settings and a separate even-page footer), about 7 mm below the type area.

Fonts are named the way Chinese Office and WPS look them up: the Chinese font goes in
``w:eastAsia`` of ``w:rFonts`` (python-docx's ``font.name`` only sets the Latin slots),
theme font references are removed (they would win over the named font), and each font
is declared in the font table with the GB2312 character set and an ``w:altName``, the
common system font (宋体, 仿宋, 楷体) a reader without the official font falls back to.

Everything written is also kept as a list of :class:`Block` so that a printable HTML
page can show the same document (see ``templates/documents/print.html``).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import lxml.html
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph
from lxml import etree

from taolun.core.sanitize import clean_html

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37
MARGIN_BOTTOM_MM = 35
MARGIN_LEFT_MM = 28
MARGIN_RIGHT_MM = 26
# The page-number line sits about 7 mm below the type area: 35 - 7 mm to its top, less
# its own height (an exact 18 pt line, 6.35 mm) to the footer's bottom edge.
FOOTER_DISTANCE_MM = 21.6
HEADER_DISTANCE_MM = 15

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH = Pt(28.9)
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(14)
SMALL_TABLE_SIZE = Pt(12)  # 小四: a wide table (the ledger) in 仿宋 small
MASTHEAD_SIZE = Pt(42)  # 初号: a bulletin's red masthead
RED = RGBColor(0xFF, 0x00, 0x00)
RED_HEX = "FF0000"

LATIN_FONT = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT, 4: BODY_FONT}
PAGE_NUMBER_FONT = "宋体"

# Font table entries: (name, the system font a reader without it falls back to).
FONT_TABLE = [
    (TITLE_FONT, "宋体"),
    (BODY_FONT, "仿宋"),
    ("楷体_GB2312", "楷体"),
    ("黑体", "SimHei"),
    ("宋体", "SimSun"),
]

TABLE_STYLE = "Official Table Text"
SMALL_TABLE_STYLE = "Official Small Table Text"
MASTHEAD_STYLE = "Official Masthead"
DISTRIBUTION_STYLE = "Official Distribution"
SIGNATURE_STYLE = "Official Signature"
BODY_STYLE = "Body Text"
HEADING_STYLES = {level: f"Heading {level}" for level in (1, 2, 3, 4)}

# What follows ``w:pBdr`` inside ``w:pPr`` (the schema fixes the order; Word is strict).
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_CN_DIGITS = "零一二三四五六七八九"
_CN = "[一二三四五六七八九十百零]+"
# The numbering that makes a paragraph a heading, level by level (GB/T 9704-2012 7.3.3).
HEADING_PATTERNS = [
    (1, re.compile(rf"^{_CN}、")),
    (2, re.compile(rf"^[（(]{_CN}[）)]")),
    (3, re.compile(r"^\d{1,2}[.．](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,2}[）)]")),
]
_HEADING_TAGS = {"h2": 1, "h3": 2, "h4": 3}
_SPACES = re.compile(r"[ \t\r\n\f]+")


def chinese_numeral(number: int) -> str:
    """一 … 九十九, the numbering of level-1 and level-2 headings."""
    if not 0 < number < 100:
        raise ValueError(f"heading numbers run from 1 to 99, not {number}")
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[ones] if ones else "")


def chinese_date(day: dt.date) -> str:
    """The date as a 公文 writes it since 2012: Arabic numerals, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def heading_level(text: str) -> int | None:
    """The heading level the text's own numbering announces (一、 → 1 … （1） → 4)."""
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            return level
    return None


@dataclass(frozen=True)
class Span:
    """A run of text with its emphasis; ``br`` is a line break inside the paragraph."""

    text: str = ""
    bold: bool = False
    italic: bool = False
    underline: bool = False
    br: bool = False


@dataclass(frozen=True)
class Block:
    """One thing written, kept so that the HTML view shows the same document.

    ``kind`` is "heading" (with ``level``), "paragraph", "table" (``caption``,
    ``header``, ``rows``; ``small`` for the small-type table), "signature" (``lines``:
    each line's text and its distance from the right edge in characters), and for a
    bulletin "masthead" (``caption`` the masthead, ``header`` the issue line, the editor
    and the date), "item_title", "rule" (``red`` or black) and "distribution" (``lines``).
    """

    kind: str
    level: int = 0
    spans: tuple[Span, ...] = ()
    caption: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    lines: tuple[tuple[str, float], ...] = ()
    red: bool = False
    small: bool = False

    @property
    def text(self) -> str:
        return "".join("\n" if s.br else s.text for s in self.spans)


def _text_width(text: str) -> float:
    """Width in body characters: ASCII (digits of a date) takes half a square."""
    return sum(0.5 if ord(ch) < 128 else 1 for ch in text)


def _set_fonts(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a style or run in all four slots, theme references removed."""
    rfonts = rpr_owner.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


def _set_indent_chars(
    paragraph_format_owner,
    *,
    first_line: float | None = None,
    left: float | None = None,
    right: float | None = None,
) -> None:
    """Indents counted in characters (``w:firstLineChars`` …, hundredths of a character),
    which Word and WPS prefer, with the equivalent in points for readers that do not."""
    ind = paragraph_format_owner.get_or_add_pPr().get_or_add_ind()
    for name, chars in (("firstLine", first_line), ("left", left), ("right", right)):
        if chars is None:
            continue
        ind.set(qn(f"w:{name}Chars"), str(round(chars * 100)))
        ind.set(qn(f"w:{name}"), str(round(chars * BODY_SIZE.pt * 20)))


def _lang() -> etree._Element:
    """Text is Chinese: Word picks the east-Asian font and line breaking by this."""
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    return lang


def _reset(style: BaseStyle) -> None:
    """Drop a built-in style's own formatting (theme fonts, colours, borders, spacing)."""
    for tag in ("w:pPr", "w:rPr"):
        for child in style.element.findall(qn(tag)):
            style.element.remove(child)


def _normalise(spans: Iterable[Span]) -> list[Span]:
    """Collapse HTML white space the way a browser does and trim the paragraph's ends."""
    out: list[Span] = []
    for span in spans:
        if span.br:
            out.append(span)
            continue
        text = _SPACES.sub(" ", span.text)
        if text:
            out.append(Span(text, span.bold, span.italic, span.underline))
    while out and not out[0].br and not out[0].text.strip():
        out.pop(0)
    while out and not out[-1].br and not out[-1].text.strip():
        out.pop()
    if out and not out[0].br:
        first = out[0]
        out[0] = Span(first.text.lstrip(), first.bold, first.italic, first.underline)
    if out and not out[-1].br:
        last = out[-1]
        out[-1] = Span(last.text.rstrip(), last.bold, last.italic, last.underline)
    while out and out[0].br:
        out.pop(0)
    while out and out[-1].br:
        out.pop()
    return out


def _plain(text: str) -> list[Span]:
    """Plain text as spans: each newline a line break."""
    spans: list[Span] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            spans.append(Span(br=True))
        if line:
            spans.append(Span(line))
    return spans


class OfficialDocument:
    """A 公文-layout document: title, numbered headings, body, tables and signature.

    ``issuer`` is the issuing unit (the document's author in its properties and the
    default signature); ``date`` the date of issue (成文日期).
    """

    def __init__(
        self,
        *,
        title: str,
        issuer: str = "",
        date: dt.date | None = None,
        with_title: bool = True,
    ) -> None:
        self.title = title
        self.issuer = issuer
        self.date = date
        self.blocks: list[Block] = []
        self._last_heading = ""
        self.document = Document()
        self._setup_page()
        self._setup_styles()
        self._setup_fonts()
        self._setup_footers()
        self._setup_properties()
        self.with_title = with_title
        if with_title:
            self.document.add_paragraph(title, style="Title")

    # -- layout -----------------------------------------------------------------

    def _setup_page(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width = Mm(PAGE_WIDTH_MM)
        section.page_height = Mm(PAGE_HEIGHT_MM)
        section.top_margin = Mm(MARGIN_TOP_MM)
        section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
        section.left_margin = Mm(MARGIN_LEFT_MM)
        section.right_margin = Mm(MARGIN_RIGHT_MM)
        section.header_distance = Mm(HEADER_DISTANCE_MM)
        section.footer_distance = Mm(FOOTER_DISTANCE_MM)
        type_width_twips = section.page_width.twips - (
            section.left_margin.twips + section.right_margin.twips
        )
        pitch = type_width_twips / 20 / CHARS_PER_LINE
        char_space = math.floor((pitch - BODY_SIZE.pt) * 4096)
        sect_pr = section._sectPr
        for grid in sect_pr.findall(qn("w:docGrid")):
            sect_pr.remove(grid)
        grid = OxmlElement("w:docGrid")
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_PITCH.twips))
        grid.set(qn("w:charSpace"), str(char_space))
        sect_pr.append(grid)

    def _setup_styles(self) -> None:
        styles = self.document.styles
        self._setup_defaults()
        normal = styles["Normal"]
        _reset(normal)
        _set_fonts(normal.element, BODY_FONT)
        normal.element.get_or_add_rPr().append(_lang())
        normal.font.size = BODY_SIZE
        self._line(normal, LINE_PITCH)
        normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

        body = styles[BODY_STYLE]
        _reset(body)
        body.base_style = normal
        _set_indent_chars(body.element, first_line=2)

        title = styles["Title"]
        _reset(title)
        title.base_style = normal
        _set_fonts(title.element, TITLE_FONT)
        title.font.size = TITLE_SIZE
        title.font.bold = False
        self._line(title, LINE_PITCH)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_after = LINE_PITCH  # one blank line under the title
        title.paragraph_format.keep_with_next = True

        for level, name in HEADING_STYLES.items():
            style = styles[name]
            _reset(style)
            style.base_style = normal
            _set_fonts(style.element, HEADING_FONTS[level])
            style.font.size = BODY_SIZE
            style.font.bold = False
            style.font.italic = False
            self._line(style, LINE_PITCH)
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            style.paragraph_format.keep_with_next = True
            _set_indent_chars(style.element, first_line=2)
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), str(level - 1))
            style.element.get_or_add_pPr().append(outline)

        table_text = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        table_text.base_style = normal
        table_text.font.size = TABLE_SIZE
        table_text.paragraph_format.line_spacing = 1.0
        table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

        small_table = styles.add_style(SMALL_TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        small_table.base_style = table_text
        small_table.font.size = SMALL_TABLE_SIZE

        masthead = styles.add_style(MASTHEAD_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        masthead.base_style = normal
        _set_fonts(masthead.element, TITLE_FONT)
        masthead.font.size = MASTHEAD_SIZE
        masthead.font.color.rgb = RED
        masthead.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        masthead.paragraph_format.line_spacing = 1.0
        masthead.paragraph_format.space_after = Pt(12)
        masthead.paragraph_format.keep_with_next = True

        distribution = styles.add_style(DISTRIBUTION_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        distribution.base_style = normal
        distribution.font.size = TABLE_SIZE
        distribution.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _set_indent_chars(distribution.element, left=0.25, right=0.25)

        signature = styles.add_style(SIGNATURE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        signature.base_style = normal
        signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        signature.paragraph_format.keep_with_next = True

        footer = styles["Footer"]
        _reset(footer)
        footer.base_style = normal
        _set_fonts(footer.element, PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
        footer.font.size = PAGE_NUMBER_SIZE
        self._line(footer, Pt(18))

    def _setup_defaults(self) -> None:
        """Document defaults in the body's fonts and size: the character grid counts its
        pitch from the default size, and text outside any style reads as body text."""
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is None:
            rpr_default = OxmlElement("w:rPrDefault")
            defaults.insert(0, rpr_default)
        for child in list(rpr_default):
            rpr_default.remove(child)
        rpr = etree.SubElement(rpr_default, qn("w:rPr"))
        fonts = etree.SubElement(rpr, qn("w:rFonts"))
        for slot, name in (
            ("ascii", LATIN_FONT),
            ("hAnsi", LATIN_FONT),
            ("eastAsia", BODY_FONT),
            ("cs", LATIN_FONT),
        ):
            fonts.set(qn(f"w:{slot}"), name)
        for tag in ("sz", "szCs"):
            size = etree.SubElement(rpr, qn(f"w:{tag}"))
            size.set(qn("w:val"), str(round(BODY_SIZE.pt * 2)))
        rpr.append(_lang())

    @staticmethod
    def _line(style: BaseStyle, pitch: Pt) -> None:
        fmt = style.paragraph_format
        fmt.line_spacing = pitch
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)

    def _setup_fonts(self) -> None:
        """Declare the Chinese fonts with their GB2312 charset and a fallback name."""
        part = next(
            p
            for p in self.document.part.package.iter_parts()
            if p.partname == "/word/fontTable.xml"
        )
        fonts = etree.fromstring(part.blob)
        for name, alt in FONT_TABLE:
            font = etree.SubElement(fonts, qn("w:font"))
            font.set(qn("w:name"), name)
            for tag, value in (("altName", alt), ("charset", "86"), ("family", "modern")):
                child = etree.SubElement(font, qn(f"w:{tag}"))
                child.set(qn("w:val"), value)
            pitch = etree.SubElement(font, qn("w:pitch"))
            pitch.set(qn("w:val"), "fixed")
        # The font table is a plain part in python-docx: its bytes are replaced whole.
        part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _setup_footers(self) -> None:
        self.document.settings.odd_and_even_pages_header_footer = True
        section = self.document.sections[0]
        section.footer.is_linked_to_previous = False
        section.even_page_footer.is_linked_to_previous = False
        odd = section.footer.paragraphs[0]
        even = section.even_page_footer.paragraphs[0]
        self._page_number(odd, WD_ALIGN_PARAGRAPH.RIGHT, right=True)
        self._page_number(even, WD_ALIGN_PARAGRAPH.LEFT, right=False)

    @staticmethod
    def _page_number(paragraph: Paragraph, alignment: WD_ALIGN_PARAGRAPH, *, right: bool) -> None:
        """ "— PAGE —" one 4号 character in from the outer edge (GB/T 9704-2012 7.5)."""
        paragraph.style = "Footer"
        paragraph.alignment = alignment
        one_char = str(round(PAGE_NUMBER_SIZE.pt * 20))
        ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:right" if right else "w:left"), one_char)

        def run(text: str = ""):
            made = paragraph.add_run(text)
            _set_fonts(made._r, PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
            made.font.size = PAGE_NUMBER_SIZE
            return made

        run("— ")
        for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None)):
            made = run()
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                made._r.append(char)
            else:
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = instruction
                made._r.append(instr)
        run("1")
        end = run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), "end")
        end._r.append(char)
        run(" —")

    def _setup_properties(self) -> None:
        props = self.document.core_properties
        props.title = self.title
        props.author = self.issuer
        props.last_modified_by = self.issuer
        props.comments = ""
        props.subject = ""
        props.keywords = ""
        props.language = "zh-CN"
        props.revision = 1
        if self.date is not None:
            stamp = dt.datetime.combine(self.date, dt.time(), tzinfo=dt.UTC)
            props.created = stamp
            props.modified = stamp

    # -- content ----------------------------------------------------------------

    def heading(self, text: str, level: int = 1) -> Paragraph:
        """A heading of level 1 (一、) to 4 (（1）); the caller writes the numbering."""
        if level not in HEADING_STYLES:
            raise ValueError(f"heading levels run from 1 to 4, not {level}")
        return self._write("heading", _normalise(_plain(text)), level)

    def paragraph(self, text: str = "") -> Paragraph:
        """A body paragraph, first line indented two characters; newlines break lines."""
        return self._write("paragraph", _plain(text))

    def html(self, value: str) -> None:
        """Write the rich text the app stores (sanitised again here, so nothing unsafe or
        foreign reaches the document): paragraphs, h2–h4, lists as numbered paragraphs,
        bold, italic, underline, line breaks and tables."""
        cleaned = clean_html(value)
        if not cleaned:
            return
        root = lxml.html.fragment_fromstring(cleaned, create_parent="div")
        self._html_blocks(root)

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        caption: str = "",
        small: bool = False,
    ) -> None:
        """A bordered table in 仿宋 14 pt (``small``: 12 pt, for a wide table that must fit
        the portrait type area); the header row repeats on every page."""
        header = tuple(str(h) for h in header)
        body = [tuple("" if v is None else str(v) for v in row) for row in rows]
        columns = max([len(header), *(len(r) for r in body)])
        if not columns:
            return
        header = header + ("",) * (columns - len(header)) if header else ()
        body = [row + ("",) * (columns - len(row)) for row in body]
        table = self.document.add_table(rows=0, cols=columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if header:
            cells = table.add_row().cells
            for cell, text in zip(cells, header, strict=True):
                self._cell(cell, text, bold=True, small=small)
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")
            tr_pr.append(repeat)
        for row in body:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                self._cell(cell, text, small=small)
        self.blocks.append(
            Block(
                "table",
                caption=caption or self._last_heading or self.title,
                header=header,
                rows=tuple(body),
                small=small,
            )
        )

    @staticmethod
    def _cell(cell, text: str, *, bold: bool = False, small: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.style = SMALL_TABLE_STYLE if small else TABLE_STYLE
        for number, line in enumerate(text.split("\n")):
            run = paragraph.add_run(line)
            if number:
                run._r.insert(0, OxmlElement("w:br"))
            if bold:
                run.bold = True

    def signature(self, unit: str | None = None, date: dt.date | None = None) -> None:
        """The issuing unit and the date at the end, after one blank line.

        GB/T 9704-2012 7.3.5.2: the unit two characters in from the right, the date on the
        next line starting two characters to the right of the unit's first character; a
        date longer than that stays two characters in and the unit moves left instead.
        """
        unit = self.issuer if unit is None else unit
        date = self.date if date is None else date
        when = chinese_date(date) if date else ""
        if not unit and not when:
            return
        unit_w, date_w = _text_width(unit), _text_width(when)
        unit_right, date_right = 2.0, unit_w - date_w
        if when and date_right < 2:
            date_right = 2.0
            unit_right = max(2.0, 4 + date_w - unit_w)
        self.document.add_paragraph("", style=SIGNATURE_STYLE)
        lines = []
        for text, right in ((unit, unit_right), (when, date_right)):
            if not text:
                continue
            paragraph = self.document.add_paragraph(text, style=SIGNATURE_STYLE)
            _set_indent_chars(paragraph._p, right=right)
            lines.append((text, right))
        self.blocks.append(Block("signature", lines=tuple(lines)))

    # -- a bulletin (简报) -------------------------------------------------------

    def masthead(self, name: str, issue_line: str, editor: str, date: dt.date) -> None:
        """The bulletin's head: the masthead in red 小标宋, the issue line (第N期) under it,
        the editor on the left and the date on the right of one line, then a red rule."""
        self.document.add_paragraph(name, style=MASTHEAD_STYLE)
        issue = self.document.add_paragraph(issue_line, style="Normal")
        issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
        when = chinese_date(date)
        line = self.document.add_paragraph(style="Normal")
        line.alignment = WD_ALIGN_PARAGRAPH.LEFT
        section = self.document.sections[0]
        width = section.page_width - section.left_margin - section.right_margin
        line.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        line.add_run(editor)
        line.add_run("\t" + when)
        self._border(line, RED_HEX, 18)
        self.blocks.append(Block("masthead", caption=name, header=(issue_line, editor, when)))
        self.blocks.append(Block("rule", red=True))

    def item_title(self, text: str) -> Paragraph:
        """An item's title in a bulletin: 小标宋 like a document's title, a line above."""
        paragraph = self.document.add_paragraph(text, style="Title")
        paragraph.paragraph_format.space_before = LINE_PITCH
        paragraph.paragraph_format.space_after = Pt(0)
        self.blocks.append(Block("item_title", spans=(Span(text),)))
        return paragraph

    def distribution(self, lines: Sequence[str], copies: int | None = None) -> None:
        """The foot of a bulletin: 报/送/发 lines between two black rules, 共印N份 last."""
        lines = [line.strip() for line in lines if line.strip()]
        if copies:
            lines.append(f"共印{copies}份")
        if not lines:
            return
        spacer = self.document.add_paragraph("", style=DISTRIBUTION_STYLE)
        self._border(spacer, "000000", 8)
        for number, text in enumerate(lines):
            paragraph = self.document.add_paragraph(text, style=DISTRIBUTION_STYLE)
            if number == len(lines) - 1:
                self._border(paragraph, "000000", 8)
        self.blocks.append(Block("rule"))
        self.blocks.append(Block("distribution", lines=tuple((t, 0.0) for t in lines)))

    @staticmethod
    def _border(paragraph: Paragraph, color: str, size: int) -> None:
        """A rule under the paragraph (``size`` in eighths of a point)."""
        ppr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for attr, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
            bottom.set(qn(f"w:{attr}"), value)
        borders.append(bottom)
        ppr.insert_element_before(borders, *_AFTER_PBDR)

    def save(self, stream: IO[bytes] | str | Path) -> None:
        self.document.save(stream)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.save(out)
        return out.getvalue()

    # -- writing ----------------------------------------------------------------

    def _write(self, kind: str, spans: Sequence[Span], level: int = 0) -> Paragraph:
        style = HEADING_STYLES[level] if kind == "heading" else BODY_STYLE
        paragraph = self.document.add_paragraph(style=style)
        for span in spans:
            if span.br:
                paragraph.add_run().add_break()
                continue
            run = paragraph.add_run(span.text)
            if span.bold:
                run.bold = True
            if span.italic:
                run.italic = True
            if span.underline:
                run.underline = True
        block = Block(kind, level=level, spans=tuple(spans))
        if kind == "heading":
            self._last_heading = block.text
        self.blocks.append(block)
        return paragraph

    def _rich(self, spans: list[Span], *, numbered_by_text: bool = True, level: int = 0) -> None:
        """A paragraph from HTML: a heading where its numbering (or tag) says so."""
        spans = _normalise(spans)
        if not spans:
            return
        text = "".join(s.text for s in spans if not s.br)
        detected = heading_level(text) if numbered_by_text else None
        level = detected or level
        if level:
            self._write("heading", spans, level)
        else:
            self._write("paragraph", spans)

    def _html_blocks(self, container) -> None:
        pending: list[Span] = []
        if container.text:
            pending.append(Span(container.text))
        for child in container:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in {"p", "h2", "h3", "h4", "ul", "ol", "table", "blockquote", "hr", "li"}:
                self._rich(pending)
                pending = []
                if tag == "p" or tag == "li":
                    self._rich(self._spans(child))
                elif tag in _HEADING_TAGS:
                    self._rich(self._spans(child), level=_HEADING_TAGS[tag])
                elif tag in {"ul", "ol"}:
                    self._html_list(child, depth=1)
                elif tag == "table":
                    self._html_table(child)
                elif tag == "blockquote":
                    self._html_blocks(child)
            elif tag:
                pending.extend(self._spans(child))
            if child.tail:
                pending.append(Span(child.tail))
        self._rich(pending)

    def _spans(self, el, bold: bool = False, italic: bool = False, underline: bool = False):
        """The inline content of an element (nested lists are left to the list code)."""
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "br":
            return [Span(br=True)]
        bold = bold or tag in {"strong", "b"}
        italic = italic or tag in {"em", "i"}
        underline = underline or tag == "u"
        out: list[Span] = []
        if el.text and tag:
            out.append(Span(el.text, bold, italic, underline))
        for child in el:
            child_tag = child.tag if isinstance(child.tag, str) else ""
            if child_tag in {"ul", "ol"}:
                pass
            elif child_tag:
                if child_tag == "p" and out:
                    out.append(Span(br=True))
                out.extend(self._spans(child, bold, italic, underline))
            if child.tail:
                out.append(Span(child.tail, bold, italic, underline))
        return out

    def _html_list(self, el, depth: int) -> None:
        """Items as paragraphs numbered 1. (then （1） when nested), unless numbered already."""
        number = 0
        for item in el:
            if item.tag != "li":
                continue
            number += 1
            spans = _normalise(self._spans(item))
            text = "".join(s.text for s in spans if not s.br)
            if spans and heading_level(text) is None:
                prefix = f"{number}." if depth == 1 else f"（{number}）"
                spans = [Span(prefix), *spans]
            self._rich(spans, numbered_by_text=False)
            for nested in item:
                if nested.tag in {"ul", "ol"}:
                    self._html_list(nested, depth + 1)

    def _html_table(self, el) -> None:
        header: tuple[str, ...] = ()
        rows: list[tuple[str, ...]] = []
        for tr in el.iter("tr"):
            cells = [c for c in tr if c.tag in {"td", "th"}]
            texts = tuple(_SPACES.sub(" ", c.text_content()).strip() for c in cells)
            in_head = tr.getparent() is not None and tr.getparent().tag == "thead"
            if not header and not rows and (in_head or all(c.tag == "th" for c in cells)):
                header = texts
            else:
                rows.append(texts)
        if header or rows:
            self.table(header, rows)
