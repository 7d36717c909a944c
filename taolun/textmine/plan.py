"""Read a Chinese implementation plan (实施方案) or mobilisation speech into a draft campaign.

Offices receive plans as Word files and retype them. :func:`parse_plan` reads the text and
returns a :class:`PlanDraft` for a person to review: title, document numbers, dates, the
outline (一、 → （一） → 1. → （1）), the themes (parallel clauses such as
破除…，着力解决…问题，坚持…), stage and action counts (4个环节10个规定动作), stage directives
(要打响动员的“第一枪”), enumerations (一是…二是…) and the people named with their roles.

Everything is found from the *shape* of 公文 writing (markers, punctuation, parallelism,
post titles), never from the words of a particular plan. jieba's part-of-speech tags are
consulted only where the structure cannot tell where a person's name ends; jieba loads its
dictionary lazily, once per process (about two seconds), so most plans never pay for it.
Call :func:`warm_up` at process start where that matters.

Usage::

    draft = parse_plan(text)          # raises PlanTextError for empty or oversized text
    draft.themes[0].text              # "破除僵化保守，着力解决…问题，坚持…"
    json.dumps(draft.as_dict(), ensure_ascii=False)
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

MAX_PLAN_CHARS = 500_000

# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class Heading:
    """One outline heading; ``children`` always have a greater ``level`` than their parent."""

    level: int
    marker: str
    title: str
    line: int
    children: list[Heading] = field(default_factory=list)
    # The whole heading line after its marker, used to find themes listed as headings.
    text: str = field(default="", repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "marker": self.marker,
            "title": self.title,
            "line": self.line,
            "children": [child.as_dict() for child in self.children],
        }


@dataclass
class Theme:
    """One item of a run of parallel clauses, word for word (e.g. 破除…，着力解决…问题，坚持…)."""

    text: str
    clauses: list[str]
    line: int

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "clauses": list(self.clauses), "line": self.line}


@dataclass
class StageDirective:
    """A stage announced as a directive, e.g. 要打响动员的“第一枪” (verb 打响, stage 动员)."""

    text: str
    verb: str
    stage: str
    image: str
    line: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "verb": self.verb,
            "stage": self.stage,
            "image": self.image,
            "line": self.line,
        }


@dataclass
class Enumeration:
    """An inline list such as 一是…；二是…；三是…, its items without their markers."""

    items: list[str]
    line: int

    def as_dict(self) -> dict[str, Any]:
        return {"items": list(self.items), "line": self.line}


@dataclass
class Person:
    """Someone with a campaign role (组长, 副组长, 成员, 党支部书记 …); name "" when unnamed."""

    name: str
    role: str
    posts: list[str]
    unit: str
    line: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "posts": list(self.posts),
            "unit": self.unit,
            "line": self.line,
        }


@dataclass
class PlanDraft:
    """What a plan announces, for a person to review before a campaign is created from it."""

    title: str
    doc_number: str
    doc_numbers: list[str]
    dates: list[dt.date]
    issued_on: dt.date | None
    outline: list[Heading]
    themes: list[Theme]
    stage_count: int | None
    stage_count_text: str
    action_count: int | None
    action_count_text: str
    stage_directives: list[StageDirective]
    enumerations: list[Enumeration]
    people: list[Person]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings)."""
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "doc_numbers": list(self.doc_numbers),
            "dates": [day.isoformat() for day in self.dates],
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "outline": [heading.as_dict() for heading in self.outline],
            "themes": [theme.as_dict() for theme in self.themes],
            "stage_count": self.stage_count,
            "stage_count_text": self.stage_count_text,
            "action_count": self.action_count,
            "action_count_text": self.action_count_text,
            "stage_directives": [item.as_dict() for item in self.stage_directives],
            "enumerations": [item.as_dict() for item in self.enumerations],
            "people": [person.as_dict() for person in self.people],
        }


