"""A campaign: its plan, themes, stages, actions, leading group and unit plans.

A campaign may run under a parent campaign (the federation's under the province's);
a child copies the parent's themes, stages and prescribed actions and keeps a link
to each origin. Each unit of the campaign has a row per action in ``ActionStatus``,
kept current on write, so the matrix and every dashboard aggregate one table.
"""

from __future__ import annotations

import datetime as dt

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from taolun.org.models import Unit, slug_validator


class Campaign(models.Model):
    slug = models.CharField(_("slug"), max_length=60, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent campaign"),
    )
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("run by")
    )
    office_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign office seated in"),
    )
    basis_number = models.CharField(_("basis document number"), max_length=80, blank=True)
    basis_title = models.CharField(_("basis document title"), max_length=200, blank=True)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    launch_place = models.CharField(_("launch place"), max_length=120, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    general_requirements = models.TextField(_("general requirements"), blank=True)
    main_tasks = models.TextField(_("main tasks"), blank=True)
    methods = models.TextField(_("methods and steps"), blank=True)
    organisation = models.TextField(_("organisation and leadership"), blank=True)
    leading_group_name = models.CharField(_("leading group name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "slug"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", kwargs={"slug": self.slug})


class Theme(models.Model):
    """A theme as the seed states it: 破除…, 着力解决…问题, 坚持…."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="themes", verbose_name=_("campaign")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    break_with = models.CharField(_("break with"), max_length=120)
    focus_on = models.CharField(_("focus on solving"), max_length=200)
    adhere_to = models.CharField(_("adhere to"), max_length=200)
    origin = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )

    class Meta:
        ordering = ["campaign", "number"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="campaigns_theme_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.break_with}，{self.focus_on}，{self.adhere_to}"


class Stage(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="stages", verbose_name=_("campaign")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=60)
    directive = models.CharField(_("directive"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    origin = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )

    class Meta:
        ordering = ["campaign", "number"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="campaigns_stage_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ActionKind(models.TextChoices):
    PRESCRIBED = "prescribed", _("Prescribed action")
    SELF_SELECTED = "self_selected", _("Self-selected action")


class Approval(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")


class Action(models.Model):
    """A prescribed action (every unit) or one unit's self-selected action."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="actions", verbose_name=_("campaign")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="actions", verbose_name=_("stage")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ActionKind.choices, default=ActionKind.PRESCRIBED
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_actions",
        verbose_name=_("unit (self-selected actions)"),
    )
    approval = models.CharField(
        _("approval"), max_length=20, choices=Approval.choices, default=Approval.APPROVED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    origin = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )

    class Meta:
        ordering = ["campaign", "kind", "number"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"],
                condition=Q(kind="prescribed"),
                name="campaigns_prescribed_number_unique",
            ),
            models.UniqueConstraint(
                fields=["campaign", "unit", "number"],
                condition=Q(kind="self_selected"),
                name="campaigns_selfselected_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind="prescribed", unit__isnull=True)
                | Q(kind="self_selected", unit__isnull=False),
                name="campaigns_action_unit_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.name}"

    @property
    def label(self) -> str:
        if self.kind == ActionKind.SELF_SELECTED:
            return _("Own %(number)s") % {"number": self.number}
        return str(self.number)


class LeadingGroupRole(models.TextChoices):
    HEAD = "head", pgettext_lazy("leading group", "Head")
    DEPUTY = "deputy", pgettext_lazy("leading group", "Deputy head")
    MEMBER = "member", pgettext_lazy("leading group", "Member")
    OFFICE_DIRECTOR = "office_director", pgettext_lazy("leading group", "Office director")


class LeadingGroupMember(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="leading_group", verbose_name=_("campaign")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    position = models.CharField(_("posts held"), max_length=200, blank=True)
    role = models.CharField(_("role in the group"), max_length=20, choices=LeadingGroupRole.choices)
    duties = models.TextField(_("duties"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["campaign", "order", "id"]
        verbose_name = _("leading group member")
        verbose_name_plural = _("leading group members")

    def __str__(self) -> str:
        who = self.person.name if self.person_id else _("(to be named)")
        return f"{self.get_role_display()} {who}"


class UnitPlan(models.Model):
    """A unit's own implementation plan (具体实施方案) for the campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="unit_plans", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="plans", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("plan"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("unit plan")
        verbose_name_plural = _("unit plans")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="campaigns_unitplan_unique")
        ]

    def __str__(self) -> str:
        return self.title


class RecordState(models.TextChoices):
    """The furthest any record of a (unit, action) has come."""

    NONE = "none", _("No record")
    WORKING = "working", _("Draft or returned")
    SUBMITTED = "submitted", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")


class CellStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
    DONE = "done", _("Done")
    DONE_LATE = "done_late", _("Done late")
    OVERDUE = "overdue", _("Overdue")


class ActionStatus(models.Model):
    """One row per (unit, action), updated whenever a record of it changes."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="action_statuses", verbose_name=_("unit")
    )
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="statuses", verbose_name=_("action")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="+", verbose_name=_("stage")
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    record_state = models.CharField(
        _("furthest record state"),
        max_length=20,
        choices=RecordState.choices,
        default=RecordState.NONE,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    records_count = models.PositiveIntegerField(_("number of records"), default=0)
    latest_record = models.ForeignKey(
        "activities.ActivityRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest record"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("action status")
        verbose_name_plural = _("action statuses")
        constraints = [
            models.UniqueConstraint(fields=["unit", "action"], name="campaigns_actionstatus_unique")
        ]
        indexes = [models.Index(fields=["campaign", "record_state"])]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.action_id}: {self.record_state}"

    def status(self, today: dt.date) -> str:
        """The cell's status on ``today``; mirrors :func:`status_expression`."""
        if self.record_state == RecordState.ACCEPTED:
            if self.due_on and self.completed_on and self.completed_on > self.due_on:
                return CellStatus.DONE_LATE
            return CellStatus.DONE
        if self.due_on and today > self.due_on:
            return CellStatus.OVERDUE
        if self.record_state == RecordState.SUBMITTED:
            return CellStatus.AWAITING_REVIEW
        if self.record_state == RecordState.WORKING:
            return CellStatus.IN_PROGRESS
        return CellStatus.NOT_STARTED


def status_expression(today: dt.date) -> Case:
    """The cell status as SQL, so dashboards can count statuses without loading rows."""
    return Case(
        When(
            record_state=RecordState.ACCEPTED,
            due_on__isnull=False,
            completed_on__gt=F("due_on"),
            then=Value(CellStatus.DONE_LATE),
        ),
        When(record_state=RecordState.ACCEPTED, then=Value(CellStatus.DONE)),
        When(due_on__lt=today, then=Value(CellStatus.OVERDUE)),
        When(record_state=RecordState.SUBMITTED, then=Value(CellStatus.AWAITING_REVIEW)),
        When(record_state=RecordState.WORKING, then=Value(CellStatus.IN_PROGRESS)),
        default=Value(CellStatus.NOT_STARTED),
        output_field=models.CharField(),
    )


for model in (Campaign, Theme, Stage, Action, LeadingGroupMember, UnitPlan):
    auditlog.register(model)
