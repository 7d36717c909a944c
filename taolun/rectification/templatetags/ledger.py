"""Small helpers of the ledger pages: light words and plain-text excerpts."""

from __future__ import annotations

import html

from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator

from taolun.rectification.models import Light

register = template.Library()


@register.filter
def light_label(value: str | None) -> str:
    """The words of a warning light ("Overdue", "Due soon" …): a light is never colour alone."""
    try:
        return str(Light(value).label)
    except ValueError:
        return ""


@register.filter
def excerpt(value: str | None, length: int = 80) -> str:
    """Plain text of sanitised HTML, cut to ``length`` characters; escaped by the template."""
    text = " ".join(html.unescape(strip_tags(value or "")).split())
    return Truncator(text).chars(int(length))


@register.filter
def percent(value: float | None) -> str:
    """A share as a whole percentage ("83%"), or "—" when there is none yet."""
    if value is None:
        return "—"
    return f"{round(value * 100)}%"
