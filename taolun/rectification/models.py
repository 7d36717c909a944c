"""The problem list and rectification ledger (问题清单 / 整改台账).

Every problem found gets one ledger number (一个问题一个账号) and moves through the
TRANSITIONS table below until it is verified (销号) or carried over with a reason.
Who may make each move is in ``rules.py``; the services enforce both.
"""

from __future__ import annotations

import datetime as dt

from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taolun.campaigns.models import Campaign, Theme
from taolun.org.models import Unit


class ProblemSource(models.TextChoices):
    SELF_EXAMINATION = "self_examination", _("Self-examination")
    STAFF_OPINION = "staff_opinion", _("Opinion from staff")
    DEMOCRATIC_LIFE_MEETING = "democratic_life_meeting", _("Democratic life meeting")
    ORGANISATIONAL_LIFE_MEETING = "organisational_life_meeting", _("Organisational life meeting")
    SUPERVISION_FINDING = "supervision_finding", _("Supervision finding")
    FEEDBACK_FROM_ABOVE = "feedback_from_above", _("Feedback from above")
    OTHER = "other", _("Other")


class ProblemLevel(models.TextChoices):
    LEADERSHIP_BODY = "leadership_body", _("Leadership body")
    UNIT = "unit", _("Unit")
    INDIVIDUAL = "individual", _("Individual")


class ProblemKind(models.TextChoices):
    IMMEDIATE = "immediate", _("Fix at once")
    DEADLINE = "deadline", _("Fix by a deadline")
    LONG_TERM = "long_term", _("Long-term")


class ProblemState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed, awaiting verification")
    VERIFIED = "verified", _("Verified")
    CARRIED_OVER = "carried_over", _("Carried over")


# The legal moves of a problem: (from, to) -> verb. Who may make each verb is in rules.py.
# Verified and carried-over are final, except that the office may reopen a verified
# problem (接受群众检验: most members found the fix unsatisfactory, or it came back).
_NOT_FINAL = (
    ProblemState.DRAFT,
    ProblemState.OPEN,
    ProblemState.IN_PROGRESS,
    ProblemState.COMPLETED,
)
TRANSITIONS: dict[tuple[str, str], str] = {
    (ProblemState.DRAFT, ProblemState.OPEN): "open",
    (ProblemState.OPEN, ProblemState.IN_PROGRESS): "start",
    (ProblemState.IN_PROGRESS, ProblemState.COMPLETED): "complete",
    (ProblemState.COMPLETED, ProblemState.VERIFIED): "verify",
    (ProblemState.COMPLETED, ProblemState.IN_PROGRESS): "send_back",
    (ProblemState.VERIFIED, ProblemState.IN_PROGRESS): "reopen",
    **{(state, ProblemState.CARRIED_OVER): "carry_over" for state in _NOT_FINAL},
}
VERBS = frozenset(TRANSITIONS.values())
FINAL = frozenset({ProblemState.VERIFIED, ProblemState.CARRIED_OVER})
EDITABLE = frozenset({ProblemState.DRAFT, ProblemState.OPEN, ProblemState.IN_PROGRESS})
# States in which the owner is still working towards the deadline (progress, extensions).
WORKING = frozenset({ProblemState.OPEN, ProblemState.IN_PROGRESS})
# On the ledger and not yet closed.
LIVE = frozenset({ProblemState.OPEN, ProblemState.IN_PROGRESS, ProblemState.COMPLETED})


class Light(models.TextChoices):
    """Warning lights as offices use them; never conveyed by colour alone on a page."""

    GREEN = "green", _("On track")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")
    NONE = "none", _("Closed")


def warning_days() -> int:
    """Days before the deadline at which the light turns yellow (TAOLUN_LEDGER_WARNING_DAYS)."""
    return int(getattr(settings, "TAOLUN_LEDGER_WARNING_DAYS", 3))


def _user_fk(verbose_name, related_name: str = "+", *, null: bool = True) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL if null else models.PROTECT,
        null=null,
        blank=null,
        related_name=related_name,
        verbose_name=verbose_name,
    )


