"""Inspections (督导) and their findings: writes and scoped reads.

A supervisor (or the office) over a unit records a visit and what it found. Readers
(``access.READER_ROLES``) see the inspections of the units they read, and a unit's
contact sees the findings about their unit even when the visit was to a unit above it.
A finding of a problem goes onto the rectification ledger in one step
(``finding_to_problem``), through the ledger's own service and rules; from then on the
finding is frozen, because the ledger's problem was written from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taolun.campaigns.models import Campaign, Theme
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.history import HistoryRow, describe_changes
from taolun.core.recycle import recycle
from taolun.core.sanitize import clean_html
from taolun.org.models import RoleAssignment, Unit, User
from taolun.org.selectors import scope_for
from taolun.rectification.models import Problem, ProblemKind, ProblemSource
from taolun.supervision.access import (
    INSPECTOR_ROLES,
    READER_ROLES,
    inspector_paths,
    may_inspect,
    may_read,
)
from taolun.supervision.models import Finding, FindingKind, Inspection

INSPECTION_FIELDS = frozenset(
    {"unit", "visited_on", "team_name", "members", "other_members", "checked", "summary"}
)
FINDING_FIELDS = frozenset({"kind", "text", "unit", "theme", "deduction"})
RICH_INSPECTION_FIELDS = frozenset({"checked", "summary"})
# How many units or people a form offers to pick from; beyond that, one types a code.
CHOICE_LIMIT = 200


# ---------------------------------------------------------------- reads


def _reader_q(user: User, unit_field: str) -> Q | None:
    """Rows whose unit the user reads as a supervision reader; None when that is all rows."""
    scope = scope_for(user)
    if scope.is_everything:
        return None
    return scope.q(unit_field=unit_field, roles=READER_ROLES)


def _finding_ct() -> ContentType:
    return ContentType.objects.get_for_model(Finding)


def _problems_of(findings: QuerySet[Finding]) -> QuerySet[Problem]:
    return Problem.objects.filter(source_type=_finding_ct(), source_id__in=findings.values("pk"))


def ledger_campaign(finding: Finding) -> Campaign:
    """The campaign whose ledger takes a problem of the finding's unit: two queries.

    That is the campaign the unit acts in: of the inspection's campaign and its
    descendants at any depth, the one run nearest above the unit (as the unit's own
    pages and the dashboards see it, ``dashboard.acting_campaign``).
    """
    from taolun.supervision.dashboard import acting_campaign

    own = finding.inspection.campaign
    return acting_campaign(own, finding.unit) or own


def ledger_campaign_id(finding: Finding) -> int:
    """``ledger_campaign``'s id: what the ledger's source check compares."""
    return ledger_campaign(finding).pk


def findings_for_user(user: User, campaign: Campaign | None = None) -> QuerySet[Finding]:
    """Findings about units the user reads (the unit concerned, not only the unit visited)."""
    qs = Finding.objects.all()
    visible = _reader_q(user, "unit")
    if visible is not None:
        qs = qs.filter(visible)
    if campaign is not None:
        qs = qs.filter(inspection__campaign=campaign)
    return qs.select_related(
        "inspection__campaign__owner_unit", "inspection__unit", "unit", "theme"
    )


def _visible_findings(user: User, inspection: OuterRef) -> QuerySet[Finding]:
    """The findings of ``inspection`` (an outer reference) about units the user reads."""
    findings = Finding.objects.filter(inspection=inspection)
    visible = _reader_q(user, "unit")
    return findings if visible is None else findings.filter(visible)


def inspections_for_user(user: User, campaign: Campaign | None = None) -> QuerySet[Inspection]:
    """Inspections of units the user reads, or with a finding about one; newest first.

    Each row counts the findings the user may read (``finding_count``) and how many of
    them became ledger problems (``problem_count``), in SQL.
    """
    qs = Inspection.objects.all()
    visible = _reader_q(user, "unit")
    findings = _visible_findings(user, OuterRef("pk"))
    if visible is not None:
        qs = qs.filter(visible | Q(Exists(findings)))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    count = Func(F("pk"), function="COUNT")  # no GROUP BY: one row per inspection
    finding_count = findings.order_by().annotate(n=count).values("n")
    # Nested one level deeper, the inspection is the outer query's outer query.
    problem_count = (
        Problem.objects.filter(
            source_type=_finding_ct(),
            source_id__in=_visible_findings(user, OuterRef(OuterRef("pk"))).values("pk"),
        )
        .order_by()
        .annotate(n=count)
        .values("n")
    )
    return (
        qs.annotate(
            finding_count=Coalesce(Subquery(finding_count, output_field=IntegerField()), 0),
            problem_count=Coalesce(Subquery(problem_count, output_field=IntegerField()), 0),
        )
        .select_related("campaign", "unit", "recorded_by")
        .order_by("-visited_on", "-id")
    )


def get_inspection_for_user(user: User, pk: int) -> Inspection:
    """The inspection, or 404 when it does not exist or the user reads nothing of it."""
    inspection = inspections_for_user(user).select_related("campaign__owner_unit").filter(pk=pk)
    found = inspection.first()
    if found is None:
        raise Http404
    return found


def get_finding_for_user(user: User, pk: int) -> Finding:
    """The finding, or 404 when it does not exist or lies outside what the user reads."""
    finding = (
        findings_for_user(user).select_related("inspection__campaign__owner_unit").filter(pk=pk)
    ).first()
    if finding is None:
        raise Http404
    return finding


def inspection_list(
    qs: QuerySet[Inspection],
    *,
    under: Unit | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Inspection]:
    """Narrow an already scoped list: visits to ``under`` or below, within the dates."""
    if under is not None:
        qs = qs.filter(unit__path__startswith=under.path)
    if date_from is not None:
        qs = qs.filter(visited_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(visited_on__lte=date_to)
    return qs


@dataclass(frozen=True)
class FindingRow:
    """A finding as its inspection's page shows it, with its ledger problem if any."""

    finding: Finding
    problem: Problem | None  # the ledger problem, when the user may read it
    on_ledger: bool  # a problem exists (even one the user may not read)


