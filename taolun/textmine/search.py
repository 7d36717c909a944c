"""One search over every text a user may open, ranked by the database's full-text index.

The query is segmented by jieba exactly as the texts were (``words.words``) and every word
must occur: each is sent as a quoted FTS5 phrase or through ``plainto_tsquery``, so nothing a
user types (quotes, ``NEAR(``, ``*``, ``:``, ``AND`` …) is ever read as query syntax.

Who may open what is decided by each app's own selectors (``originals.readable``), not
here: for every kind of text, the entries kept are those whose record is in that scoped
queryset (a subquery, so the whole decision is one SQL statement with the full-text match).
A hit the user may not open is therefore never ranked, counted or shown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign
from taolun.org.models import User
from taolun.textmine import originals
from taolun.textmine import words as words_mod
from taolun.textmine.models import SearchEntry
from taolun.textmine.sources import SOURCES, TextSource

PAGE_SIZE = 20
# Hits ranked and counted at most; past it the page says "more than".
MAX_HITS = 1000
# What of a query is searched: a pasted page would only slow the index down.
MAX_QUERY_CHARS = 200
MAX_WORDS = 16
SNIPPET_CHARS = 160
FTS_TABLE = "textmine_search_fts"


# ---------------------------------------------------------------- who may open what


def _kinds(kind: str | None) -> list[TextSource]:
    return [s for s in SOURCES if kind is None or s.model._meta.model_name == kind]


def kind_choices() -> list[tuple[str, str]]:
    """(value, label) of every kind of text the search reads, for the filter."""
    return [(s.model._meta.model_name, str(s.model._meta.verbose_name_plural)) for s in SOURCES]


def visible_entries(
    user: User, *, kind: str | None = None, campaign: Campaign | None = None
) -> QuerySet[SearchEntry]:
    """The search entries of texts ``user`` may open (of one kind, in one campaign)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return SearchEntry.objects.none()
    types = ContentType.objects.get_for_models(*(s.model for s in _kinds(kind)))
    condition = Q(pk__in=[])
    for model, content_type in types.items():
        # Correlated (EXISTS on the record's pk), not IN: the index walks its matches and
        # checks each; a list of every text a province's office may open is never built.
        rows = originals.readable(model._meta.label, user).filter(pk=OuterRef("object_id"))
        condition |= Q(content_type=content_type) & Q(Exists(rows))
    qs = SearchEntry.objects.filter(condition)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


# ---------------------------------------------------------------- the query


@dataclass(frozen=True)
class Query:
    text: str  # what is searched (the typed text, cut to MAX_QUERY_CHARS)
    words: tuple[str, ...]
    truncated: bool


def parse_query(text: str) -> Query:
    """The words every hit must hold, longest first, each once."""
    text = (text or "").strip()
    truncated = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    found = list(dict.fromkeys(words_mod.words(text)))
    truncated = truncated or len(found) > MAX_WORDS
    return Query(text, tuple(found[:MAX_WORDS]), truncated)


def _fts5_phrase(word: str) -> str:
    """A word as an FTS5 string: double quotes doubled, so it stays one phrase."""
    return '"' + word.replace('"', '""') + '"'


