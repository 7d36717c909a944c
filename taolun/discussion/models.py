"""The discussion (大讨论 proper): topics opened by the office or a unit, the opinions
and suggestions (意见建议) members post on them, replies, and the office's answers.

An opinion may be anonymous to everyone reading the site; its author is still stored
and written to the audit trail, which only auditors read.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign, Stage, Theme
from taolun.org.models import Unit


class Topic(models.Model):
    """A question put to a unit's subtree, open between two dates."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="topics", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="topics",
        verbose_name=_("open to"),
        help_text=_("The unit whose people (with everyone under it) take part."),
    )
    question = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("theme"),
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("stage"),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    allow_anonymous = models.BooleanField(_("anonymous opinions allowed"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("discussion topic")
        verbose_name_plural = _("discussion topics")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="discussion_topic_dates"
            )
        ]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("discussion:topic_detail", kwargs={"pk": self.pk})


class OpinionKind(models.TextChoices):
    OPINION = "opinion", _("Opinion")
    SUGGESTION = "suggestion", _("Suggestion")


class Opinion(models.Model):
    """An opinion or suggestion on a topic, or (with ``parent``) a reply to one."""

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("topic")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opinions",
        verbose_name=_("author"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    kind = models.CharField(
        _("kind"), max_length=20, choices=OpinionKind.choices, default=OpinionKind.OPINION
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("classified under theme"),
    )
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("classified by"),
    )
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["topic", "created_at", "id"]
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        indexes = [
            models.Index(fields=["topic", "parent"]),
            models.Index(fields=["author"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        """A permalink: it finds the page of the topic the opinion stands on."""
        return reverse("discussion:opinion", kwargs={"pk": self.pk})

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None


auditlog.register(Topic)
auditlog.register(Opinion)
