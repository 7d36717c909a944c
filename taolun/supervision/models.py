"""Supervision (督导): inspections with their findings, and the office's scoring scheme.

A supervisor visits a unit and records what was checked and what was found; a finding of
a problem can become a problem of the rectification ledger in one step (the problem links
back to it as its source). The office's **scoring scheme** weighs each unit's action
completion, timeliness, rectification, adopted briefs and participation, and deducts
points for problem findings; units are ranked within a level of the tree.

Dashboards and scores are computed from the other apps' tables (``rollups.py``): this
app stores only what supervisors and the office enter.
"""

from __future__ import annotations

from decimal import Decimal

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign, Theme
from taolun.org.models import Unit

_POINTS = {"max_digits": 6, "decimal_places": 2}
_NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


class Inspection(models.Model):
    """A supervisor's visit to a unit (督导检查): who went, when, what they checked."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("unit visited")
    )
    visited_on = models.DateField(_("visited on"))
    team_name = models.CharField(_("team"), max_length=120, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="inspections_joined",
        verbose_name=_("members on the platform"),
    )
    other_members = models.CharField(_("other members"), max_length=300, blank=True)
    checked = models.TextField(_("what was checked"))
    summary = models.TextField(_("overall assessment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["campaign", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.visited_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:inspection", args=[self.pk])


class FindingKind(models.TextChoices):
    PROBLEM = "problem", _("Problem found")
    GOOD_PRACTICE = "good_practice", _("Good practice")


class Finding(models.Model):
    """One thing an inspection found, about the unit visited or a unit below it."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="findings", verbose_name=_("inspection")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=FindingKind.choices, default=FindingKind.PROBLEM
    )
    text = models.TextField(_("finding"))
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("unit concerned")
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("theme"),
    )
    # Points this finding takes off the unit's score; empty = the scheme's default.
    deduction = models.DecimalField(
        _("points deducted"), null=True, blank=True, validators=_NOT_NEGATIVE, **_POINTS
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "number"], name="supervision_finding_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(deduction__isnull=True) | Q(deduction__gte=0),
                name="supervision_finding_deduction_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} #{self.number}"

    def get_absolute_url(self) -> str:
        return (
            reverse("supervision:inspection", args=[self.inspection_id]) + f"#finding-{self.number}"
        )


class ScoringScheme(models.Model):
    """How the office scores its units: five weighted parts (summing to 100) less
    deductions for problem findings, capped."""

    campaign = models.OneToOneField(
        Campaign,
        on_delete=models.CASCADE,
        related_name="scoring_scheme",
        verbose_name=_("campaign"),
    )
    weight_actions = models.DecimalField(
        _("action completion"), default=Decimal(30), validators=_NOT_NEGATIVE, **_POINTS
    )
    weight_timeliness = models.DecimalField(
        _("timeliness"), default=Decimal(20), validators=_NOT_NEGATIVE, **_POINTS
    )
    weight_rectification = models.DecimalField(
        _("rectification"), default=Decimal(25), validators=_NOT_NEGATIVE, **_POINTS
    )
    weight_briefs = models.DecimalField(
        _("briefs adopted"), default=Decimal(10), validators=_NOT_NEGATIVE, **_POINTS
    )
    weight_participation = models.DecimalField(
        _("participation"), default=Decimal(15), validators=_NOT_NEGATIVE, **_POINTS
    )
    deduction_per_finding = models.DecimalField(
        _("points deducted per problem found"),
        default=Decimal(2),
        validators=_NOT_NEGATIVE,
        **_POINTS,
    )
    deduction_cap = models.DecimalField(
        _("most points deducted"),
        default=Decimal(20),
        validators=_NOT_NEGATIVE,
        **_POINTS,
    )
    # Adopted briefs per unit that earn the whole weight; 0 = relative to the level's best.
    briefs_for_full_marks = models.PositiveIntegerField(_("briefs for full marks"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    WEIGHT_FIELDS = (
        "weight_actions",
        "weight_timeliness",
        "weight_rectification",
        "weight_briefs",
        "weight_participation",
    )

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")

    def __str__(self) -> str:
        return str(self.campaign)

    @property
    def total_weight(self) -> Decimal:
        return sum((getattr(self, f) for f in self.WEIGHT_FIELDS), Decimal(0))


auditlog.register(Inspection, m2m_fields={"members"})
auditlog.register(Finding)
auditlog.register(ScoringScheme)


class RollupSnapshot(models.Model):
    """The rollup of a big subtree, computed in the background by the same code as the live
    one, so the dashboards of a province and its cities answer at once (see snapshots.py)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    # 1: the unit's direct children (the dashboard); N: the units N levels below (scores).
    depth = models.PositiveSmallIntegerField(_("depth"))
    day = models.DateField(_("figures of the day"))
    computed_at = models.DateTimeField(_("computed at"))
    units_below = models.PositiveIntegerField(_("units below"))
    data = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("rollup snapshot")
        verbose_name_plural = _("rollup snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "depth"], name="supervision_snapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.depth} @ {self.computed_at:%Y-%m-%d %H:%M}"
