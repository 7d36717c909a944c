"""Rich text goes through nh3 on the way in, so what is stored is safe to render."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "span",
}
TAG = re.compile(r"</?[a-zA-Z][^>]*>")

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}


def clean_html(value: str) -> str:
    """Sanitise user HTML; plain text (no tags) becomes paragraphs so line breaks survive."""
    value = (value or "").strip()
    if not value:
        return ""
    if not TAG.search(value):
        paragraphs = [p.strip() for p in value.replace("\r\n", "\n").split("\n") if p.strip()]
        value = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def has_text(cleaned: str) -> bool:
    """Whether sanitised HTML says anything once its tags are gone (``<p>&nbsp;</p>`` does
    not): a rich field that must be written is checked with this, not with truthiness."""
    return bool(html.unescape(TAG.sub("", cleaned)).replace("\xa0", " ").strip())
