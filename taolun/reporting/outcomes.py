"""Institutional outcomes (制度成果): the rules a campaign made or revised, and what they answer.

A unit's contact or the office records each rule with its document number, date and
file, and links it to the campaign's ledger problems (in the recorder's scope) and
themes it answers. Everyone taking part reads them (``selectors.outcomes_for_user``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign, Theme
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.sanitize import clean_html
from taolun.core.uploads import check_upload
from taolun.org.models import Unit, User
from taolun.org.predicates import InCampaign
from taolun.rectification.models import Problem
from taolun.rectification.selectors import problems_for_user
from taolun.reporting.models import InstitutionalOutcome, OutcomeKind
from taolun.reporting.selectors import outcomes_for_user

OUTCOME_FIELDS = frozenset(
    {"unit", "kind", "title", "document_number", "issued_on", "revises", "summary"}
)
# A rule's file is the document itself: PDF or Word (and the open format WPS also writes).
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
    }
)


# ---------------------------------------------------------------- reads


def outcome_list(
    user: User,
    campaign: Campaign,
    *,
    theme: Theme | None = None,
    unit: Unit | None = None,
    kind: str = "",
) -> QuerySet[InstitutionalOutcome]:
    """The campaign's outcomes the user reads, with their themes and a count of problems."""
    qs = (
        outcomes_for_user(user)
        .filter(campaign=campaign)
        .select_related("unit")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("number")))
        .annotate(problem_count=Count("problems", distinct=True))
    )
    if theme is not None:
        qs = qs.filter(themes=theme)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-issued_on", "-id")


@dataclass(frozen=True)
class OutcomeCounts:
    total: int
    by_kind: dict[str, int]
    answering_problems: int


def outcome_counts(user: User, campaign: Campaign) -> OutcomeCounts:
    """How many rules the campaign made, new and revised, and how many answer a problem."""
    qs = outcomes_for_user(user).filter(campaign=campaign)
    by_kind = {k: 0 for k in OutcomeKind.values}
    for kind, count in qs.values_list("kind").annotate(n=Count("id")).order_by():
        by_kind[kind] = count
    answering = qs.filter(problems__isnull=False).values("pk").distinct().count()
    return OutcomeCounts(total=sum(by_kind.values()), by_kind=by_kind, answering_problems=answering)


def outcome_problems(user: User, outcome: InstitutionalOutcome) -> list[Problem]:
    """The problems the rule answers that the user may open on the ledger."""
    return list(
        problems_for_user(user, outcome.campaign)
        .filter(outcomes=outcome)
        .order_by("ledger_number", "pk")
    )


def outcomes_for_problem(user: User, problem: Problem) -> list[InstitutionalOutcome]:
    """The rules that answer a ledger problem, for the problem's page."""
    return list(
        outcomes_for_user(user)
        .filter(problems=problem)
        .select_related("unit")
        .order_by("-issued_on", "-id")
    )


def problems_to_link(user: User, campaign: Campaign) -> QuerySet[Problem]:
    """The campaign's ledger problems the recorder may link a rule to: those in scope."""
    return problems_for_user(user, campaign).order_by("ledger_number", "pk")


# ---------------------------------------------------------------- checks


def _file_errors(upload: UploadedFile | None) -> list[str]:
    if upload is None:
        return []
    try:
        checked = check_upload(upload)
    except ValidationError as exc:
        return exc.messages
    if checked.content_type not in DOCUMENT_TYPES:
        return [_("“%(name)s” is not a PDF or Word document.") % {"name": checked.original_name}]
    return []