class PlanTextError(ValueError):
    """Text that cannot be parsed as a plan; ``str(error)`` is a message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------
# Entry point


def parse_plan(text: str) -> PlanDraft:
    """Read a plan's text into a :class:`PlanDraft`; only empty or oversized text is refused."""
    if len(text) > MAX_PLAN_CHARS:
        raise PlanTextError(
            _("The plan is %(size)s characters long; at most %(limit)s can be read.")
            % {"size": f"{len(text):,}", "limit": f"{MAX_PLAN_CHARS:,}"}
        )
    if not text.strip():
        raise PlanTextError(_("The plan is empty: paste its text or upload the file."))
    doc = _Doc(text)
    outline, headings = _outline(doc)
    doc_numbers = _doc_numbers(doc)
    title, title_line = _title(doc)
    dates, issued_on = _dates(doc, doc_numbers, title_line)
    stage_count, stage_text = _count(doc, _STAGE_COUNT_RE)
    action_count, action_text = _count(doc, _ACTION_COUNT_RE)
    return PlanDraft(
        title=title,
        doc_number=doc_numbers[0] if doc_numbers else "",
        doc_numbers=doc_numbers,
        dates=dates,
        issued_on=issued_on,
        outline=outline,
        themes=_themes(doc, outline, headings),
        stage_count=stage_count,
        stage_count_text=stage_text,
        action_count=action_count,
        action_count_text=action_text,
        stage_directives=_stage_directives(doc),
        enumerations=_enumerations(doc),
        people=_people(doc),
    )


def warm_up() -> None:
    """Load jieba's dictionary now rather than on the first plan that needs it."""
    _pos_tokenizer()


class _Doc:
    """The text with newlines normalised and a fast offset → line number lookup."""

    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
        self.lines = self.text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_right(self.starts, offset)


# ---------------------------------------------------------------------------------------------
# Numbers

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9, "Ｏ": 0, "O": 0}
_CN_NUMERAL = "〇○零一二两三四五六七八九十百"


def cn_number(value: str) -> int | None:
    """Read 4, ４, 十, 十一, 二十三, 一百零五 or 二〇一九 (digit by digit); None if not a number."""
    value = value.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not value:
        return None
    if value.isdigit():
        return int(value)
    if "十" not in value and "百" not in value:
        digits = [_CN_DIGITS.get(ch) for ch in value]
        if None in digits:
            return None
        return int("".join(str(d) for d in digits))
    total, current = 0, 0
    for ch in value:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            return None
    return total + current


# ---------------------------------------------------------------------------------------------
# Outline

_OUTLINE_MARKERS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(r"^([一二三四五六七八九十百零〇]{1,4})\s*[、．.]")),
    (2, re.compile(r"^[（(]\s*([一二三四五六七八九十百零〇]{1,4})\s*[）)]")),
    (3, re.compile(r"^(\d{1,3})\s*(?:[、．]|\.(?!\d))")),
    (4, re.compile(r"^[（(]\s*(\d{1,3})\s*[）)]")),
]
_MARKER_FIRST = frozenset("一二三四五六七八九十百零〇（(0123456789")
_RUN_IN_END = re.compile(r"[。！？!?；;：:]")
_MAX_HEADING_TITLE = 120


def _heading_of(line: str) -> tuple[int, str, str] | None:
    """(level, marker, rest of line) when the line starts with an outline marker."""
    stripped = line.strip()
    if not stripped or stripped[0] not in _MARKER_FIRST:
        return None
    for level, pattern in _OUTLINE_MARKERS:
        match = pattern.match(stripped)
        if match:
            rest = stripped[match.end() :].strip()
            if rest:
                return level, match.group(0).strip(), rest
    return None


def _outline(doc: _Doc) -> tuple[list[Heading], list[Heading]]:
    """The heading tree, and all headings in order; a heading nests under the nearest
    preceding heading of a smaller level, so skipped or deeper-first levels still nest."""
    roots: list[Heading] = []
    flat: list[Heading] = []
    stack: list[Heading] = []
    for number, line in enumerate(doc.lines, start=1):
        found = _heading_of(line)
        if not found:
            continue
        level, marker, rest = found
        cut = _RUN_IN_END.search(rest)
        title = (rest[: cut.start()] if cut else rest).strip()[:_MAX_HEADING_TITLE] or rest[:40]
        heading = Heading(level=level, marker=marker, title=title, line=number, text=rest)
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(heading)
        stack.append(heading)
        flat.append(heading)
    return roots, flat


