"""The campaign summary (回顾总结): assembled from the data, edited by the office, finalised.

The assembled text is a starting point, not a report generator: each part states what
the records show (counted in SQL, a handful of queries whatever the campaign's size),
and the closing part is left for the office to write. The office edits the draft as
rich text, may assemble it again (the draft is replaced), and finalises it; a final
summary is read by everyone taking part and is no longer edited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.translation import gettext as _

from taolun.activities.models import ActivityRecord, RecordStatus
from taolun.campaigns.models import Campaign, Stage
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.sanitize import clean_html, has_text
from taolun.discussion.models import Opinion
from taolun.documents.docx import chinese_numeral
from taolun.org.models import User
from taolun.org.predicates import InCampaign
from taolun.org.selectors import scope_for
from taolun.rectification.models import Problem, ProblemState
from taolun.reporting.models import (
    BRIEF_UNIT_ONLY,
    Brief,
    BriefReview,
    CampaignSummary,
    CaseState,
    InstitutionalOutcome,
    ReviewState,
    SummaryState,
    TypicalCase,
)
from taolun.reporting.selectors import REVIEW_READERS
from taolun.study.models import Reflection, StudyLog, StudyMaterial

# ---------------------------------------------------------------- the facts


@dataclass(frozen=True)
class StageFacts:
    number: int
    name: str
    actions: int
    records_accepted: int
    meetings_held: int


@dataclass(frozen=True)
class LevelFacts:
    """Briefs at one level: 1 is the campaign's own office, 2 the parent's, and so on."""

    level: int
    campaign: str
    received: int
    adopted: int


@dataclass(frozen=True)
class SummaryFacts:
    """What the records of one campaign show, for the summary's draft."""

    stages: list[StageFacts]
    records: int
    records_accepted: int
    meetings_held: int
    materials: int
    study_logs: int
    study_minutes: int
    studying_people: int
    reflections: int
    excellent_reflections: int
    topics: int
    opinions: int
    opinions_answered: int
    problems_by_state: dict[str, int]
    briefs_submitted: int
    brief_levels: list[LevelFacts]
    cases: list[str] = field(default_factory=list)
    outcomes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(n for state, n in self.problems_by_state.items() if state != ProblemState.DRAFT)

    @property
    def problems_fixed(self) -> int:
        return self.problems_by_state.get(ProblemState.VERIFIED, 0)