def _validate(
    actor: User,
    outcome: InstitutionalOutcome,
    problems: Sequence[Problem] | None,
    themes: Sequence[Theme] | None,
    upload: UploadedFile | None,
) -> None:
    campaign = outcome.campaign
    errors: dict[str, str | list[str]] = {}
    if not actor.has_perm("reporting.add_outcome", InCampaign(outcome.unit, campaign)):
        errors["unit"] = _("Choose a unit of this campaign that you record for.")
    if not outcome.title:
        errors["title"] = _("Give the rule's title.")
    if outcome.issued_on is None:
        errors["issued_on"] = _("Give the date the rule was issued.")
    elif outcome.issued_on > clock.today():
        errors["issued_on"] = _("The date cannot be in the future.")
    if outcome.kind == OutcomeKind.REVISED and not outcome.revises:
        errors["revises"] = _("Name the rule this one revises.")
    if problems is not None:
        allowed = set(
            problems_to_link(actor, campaign)
            .filter(pk__in=[p.pk for p in problems])
            .values_list("pk", flat=True)
        )
        if any(p.pk not in allowed for p in problems):
            errors["problems"] = _("Choose problems of this campaign's ledger that you can see.")
    if themes is not None and any(t.campaign_id != campaign.pk for t in themes):
        errors["themes"] = _("Choose this campaign's themes.")
    if file_errors := _file_errors(upload):
        errors["upload"] = file_errors
    if errors:
        raise ValidationError(errors)
    outcome.full_clean(exclude=["file", "problems", "themes", "recorded_by"])
    if upload is not None:
        outcome.attach(upload)


def _fill(outcome: InstitutionalOutcome, fields: dict) -> None:
    for name, value in fields.items():
        if name == "summary":
            value = clean_html(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(outcome, name, value)


# ---------------------------------------------------------------- writes


@transaction.atomic
def outcome_add(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    title: str,
    issued_on: dt.date | None,
    kind: str = OutcomeKind.NEW,
    document_number: str = "",
    revises: str = "",
    summary: str = "",
    problems: Sequence[Problem] = (),
    themes: Sequence[Theme] = (),
    upload: UploadedFile | None = None,
) -> InstitutionalOutcome:
    """Record a rule made or revised in the campaign."""
    if not actor.has_perm("reporting.add_outcome", InCampaign(unit, campaign)):
        raise PermissionDenied
    outcome = InstitutionalOutcome(campaign=campaign, recorded_by=actor)
    _fill(
        outcome,
        {
            "unit": unit,
            "kind": kind,
            "title": title,
            "document_number": document_number,
            "issued_on": issued_on,
            "revises": revises,
            "summary": summary,
        },
    )
    problems, themes = list(problems), list(themes)
    _validate(actor, outcome, problems, themes, upload)
    with audited(actor):
        outcome.save()
        outcome.problems.set(problems)
        outcome.themes.set(themes)
    return outcome


@transaction.atomic
def outcome_update(
    *,
    actor: User,
    outcome: InstitutionalOutcome,
    problems: Sequence[Problem] | None = None,
    themes: Sequence[Theme] | None = None,
    upload: UploadedFile | None = None,
    remove_file: bool = False,
    **fields,
) -> InstitutionalOutcome:
    """Correct a rule's record; ``problems``/``themes`` None leave the links as they are.

    Links to problems the editor cannot see are kept: nobody drops what they cannot read.
    """
    unknown = set(fields) - OUTCOME_FIELDS
    if unknown:
        raise TypeError(f"outcome_update got unknown fields: {sorted(unknown)}")
    locked = (
        InstitutionalOutcome.objects.select_for_update(of=("self",))
        .select_related("campaign__owner_unit", "unit")
        .get(pk=outcome.pk)
    )
    if not actor.has_perm("reporting.change_outcome", locked):
        raise PermissionDenied
    _fill(locked, fields)
    if remove_file and upload is None:
        locked.clear_file()
    problems = list(problems) if problems is not None else None
    themes = list(themes) if themes is not None else None
    _validate(actor, locked, problems, themes, upload)
    with audited(actor):
        locked.save()
        if problems is not None:
            hidden = locked.problems.exclude(
                pk__in=problems_to_link(actor, locked.campaign).values("pk")
            )
            locked.problems.set([*problems, *hidden])
        if themes is not None:
            locked.themes.set(themes)
    if outcome is not locked:
        outcome.refresh_from_db()
    return locked