# ---------------------------------------------------------------------------------------------
# Title, document numbers, dates

_TITLE_WORDS = ("方案", "意见", "通知", "讲话", "办法", "规定", "决定", "计划", "要点", "报告")
_TITLE_WORDS += ("纪要", "通报", "细则", "规划", "安排")
_SENTENCE_END = tuple("。；;，,：:！!？?、")

_DOC_NUMBER_RE = re.compile(
    r"([\u4e00-\u9fff]{1,8})\s*[〔\[［(（【]\s*((?:19|20)\d{2})\s*[〕\]］)）】]\s*第?\s*(\d{1,5})\s*号"
)
_DOC_LEAD_INS = (
    "根据",
    "按照",
    "依据",
    "参照",
    "印发",
    "转发",
    "详见",
    "见",
    "即",
    "和",
    "及",
    "与",
)

_DATE_PATTERNS: list[re.Pattern[str]] = [
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"),
    re.compile(
        r"([〇○零Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
        r"\s*([一二三四五六七八九十]{1,3})\s*[日号]"
    ),
    re.compile(r"(?<![\d.\-/])(\d{4})([-./])(\d{1,2})\2(\d{1,2})(?![\d])"),
]
_MONTH_DAY_RE = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")


def _title(doc: _Doc) -> tuple[str, int]:
    """The first heading-like line naming a document kind (方案, 意见, 通知 …), else the first
    heading-like line, else the start of the first line; with its line number."""
    fallback: tuple[str, int] | None = None
    for number, raw in enumerate(doc.lines, start=1):
        line = raw.strip()
        if not (4 <= len(line) <= 60) or line.endswith(_SENTENCE_END) or _heading_of(line):
            continue
        if _only_date(line):
            continue
        if any(word in line for word in _TITLE_WORDS):
            return line, number
        if fallback is None:
            fallback = (line, number)
    if fallback:
        return fallback
    for number, raw in enumerate(doc.lines, start=1):
        if raw.strip():
            return raw.strip()[:60], number
    return "", 0


def _doc_numbers(doc: _Doc) -> list[str]:
    """Document numbers (发文字号) as written, e.g. 晋办发〔2019〕1号, without lead-in words."""
    found: list[str] = []
    for match in _DOC_NUMBER_RE.finditer(doc.text):
        prefix = match.group(1)
        for lead in _DOC_LEAD_INS:
            index = prefix.rfind(lead)
            if index >= 0:
                prefix = prefix[index + len(lead) :]
        if not prefix:
            continue
        written = prefix + doc.text[match.end(1) : match.end()]
        if written not in found:
            found.append(written)
    return found


def _safe_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _only_date(line: str) -> dt.date | None:
    """The date when a line holds nothing else (optionally in brackets), as under a title."""
    inner = line.strip().strip("（）()[]【】 \t")
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(inner)
        if match:
            return _date_of(match)
    return None


def _date_of(match: re.Match[str]) -> dt.date | None:
    groups = [g for g in match.groups() if g not in {"-", ".", "/"}]
    return _safe_date(*(cn_number(g) for g in groups))