def inspection_findings(user: User, inspection: Inspection) -> list[FindingRow]:
    """The inspection's findings the user reads, each with its ledger problem: two queries."""
    from taolun.rectification.selectors import problems_for_user

    findings = list(findings_for_user(user).filter(inspection=inspection).order_by("number"))
    ids = [f.pk for f in findings]
    ct = _finding_ct()
    all_problems = Problem.objects.filter(source_type=ct, source_id__in=ids)
    readable = {
        p.source_id: p for p in problems_for_user(user).filter(source_type=ct, source_id__in=ids)
    }
    on_ledger = readable.keys() | set(all_problems.values_list("source_id", flat=True))
    return [FindingRow(f, readable.get(f.pk), f.pk in on_ledger) for f in findings]


def reads_whole_visit(user: User, inspection: Inspection) -> bool:
    """Whether the user reads the unit visited, so the whole visit.

    Someone who reads only a unit below it (its contact, named in a finding) sees the
    visit's date, unit and team and the findings about their units: not what was
    checked, the assessment, the members, nor the trail of the other findings.
    """
    return may_read(user, inspection.campaign, inspection.unit)


def inspection_history(
    inspection: Inspection, findings: Iterable[int] | None = None
) -> list[HistoryRow]:
    """The visit's audit trail and its findings' (deleted ones included), in one query.

    With ``findings`` (ids), only those findings' entries: the trail of a reader who
    does not read the whole visit (``reads_whole_visit``).
    """
    ict = ContentType.objects.get_for_model(Inspection)
    fct = _finding_ct()
    if findings is None:
        finding_ids = [
            str(pk)
            for pk in LogEntry.objects.filter(
                content_type=fct, additional_data__inspection=inspection.pk
            ).values_list("object_id", flat=True)
        ]
        which = Q(content_type=ict, object_id=inspection.pk)
    else:
        finding_ids = [str(pk) for pk in findings]
        which = Q(pk__in=[])
    entries = (
        LogEntry.objects.filter(which | Q(content_type=fct, object_id__in=finding_ids or [0]))
        .select_related("actor")
        .order_by("timestamp", "id")
    )
    rows = []
    for e in entries:
        is_visit = e.content_type_id == ict.pk
        model = Inspection if is_visit else Finding
        rows.append(
            InspectionHistoryRow(
                entry=e,
                changes=describe_changes(e, model, hidden=_HIDDEN),
                subject=_("Inspection")
                if is_visit
                else _("Finding %(n)s") % {"n": e.object_repr.rpartition("#")[2]},
            )
        )
    return rows