def _count(qs: QuerySet) -> Subquery:
    """``COUNT(*)`` of ``qs`` as a scalar subquery (no GROUP BY, so one row)."""
    return Subquery(
        qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def summary_facts(campaign: Campaign) -> SummaryFacts:
    """The counts of ``campaign`` in six queries: the scalar counts in one, then the
    stages, the problems by state, briefs by level, typical cases and outcomes."""
    records = ActivityRecord.objects.filter(campaign=campaign)
    accepted = records.filter(status=RecordStatus.ACCEPTED)
    logs = StudyLog.objects.filter(campaign=campaign)
    reflections = Reflection.objects.filter(campaign=campaign)
    opinions = Opinion.objects.filter(topic__campaign=campaign, parent__isnull=True)
    counts = (
        Campaign.objects.filter(pk=campaign.pk)
        .values(
            n_records=_count(records),
            n_records_accepted=_count(accepted),
            n_meetings_held=_count(accepted.filter(meeting__isnull=False)),
            n_materials=_count(StudyMaterial.objects.filter(campaign=campaign)),
            n_study_logs=_count(logs),
            n_study_minutes=Coalesce(
                Subquery(
                    logs.order_by().annotate(m=Func(F("minutes"), function="SUM")).values("m"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            n_studying_people=Subquery(
                logs.order_by()
                .annotate(
                    n=Func(
                        F("person"), function="COUNT", template="COUNT(DISTINCT %(expressions)s)"
                    )
                )
                .values("n"),
                output_field=IntegerField(),
            ),
            n_reflections=_count(reflections),
            n_excellent_reflections=_count(reflections.filter(excellent=True)),
            n_topics=_count(campaign.topics.all()),
            n_opinions=_count(opinions),
            n_opinions_answered=_count(opinions.exclude(answer="")),
            n_briefs_submitted=_count(
                Brief.objects.filter(campaign=campaign).exclude(state__in=BRIEF_UNIT_ONLY)
            ),
        )
        .get()
    )
    # Prefixed in the query: several names are also the campaign's reverse relations.
    scalars = {name.removeprefix("n_"): value for name, value in counts.items()}
    by_stage = (
        Stage.objects.filter(campaign=campaign)
        .order_by("number")
        .annotate(
            action_count=Count("actions", distinct=True),
            accepted_count=_stage_count(accepted),
            meeting_count=_stage_count(accepted.filter(meeting__isnull=False)),
        )
    )
    stages = [
        StageFacts(s.number, s.name, s.action_count, s.accepted_count or 0, s.meeting_count or 0)
        for s in by_stage
    ]
    problems = dict.fromkeys((s.value for s in ProblemState), 0)
    for row in (
        Problem.objects.filter(campaign=campaign).order_by().values("state").annotate(n=Count("id"))
    ):
        problems[row["state"]] = row["n"]
    levels = [
        LevelFacts(row["level"], row["campaign__name"], row["received"], row["adopted"])
        for row in BriefReview.objects.filter(brief__campaign=campaign)
        .order_by()
        .values("level", "campaign__name")
        .annotate(
            received=Count("id"),
            adopted=Count("id", filter=Q(state=ReviewState.ADOPTED)),
        )
        .order_by("level")
    ]
    cases = list(
        TypicalCase.objects.filter(campaign=campaign, state=CaseState.APPROVED)
        .order_by("nominated_at", "id")
        .values_list("name", flat=True)
    )
    outcomes = list(
        InstitutionalOutcome.objects.filter(campaign=campaign)
        .order_by("issued_on", "id")
        .values_list("title", "document_number")
    )
    return SummaryFacts(
        stages=stages,
        problems_by_state=problems,
        brief_levels=levels,
        cases=cases,
        outcomes=outcomes,
        **scalars,
    )


def _stage_count(records: QuerySet[ActivityRecord]) -> Subquery:
    return _count(records.filter(action__stage=OuterRef("pk")))


# ---------------------------------------------------------------- the text


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def summary_html(campaign: Campaign, facts: SummaryFacts) -> str:
    """The draft's text: 一、 parts with （一） sub-parts, each sentence from the facts."""
    parts: list[tuple[str, list[str]]] = []

    stage_lines: list[str] = []
    for index, stage in enumerate(facts.stages, 1):
        stage_lines.append(_h3(f"（{chinese_numeral(index)}）{stage.name}"))
        stage_lines.append(
            _p(
                _("%(actions)d actions; %(records)d records accepted, %(meetings)d meetings held.")
                % {
                    "actions": stage.actions,
                    "records": stage.records_accepted,
                    "meetings": stage.meetings_held,
                }
            )
        )
    overview = _(
        "In all %(records)d activity records were kept, %(accepted)d of them accepted by the "
        "office, among them %(meetings)d meetings."
    ) % {
        "records": facts.records,
        "accepted": facts.records_accepted,
        "meetings": facts.meetings_held,
    }
    parts.append((_("What each stage did"), [_p(overview), *stage_lines]))

    parts.append(
        (
            _("Study and discussion"),
            [
                _p(
                    _(
                        "%(materials)d study materials were issued; %(people)d people logged "
                        "%(logs)d study sessions, %(minutes)d minutes in all; %(reflections)d "
                        "reflections were written, %(excellent)d of them marked excellent."
                    )
                    % {
                        "materials": facts.materials,
                        "people": facts.studying_people or 0,
                        "logs": facts.study_logs,
                        "minutes": facts.study_minutes or 0,
                        "reflections": facts.reflections,
                        "excellent": facts.excellent_reflections,
                    }
                ),
                _p(
                    _(
                        "%(topics)d discussion topics drew %(opinions)d opinions and "
                        "suggestions; the office answered %(answered)d of them."
                    )
                    % {
                        "topics": facts.topics,
                        "opinions": facts.opinions,
                        "answered": facts.opinions_answered,
                    }
                ),
            ],
        )
    )

    by_state = "; ".join(
        f"{ProblemState(state).label} {count}"
        for state, count in facts.problems_by_state.items()
        if state != ProblemState.DRAFT and count
    )
    problem_text = _(
        "%(problems)d problems were put on the ledger and %(fixed)d of them verified as fixed."
    ) % {"problems": facts.problems, "fixed": facts.problems_fixed}
    if by_state:
        problem_text += " " + _("By state: %(states)s.") % {"states": by_state}
    parts.append((_("Problems found and fixed"), [_p(problem_text)]))

    brief_lines = [
        _p(_("%(n)d briefs were submitted.") % {"n": facts.briefs_submitted}),
        *(
            _p(
                _(
                    "At level %(level)d (the office of %(campaign)s): %(received)d received, "
                    "%(adopted)d adopted."
                )
                % {
                    "level": lv.level,
                    "campaign": lv.campaign,
                    "received": lv.received,
                    "adopted": lv.adopted,
                }
            )
            for lv in facts.brief_levels
        ),
    ]
    if facts.cases:
        brief_lines.append(
            _p(
                _("%(n)d typical cases were approved: %(names)s.")
                % {"n": len(facts.cases), "names": "、".join(facts.cases)}
            )
        )
    else:
        brief_lines.append(_p(_("No typical case was approved.")))
    parts.append((_("Briefs and typical cases"), brief_lines))

    if facts.outcomes:
        outcome_lines = [
            _p(_("%(n)d rules were made or revised:") % {"n": len(facts.outcomes)}),
            *(
                _p(f"{i}.{title}" + (f"（{number}）" if number else ""))
                for i, (title, number) in enumerate(facts.outcomes, 1)
            ),
        ]
    else:
        outcome_lines = [_p(_("No rule was recorded yet."))]
    parts.append((_("Institutional outcomes"), outcome_lines))

    parts.append(
        (
            _("Experience and next steps"),
            [_p(_("(For the office to write: the experience distilled and the work ahead.)"))],
        )
    )
    html = "".join(
        f"<h2>{escape(chinese_numeral(number))}、{escape(title)}</h2>" + "".join(body)
        for number, (title, body) in enumerate(parts, 1)
    )
    return clean_html(html)


def _h3(text: str) -> str:
    return f"<h3>{escape(text)}</h3>"


def default_title(campaign: Campaign) -> str:
    return _("Summary of %(name)s") % {"name": campaign.name}


# ---------------------------------------------------------------- reading


def _office(campaign: Campaign) -> InCampaign:
    return InCampaign(campaign.owner_unit, campaign)


def can_change_summary(user: User, campaign: Campaign) -> bool:
    return user.has_perm("reporting.change_summary", _office(campaign))


def reads_draft_summary(user: User, campaign: Campaign) -> bool:
    """The office, leaders and supervisors of the campaign read the draft."""
    return scope_for(user).covers_in_campaign(
        campaign.owner_unit, campaign.owner_unit.path, REVIEW_READERS
    )


def summary_for_user(user: User, campaign: Campaign) -> CampaignSummary | None:
    """The summary of a campaign the user may see (fetched with ``get_campaign_for_user``):
    a draft only for its office, leaders and supervisors, a final one for everyone."""
    found = (
        CampaignSummary.objects.select_related("updated_by", "finalised_by")
        .filter(campaign=campaign)
        .first()
    )
    if found is None:
        return None
    if found.state == SummaryState.FINAL or reads_draft_summary(user, campaign):
        return found
    return None


# ---------------------------------------------------------------- writing


def _authorise(actor: User, campaign: Campaign) -> None:
    if not can_change_summary(actor, campaign):
        raise PermissionDenied


def _locked(campaign: Campaign) -> CampaignSummary | None:
    """The summary, locked; the campaign row is locked first, so two offices assembling
    a first draft at once queue instead of both creating it."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    return CampaignSummary.objects.select_for_update().filter(campaign=campaign).first()


def _refuse_final(summary: CampaignSummary | None) -> None:
    if summary is not None and summary.state == SummaryState.FINAL:
        raise ValidationError(
            _("The summary is final and is no longer changed."), code="summary_final"
        )


@transaction.atomic
def summary_assemble(*, actor: User, campaign: Campaign) -> CampaignSummary:
    """Assemble the draft from the data; an existing draft is replaced (the view asks
    first), a final summary is refused."""
    _authorise(actor, campaign)
    current = _locked(campaign)
    _refuse_final(current)
    body = summary_html(campaign, summary_facts(campaign))
    now = clock.now()
    with audited(actor):
        if current is None:
            return CampaignSummary.objects.create(
                campaign=campaign,
                title=default_title(campaign),
                body=body,
                assembled_at=now,
                updated_at=now,
                updated_by=actor,
            )
        current.body = body
        current.assembled_at = current.updated_at = now
        current.updated_by = actor
        current.save()
        return current


@transaction.atomic
def summary_edit(
    *, actor: User, summary: CampaignSummary, title: str, body: str
) -> CampaignSummary:
    """Save the office's edit of the draft; the text is stored sanitised."""
    _authorise(actor, summary.campaign)
    current = _locked(summary.campaign)
    _refuse_final(current)
    title = title.strip()
    cleaned = clean_html(body)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the summary a title.")
    if not has_text(cleaned):
        errors["body"] = _("The summary has no text.")
    if errors:
        raise ValidationError(errors)
    with audited(actor):
        current.title = title[:200]
        current.body = cleaned
        current.updated_by = actor
        current.updated_at = clock.now()
        current.save()
    return current


@transaction.atomic
def summary_finalise(*, actor: User, summary: CampaignSummary) -> CampaignSummary:
    """Make the summary final: from now on everyone taking part reads it, nobody edits it."""
    _authorise(actor, summary.campaign)
    current = _locked(summary.campaign)
    _refuse_final(current)
    with audited(actor):
        current.state = SummaryState.FINAL
        current.finalised_by = actor
        current.finalised_at = clock.now()
        current.save()
    return current
