"""Study (打牢学习的“奠基石”): the materials the office publishes, what each member
studied and for how long, and the reflections (心得体会) they write."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign, Stage, Theme
from taolun.core.models import OptionalFile
from taolun.org.models import Unit


class StudyMaterial(OptionalFile):
    """A text to study: its body, an attachment, or both.

    ``for_units`` are subtrees: a material is for every person whose unit lies under one
    of them, or for the whole campaign when it names none. Unpublished materials are the
    office's drafts.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="materials", verbose_name=_("campaign")
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="materials",
        verbose_name=_("stage"),
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="materials",
        verbose_name=_("theme"),
    )
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the text comes from.")
    )
    body = models.TextField(_("text"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    due_on = models.DateField(_("study by"), null=True, blank=True)
    for_units = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="+",
        verbose_name=_("for units"),
        help_text=_("Each unit with everything under it; none means every unit."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sessions = models.ManyToManyField(
        "activities.Meeting",
        blank=True,
        related_name="materials",
        verbose_name=_("studied at group sessions"),
    )

    class Meta:
        ordering = ["campaign", "order", "id"]
        verbose_name = _("study material")
        verbose_name_plural = _("study materials")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("study:material_detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class StudyMode(models.TextChoices):
    ALONE = "alone", _("On my own")
    GROUP = "group", _("In a group session")


class StudyLog(models.Model):
    """One sitting of study by one person. A group session's logs point at its meeting
    and are written by the meeting's attendance, not by hand."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="study_logs",
        verbose_name=_("person"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    material = models.ForeignKey(
        StudyMaterial,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="logs",
        verbose_name=_("material"),
    )
    other_title = models.CharField(
        _("other reading"),
        max_length=200,
        blank=True,
        help_text=_("What you studied, when it is not one of the campaign's materials."),
    )
    studied_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("minutes spent"))
    mode = models.CharField(
        _("how"), max_length=10, choices=StudyMode.choices, default=StudyMode.ALONE
    )
    meeting = models.ForeignKey(
        "activities.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="study_logs",
        verbose_name=_("group session"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    class Meta:
        ordering = ["-studied_on", "-id"]
        verbose_name = _("study log")
        verbose_name_plural = _("study logs")
        indexes = [
            models.Index(fields=["campaign", "person"]),
            models.Index(fields=["material", "person"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0) & Q(minutes__lte=1440), name="study_log_minutes_range"
            ),
            models.CheckConstraint(
                condition=Q(material__isnull=False) | ~Q(other_title=""),
                name="study_log_names_what",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.studied_on}"

    @property
    def what(self) -> str:
        return self.material.title if self.material_id else self.other_title


class Reflection(models.Model):
    """心得体会. A draft is the author's alone; submitted, it counts for the unit and its
    contacts and office read it; marked excellent, everyone in the campaign may."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="reflections", verbose_name=_("campaign")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reflections",
        verbose_name=_("author"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    material = models.ForeignKey(
        StudyMaterial,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reflections",
        verbose_name=_("on the material"),
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reflections",
        verbose_name=_("on the theme"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    excellent = models.BooleanField(_("excellent, shared"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        indexes = [
            models.Index(fields=["campaign", "author"]),
            models.Index(fields=["campaign", "excellent"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("study:reflection_detail", kwargs={"pk": self.pk})

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


auditlog.register(StudyMaterial, m2m_fields={"for_units", "sessions"})
auditlog.register(StudyLog)
auditlog.register(Reflection)