@dataclass(frozen=True)
class InspectionHistoryRow(HistoryRow):
    subject: str = ""
    detail: str = ""


_HIDDEN = frozenset({"id", "created_at", "updated_at", "inspection", "recorded_by"})


def inspection_units(user: User, campaign: Campaign) -> QuerySet[Unit]:
    """Units the user may record a visit to here, in tree order (callers bound it)."""
    paths = inspector_paths(user, campaign)
    if not paths:
        return Unit.objects.none()
    q = Q()
    for p in paths:
        q |= Q(path__startswith=p)
    return Unit.objects.filter(q).order_by("path")


def team_candidates(user: User) -> QuerySet[User]:
    """People the user may name as team members: those of the units they inspect over.

    Offered on the form are those who inspect themselves (supervisors and office staff),
    the user first; anyone else in reach may be named by user name.
    """
    scope = scope_for(user)
    if scope.is_everything:
        return User.objects.filter(is_active=True)
    paths = scope.paths_for(INSPECTOR_ROLES)
    if not paths:
        return User.objects.filter(pk=user.pk)
    q = Q(pk=user.pk)
    for p in paths:
        q |= Q(unit__path__startswith=p)
    return User.objects.filter(q, is_active=True)


def team_choices(user: User) -> QuerySet[User]:
    inspectors = RoleAssignment.objects.filter(role__in=INSPECTOR_ROLES).values("user")
    return (
        team_candidates(user)
        .filter(Q(pk__in=inspectors) | Q(pk=user.pk))
        .select_related("unit")
        .order_by("unit__path", "name", "pk")[:CHOICE_LIMIT]
    )


# ---------------------------------------------------------------- checks


def _check_inspector(actor: User, campaign: Campaign) -> None:
    if not inspector_paths(actor, campaign):
        raise PermissionDenied


def _check_visit(actor: User, inspection: Inspection, members: Sequence[User] | None) -> None:
    errors: dict[str, str] = {}
    campaign = inspection.campaign
    if inspection.unit_id is None or not may_inspect(actor, campaign, inspection.unit):
        errors["unit"] = _("Choose a unit you supervise in this campaign.")
    if inspection.visited_on is not None:
        if inspection.visited_on > clock.today():
            errors["visited_on"] = _("The visit cannot be later than today.")
        elif inspection.visited_on < campaign.starts_on:
            errors["visited_on"] = _("The visit cannot be before the campaign began (%(day)s).") % {
                "day": campaign.starts_on
            }
    if not inspection.checked:
        errors["checked"] = _("Say what was checked.")
    if members:
        allowed = set(
            team_candidates(actor)
            .filter(pk__in=[m.pk for m in members])
            .values_list("pk", flat=True)
        )
        outside = [m.name or m.username for m in members if m.pk not in allowed]
        if outside:
            errors["members"] = _("Not in a unit you supervise: %(names)s.") % {
                "names": "、".join(outside)
            }
    if errors:
        raise ValidationError(errors)
    inspection.full_clean(exclude=["members"])


def _on_ledger(finding: Finding) -> Problem | None:
    return (
        Problem.objects.filter(source_type=_finding_ct(), source_id=finding.pk)
        .only("pk", "ledger_number")
        .first()
    )


