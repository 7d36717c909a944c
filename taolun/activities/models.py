"""Records that prove an action was carried out, with their evidence."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Action, Campaign
from taolun.core.models import OptionalFile
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


# ---------------------------------------------------------------- meetings


class MeetingKind(models.Model):
    """Kinds of meeting are data (动员会, 民主生活会, 专题组织生活会, 集中学习 …).

    ``prepared`` kinds follow the democratic life meeting's preparation steps; the
    attendance share and the days the plan goes up in advance are the kind's rules.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    prepared = models.BooleanField(
        _("follows the preparation steps"),
        default=False,
        help_text=_(
            "Democratic life meetings and the like: theme, opinions, talks, check "
            "materials, the plan reported up in advance, the report afterwards."
        ),
    )
    study = models.BooleanField(
        _("is a group study session"),
        default=False,
        help_text=_("Present attendees are logged as having studied the session's materials."),
    )
    required_attendance_percent = models.PositiveSmallIntegerField(
        _("required attendance (%)"),
        null=True,
        blank=True,
        help_text=_("Meetings below this share of attendees present are flagged."),
    )
    report_days_ahead = models.PositiveSmallIntegerField(
        _("plan reported up, days ahead"),
        null=True,
        blank=True,
        help_text=_("How many days before the meeting its plan must reach the higher body."),
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("meeting kind")
        verbose_name_plural = _("meeting kinds")

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """A meeting; its activity record (title, date, place, unit, action, review) is the
    evidence that the action it belongs to was carried out."""

    record = models.OneToOneField(
        ActivityRecord, on_delete=models.CASCADE, related_name="meeting", verbose_name=_("record")
    )
    kind = models.ForeignKey(
        MeetingKind, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("kind")
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings_chaired",
        verbose_name=_("chair"),
    )
    theme = models.CharField(_("theme of the meeting"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    attendees_note = models.CharField(
        _("attendees as described"),
        max_length=300,
        blank=True,
        help_text=_("Who attended, in words (e.g. all members of the leading group)."),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), null=True, blank=True
    )
    reported_up_on = models.DateField(
        _("plan reported to the higher body on"), null=True, blank=True
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous round"),
        help_text=_("Last round's meeting, whose rectification is reviewed first."),
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.record.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", kwargs={"pk": self.pk})


class Attendance(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("person"),
    )
    present = models.BooleanField(_("present"), default=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="activities_attendance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.meeting_id})"


class StatementKind(models.TextChoices):
    SPEECH = "speech", _("Speech")
    PLEDGE = "pledge", _("Statement of commitment")
    READING = "reading", _("Reading")
    CRITICISM = "criticism", _("Criticism and self-criticism")
    CHECK = "check", _("Comparison-and-check statement")
    OTHER = "other", _("Other")


class Statement(OptionalFile):
    """讲话, 表态发言, 宣读, 批评与自我批评 … in the order they were made."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="statements", verbose_name=_("meeting")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=StatementKind.choices)
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("speaker"),
    )
    speaker_title = models.CharField(
        _("speaker's post"),
        max_length=200,
        blank=True,
        help_text=_("The speaker's post as the minutes give it; enough alone when unnamed."),
    )
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("addressed to"),
        help_text=_("For criticism: whom it was addressed to (the speaker for self-criticism)."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class PreparationStep(models.TextChoices):
    """The democratic life meeting's steps, in their order."""

    THEME_SET = "theme_set", _("Theme set")
    OPINIONS_SOLICITED = "opinions_solicited", _("Opinions solicited")
    TALKS_HELD = "talks_held", _("Heart-to-heart talks held")
    CHECK_MATERIALS = "check_materials", _("Comparison-and-check materials written")
    PLAN_REPORTED = "plan_reported", _("Plan reported to the higher body")
    LAST_ROUND_REVIEWED = "last_round_reviewed", _("Last round's rectification reviewed")
    CRITICISM = "criticism", _("Criticism and self-criticism")
    MEASURES = "measures", _("Rectification measures set")
    REPORTED_AFTER = "reported_after", _("Report on the meeting sent up")


class MeetingStep(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="steps", verbose_name=_("meeting")
    )
    step = models.CharField(_("step"), max_length=30, choices=PreparationStep.choices)
    done_on = models.DateField(_("done on"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["meeting", "done_on", "id"]
        verbose_name = _("preparation step")
        verbose_name_plural = _("preparation steps")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "step"], name="activities_meetingstep_unique"
            )
        ]

    def __str__(self) -> str:
        return self.get_step_display()


class HeartTalk(models.Model):
    """谈心谈话 before a democratic life meeting: who talked with whom, and when."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="talks", verbose_name=_("meeting")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    other = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("talked with"),
    )
    held_on = models.DateField(_("held on"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["meeting", "held_on", "id"]
        verbose_name = _("heart-to-heart talk")
        verbose_name_plural = _("heart-to-heart talks")

    def __str__(self) -> str:
        return f"{self.person} · {self.other}"


class CheckMaterial(OptionalFile):
    """对照检查材料: what one member of the body wrote against the meeting's theme."""

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="check_materials",
        verbose_name=_("meeting"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="check_materials",
        verbose_name=_("written by"),
    )
    body = models.TextField(_("text"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("comparison-and-check material")
        verbose_name_plural = _("comparison-and-check materials")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="activities_checkmaterial_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.meeting_id})"


auditlog.register(ActivityRecord, m2m_fields={"participants"})
auditlog.register(Attachment)
for model in (MeetingKind, Meeting, Attendance, Statement, MeetingStep, HeartTalk, CheckMaterial):
    auditlog.register(model)