def _ranked_ids(entries: QuerySet[SearchEntry], query: Query, limit: int) -> list[int]:
    """Ids of the matching entries among ``entries``, best first, at most ``limit``.

    The index hands its matches newest first and each is checked against ``entries`` as
    it comes (a correlated subquery); the first ``limit`` found are then ranked. Ranking
    every match of a common word would cost a province's office half a second; ranking
    the latest thousand costs milliseconds, and the page says when there were more."""
    if connection.vendor == "sqlite":
        allowed = entries.filter(pk=RawSQL(f"{FTS_TABLE}.rowid", ())).order_by().values("pk")
        allowed_sql, allowed_params = allowed.query.sql_with_params()
        match = " AND ".join(_fts5_phrase(w) for w in query.words)
        sql = (
            f"SELECT id FROM (SELECT rowid AS id, rank AS score FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND EXISTS ({allowed_sql}) "
            f"ORDER BY rowid DESC LIMIT %s) ORDER BY score, id DESC"
        )
        params = (match, *allowed_params, limit)
    elif connection.vendor == "postgresql":
        table = SearchEntry._meta.db_table
        allowed = entries.filter(pk=RawSQL("m.id", ())).order_by().values("pk")
        allowed_sql, allowed_params = allowed.query.sql_with_params()
        # ``search_vector``: the tokens' tsvector, a stored column (migration 0003).
        sql = (
            f"SELECT id FROM (SELECT m.id, ts_rank(m.search_vector, q) AS score "
            f"FROM {table} m, plainto_tsquery('simple', %s) AS q "
            f"WHERE m.search_vector @@ q AND EXISTS ({allowed_sql}) "
            f"ORDER BY m.id DESC LIMIT %s) AS latest ORDER BY score DESC, id DESC"
        )
        params = (" ".join(query.words), *allowed_params, limit)
    else:  # pragma: no cover - the two databases taolun runs on
        raise NotImplementedError(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# ---------------------------------------------------------------- the page


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    unit: str  # empty for an anonymous opinion read by anyone but its author
    written_at: dt.datetime
    url: str
    snippet: SafeString


@dataclass(frozen=True)
class SearchPage:
    query: Query
    hits: list[Hit]
    total: int
    more: bool  # more than ``total`` texts match; only the first ``total`` are ranked
    number: int
    pages: int

    @property
    def first_rank(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def search(
    user: User,
    query: str,
    *,
    kind: str | None = None,
    campaign: Campaign | None = None,
    page: int = 1,
) -> SearchPage:
    """The ``page``-th page of texts ``user`` may open that hold every word of ``query``.

    An empty query, or one of punctuation only, has no words and finds nothing (no query
    runs). At most ``MAX_HITS`` hits are ranked; ``more`` says when there were more.
    """
    parsed = parse_query(query)
    if not parsed.words:
        return SearchPage(parsed, [], 0, False, 1, 1)
    ids = _ranked_ids(visible_entries(user, kind=kind, campaign=campaign), parsed, MAX_HITS + 1)
    more = len(ids) > MAX_HITS
    ids = ids[:MAX_HITS]
    pages = max(1, -(-len(ids) // PAGE_SIZE))
    number = min(max(1, page), pages)
    shown = ids[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    return SearchPage(parsed, _hits(shown, parsed), len(ids), more, number, pages)


def _hits(ids: list[int], query: Query) -> list[Hit]:
    if not ids:
        return []
    entries = SearchEntry.objects.filter(pk__in=ids).select_related("unit", "content_type")
    by_id = {e.pk: e for e in entries}
    ordered = [by_id[i] for i in ids if i in by_id]
    links = _links(ordered)
    pattern = _pattern(query.words)
    hits = []
    for entry in ordered:
        model = entry.content_type.model_class()
        hits.append(
            Hit(
                kind=str(model._meta.verbose_name) if model else "",
                title=entry.title or _shorten(entry.text, 40) or _("(untitled)"),
                # An anonymous opinion's entry keeps no unit (``sources``).
                unit="" if entry.unit is None else entry.unit.display_name,
                written_at=entry.written_at,
                url=links.get((entry.content_type_id, entry.object_id), ""),
                snippet=snippet(entry.text, pattern),
            )
        )
    return hits


def _links(entries: list[SearchEntry]) -> dict[tuple[int, int], str]:
    """The page of each entry's record (all are readable: ``visible_entries`` kept them)."""
    by_kind: dict[int, list[int]] = {}
    for entry in entries:
        by_kind.setdefault(entry.content_type_id, []).append(entry.object_id)
    out: dict[tuple[int, int], str] = {}
    for ct_id, pks in by_kind.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is not None:
            for pk, url in originals.urls(model._meta.label, pks).items():
                out[(ct_id, pk)] = url
    return out


# ---------------------------------------------------------------- snippets


def _pattern(found: tuple[str, ...]) -> re.Pattern[str] | None:
    """The query's words as one case-insensitive alternation, longest first, so 整改落实
    is marked whole rather than as 整改 and 落实."""
    if not found:
        return None
    ordered = sorted(found, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def _shorten(text: str, chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[: chars - 1] + "…"


def snippet(text: str, pattern: re.Pattern[str] | None, chars: int = SNIPPET_CHARS) -> SafeString:
    """A window of ``text`` around the first matched word, escaped, each word in <mark>."""
    text = " ".join((text or "").split())
    first = pattern.search(text) if pattern else None
    start = 0
    if first is not None and first.start() > chars // 3:
        start = first.start() - chars // 3
    window = text[start : start + chars]
    parts = ["…" if start else ""]
    last = 0
    for match in pattern.finditer(window) if pattern else ():
        parts.append(escape(window[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(window[last:]))
    if start + chars < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # every piece of text above went through escape()