def _frozen_error(problem: Problem) -> ValidationError:
    return ValidationError(
        _(
            "This finding is on the ledger as problem %(number)s, which was written from it: "
            "it can no longer be changed or deleted. Change the problem instead."
        )
        % {"number": problem.ledger_number},
        code="on_ledger",
    )


def _check_finding(finding: Finding) -> None:
    inspection = finding.inspection
    errors: dict[str, str] = {}
    if not finding.text:
        errors["text"] = _("Describe the finding.")
    if finding.unit_id is None or not finding.unit.path.startswith(inspection.unit.path):
        errors["unit"] = _("Choose the unit visited (%(unit)s) or a unit below it.") % {
            "unit": inspection.unit.name
        }
    if finding.theme_id is not None and finding.theme.campaign_id != inspection.campaign_id:
        errors["theme"] = _("Choose one of this campaign's themes.")
    if finding.deduction is not None:
        if finding.deduction < 0:
            errors["deduction"] = _("Points deducted cannot be negative.")
        elif finding.kind != FindingKind.PROBLEM and finding.deduction:
            errors["deduction"] = _("Only a problem found takes points off.")
    if finding.kind not in FindingKind.values:
        errors["kind"] = _("Choose a problem found or a good practice.")
    if errors:
        raise ValidationError(errors)
    finding.full_clean(exclude=["inspection", "number"])


def _locked_inspection(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update()
        .select_related("campaign__owner_unit", "unit")
        .get(pk=inspection.pk)
    )


def _locked_finding(finding: Finding) -> Finding:
    # Only the finding's row: PostgreSQL locks no nullable side of an outer join (theme).
    return (
        Finding.objects.select_for_update(of=("self",))
        .select_related("inspection__campaign__owner_unit", "inspection__unit", "unit", "theme")
        .get(pk=finding.pk)
    )


def _may_edit(actor: User, inspection: Inspection) -> None:
    if not may_inspect(actor, inspection.campaign, inspection.unit):
        raise PermissionDenied


def may_edit_inspection(user: User, inspection: Inspection) -> bool:
    """Whether the page offers to edit the visit and its findings."""
    return may_inspect(user, inspection.campaign, inspection.unit)


# ---------------------------------------------------------------- inspections


@transaction.atomic
def inspection_create(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit | None,
    visited_on: dt.date | None,
    checked: str,
    team_name: str = "",
    members: Sequence[User] = (),
    other_members: str = "",
    summary: str = "",
) -> Inspection:
    """Record a visit to ``unit`` (the actor supervises it, or is the office over it)."""
    _check_inspector(actor, campaign)
    inspection = Inspection(
        campaign=campaign,
        unit=unit,
        visited_on=visited_on,
        team_name=team_name.strip(),
        other_members=other_members.strip(),
        checked=clean_html(checked),
        summary=clean_html(summary),
        recorded_by=actor,
    )
    people = list(members)
    _check_visit(actor, inspection, people)
    with audited(actor):
        inspection.save()
        inspection.members.set(people)
    return inspection


