"""Records that prove an action was carried out, with their evidence."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Action, Campaign
from taolun.org.models import Unit


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


# The legal moves of a record, and who may make them: (from, to) -> verb.
TRANSITIONS: dict[tuple[str, str], str] = {
    (RecordStatus.DRAFT, RecordStatus.SUBMITTED): "submit",
    (RecordStatus.RETURNED, RecordStatus.SUBMITTED): "submit",
    (RecordStatus.SUBMITTED, RecordStatus.ACCEPTED): "accept",
    (RecordStatus.SUBMITTED, RecordStatus.RETURNED): "return",
}
EDITABLE = frozenset({RecordStatus.DRAFT, RecordStatus.RETURNED})


class ActivityRecord(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="records", verbose_name=_("campaign")
    )
    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, related_name="records", verbose_name=_("action")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="records", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date carried out"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    participant_count = models.PositiveIntegerField(
        _("number of participants"), null=True, blank=True
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="records_attended",
        verbose_name=_("named participants"),
    )
    content = models.TextField(_("content"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="records_created",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records_reviewed",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        indexes = [
            models.Index(fields=["unit", "action"]),
            models.Index(fields=["campaign", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class Attachment(models.Model):
    record = models.ForeignKey(
        ActivityRecord,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("record"),
    )
    file = models.FileField(_("file"), upload_to="records/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=220)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("activities:attachment", kwargs={"pk": self.pk})


auditlog.register(ActivityRecord, m2m_fields={"participants"})
auditlog.register(Attachment)
