"""Work targets (重点目标任务): the areas the year's work is measured in, their
indicators, and the values units report for each period.

An indicator belongs to a target area and to the unit responsible for it; that unit and
every unit below it report their own value for each period (the value reached by the end
of the period, not the period's increment). A unit's rolled-up value is the sum (or the
average) of what was reported in its subtree for the period, computed in SQL over the
materialised path; progress is how far the rolled-up value has come from the baseline
towards the target.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign
from taolun.org.models import Unit

_VALUE = {"max_digits": 16, "decimal_places": 2}


class TargetArea(models.Model):
    """One of the year's target areas, e.g. 坚决打赢贫困残疾人脱贫攻坚战."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="target_areas", verbose_name=_("campaign")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("target area")
        verbose_name_plural = _("target areas")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="targets_area_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum of the units' values")
    AVERAGE = "average", _("Average of the units' values")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF_YEAR = "half_year", _("Half-yearly")
    YEAR = "year", _("Yearly")


class Indicator(models.Model):
    area = models.ForeignKey(
        TargetArea, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("area")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    measure = models.CharField(_("unit of measure"), max_length=40, blank=True)
    baseline = models.DecimalField(_("baseline"), default=0, **_VALUE)
    target = models.DecimalField(_("target"), **_VALUE)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    aggregation = models.CharField(
        _("rolled up as"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("responsible unit"),
    )
    period = models.CharField(
        _("reporting period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    starts_on = models.DateField(_("reported from"))
    ends_on = models.DateField(_("reported until"))

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["area", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "number"], name="targets_indicator_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="targets_indicator_period_order",
            ),
            models.CheckConstraint(
                condition=~Q(target=models.F("baseline")),
                name="targets_indicator_target_differs",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorReport(models.Model):
    """A unit's own value of an indicator at the end of one period."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="reports", verbose_name=_("indicator")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="indicator_reports", verbose_name=_("unit")
    )
    period_start = models.DateField(_("period"))
    value = models.DecimalField(_("value"), **_VALUE)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator report")
        verbose_name_plural = _("indicator reports")
        ordering = ["indicator", "period_start", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period_start"], name="targets_report_unique"
            )
        ]
        indexes = [models.Index(fields=["indicator", "period_start"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.unit} {self.period_start}: {self.value}"


for model in (TargetArea, Indicator, IndicatorReport):
    auditlog.register(model)