def _dates(
    doc: _Doc, doc_numbers: list[str], title_line: int
) -> tuple[list[dt.date], dt.date | None]:
    """Every date in order of appearance, deduplicated, and the issuing date when clear.

    A month and day without a year (2月18日) takes the year of the nearest full date before
    it, else of the first full date, else of the first document number.
    """
    full: list[tuple[int, int, dt.date]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(doc.text):
            day = _date_of(match)
            if day:
                full.append((match.start(), match.end(), day))
    full.sort()
    spans = [(start, end) for start, end, _day in full]
    fallback_year: int | None = full[0][2].year if full else None
    if fallback_year is None and doc_numbers:
        fallback_year = int(re.search(r"(?:19|20)\d{2}", doc_numbers[0]).group(0))
    found = list(full)
    for match in _MONTH_DAY_RE.finditer(doc.text):
        before = bisect.bisect_right(spans, (match.start(), len(doc.text) + 1))
        if before and spans[before - 1][1] > match.start():
            continue
        year = full[before - 1][2].year if before else fallback_year
        day = _safe_date(year, int(match.group(1)), int(match.group(2)))
        if day:
            found.append((match.start(), match.end(), day))
    found.sort()
    dates: list[dt.date] = []
    for _start, _end, day in found:
        if day not in dates:
            dates.append(day)
    return dates, _issued_on(doc, title_line)


def _issued_on(doc: _Doc, title_line: int) -> dt.date | None:
    """A date standing alone on one of the last lines (the 成文日期), else right under the title."""
    numbered = [(n, line) for n, line in enumerate(doc.lines, start=1) if line.strip()]
    for _number, line in reversed(numbered[-4:]):
        day = _only_date(line)
        if day:
            return day
    if title_line:
        for number, line in numbered:
            if title_line < number <= title_line + 3:
                day = _only_date(line)
                if day:
                    return day
    return None


# ---------------------------------------------------------------------------------------------
# Stage and action counts, stage directives, enumerations

_COUNT = r"(\d{1,3}|[０-９]{1,3}|[一二两三四五六七八九十]{1,3})\s*个\s*"
_STAGE_COUNT_RE = re.compile(_COUNT + r"(?:环节|阶段|步骤)")
_ACTION_COUNT_RE = re.compile(_COUNT + r"(?:规定|必选|必做)?动作")


def _count(doc: _Doc, pattern: re.Pattern[str]) -> tuple[int | None, str]:
    """The first count the text announces (4个环节, 四个阶段), and the phrase as written."""
    for match in pattern.finditer(doc.text):
        value = cn_number(match.group(1))
        if value:
            return value, match.group(0)
    return None, ""


_DIRECTIVE_RE = re.compile(
    r"(?:^|(?<=[。！？；;!?]))[ \t]*"
    r"(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、.]"
    r"|\d{1,2}[.、])?[ \t]*"
    r"(要)?([\u4e00-\u9fff]{2})([\u4e00-\u9fff]{1,6}?)的"
    r"[“\"「‘『]([^”\"」’』\n]{2,8})[”\"」’』]"
    r"(?=[ \t]*(?:[。！？；;!?，,]|$))",
    re.M,
)


def _stage_directives(doc: _Doc) -> list[StageDirective]:
    """Short sentences of the shape (要)VERB STAGE的“IMAGE”, e.g. 要打牢学习的“奠基石”."""
    found = []
    for match in _DIRECTIVE_RE.finditer(doc.text):
        must, verb, stage, image = match.groups()
        start = match.start(2) - (1 if must else 0)
        found.append(
            StageDirective(
                text=doc.text[start : match.end()],
                verb=verb,
                stage=stage,
                image=image,
                line=doc.line_of(start),
            )
        )
    return found


_ENUM_STYLES = [
    re.compile(r"([一二三四五六七八九十]{1,2})是"),
    re.compile(r"第([一二三四五六七八九十]{1,2})[，,、：:]"),
]
_ENUM_BEFORE = set(" \t，,。；;：:、（(")
_ITEM_TRIM = " \t，,；;。、：:"
_ITEM_END_RE = re.compile(r"[。；;！!？?]")
_MAX_ITEM_CHARS = 500


def _enumerations(doc: _Doc) -> list[Enumeration]:
    """Runs of 一是…二是…三是… (or 第一，…第二，…) in one paragraph, numbered from one."""
    found: list[Enumeration] = []
    for start_of_line, line in zip(doc.starts, doc.lines, strict=True):
        if "是" not in line and "第" not in line:
            continue
        for style in _ENUM_STYLES:
            marks = [
                m
                for m in style.finditer(line)
                if m.start() == 0 or line[m.start() - 1] in _ENUM_BEFORE
            ]
            run: list[re.Match[str]] = []
            for mark in [*marks, None]:
                number = cn_number(mark.group(1)) if mark else None
                if mark and number == len(run) + 1:
                    run.append(mark)
                    continue
                if len(run) >= 2:
                    found.append(_enumeration(doc, line, start_of_line, run))
                run = [mark] if mark and number == 1 else []
    found.sort(key=lambda item: item.line)
    return found


def _enumeration(doc: _Doc, line: str, offset: int, run: list[re.Match[str]]) -> Enumeration:
    items = []
    for index, mark in enumerate(run):
        if index + 1 < len(run):
            body = line[mark.end() : run[index + 1].start()]
        else:
            stop = _ITEM_END_RE.search(line, mark.end())
            body = line[mark.end() : stop.start() if stop else len(line)]
        items.append(body.strip(_ITEM_TRIM)[:_MAX_ITEM_CHARS])
    return Enumeration(items=items, line=doc.line_of(offset))


# ---------------------------------------------------------------------------------------------
# Themes: runs of parallel clauses

_MIN_THEME_ITEMS = 3
_SENTENCE_SPLIT_RE = re.compile(r"[。！？!?]")
_ITEM_SPLIT_RE = re.compile(r"[；;]")
_COLON_SPLIT_RE = re.compile(r"[:：]")
_CLAUSE_SPLIT_RE = re.compile(r"[，,]")
# Each clause of a theme opens with words (破除, 着力解决, 坚持), not with a number or a sign.
_VERB_LED_RE = re.compile(r"[\u4e00-\u9fff]{2}")
_MIN_SHARED_HEAD = 2
_ITEM_MARKER_RE = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}是|"
    r"[一二三四五六七八九十]{1,3}[、.]|\d{1,2}[.、])\s*"
)


