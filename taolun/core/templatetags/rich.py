"""``{{ value|rich }}``: the one way user HTML reaches a page.

Text is sanitised when it is written; rendering sanitises again, so a row written
by any other path (an import, a shell, an old release) still cannot carry script.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from taolun.core.sanitize import clean_html

register = template.Library()


@register.filter
def rich(value: str | None) -> SafeString:
    return mark_safe(clean_html(value or ""))
