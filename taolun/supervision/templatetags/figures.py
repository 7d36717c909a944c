"""Dashboard figures as HTML, in Python: a township's page has a row of thirteen figures for
each of its villages, and rendering those through template includes cost more than all of
the page's queries together."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from taolun.supervision.rollups import UnitFigures

register = template.Library()


@register.simple_tag
def rate(value: float | None) -> SafeString:
    """A rate (0–1, or None) as a whole percent, or a dash with words for screen readers."""
    if value is None:
        return format_html(
            '<span aria-hidden="true">—</span><span class="visually-hidden">{}</span>',
            gettext("nothing to count"),
        )
    return format_html("{}%", round(float(value) * 100))


@register.simple_tag
def figure_cells(f: UnitFigures) -> SafeString:
    """The figures of one subtree as the table cells under ``_unit_figures_head.html``."""
    p, s = f.prescribed.overall, f.self_selected.overall
    per_member = f.participation_per_member
    cells = (
        f"{localize(p.completed)} / {localize(p.total)}",
        localize(p.overdue),
        f"{localize(s.completed)} / {localize(s.total)}",
        rate(f.completion_rate),
        rate(f.timeliness),
        localize(f.problems_open),
        localize(f.problems_overdue),
        f"{localize(f.problems_verified_on_time)} / {localize(f.problems_verified)}",
        localize(f.briefs_adopted_here),
        localize(f.briefs_adopted_above),
        localize(f.participation),
        localize(f.members),
        "—" if per_member is None else floatformat(per_member, 2),
    )
    return format_html_join("", '<td class="text-end">{}</td>', ((cell,) for cell in cells))
