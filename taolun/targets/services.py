"""Writes for work targets: the office's areas and indicators, the units' reported values.

Each service checks the actor's permission (``targets/access.py``), validates with
errors keyed by the form field they concern, and writes under ``audited(actor)`` —
updating a reported value keeps the earlier one in the audit log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.sanitize import clean_html
from taolun.org.models import Unit, User
from taolun.targets.access import may_manage, may_report
from taolun.targets.models import (
    Aggregation,
    Direction,
    Indicator,
    IndicatorReport,
    PeriodKind,
    TargetArea,
)
from taolun.targets.periods import period_list

# Values are stored with 16 digits, 2 after the point.
MAX_VALUE = Decimal("99999999999999.99")
MAX_NOTE = 2000


def _check_value(value: object, field: str, errors: dict[str, str]) -> Decimal | None:
    """``value`` as a Decimal of two places, or an error on ``field``."""
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter a number, e.g. 120 or 95.5.")
        return None
    if not number.is_finite():
        errors[field] = _("Enter a number, e.g. 120 or 95.5.")
        return None
    if abs(number) > MAX_VALUE:
        errors[field] = _("The number is too large.")
        return None
    return number.quantize(Decimal("0.01"))


# ---------------------------------------------------------------- areas


@transaction.atomic
def area_save(
    *,
    actor: User,
    campaign: Campaign,
    number: int,
    name: str,
    description: str = "",
    area: TargetArea | None = None,
) -> TargetArea:
    """Add a target area to the campaign (``area`` None) or edit one of its areas."""
    if not may_manage(actor, campaign):
        raise PermissionDenied
    if area is not None and area.campaign_id != campaign.pk:
        raise PermissionDenied
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Give the target area a name.")
    if number is None or number < 1:
        errors["number"] = _("Number the area from 1.")
    elif (
        TargetArea.objects.filter(campaign=campaign, number=number)
        .exclude(pk=area.pk if area else None)
        .exists()
    ):
        errors["number"] = _("Another target area of this campaign has number %(n)s.") % {
            "n": number
        }
    if errors:
        raise ValidationError(errors)
    area = area or TargetArea(campaign=campaign)
    area.number = number
    area.name = name
    area.description = clean_html(description)
    with audited(actor):
        area.save()
    return area


# ---------------------------------------------------------------- indicators


@transaction.atomic
def indicator_save(
    *,
    actor: User,
    area: TargetArea,
    number: int,
    name: str,
    target: Decimal | str,
    responsible_unit: Unit,
    starts_on: dt.date,
    ends_on: dt.date,
    measure: str = "",
    baseline: Decimal | str = Decimal(0),
    direction: str = Direction.HIGHER,
    aggregation: str = Aggregation.SUM,
    period: str = PeriodKind.QUARTER,
    indicator: Indicator | None = None,
) -> Indicator:
    """Add an indicator to the area (``indicator`` None) or edit one of its indicators.

    An indicator whose units have reported keeps its reports: changing its period kind
    or dates leaves reports outside the new periods in the history, not on the page.
    """
    campaign = area.campaign
    if not may_manage(actor, campaign):
        raise PermissionDenied
    if indicator is not None and indicator.area.campaign_id != campaign.pk:
        raise PermissionDenied
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Give the indicator a name.")
    if number is None or number < 1:
        errors["number"] = _("Number the indicator from 1.")
    elif (
        Indicator.objects.filter(area=area, number=number)
        .exclude(pk=indicator.pk if indicator else None)
        .exists()
    ):
        errors["number"] = _("Another indicator of this area has number %(n)s.") % {"n": number}
    base = _check_value(baseline, "baseline", errors)
    goal = _check_value(target, "target", errors)
    if direction not in Direction.values:
        errors["direction"] = _("Choose whether higher or lower is better.")
    if aggregation not in Aggregation.values:
        errors["aggregation"] = _("Choose how units' values are rolled up.")
    if period not in PeriodKind.values:
        errors["period"] = _("Choose a reporting period.")
    if base is not None and goal is not None:
        if base == goal:
            errors["target"] = _("The target must differ from the baseline.")
        elif direction == Direction.HIGHER and goal < base:
            errors["target"] = _(
                "Higher is better, so the target must be above the baseline (%(base)s)."
            ) % {"base": base}
        elif direction == Direction.LOWER and goal > base:
            errors["target"] = _(
                "Lower is better, so the target must be below the baseline (%(base)s)."
            ) % {"base": base}
    if starts_on is None:
        errors["starts_on"] = _("Give the first day reported.")
    if ends_on is None:
        errors["ends_on"] = _("Give the last day reported.")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The last day reported is before the first.")
    owner = campaign.owner_unit
    if responsible_unit is None or not responsible_unit.path.startswith(owner.path):
        errors["responsible_unit"] = _("Choose a unit of this campaign (%(owner)s or below).") % {
            "owner": owner.name
        }
    if errors:
        raise ValidationError(errors)
    indicator = indicator or Indicator(area=area)
    for field, value in {
        "number": number,
        "name": name,
        "measure": measure.strip(),
        "baseline": base,
        "target": goal,
        "direction": direction,
        "aggregation": aggregation,
        "responsible_unit": responsible_unit,
        "period": period,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }.items():
        setattr(indicator, field, value)
    with audited(actor):
        indicator.save()
    return indicator


# ---------------------------------------------------------------- reported values


@transaction.atomic
def report_value(
    actor: User,
    indicator: Indicator,
    unit: Unit,
    period_start: dt.date,
    value: Decimal | str | int | float,
    note: str = "",
) -> IndicatorReport:
    """Record ``unit``'s own value for the period starting ``period_start``, or update it.

    Raises ValidationError naming ``unit``, ``period_start``, ``value`` or ``note`` for
    bad input (a unit outside the responsible subtree, a day that starts none of the
    indicator's periods or a period not begun, not a number, a note too long), and
    PermissionDenied when the actor does not report for the unit (a contact or the
    office over it, see ``access.py``). The earlier value stays in the audit log.
    """
    errors: dict[str, str] = {}
    if not unit.path.startswith(indicator.responsible_unit.path):
        errors["unit"] = _("%(unit)s is not under %(responsible)s, which reports this.") % {
            "unit": unit.name,
            "responsible": indicator.responsible_unit.name,
        }
    elif not may_report(actor, indicator, unit):
        raise PermissionDenied
    starts = {
        p.start: p for p in period_list(indicator.period, indicator.starts_on, indicator.ends_on)
    }
    period = starts.get(period_start)
    if period is None:
        errors["period_start"] = _("Choose one of the indicator's periods.")
    elif not period.has_begun(clock.today()):
        errors["period_start"] = _("%(period)s has not begun yet.") % {"period": period.label}
    number = _check_value(value, "value", errors)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("Keep the note under %(n)s characters.") % {"n": MAX_NOTE}
    if errors:
        raise ValidationError(errors)
    report = IndicatorReport.objects.select_for_update().filter(
        indicator=indicator, unit=unit, period_start=period_start
    ).first() or IndicatorReport(indicator=indicator, unit=unit, period_start=period_start)
    if report.pk and report.value == number and report.note == note:
        return report
    report.value = number
    report.note = note
    report.reported_by = actor
    report.reported_at = clock.now()
    with audited(actor):
        report.save()
    return report
