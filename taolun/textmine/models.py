"""What the text side stores: one near-copy signature and one search entry per text.

Both are derived from a business record (a reflection, an opinion, a brief, an activity
record, a meeting statement …) and rebuilt from it whenever it is saved, so they are never
edited by hand and carry no audit of their own: the record they derive from is audited.
``content_type``/``object_id`` name that record; ``campaign`` and ``unit`` are copied from it
so a scan or a search reads one table, scoped over the unit's materialised path, without
joining every kind of text.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign
from taolun.org.models import Unit


class DerivedText(models.Model):
    """The fields every derived row shares: which record, where and by whom it was written."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("kind of text")
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    source = GenericForeignKey("content_type", "object_id")
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    written_at = models.DateTimeField(_("written at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TextSignature(DerivedText):
    """A text's MinHash signature (``copies.signature``), computed once when it is saved.

    ``signature`` is empty for a text too short to compare; ``chars`` is the length of the
    normalised text, shown beside a group so the office sees how much was copied.
    """

    signature = models.BinaryField(_("signature"), null=True, blank=True)
    chars = models.PositiveIntegerField(_("characters"), default=0)

    class Meta:
        verbose_name = _("text signature")
        verbose_name_plural = _("text signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="textmine_signature_one_per_text"
            )
        ]
        indexes = [models.Index(fields=["campaign", "written_at"])]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"


class SearchEntry(DerivedText):
    """One searchable text: its title and plain text for the results page, and ``tokens``,
    the same words segmented by jieba and joined by spaces, which the full-text index reads
    (SQLite FTS5 and PostgreSQL both split on spaces; neither segments Chinese itself)."""

    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    tokens = models.TextField(_("words"), blank=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="textmine_search_one_per_text"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "content_type"]),
            models.Index(fields=["unit"]),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.content_type_id}:{self.object_id}"


class ScanState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CopyScan(models.Model):
    """One search for near-copies among the texts of a campaign under one unit.

    A scan over a province's texts takes tens of seconds, so it runs as a task and its
    groups are kept: the office reads the last finished scan and may ask for a new one.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("texts written under"),
    )
    threshold = models.FloatField(_("similarity threshold"), default=0.8)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ScanState.choices, default=ScanState.QUEUED
    )
    texts = models.PositiveIntegerField(_("texts compared"), default=0)
    groups = models.PositiveIntegerField(_("groups found"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("copy scan")
        verbose_name_plural = _("copy scans")
        indexes = [models.Index(fields=["campaign", "unit", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.unit} · {self.created_at:%Y-%m-%d %H:%M}"


class CopyMatch(models.Model):
    """One text in one group of a scan; ``similarity`` is to the group's first text (the
    earliest written), which has ``first`` set and similarity 1."""

    scan = models.ForeignKey(
        CopyScan, on_delete=models.CASCADE, related_name="matches", verbose_name=_("scan")
    )
    group = models.PositiveIntegerField(_("group"))
    text = models.ForeignKey(
        TextSignature, on_delete=models.CASCADE, related_name="+", verbose_name=_("text")
    )
    first = models.BooleanField(_("written first"), default=False)
    similarity = models.FloatField(_("similarity"))

    class Meta:
        ordering = ["scan", "group", "-first", "text__written_at", "id"]
        verbose_name = _("copy match")
        verbose_name_plural = _("copy matches")
        constraints = [
            models.UniqueConstraint(fields=["scan", "text"], name="textmine_match_once_per_scan")
        ]

    def __str__(self) -> str:
        return f"{self.scan_id}#{self.group}: {self.text_id}"


# Only the request for a scan is worth a line in the audit log: the states it moves through
# are its own bookkeeping (auditlog logs an update only when an included field changed).
auditlog.register(CopyScan, include_fields=["campaign", "unit", "threshold", "requested_by"])