class Problem(models.Model):
    """One problem of the ledger, under its own ledger number.

    ``source_note`` says in words where the problem came from; ``source_object`` links
    the meeting, record, opinion or inspection it came from, where that exists in
    taolun (the kinds allowed are listed in ``sources.py``).
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="problems", verbose_name=_("campaign")
    )
    ledger_number = models.CharField(
        _("ledger number"),
        max_length=130,
        help_text=_("Unique within the campaign; left empty, one is generated."),
    )
    description = models.TextField(_("description of the problem"))
    source = models.CharField(
        _("source"), max_length=40, choices=ProblemSource.choices, default=ProblemSource.OTHER
    )
    source_note = models.TextField(_("where it came from"), blank=True)
    source_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kind of source"),
    )
    source_id = models.PositiveBigIntegerField(_("source"), null=True, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("theme"),
    )
    level = models.CharField(
        _("level"), max_length=20, choices=ProblemLevel.choices, default=ProblemLevel.UNIT
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="problems", verbose_name=_("responsible unit")
    )
    responsible_leader = _user_fk(_("responsible leader"), "problems_led")
    person_in_charge = _user_fk(_("person in charge"), "problems_in_charge")
    supporting_units = models.ManyToManyField(
        Unit, blank=True, related_name="problems_supported", verbose_name=_("supporting units")
    )
    target_standard = models.TextField(_("rectification target"), blank=True)
    deadline = models.DateField(_("overall deadline"), null=True, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ProblemKind.choices, default=ProblemKind.DEADLINE
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ProblemState.choices, default=ProblemState.DRAFT
    )
    carried_over_reason = models.TextField(_("reason for carrying over"), blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    extension_count = models.PositiveSmallIntegerField(_("number of extensions"), default=0)
    created_by = _user_fk(_("recorded by"), "problems_recorded", null=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Dates come from the platform clock, so lights and "on time" follow it; the exact
    # moments are in the audit log.
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    verified_by = _user_fk(_("verified by"), "problems_verified")
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    # 接受群众检验: the office opens a verified problem to the members' evaluation. A
    # reopened problem starts a new round; the votes of earlier rounds stay as history.
    evaluation_open = models.BooleanField(_("open to evaluation"), default=False)
    evaluation_round = models.PositiveSmallIntegerField(_("evaluation round"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        ordering = ["campaign", "ledger_number"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "ledger_number"],
                name="rectification_ledger_number_unique",
                violation_error_message=_("This ledger number is already used in this campaign."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=False) | Q(kind="long_term"),
                name="rectification_deadline_unless_long_term",
                violation_error_message=_("Only a long-term problem may have no deadline."),
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "state"]),
            # Leads with unit, so it serves the scoping joins; the state narrows unit pages.
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["deadline"]),
            models.Index(fields=["source_type", "source_id"]),
            # The to-do counter's kinds each name a state (and flagged ones a round): with
            # these, a province's counter reads the few rows it counts, not every problem.
            models.Index(fields=["state", "evaluation_round"]),
            models.Index(
                fields=["evaluation_open"],
                condition=Q(evaluation_open=True),
                name="rectification_evaluation_open",
            ),
        ]

    def __str__(self) -> str:
        return self.ledger_number

    def get_absolute_url(self) -> str:
        return reverse("rectification:problem", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.state in FINAL

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE

    def light(self, today: dt.date) -> str:
        """The warning light on ``today``; mirrors :func:`light_expression`."""
        if self.state in FINAL:
            return Light.NONE
        if self.deadline is None:
            return Light.GREEN
        if self.state == ProblemState.COMPLETED:
            # Claimed done: the light stops where the claim found it.
            late = self.completed_on is not None and self.completed_on > self.deadline
            return Light.RED if late else Light.GREEN
        if self.deadline < today:
            return Light.RED
        if self.deadline <= today + dt.timedelta(days=warning_days()):
            return Light.YELLOW
        return Light.GREEN


def light_expression(today: dt.date) -> Case:
    """The warning light as SQL, so ledgers filter and count lights without loading rows."""
    return Case(
        When(state__in=FINAL, then=Value(Light.NONE)),
        When(deadline__isnull=True, then=Value(Light.GREEN)),
        When(
            state=ProblemState.COMPLETED,
            completed_on__isnull=False,
            completed_on__gt=F("deadline"),
            then=Value(Light.RED),
        ),
        When(state=ProblemState.COMPLETED, then=Value(Light.GREEN)),
        When(deadline__lt=today, then=Value(Light.RED)),
        When(
            deadline__lte=today + dt.timedelta(days=warning_days()),
            then=Value(Light.YELLOW),
        ),
        default=Value(Light.GREEN),
        output_field=models.CharField(),
    )


class Measure(models.Model):
    """One rectification measure of a problem, with its own deadline."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="measures", verbose_name=_("problem")
    )
    text = models.TextField(_("measure"))
    deadline = models.DateField(_("deadline"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["problem", "order", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.text[:60]


class ProgressUpdate(models.Model):
    """What was done so far; the latest one shows in the ledger."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="updates", verbose_name=_("problem")
    )
    text = models.TextField(_("progress"), blank=True)
    reported_on = models.DateField(_("reported on"))
    author = _user_fk(_("author"), "progress_updates", null=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["problem", "-reported_on", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        indexes = [models.Index(fields=["problem", "-reported_on"])]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.reported_on}"


class ProgressAttachment(models.Model):
    update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("progress update"),
    )
    file = models.FileField(_("file"), upload_to="rectification/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=220)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = _user_fk(_("uploaded by"), null=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["update", "id"]
        verbose_name = _("progress attachment")
        verbose_name_plural = _("progress attachments")

    def __str__(self) -> str:
        return self.original_name


class ExtensionState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    """A request to move a problem's deadline; granted ones are the ledger's extension history."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("problem")
    )
    reason = models.TextField(_("reason"))
    progress_so_far = models.TextField(_("progress so far"), blank=True)
    previous_deadline = models.DateField(_("deadline before the request"), null=True, blank=True)
    requested_deadline = models.DateField(_("requested new deadline"))
    state = models.CharField(
        _("state"), max_length=20, choices=ExtensionState.choices, default=ExtensionState.REQUESTED
    )
    requested_by = _user_fk(_("requested by"), null=False)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = _user_fk(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        ordering = ["problem", "-requested_at", "-id"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["problem"],
                condition=Q(state="requested"),
                name="rectification_one_pending_extension",
                violation_error_message=_("This problem already has an extension request pending."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.requested_deadline}"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class SatisfactionVote(models.Model):
    """One member's evaluation of a verified problem (接受群众检验), one per round.

    The voter is stored only to keep one vote per member; pages show counts and
    comments, never who voted what.
    """

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="votes", verbose_name=_("problem")
    )
    round = models.PositiveSmallIntegerField(_("evaluation round"))
    voter = _user_fk(_("voter"), "satisfaction_votes", null=False)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("voted at"), auto_now_add=True)

    class Meta:
        ordering = ["problem", "round", "id"]
        verbose_name = _("satisfaction vote")
        verbose_name_plural = _("satisfaction votes")
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "round", "voter"],
                name="rectification_one_vote_per_member",
                violation_error_message=_("You have already evaluated this problem."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.problem_id}/{self.round} {self.rating}"


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed, awaiting confirmation")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class LedgerImport(models.Model):
    """One upload of a ledger workbook: previewed first, applied only on confirmation.

    The file is kept (under MEDIA_ROOT) until the import is applied or cancelled; the
    counts and the row errors stay as the record of what the import did.
    """

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="ledger_imports",
        verbose_name=_("campaign"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="ledger_imports", verbose_name=_("unit")
    )
    file = models.FileField(_("file"), upload_to="ledger-imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=220)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    state = models.CharField(
        _("state"), max_length=20, choices=ImportState.choices, default=ImportState.PREVIEWED
    )
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    uploaded_by = _user_fk(_("uploaded by"), "ledger_imports", null=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")

    def __str__(self) -> str:
        return self.original_name


auditlog.register(Problem, m2m_fields={"supporting_units"})
for model in (
    Measure,
    ProgressUpdate,
    ProgressAttachment,
    ExtensionRequest,
    SatisfactionVote,
    LedgerImport,
):
    auditlog.register(model)