def _themes(doc: _Doc, outline: list[Heading], headings: list[Heading]) -> list[Theme]:
    """Themes are items of one list whose clauses share their opening words position by
    position: 破除X，着力解决Y问题，坚持Z；破除…，着力解决…，坚持…; at least three items
    of at least two clauses. Lists are ；-separated items in a sentence or a bracket, or
    sibling headings of one section."""
    runs: list[list[tuple[str, int]]] = []
    for number, line in enumerate(doc.lines, start=1):
        if line.count("；") + line.count(";") < _MIN_THEME_ITEMS - 1:
            continue
        for region in _regions(line):
            for sentence in _SENTENCE_SPLIT_RE.split(region):
                parts = _ITEM_SPLIT_RE.split(sentence)
                if len(parts) < _MIN_THEME_ITEMS:
                    continue
                first = _COLON_SPLIT_RE.split(parts[0])[-1]
                runs.append([(part, number) for part in [first, *parts[1:]]])
    for group in [outline, *(heading.children for heading in headings)]:
        runs.append([(heading.text, heading.line) for heading in group])
    themes: list[Theme] = []
    seen: set[str] = set()
    for items in runs:
        for theme in _parallel_run(items):
            if theme.text not in seen:
                seen.add(theme.text)
                themes.append(theme)
    themes.sort(key=lambda theme: theme.line)
    return themes


def _regions(line: str) -> list[str]:
    """The line with bracketed passages taken out, then each bracketed passage."""
    outside: list[str] = []
    inside: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in line:
        if ch in "（(":
            if depth == 0:
                outside.append("".join(current))
                current = []
            else:
                current.append(ch)
            depth += 1
        elif ch in "）)" and depth > 0:
            depth -= 1
            if depth == 0:
                inside.append("".join(current))
                current = []
            else:
                current.append(ch)
        else:
            current.append(ch)
    (inside if depth else outside).append("".join(current))
    return ["。".join(outside), *inside]


def _clauses(item: str) -> list[str]:
    return [clause.strip() for clause in _CLAUSE_SPLIT_RE.split(item) if clause.strip()]


