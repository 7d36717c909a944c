"""Reporting periods of an indicator: calendar months, quarters, half-years or years.

A period is named by its first calendar day (``IndicatorReport.period_start``), whatever
day of it the indicator starts or ends on, so a unit's report for "2019 Q1" is the same
row whether the indicator runs from 1 January or from 18 February. Pure functions, no
database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from taolun.targets.models import PeriodKind

# Months per period of each kind.
MONTHS: dict[str, int] = {
    PeriodKind.MONTH: 1,
    PeriodKind.QUARTER: 3,
    PeriodKind.HALF_YEAR: 6,
    PeriodKind.YEAR: 12,
}


@dataclass(frozen=True, order=True)
class Period:
    """One calendar period: ``start`` is its first day, ``end`` its last."""

    start: dt.date
    end: dt.date
    kind: str

    @property
    def label(self) -> str:
        year, month = self.start.year, self.start.month
        if self.kind == PeriodKind.MONTH:
            return f"{year}-{month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)s Q%(n)s") % {"year": year, "n": (month - 1) // 3 + 1}
        if self.kind == PeriodKind.HALF_YEAR:
            if month <= 6:
                return _("%(year)s first half") % {"year": year}
            return _("%(year)s second half") % {"year": year}
        return str(year)

    @property
    def key(self) -> str:
        """How a period travels in URLs and forms: its first day, ISO."""
        return self.start.isoformat()

    def has_begun(self, today: dt.date) -> bool:
        return self.start <= today

    def is_closed(self, today: dt.date) -> bool:
        return self.end < today


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that contains ``day``."""
    step = MONTHS[kind]
    start = dt.date(day.year, (day.month - 1) // step * step + 1, 1)
    return Period(start, _add_months(start, step) - dt.timedelta(days=1), kind)


def period_list(kind: str, starts_on: dt.date, ends_on: dt.date) -> list[Period]:
    """Every period of ``kind`` that overlaps ``starts_on`` … ``ends_on``, in order."""
    if ends_on < starts_on:
        return []
    out = []
    period = period_of(kind, starts_on)
    while period.start <= ends_on:
        out.append(period)
        period = period_of(kind, period.end + dt.timedelta(days=1))
    return out


def latest_begun(periods: list[Period], today: dt.date) -> Period | None:
    """The last period that has begun by ``today`` (the one being reported), if any."""
    begun = [p for p in periods if p.has_begun(today)]
    return begun[-1] if begun else None


def latest_closed(periods: list[Period], today: dt.date) -> Period | None:
    """The last period that has ended before ``today``, if any."""
    closed = [p for p in periods if p.is_closed(today)]
    return closed[-1] if closed else None


def headline_period(periods: list[Period], today: dt.date) -> Period | None:
    """The period pages lead with: the last one closed (a value is the value at the end
    of its period, so that one is due), or the running one while none has closed."""
    return latest_closed(periods, today) or latest_begun(periods, today)
