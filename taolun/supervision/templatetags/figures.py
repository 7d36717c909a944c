"""Dashboard figures as HTML, in Python: a township's page has a row of thirteen figures for
each of its villages, and rendering those through template includes cost more than all of
the page's queries together."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from taolun.supervision.rollups import UnitFigures

register = template.Library()


def _dash() -> str:
    return format_html(
        '<span aria-hidden="true">—</span><span class="visually-hidden">{}</span>',
        gettext("nothing to count"),
    )


def _percent(value: float) -> str:
    return f"{round(float(value) * 100)}%"


@register.simple_tag
def rate(value: float | None) -> SafeString:
    """A rate (0–1, or None) as a whole percent, or a dash with words for screen readers."""
    return _dash() if value is None else mark_safe(_percent(value))  # digits only


@register.simple_tag
def figure_cells(f: UnitFigures) -> SafeString:
    """The figures of one subtree as the table cells under ``_unit_figures_head.html``.

    Every cell is a number this function formats itself, so the row is joined as one
    string rather than escaped cell by cell: a township's 75 rows of 13 cells went through
    Django's ``localize`` and ``format_html`` a thousand times per page."""
    n = localize if settings.USE_THOUSAND_SEPARATOR else str
    dash = None
    p, s = f.prescribed.overall, f.self_selected.overall
    per_member = f.participation_per_member
    rates = []
    for value in (f.completion_rate, f.timeliness):
        if value is None:
            dash = dash or _dash()
            rates.append(dash)
        else:
            rates.append(_percent(value))
    cells = (
        f"{n(p.completed)} / {n(p.total)}",
        n(p.overdue),
        f"{n(s.completed)} / {n(s.total)}",
        *rates,
        n(f.problems_open),
        n(f.problems_overdue),
        f"{n(f.problems_verified_on_time)} / {n(f.problems_verified)}",
        n(f.briefs_adopted_here),
        n(f.briefs_adopted_above),
        n(f.participation),
        n(f.members),
        "—" if per_member is None else floatformat(per_member, 2),
    )
    return mark_safe(  # numbers and the fixed dash only
        "".join(f'<td class="text-end">{cell}</td>' for cell in cells)
    )