def _shared_head(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _same_shape(first: list[str], other: list[str]) -> bool:
    return len(first) == len(other) and all(
        _shared_head(a, b) >= _MIN_SHARED_HEAD for a, b in zip(first, other, strict=True)
    )


def _parallel_run(items: list[tuple[str, int]]) -> list[Theme]:
    cleaned = []
    for text, line in items:
        body = _ITEM_MARKER_RE.sub("", text).strip().rstrip("。；;，,.").strip()
        cleaned.append((body, _clauses(body), line))
    themes: list[Theme] = []
    index = 0
    while index < len(cleaned):
        first = cleaned[index][1]
        end = index + 1
        if len(first) >= 2 and all(_VERB_LED_RE.match(clause) for clause in first):
            while end < len(cleaned) and _same_shape(first, cleaned[end][1]):
                end += 1
        if end - index >= _MIN_THEME_ITEMS:
            themes.extend(
                Theme(text=body, clauses=clauses, line=line)
                for body, clauses, line in cleaned[index:end]
            )
        index = end
    return themes


# ---------------------------------------------------------------------------------------------
# People

# Campaign roles: the leading group's, and the secretaries who run each branch's campaign.
_LEADING_ROLES = ("副组长", "组长", "成员")
_SECRETARY_ROLES = ("党总支书记", "党支部书记", "支部书记")
_ROLE_RE = re.compile("|".join(_LEADING_ROLES + _SECRETARY_ROLES))
_POST = (
    r"(?:常务|执行)?副?(?:机关党委|党组|党委|党支部|党总支|纪检组|纪委)?(?:书记|成员|委员)"
    r"|(?:常务|执行)?副?(?:理事长|秘书长|主任|局长|处长|厅长|部长|主席|院长|校长|组长|科长"
    r"|馆长|所长|站长|队长|经理|董事长|会长|社长|调研员|巡视员)"
)
_POST_RE = re.compile(_POST)
_POST_AT_END_RE = re.compile(f"(?:{_POST})$")
_CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]{1,12}")
_CHAIN_STOP = set("，,。；;：:！!？?\n（()）")
_NESTING_RE = re.compile(r"[“《「『（(”》」』）)]")
_CONNECTORS = ("以及", "和", "与", "及", "同")
# Words that follow a name in reports: where a run of characters after a post stops being it.
_AFTER_NAME = (
    "做", "作", "宣读", "主持", "讲话", "出席", "参加", "和", "与", "及", "同志", "分别", "等",
    "在", "对", "为", "带领", "率", "代表", "传达", "就", "指出", "强调", "表示", "要求", "介绍",
    "汇报", "通报", "发言", "致辞", "总结", "部署", "提出", "说", "任", "兼", "负责", "牵头",
)  # fmt: skip
# 百家姓 surnames: a name starts with one; this spares jieba for runs that cannot be names.
_SURNAMES = set(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
    "奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康"
    "伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵"
    "席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗"
    "丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫"
    "乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄"
    "印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮"
    "牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡"
    "国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查"
    "后荆红游竺权逯盖益桓公岳帅缑亢况郈有琴商牟佘佴伯赏墨哈谯笪年爱阳佟付"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
)
_NAME_TAGS = ("nr", "nrfg", "nrt")
_MAX_CHAIN = 120
# A plan names tens of people; past this many role words the text is not a plan's list.
_MAX_ROLE_MENTIONS = 2000
_LIST_ROLE_RE = re.compile(r"^\s*(副\s*组\s*长|组\s*长|成\s*员)\s*[:：]\s*(.+)$")
# A table row typed with spaces: the role label may itself be spaced out (组  长).
_ROW_LABEL_RE = re.compile(
    "^\\s*("
    + "|".join(r"\s*".join(role) for role in _LEADING_ROLES + _SECRETARY_ROLES)
    + ")(?=\\s)"
)
_ROLE_HINT_RE = re.compile(r"组\s*长|成\s*员|书\s*记")
_LIST_ITEM_RE = re.compile(r"^([\u4e00-\u9fff·]{2,4})\s*(?:[（(]([^）)]*)[）)])?$")

_jieba_lock = threading.Lock()
_jieba_tokenizer: Any = None


def _pos_tokenizer() -> Any:
    """jieba's part-of-speech tokenizer, loaded once per process on first use."""
    global _jieba_tokenizer
    with _jieba_lock:
        if _jieba_tokenizer is None:
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba_tokenizer = jieba.posseg.dt
    return _jieba_tokenizer


def _is_surname_start(text: str) -> bool:
    return bool(text) and (text[0] in _SURNAMES or text.startswith(_COMPOUND_SURNAMES))


