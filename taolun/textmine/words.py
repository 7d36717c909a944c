"""Chinese words for the full-text index: jieba segments, the database indexes the words.

Neither SQLite's FTS5 nor PostgreSQL's parser can tell where a Chinese word ends, so both are
given text already segmented and joined by spaces, and a query is segmented the same way.
``cut_for_search`` also emits the shorter words inside a long one (整改落实 → 整改, 落实,
整改落实), so a search for a part of a compound still finds it.
"""

from __future__ import annotations

import html
import logging
import re
import threading

from django.utils.html import strip_tags

_WORD_RE = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_ready = False


def _jieba():
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _ready = True
    return jieba


def words(text: str) -> list[str]:
    """The words of ``text`` in order, lower-cased, without punctuation or spaces."""
    if not text:
        return []
    return [w.lower() for w in _jieba().cut_for_search(text) if _WORD_RE.search(w)]


def tokens(text: str) -> str:
    """``words`` joined by spaces: what the index stores for ``text``."""
    return " ".join(words(text))


def plain(text: str) -> str:
    """Rich text (stored as sanitised HTML) as the words a reader sees: tags dropped,
    entities read."""
    return html.unescape(strip_tags(text or ""))