@transaction.atomic
def inspection_update(*, actor: User, inspection: Inspection, **fields: Any) -> Inspection:
    """Edit the visit. Its unit stays put once a finding is on the ledger, and must keep
    every finding's unit below it."""
    unknown = set(fields) - INSPECTION_FIELDS
    if unknown:
        raise TypeError(f"inspection_update got unknown fields: {sorted(unknown)}")
    locked = _locked_inspection(inspection)
    _may_edit(actor, locked)
    members = fields.pop("members", None)
    new_unit = fields.get("unit")
    if new_unit is not None and new_unit.pk != locked.unit_id:
        findings = Finding.objects.filter(inspection=locked)
        if _problems_of(findings).exists():
            raise ValidationError(
                {"unit": _("A finding of this visit is on the ledger: the unit visited stays.")}
            )
        outside = findings.exclude(unit__path__startswith=new_unit.path).values_list(
            "number", flat=True
        )
        if outside:
            raise ValidationError(
                {
                    "unit": _("Findings %(numbers)s concern units outside %(unit)s.")
                    % {"numbers": ", ".join(str(n) for n in outside), "unit": new_unit.name}
                }
            )
    for name, value in fields.items():
        if name in RICH_INSPECTION_FIELDS:
            value = clean_html(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(locked, name, value)
    people = list(members) if members is not None else None
    known = set(locked.members.values_list("pk", flat=True))
    # People named before (perhaps by someone else) stay valid.
    _check_visit(actor, locked, [p for p in people or [] if p.pk not in known])
    with audited(actor):
        locked.save()
        if people is not None:
            locked.members.set(people)
    if inspection is not locked:
        inspection.refresh_from_db()
    return inspection


# ---------------------------------------------------------------- findings


@transaction.atomic
def finding_add(
    *,
    actor: User,
    inspection: Inspection,
    text: str,
    kind: str = FindingKind.PROBLEM,
    unit: Unit | None = None,
    theme: Theme | None = None,
    deduction: Decimal | None = None,
) -> Finding:
    """Add a finding, numbered after the last; its unit defaults to the unit visited."""
    locked = _locked_inspection(inspection)
    _may_edit(actor, locked)
    last = Finding.objects.filter(inspection=locked).aggregate(n=Max("number"))["n"] or 0
    finding = Finding(
        inspection=locked,
        number=last + 1,
        kind=kind,
        text=clean_html(text),
        unit=unit or locked.unit,
        theme=theme,
        deduction=deduction,
    )
    _check_finding(finding)
    with audited(actor):
        finding.save()
        _tag_history(finding)
    return finding


def _tag_history(finding: Finding) -> None:
    """Mark the finding's audit entries with their inspection, so its page finds them."""
    LogEntry.objects.filter(
        content_type=_finding_ct(), object_id=finding.pk, additional_data__isnull=True
    ).update(additional_data={"inspection": finding.inspection_id})


@transaction.atomic
def finding_update(*, actor: User, finding: Finding, **fields: Any) -> Finding:
    """Edit a finding that is not on the ledger."""
    unknown = set(fields) - FINDING_FIELDS
    if unknown:
        raise TypeError(f"finding_update got unknown fields: {sorted(unknown)}")
    locked = _locked_finding(finding)
    _may_edit(actor, locked.inspection)
    if (problem := _on_ledger(locked)) is not None:
        raise _frozen_error(problem)
    for name, value in fields.items():
        if name == "text":
            value = clean_html(value)
        if name == "unit" and value is None:
            value = locked.inspection.unit
        setattr(locked, name, value)
    _check_finding(locked)
    with audited(actor):
        locked.save()
        _tag_history(locked)
    if finding is not locked:
        finding.refresh_from_db()
    return finding


@transaction.atomic
def finding_delete(*, actor: User, finding: Finding) -> None:
    """Delete a finding that is not on the ledger (into the recycle bin of the offices over
    the unit visited); the others keep their numbers."""
    locked = _locked_finding(finding)
    _may_edit(actor, locked.inspection)
    if (problem := _on_ledger(locked)) is not None:
        raise _frozen_error(problem)
    pk = locked.pk
    recycle(locked, actor=actor, unit=locked.inspection.unit)
    LogEntry.objects.filter(
        content_type=_finding_ct(), object_id=pk, additional_data__isnull=True
    ).update(additional_data={"inspection": finding.inspection_id})


def may_add_to_ledger(user: User, finding: Finding) -> bool:
    """Whether the page offers "Add to the ledger": a problem found, and the user keeps
    the ledger of its unit (the ledger's rule: the unit's contact or the office)."""
    return finding.kind == FindingKind.PROBLEM and user.has_perm(
        "rectification.add_problem", finding.unit
    )


def _theme_in(theme: Theme | None, campaign: Campaign) -> Theme | None:
    """The campaign's copy of ``theme`` (a child campaign copies its parent's themes)."""
    if theme is None or theme.campaign_id == campaign.pk:
        return theme
    current: Iterable[int] = [theme.pk]
    for _depth in range(3):
        copies = list(Theme.objects.filter(origin__in=current))
        match = next((t for t in copies if t.campaign_id == campaign.pk), None)
        if match is not None or not copies:
            return match
        current = [t.pk for t in copies]
    return None


def _ledger_deadline(campaign: Campaign) -> dt.date:
    """A draft's first deadline: the campaign's end; the unit sets its own before opening."""
    return max(campaign.ends_on, clock.today())


def ledger_refusal(finding: Finding, problem: Problem | None = None) -> ValidationError | None:
    """Why the finding cannot be the source of a ledger problem, or None.

    A good practice is no problem, and a finding goes onto the ledger once. ``problem``
    is the one being written, already linked to it when it is edited. Both ways onto
    the ledger (``finding_to_problem`` and the ledger's own form) ask this, with the
    finding locked, so the same finding never becomes two problems.
    """
    if finding.kind != FindingKind.PROBLEM:
        return ValidationError(
            _("Finding %(n)s is a good practice, not a problem.") % {"n": finding.number},
            code="not_a_problem",
        )
    existing = Problem.objects.filter(source_type=_finding_ct(), source_id=finding.pk)
    if problem is not None and problem.pk is not None:
        existing = existing.exclude(pk=problem.pk)
    if (found := existing.only("pk", "ledger_number").first()) is not None:
        return ValidationError(
            _("Finding %(n)s is already on the ledger as problem %(number)s.")
            % {"n": finding.number, "number": found.ledger_number},
            code="on_ledger",
        )
    return None


@transaction.atomic
def finding_to_problem(*, actor: User, finding: Finding) -> Problem:
    """Put a problem finding onto the ledger of its unit, as a draft linked to it.

    The problem goes into the campaign whose ledger the unit keeps (a descendant
    campaign when the unit acts in one). It starts as a draft with the campaign's end as
    its deadline: the unit then sets measures and its own deadline and puts it on the
    ledger. Refused for a good practice, for a finding already on the ledger
    (``ledger_refusal``), and for anyone who does not keep the unit's ledger
    (``rectification.add_problem``).
    """
    from taolun.rectification.services import problem_create

    locked = _locked_finding(finding)
    inspection = locked.inspection
    if not may_add_to_ledger(actor, locked) and locked.kind == FindingKind.PROBLEM:
        raise PermissionDenied
    if (refusal := ledger_refusal(locked)) is not None:
        raise refusal
    target = ledger_campaign(locked)
    note = _("Inspection of %(unit)s on %(day)s%(team)s, finding %(n)s") % {
        "unit": inspection.unit.name,
        "day": inspection.visited_on.isoformat(),
        "team": f" ({inspection.team_name})" if inspection.team_name else "",
        "n": locked.number,
    }
    return problem_create(
        actor=actor,
        campaign=target,
        unit=locked.unit,
        description=locked.text,
        source=ProblemSource.SUPERVISION_FINDING,
        source_note=note,
        theme=_theme_in(locked.theme, target),
        kind=ProblemKind.DEADLINE,
        deadline=_ledger_deadline(target),
        source_object=locked,
    )


def suggested_problem(finding: Finding) -> dict[str, Any]:
    """What a finding suggests for the ledger's problem form (the sources registry)."""
    return {
        "description": finding.text,
        "source": ProblemSource.SUPERVISION_FINDING,
        "unit": finding.unit_id,
        "theme": finding.theme_id,
        "source_note": str(
            gettext_lazy("Inspection of %(unit)s on %(day)s, finding %(n)s")
            % {
                "unit": finding.inspection.unit.name,
                "day": finding.inspection.visited_on.isoformat(),
                "n": finding.number,
            }
        ),
    }


__all__ = [
    "finding_add",
    "finding_delete",
    "finding_to_problem",
    "finding_update",
    "findings_for_user",
    "get_finding_for_user",
    "get_inspection_for_user",
    "inspection_create",
    "inspection_findings",
    "inspection_history",
    "inspection_list",
    "inspection_update",
    "inspections_for_user",
    "ledger_campaign",
    "ledger_refusal",
    "reads_whole_visit",
]