def _name_at(text: str, offset: int) -> str:
    """The person's name written right after a post, or "" when none follows.

    The structure decides where it can (the name runs to the next punctuation, or stops before
    a word that follows names: 做, 宣读, 和 …); jieba's ``nr`` tags decide the rest.
    """
    run = _CJK_RUN_RE.match(text, offset)
    if not run or not _is_surname_start(run.group(0)):
        return ""
    chars = run.group(0)
    whole = run.end() - offset == len(chars) and (
        run.end() >= len(text) or not re.match(r"[\u4e00-\u9fff]", text[run.end()])
    )
    if whole and 2 <= len(chars) <= 3:
        return chars
    for size in (2, 3):
        if len(chars) > size and chars[size:].startswith(_AFTER_NAME):
            return chars[:size]
    return _tagged_name(chars)


@functools.lru_cache(maxsize=4096)
def _tagged_name(chars: str) -> str:
    """The person-name tokens (jieba ``nr``) that open ``chars``, if they make a name."""
    name = ""
    for token in _pos_tokenizer().cut(chars):
        if token.flag not in _NAME_TAGS or len(name) + len(token.word) > 4:
            break
        name += token.word
    return name if len(name) >= 2 else ""


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    if not _NESTING_RE.search(text):
        return [piece.strip() for piece in text.split(separator) if piece.strip()]
    pieces, current, depth = [], [], 0
    for ch in text:
        if ch in "“《「『（(":
            depth += 1
        elif ch in "”》」』）)" and depth:
            depth -= 1
        if ch == separator and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return [piece.strip() for piece in pieces if piece.strip()]


def _chain_start(text: str, position: int, floor: int) -> int:
    """Where the chain of posts before ``position`` begins: the last stop outside quotes."""
    limit = max(floor, position - _MAX_CHAIN)
    window = text[limit:position]
    if not _NESTING_RE.search(window):
        last = max(window.rfind(ch) for ch in _CHAIN_STOP)
        return limit + last + 1 if last >= 0 else limit
    depth = 0
    index = position - 1
    while index >= limit:
        ch = text[index]
        if ch in "”》」』":
            depth += 1
        elif ch in "“《「『" and depth:
            depth -= 1
        elif depth == 0 and ch in _CHAIN_STOP:
            return index + 1
        index -= 1
    return limit


def _unit_and_post(piece: str) -> tuple[str, str]:
    """Split 省残联党组书记 into (省残联, 党组书记); ("", piece) when no post title ends it."""
    match = _POST_AT_END_RE.search(piece)
    if not match:
        return "", piece
    return piece[: match.start()], match.group(0)


def _people(doc: _Doc) -> list[Person]:
    """People with campaign roles, in order: written inline (…领导小组组长卫国做…), as a list
    (组长：王建国（局长）) or as a table row (组长 | 王建国 | 局长)."""
    found: list[tuple[int, Person]] = []
    found.extend(_people_inline(doc))
    found.extend(_people_listed(doc))
    found.sort(key=lambda pair: pair[0])
    people: list[Person] = []
    index: dict[tuple[str, str], Person] = {}
    for _offset, person in found:
        key = (person.name, person.role)
        if person.name and key in index:
            known = index[key]
            known.posts.extend(post for post in person.posts if post not in known.posts)
            known.unit = known.unit or person.unit
            continue
        if person.name:
            index[key] = person
        people.append(person)
    return people


