"""Reporting upward and outward (信息报送, 宣传, 典型, 制度成果, 总结).

A **brief** (信息) is written by a unit's contact, signed off by the unit's head and
submitted to its campaign's office, which returns it or adopts it (采用), with an edited
text if it likes; an adopted brief may be forwarded to the office of the parent
campaign, which reviews it again, and so on up. Each level the brief reaches is one
``BriefReview`` row, so each level's decision, date and text are kept side by side;
``BriefEvent`` keeps every move for the timeline.

Adopted briefs and approved typical cases are published on **channels** (data: the
portal, the WeChat account, Weibo, the internal bulletin); publications on public
channels appear on the platform's public page and Atom feed, and nothing else does.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from taolun.activities.models import Meeting
from taolun.campaigns.models import Action, Campaign, Theme
from taolun.core import clock
from taolun.core.models import OptionalFile
from taolun.org.models import Unit, UnitKind
from taolun.rectification.models import Problem


class BriefKind(models.TextChoices):
    NEWS = "news", _("Work news")
    RESEARCH = "research", _("Research piece")


class BriefState(models.TextChoices):
    """Where a brief stands in its own unit and at its own office (level 1)."""

    DRAFT = "draft", _("Draft")
    SIGNING = "signing", _("Awaiting sign-off")
    SIGNED = "signed", _("Signed off")
    SUBMITTED = "submitted", pgettext_lazy("state", "Submitted")
    RETURNED = "returned", _("Returned")
    ADOPTED = "adopted", _("Adopted")


# The legal moves of a brief in its unit and at its own office: (from, to) -> verb.
# A returned brief is edited and signed off again. Moves at higher levels are on
# ``BriefReview`` (REVIEW_TRANSITIONS).
BRIEF_TRANSITIONS: dict[tuple[str, str], str] = {
    (BriefState.DRAFT, BriefState.SIGNING): "send_for_signoff",
    (BriefState.RETURNED, BriefState.SIGNING): "send_for_signoff",
    (BriefState.SIGNING, BriefState.SIGNED): "sign",
    (BriefState.SIGNING, BriefState.DRAFT): "send_back",
    (BriefState.SIGNED, BriefState.SUBMITTED): "submit",
    (BriefState.SUBMITTED, BriefState.RETURNED): "return",
    (BriefState.SUBMITTED, BriefState.ADOPTED): "adopt",
}
BRIEF_EDITABLE = frozenset({BriefState.DRAFT, BriefState.RETURNED})
# States the unit keeps to itself: its office does not see them.
BRIEF_UNIT_ONLY = frozenset({BriefState.DRAFT, BriefState.SIGNING, BriefState.SIGNED})


class Brief(models.Model):
    """A unit's news item or research piece reported to its campaign's office."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="briefs", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="briefs", verbose_name=_("reporting unit")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=BriefKind.choices, default=BriefKind.NEWS
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="briefs",
        verbose_name=_("related action"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="briefs",
        verbose_name=_("related meeting"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="briefs",
        verbose_name=_("written by"),
    )
    byline = models.CharField(
        _("authors"),
        max_length=120,
        blank=True,
        help_text=_("The names printed under the brief (撰稿人); the writer's own by default."),
    )
    phone = models.CharField(_("contact phone"), max_length=30)
    state = models.CharField(
        _("state"), max_length=20, choices=BriefState.choices, default=BriefState.DRAFT
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # On the platform's clock, so a brief written on a pinned day is dated that day.
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("brief")
        verbose_name_plural = _("briefs")
        indexes = [
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["unit", "state"]),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.updated_at = clock.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reporting:brief_detail", kwargs={"pk": self.pk})


class BriefPhoto(OptionalFile):
    """A photo printed with the brief (an image, checked by content)."""

    brief = models.ForeignKey(
        Brief, on_delete=models.CASCADE, related_name="photos", verbose_name=_("brief")
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or self.original_name


class ReviewState(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    RETURNED = "returned", _("Returned")
    ADOPTED = "adopted", _("Adopted")


# At a level above the brief's own, a returned brief may be forwarded again (after the
# office below edited its text); an adopted one is final at that level.
REVIEW_TRANSITIONS: dict[tuple[str, str], str] = {
    (ReviewState.PENDING, ReviewState.RETURNED): "return",
    (ReviewState.PENDING, ReviewState.ADOPTED): "adopt",
    (ReviewState.RETURNED, ReviewState.PENDING): "forward",
}


class BriefReview(models.Model):
    """One office's review of a brief: level 1 is the brief's own campaign's office,
    level 2 the parent campaign's, and so on. The edited text, if any, is this level's
    version; the brief's own title and body stay the original."""

    brief = models.ForeignKey(
        Brief, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("brief")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="brief_reviews",
        verbose_name=_("reviewing campaign"),
    )
    level = models.PositiveSmallIntegerField(_("level"))
    state = models.CharField(
        _("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    received_at = models.DateTimeField(_("received at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comments"), blank=True)
    title = models.CharField(
        _("adopted title"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to keep the title as received."),
    )
    body = models.TextField(
        _("adopted text"), blank=True, help_text=_("Leave empty to keep the text as received.")
    )
    forwarded = models.BooleanField(_("forwarded up"), default=False)

    class Meta:
        ordering = ["brief", "level"]
        verbose_name = _("brief review")
        verbose_name_plural = _("brief reviews")
        constraints = [
            models.UniqueConstraint(fields=["brief", "level"], name="reporting_review_level"),
            models.UniqueConstraint(fields=["brief", "campaign"], name="reporting_review_campaign"),
        ]
        indexes = [models.Index(fields=["campaign", "state", "received_at"])]

    def __str__(self) -> str:
        return f"{self.brief} @ {self.campaign} ({self.get_state_display()})"


class BriefEvent(models.Model):
    """One move of a brief, for the timeline: who did what at which level, and why."""

    brief = models.ForeignKey(
        Brief, on_delete=models.CASCADE, related_name="events", verbose_name=_("brief")
    )
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    verb = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comments"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("brief event")
        verbose_name_plural = _("brief events")

    def __str__(self) -> str:
        return f"{self.verb} {self.at:%Y-%m-%d}"


class QuotaPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    CAMPAIGN = "campaign", _("Whole campaign")


class QuotaMeasure(models.TextChoices):
    SUBMITTED = "submitted", _("briefs submitted")
    ADOPTED = "adopted", _("briefs adopted")


class BriefQuota(models.Model):
    """How many briefs each unit of a kind owes per period (e.g. two a month)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="brief_quotas", verbose_name=_("campaign")
    )
    unit_kind = models.ForeignKey(
        UnitKind, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit category")
    )
    period = models.CharField(
        _("period"), max_length=20, choices=QuotaPeriod.choices, default=QuotaPeriod.MONTH
    )
    measure = models.CharField(
        _("counts"), max_length=20, choices=QuotaMeasure.choices, default=QuotaMeasure.SUBMITTED
    )
    count = models.PositiveSmallIntegerField(_("at least"))

    class Meta:
        ordering = ["campaign", "unit_kind__order"]
        verbose_name = _("brief quota")
        verbose_name_plural = _("brief quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit_kind", "measure"], name="reporting_quota_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_kind}: {self.count} / {self.get_period_display()}"


class BriefPoints(models.Model):
    """Points a unit earns for each brief adopted at a level (1 = its own office)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="brief_points", verbose_name=_("campaign")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["campaign", "level"]
        verbose_name = _("points for adoption")
        verbose_name_plural = _("points for adoption")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "level"], name="reporting_points_level")
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.points}"


class LeagueTable(models.Model):
    """A published ranking of units by adoption points over a period: a snapshot, so
    what was announced stays what it was when later briefs are adopted."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="league_tables", verbose_name=_("campaign")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    rows = models.JSONField(_("rows"), default=list)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("league table")
        verbose_name_plural = _("league tables")

    def __str__(self) -> str:
        return self.title


class ChannelKind(models.TextChoices):
    PORTAL = "portal", _("Portal website")
    WECHAT = "wechat", _("WeChat official account")
    WEIBO = "weibo", _("Weibo")
    BULLETIN = "bulletin", _("Internal bulletin")
    OTHER = "other", _("Other")


class Channel(models.Model):
    """Where items are published. ``kind`` decides the ready-to-post text; items
    published on a public channel appear on the platform's public page."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Items published here are listed on the platform's public page."),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name=_("whose channel"),
        help_text=_(
            "Offered to the offices of campaigns run at this unit (its portal, its WeChat "
            "account); empty: offered to every office."
        ),
    )
    url = models.URLField(_("address"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name


class CaseKind(models.TextChoices):
    PERSON = "person", _("Person")
    UNIT = "unit", _("Unit")
    PRACTICE = "practice", _("Practice")


class CaseState(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


CASE_TRANSITIONS: dict[tuple[str, str], str] = {
    (CaseState.NOMINATED, CaseState.RETURNED): "return",
    (CaseState.NOMINATED, CaseState.APPROVED): "approve",
    (CaseState.RETURNED, CaseState.NOMINATED): "nominate",
}


class TypicalCase(OptionalFile):
    """A person, unit or practice nominated as a typical example (典型), with its story;
    the optional file is a photo."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="typical_cases", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="typical_cases", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    name = models.CharField(_("name"), max_length=200)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="typical_cases",
        verbose_name=_("person"),
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="typical_cases",
        verbose_name=_("theme"),
    )
    summary = models.CharField(_("in one sentence"), max_length=200, blank=True)
    story = models.TextField(_("story"))
    state = models.CharField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.NOMINATED
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    nominated_at = models.DateTimeField(_("nominated at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comments"), blank=True)

    class Meta:
        ordering = ["-nominated_at", "-id"]
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reporting:case_detail", kwargs={"pk": self.pk})


class PublicationState(models.TextChoices):
    PLANNED = "planned", _("To publish")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Publication(models.Model):
    """An adopted brief or an approved typical case on one channel: the text prepared
    for it, and when and where it went out."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="publications", verbose_name=_("campaign")
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="publications", verbose_name=_("channel")
    )
    brief = models.ForeignKey(
        Brief,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="publications",
        verbose_name=_("brief"),
    )
    case = models.ForeignKey(
        TypicalCase,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="publications",
        verbose_name=_("typical case"),
    )
    title = models.CharField(_("title"), max_length=200)
    digest = models.CharField(_("digest"), max_length=120, blank=True)
    body = models.TextField(_("text"))
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=PublicationState.choices,
        default=PublicationState.PLANNED,
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"))
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    link = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        ordering = ["-published_on", "-marked_at", "-id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.CheckConstraint(
                condition=(Q(brief__isnull=False) & Q(case__isnull=True))
                | (Q(brief__isnull=True) & Q(case__isnull=False)),
                name="reporting_publication_one_item",
            ),
            # Each office publishes an item once on a channel; the federation and the
            # province may both carry it.
            models.UniqueConstraint(
                fields=["campaign", "channel", "brief"],
                condition=Q(brief__isnull=False),
                name="reporting_publication_brief_channel",
            ),
            models.UniqueConstraint(
                fields=["campaign", "channel", "case"],
                condition=Q(case__isnull=False),
                name="reporting_publication_case_channel",
            ),
        ]
        indexes = [models.Index(fields=["state", "published_on"])]

    def __str__(self) -> str:
        return f"{self.title} @ {self.channel}"

    @property
    def item(self) -> Brief | TypicalCase:
        return self.brief if self.brief_id else self.case


class OutcomeKind(models.TextChoices):
    NEW = "new", _("New rule")
    REVISED = "revised", _("Revised rule")


class InstitutionalOutcome(OptionalFile):
    """A rule made or revised in the campaign (制度成果), and what it answers."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("issuing unit")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=OutcomeKind.choices, default=OutcomeKind.NEW
    )
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=80, blank=True)
    issued_on = models.DateField(_("issued on"))
    revises = models.CharField(
        _("replaces or revises"),
        max_length=200,
        blank=True,
        help_text=_("The earlier rule, for a revised one."),
    )
    summary = models.TextField(_("main content"), blank=True)
    problems = models.ManyToManyField(
        Problem, blank=True, related_name="outcomes", verbose_name=_("problems it answers")
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="outcomes", verbose_name=_("themes it answers")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("institutional outcome")
        verbose_name_plural = _("institutional outcomes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reporting:outcome_detail", kwargs={"pk": self.pk})


class SummaryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class CampaignSummary(models.Model):
    """The campaign's closing summary: assembled from the data as a draft the office
    edits, then finalised (and no longer edited)."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="summary", verbose_name=_("campaign")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    state = models.CharField(
        _("state"), max_length=20, choices=SummaryState.choices, default=SummaryState.DRAFT
    )
    assembled_at = models.DateTimeField(_("assembled at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    updated_at = models.DateTimeField(_("updated at"))
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finalised by"),
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign summary")
        verbose_name_plural = _("campaign summaries")

    def __str__(self) -> str:
        return self.title


class IssueState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class BriefIssue(models.Model):
    """An issue of the campaign's bulletin (简报): a masthead, a number, the editor and
    date, and adopted briefs in order."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="brief_issues", verbose_name=_("campaign")
    )
    masthead = models.CharField(_("masthead"), max_length=60)
    number = models.PositiveSmallIntegerField(_("issue number"))
    editor = models.CharField(_("edited by"), max_length=120)
    issued_on = models.DateField(_("date"))
    recipients = models.TextField(
        _("distribution"),
        blank=True,
        help_text=_("Printed at the foot: 报, 送, 发 — one line each."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=IssueState.choices, default=IssueState.DRAFT
    )
    briefs = models.ManyToManyField(
        Brief, through="BriefIssueItem", related_name="issues", verbose_name=_("items")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("bulletin issue")
        verbose_name_plural = _("bulletin issues")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="reporting_issue_number")
        ]

    def __str__(self) -> str:
        return f"{self.masthead} {self.number}"


class BriefIssueItem(models.Model):
    issue = models.ForeignKey(BriefIssue, on_delete=models.CASCADE, related_name="items")
    brief = models.ForeignKey(Brief, on_delete=models.PROTECT, related_name="issue_items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The text as printed, kept when the issue is issued: a later edit of the adopted
    # text (after the level above sent it back) does not change what went out.
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "brief"], name="reporting_issue_item")
        ]

    def __str__(self) -> str:
        return f"{self.issue} #{self.order}"


for _model in (
    Brief,
    BriefPhoto,
    BriefReview,
    BriefQuota,
    BriefPoints,
    LeagueTable,
    Channel,
    TypicalCase,
    Publication,
    InstitutionalOutcome,
    CampaignSummary,
    BriefIssue,
    BriefIssueItem,
):
    auditlog.register(_model)