def _people_inline(doc: _Doc) -> list[tuple[int, Person]]:
    """Roles written in running text: a chain of posts joined by 、, the role, then the name.

    Each role word anchors a mention; the chain runs back to the last punctuation (outside
    quotes) or the previous person's name, and on through posts such as 、教育就业部主任.
    Leading-group roles count only on a line that names a 小组, and need a name; a secretary
    may be unnamed (the seed's 就业服务指导中心) when the text gives the branch.
    """
    text = doc.text
    found: list[tuple[int, Person]] = []
    floor = 0
    group_lines = {n for n, line in enumerate(doc.lines, start=1) if "小组" in line}
    for count, match in enumerate(_ROLE_RE.finditer(text)):
        if count >= _MAX_ROLE_MENTIONS:
            break
        role = match.group(0)
        if role == "成员" and text[max(0, match.start() - 2) : match.start()] in {"党组", "党委"}:
            continue
        if role in _LEADING_ROLES and doc.line_of(match.start()) not in group_lines:
            continue
        start = _chain_start(text, match.start(), floor)
        head = text[start : match.end()]
        for connector in _CONNECTORS:
            if head.startswith(connector):
                head = head[len(connector) :]
                break
        pieces = _split_outside_quotes(head, "、")
        if not pieces:
            continue
        role_piece, before = pieces[-1], pieces[:-1]
        after, end = _posts_after(text, match.end())
        name = _name_at(text, end)
        role_unit = role_piece[: -len(role)]
        if role in _SECRETARY_ROLES:
            org = role[:-2]
            unit = role_unit + org if role_unit else ""
            if not name and not unit:
                continue
        else:
            if not name:
                continue
            units = [_unit_and_post(piece)[0] for piece in before]
            unit = next((u for u in units if u), "")
        posts = []
        for piece in [*before, *after]:
            if not _POST_AT_END_RE.search(piece):
                continue
            piece_unit, post = _unit_and_post(piece)
            posts.append(post if not piece_unit or piece_unit == unit else piece)
        found.append(
            (
                match.start(),
                Person(
                    name=name, role=role, posts=posts, unit=unit, line=doc.line_of(match.start())
                ),
            )
        )
        floor = end + len(name)
    return found


def _posts_after(text: str, offset: int) -> tuple[list[str], int]:
    """Posts listed after the role (党支部书记、教育就业部主任许国瑞) and where the name begins."""
    posts: list[str] = []
    while offset < len(text) and text[offset] == "、":
        stop = offset + 1
        while stop < len(text) and stop - offset < _MAX_CHAIN and text[stop] not in _CHAIN_STOP:
            if text[stop] == "、":
                break
            stop += 1
        piece = text[offset + 1 : stop]
        matches = list(_POST_RE.finditer(piece))
        if not matches:
            break
        last = matches[-1]
        posts.append(piece[: last.end()])
        offset = offset + 1 + last.end()
        if last.end() < len(piece):
            break
    return posts, offset


def _people_listed(doc: _Doc) -> list[tuple[int, Person]]:
    found: list[tuple[int, Person]] = []
    for number, (offset, raw) in enumerate(zip(doc.starts, doc.lines, strict=True), start=1):
        if not _ROLE_HINT_RE.search(raw):
            continue
        listed = _LIST_ROLE_RE.match(raw)
        if listed:
            role = re.sub(r"\s", "", listed.group(1))
            for item in _split_outside_quotes(re.sub(r"[，,；;]", "、", listed.group(2)), "、"):
                person = _listed_person(item.strip("。 "), role, number)
                if person:
                    found.append((offset, person))
            continue
        label = _ROW_LABEL_RE.match(raw)
        rest = raw[label.end() :] if label else raw
        cells = [c.strip() for c in re.split(r"\t|\s{2,}", rest.strip()) if c.strip()]
        if label:
            role, others = re.sub(r"\s", "", label.group(1)), cells
        else:
            roles = [c for c in cells if re.sub(r"\s", "", c) in _LEADING_ROLES + _SECRETARY_ROLES]
            if len(cells) < 2 or not roles:
                continue
            role = re.sub(r"\s", "", roles[0])
            others = [c for c in cells if c is not roles[0]]
        name = next(
            (
                c
                for c in others
                if re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", c)
                and _is_surname_start(c)
                and not _POST_RE.search(c)
            ),
            "",
        )
        if not name:
            continue
        posts = [piece for c in others if c != name for piece in _split_outside_quotes(c, "、")]
        found.append((offset, Person(name=name, role=role, posts=posts, unit="", line=number)))
    return found


def _listed_person(item: str, role: str, line: int) -> Person | None:
    match = _LIST_ITEM_RE.match(item)
    if not match or not _is_surname_start(match.group(1)):
        return None
    posts = _split_outside_quotes(match.group(2) or "", "、")
    return Person(name=match.group(1), role=role, posts=posts, unit="", line=line)
