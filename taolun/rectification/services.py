"""Writes for the rectification ledger: record, move, report progress, extend, sign off.

Every move goes through ``_move`` (the TRANSITIONS table in models) after ``_authorise``
(the WHO table in rules), on a row locked for the transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign, Theme
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.sanitize import clean_html
from taolun.core.uploads import check_upload, check_uploads
from taolun.org.models import Unit, User
from taolun.org.predicates import is_campaign_office
from taolun.rectification.models import (
    TRANSITIONS,
    ExtensionRequest,
    ExtensionState,
    Measure,
    Problem,
    ProblemKind,
    ProblemLevel,
    ProblemSource,
    ProblemState,
    ProgressAttachment,
    ProgressUpdate,
    Rating,
    SatisfactionVote,
)
from taolun.rectification.rules import WHO, is_evaluator
from taolun.rectification.sources import kind_of

RICH_FIELDS = frozenset({"description", "target_standard"})
PLAIN_FIELDS = frozenset({"source", "source_note", "level", "kind"})
# Changed only while the problem is a draft: once open, the number is printed and the
# deadline moves only by a granted extension.
DRAFT_ONLY_FIELDS = frozenset({"ledger_number", "deadline"})
PROBLEM_FIELDS = RICH_FIELDS | PLAIN_FIELDS | DRAFT_ONLY_FIELDS
PROBLEM_RELATIONS = frozenset({"theme", "responsible_leader", "person_in_charge", "source_object"})


@dataclass(frozen=True)
class MeasureInput:
    text: str
    deadline: dt.date
    done: bool = False


# ---------------------------------------------------------------- the state machine


def _move(problem: Problem, to: str, verb: str) -> None:
    if TRANSITIONS.get((problem.state, to)) != verb:
        raise ValidationError(
            _("A problem that is “%(state)s” cannot become “%(target)s”.")
            % {
                "state": ProblemState(problem.state).label,
                "target": ProblemState(to).label,
            },
            code="illegal_transition",
        )
    problem.state = to


def _authorise(actor: User, problem: Problem, verb: str) -> None:
    if not WHO[verb].test(actor, problem):
        raise PermissionDenied


def _locked(problem: Problem) -> Problem:
    return (
        Problem.objects.select_for_update()
        .select_related("campaign__owner_unit", "unit")
        .get(pk=problem.pk)
    )


def _sync(target: Problem, saved: Problem) -> Problem:
    """Let the caller's object see what was saved on the locked row."""
    if target is not saved:
        target.refresh_from_db()
    return target


# ---------------------------------------------------------------- ledger numbers


def ledger_number_prefix(campaign: Campaign, unit: Unit) -> str:
    return f"{campaign.slug.upper()}-{unit.slug.upper()}-"


def ledger_number_next(campaign: Campaign, unit: Unit) -> str:
    """The next free number "{CAMPAIGN}-{UNIT}-{NNN}" of the unit in the campaign.

    Built from slugs: they are unique, ASCII and change rarely; a number once given is
    kept for good, even if the slug changes later, because it is printed on paper.
    """
    prefix = ledger_number_prefix(campaign, unit)
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    used = Problem.objects.filter(campaign=campaign, ledger_number__startswith=prefix).values_list(
        "ledger_number", flat=True
    )
    highest = max((int(m.group(1)) for n in used if (m := pattern.match(n))), default=0)
    return f"{prefix}{highest + 1:03d}"


def _check_ledger_number(problem: Problem) -> None:
    taken = (
        Problem.objects.filter(campaign=problem.campaign, ledger_number=problem.ledger_number)
        .exclude(pk=problem.pk)
        .exists()
    )
    if taken:
        raise ValidationError(
            {
                "ledger_number": _("Ledger number “%(number)s” is already used in this campaign.")
                % {"number": problem.ledger_number}
            },
            code="unique",
        )


# ---------------------------------------------------------------- checks


def _in_campaign(campaign: Campaign, unit: Unit | None) -> bool:
    return unit is not None and unit.path.startswith(campaign.owner_unit.path)


def _check_source(actor: User, problem: Problem, source: Model | None) -> str | None:
    """An error message when ``source`` cannot be the problem's source, else None.

    The source's kind may add its own rule (``SourceKind.check``); it is asked with the
    source's row locked until the transaction ends, so two problems written at once
    from the same source cannot both pass it.
    """
    if source is None:
        return None
    kind = kind_of(source)
    if kind is None:
        return _("A problem cannot come from this kind of object.")
    readable = kind.readable(actor).filter(pk=source.pk)
    if kind.campaign_of is None:
        campaign_id = readable.values_list(kind.campaign_field, flat=True).first()
    else:
        row = readable.first()
        campaign_id = kind.campaign_of(row) if row is not None else None
    if campaign_id is None:
        return _("Choose a source you can see.")
    if campaign_id != problem.campaign_id:
        return _("The source belongs to another campaign.")
    if kind.check is not None:
        locked = kind.model_class().objects.select_for_update().get(pk=source.pk)
        return kind.check(locked, problem)
    return None


def _validate(
    problem: Problem,
    supporting_units: Sequence[Unit] | None,
    *,
    actor: User | None = None,
    source: Model | None = None,
) -> None:
    campaign = problem.campaign
    errors: dict[str, str] = {}
    if actor is not None and (message := _check_source(actor, problem, source)):
        errors["source_object"] = message
    if not _in_campaign(campaign, problem.unit):
        errors["unit"] = _("The responsible unit does not take part in this campaign.")
    if problem.theme_id and problem.theme.campaign_id != campaign.pk:
        errors["theme"] = _("Choose one of this campaign's themes.")
    for name in ("responsible_leader", "person_in_charge"):
        person = getattr(problem, name)
        if person is not None and not _in_campaign(campaign, person.unit):
            errors[name] = _("Choose a person of a unit that takes part in this campaign.")
    if supporting_units is not None:
        if any(not _in_campaign(campaign, u) for u in supporting_units):
            errors["supporting_units"] = _("Choose units that take part in this campaign.")
        elif any(u.pk == problem.unit_id for u in supporting_units):
            errors["supporting_units"] = _("The responsible unit cannot also be a supporting unit.")
    if problem.deadline is None and problem.kind != ProblemKind.LONG_TERM:
        errors["deadline"] = _("Give a deadline; only a long-term problem may have none.")
    if errors:
        raise ValidationError(errors)
    _check_ledger_number(problem)
    problem.full_clean(exclude=["supporting_units"])


def _clean_measures(
    problem: Problem, measures: Sequence[MeasureInput], existing: Sequence[Measure] = ()
) -> list[Measure]:
    """Check and build the measures; a measure already done keeps the day it was done."""
    done_before = {m.text: m.done_on for m in existing if m.done}
    errors = []
    built = []
    for i, m in enumerate(measures, start=1):
        text = m.text.strip()
        if not text:
            errors.append(_("Measure %(n)s: describe the measure.") % {"n": i})
        elif problem.deadline and m.deadline > problem.deadline:
            errors.append(
                _("Measure %(n)s: its deadline is after the problem's deadline (%(deadline)s).")
                % {"n": i, "deadline": problem.deadline}
            )
        built.append(
            Measure(
                problem=problem,
                text=text,
                deadline=m.deadline,
                order=i,
                done=m.done,
                done_on=(done_before.get(text) or clock.today()) if m.done else None,
            )
        )
    if errors:
        raise ValidationError({"measures": errors})
    return built


# ---------------------------------------------------------------- problems


@transaction.atomic
def problem_create(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    description: str,
    ledger_number: str = "",
    source: str = ProblemSource.OTHER,
    source_note: str = "",
    theme: Theme | None = None,
    level: str = ProblemLevel.UNIT,
    kind: str = ProblemKind.DEADLINE,
    deadline: dt.date | None = None,
    target_standard: str = "",
    responsible_leader: User | None = None,
    person_in_charge: User | None = None,
    supporting_units: Sequence[Unit] = (),
    measures: Sequence[MeasureInput] = (),
    source_object: Model | None = None,
    open_now: bool = False,
) -> Problem:
    """Record a problem of ``unit``; its ledger number is generated when none is given."""
    if not actor.has_perm("rectification.add_problem", unit):
        raise PermissionDenied
    # One numbering at a time per campaign (a no-op lock on SQLite, which serialises writes).
    Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
    problem = Problem(
        campaign=campaign,
        unit=unit,
        ledger_number=ledger_number.strip() or ledger_number_next(campaign, unit),
        description=clean_html(description),
        source=source,
        source_note=source_note.strip(),
        theme=theme,
        level=level,
        kind=kind,
        deadline=deadline,
        target_standard=clean_html(target_standard),
        responsible_leader=responsible_leader,
        person_in_charge=person_in_charge,
        source_object=source_object,
        created_by=actor,
    )
    supporting = list(supporting_units)
    _validate(problem, supporting, actor=actor, source=source_object)
    built = _clean_measures(problem, measures)
    with audited(actor):
        problem.save()
        problem.supporting_units.set(supporting)
        for measure in built:
            measure.problem = problem
            measure.save()  # one by one, so each measure is in the audit trail
        if open_now:
            _authorise(actor, problem, "open")
            _move(problem, ProblemState.OPEN, "open")
            problem.save(update_fields=["state", "updated_at"])
    return problem


@transaction.atomic
def problem_update(
    *,
    actor: User,
    problem: Problem,
    supporting_units: Sequence[Unit] | None = None,
    measures: Sequence[MeasureInput] | None = None,
    **fields,
) -> Problem:
    """Edit a problem that is a draft, open or in progress.

    ``measures``, when given, replaces the problem's measures in the order given.
    The responsible unit is not changed here: the ledger number was built from it.
    """
    unknown = set(fields) - PROBLEM_FIELDS - PROBLEM_RELATIONS
    if unknown:
        raise TypeError(f"problem_update got unknown fields: {sorted(unknown)}")
    locked = _locked(problem)
    if not actor.has_perm("rectification.change_problem", locked):
        raise PermissionDenied
    if locked.state != ProblemState.DRAFT:
        frozen = [
            name
            for name in DRAFT_ONLY_FIELDS & set(fields)
            if fields[name] != getattr(locked, name)
        ]
        if frozen:
            raise ValidationError(
                {
                    name: _(
                        "Only a draft's %(field)s can be changed; ask for an extension "
                        "to move an open problem's deadline."
                    )
                    % {"field": Problem._meta.get_field(name).verbose_name}
                    for name in frozen
                }
            )
    for name, value in fields.items():
        if name in RICH_FIELDS:
            value = clean_html(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(locked, name, value)
    supporting = list(supporting_units) if supporting_units is not None else None
    _validate(
        locked,
        supporting,
        actor=actor if "source_object" in fields else None,
        source=fields.get("source_object"),
    )
    existing = list(locked.measures.all()) if measures is not None else []
    built = _clean_measures(locked, measures, existing) if measures is not None else None
    with audited(actor):
        locked.save()
        if supporting is not None:
            locked.supporting_units.set(supporting)
        if built is not None and _measures_changed(existing, built):
            for old in existing:
                old.delete()
            for measure in built:
                measure.save()
    return _sync(problem, locked)


def _measures_changed(existing: Sequence[Measure], built: Sequence[Measure]) -> bool:
    """Whether the new list differs from the stored one (text, deadline, done, order)."""

    def key(m: Measure) -> tuple:
        return (m.text, m.deadline, m.done)

    return [key(m) for m in existing] != [key(m) for m in built]


@transaction.atomic
def measure_set_done(*, actor: User, measure: Measure, done: bool) -> Measure:
    """Tick a measure off (or back on) while its problem is being worked on."""
    problem = _locked(measure.problem)
    if not actor.has_perm("rectification.change_problem", problem):
        raise PermissionDenied
    with audited(actor):
        measure.done = done
        measure.done_on = clock.today() if done else None
        measure.save(update_fields=["done", "done_on"])
    return measure


def _transition(actor: User, problem: Problem, to: str, verb: str) -> Problem:
    locked = _locked(problem)
    _authorise(actor, locked, verb)
    _move(locked, to, verb)
    return locked


@transaction.atomic
def problem_open(*, actor: User, problem: Problem) -> Problem:
    """Put a draft on the ledger."""
    locked = _transition(actor, problem, ProblemState.OPEN, "open")
    with audited(actor):
        locked.save(update_fields=["state", "updated_at"])
    return _sync(problem, locked)


@transaction.atomic
def problem_start(*, actor: User, problem: Problem) -> Problem:
    locked = _transition(actor, problem, ProblemState.IN_PROGRESS, "start")
    with audited(actor):
        locked.save(update_fields=["state", "updated_at"])
    return _sync(problem, locked)


def _add_update(
    actor: User,
    problem: Problem,
    text: str,
    files: Sequence[UploadedFile],
    reported_on: dt.date | None,
) -> ProgressUpdate:
    update = ProgressUpdate(
        problem=problem,
        text=clean_html(text),
        reported_on=reported_on or clock.today(),
        author=actor,
    )
    if reported_on and reported_on > clock.today():
        raise ValidationError({"reported_on": _("Progress is reported for today or earlier.")})
    update.full_clean()
    update.save()
    for upload in files:
        checked = check_upload(upload)
        attachment = ProgressAttachment(
            update=update,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=actor,
        )
        attachment.file.save(checked.stored_name, upload, save=False)
        attachment.save()
    return update


@transaction.atomic
def progress_add(
    *,
    actor: User,
    problem: Problem,
    text: str,
    files: Sequence[UploadedFile] = (),
    reported_on: dt.date | None = None,
) -> ProgressUpdate:
    """Report progress (text and/or files); the first report starts work on an open problem."""
    locked = _locked(problem)
    if not actor.has_perm("rectification.add_progress", locked):
        raise PermissionDenied
    if not clean_html(text) and not files:
        raise ValidationError({"text": _("Say what was done, or attach the evidence.")})
    check_uploads(files, field="files")
    with audited(actor):
        if locked.state == ProblemState.OPEN:
            _authorise(actor, locked, "start")
            _move(locked, ProblemState.IN_PROGRESS, "start")
        locked.save(update_fields=["state", "updated_at"])
        update = _add_update(actor, locked, text, files, reported_on)
    _sync(problem, locked)
    return update


def has_evidence(problem: Problem) -> bool:
    """A claim of completion stands on at least one progress update (text or files)."""
    return problem.updates.exists()


@transaction.atomic
def problem_complete(
    *, actor: User, problem: Problem, note: str = "", files: Sequence[UploadedFile] = ()
) -> Problem:
    """The owner claims the problem fixed; the note and files become a progress update."""
    locked = _transition(actor, problem, ProblemState.COMPLETED, "complete")
    check_uploads(files, field="files")
    with audited(actor):
        if clean_html(note) or files:
            _add_update(actor, locked, note, files, None)
        if not has_evidence(locked):
            raise ValidationError(
                {
                    "note": ValidationError(
                        _("Show what was done: post a progress update or attach evidence."),
                        code="no_evidence",
                    )
                }
            )
        locked.completed_on = clock.today()
        locked.review_comment = ""
        locked.save(update_fields=["state", "completed_on", "review_comment", "updated_at"])
    return _sync(problem, locked)


@transaction.atomic
def problem_send_back(*, actor: User, problem: Problem, comment: str) -> Problem:
    """The office or a leader refuses the claim: the owner works on, told why."""
    locked = _transition(actor, problem, ProblemState.IN_PROGRESS, "send_back")
    if not comment.strip():
        raise ValidationError(
            {"comment": _("Say what is still missing before it can be verified.")}
        )
    with audited(actor):
        locked.review_comment = comment.strip()
        locked.completed_on = None
        locked.save(update_fields=["state", "review_comment", "completed_on", "updated_at"])
    return _sync(problem, locked)


def _close_pending_extensions(problem: Problem, actor: User, comment: str) -> None:
    """Refuse the pending request of a problem that closes, one save each: audited."""
    for extension in problem.extensions.filter(state=ExtensionState.REQUESTED):
        extension.state = ExtensionState.REFUSED
        extension.decided_by = actor
        extension.decided_at = clock.now()
        extension.decision_comment = comment
        extension.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])


@transaction.atomic
def problem_verify(*, actor: User, problem: Problem, comment: str = "") -> Problem:
    """Sign the problem off (销号): only the campaign's own office or leaders."""
    locked = _transition(actor, problem, ProblemState.VERIFIED, "verify")
    if not has_evidence(locked):
        raise ValidationError(
            _("Nothing shows this problem was fixed: it needs a progress update first."),
            code="no_evidence",
        )
    with audited(actor):
        locked.verified_by = actor
        locked.verified_on = clock.today()
        locked.review_comment = comment.strip()
        locked.save(
            update_fields=["state", "verified_by", "verified_on", "review_comment", "updated_at"]
        )
        _close_pending_extensions(locked, actor, _("Closed: the problem was verified."))
    return _sync(problem, locked)


@transaction.atomic
def problem_carry_over(*, actor: User, problem: Problem, reason: str) -> Problem:
    """The campaign's office closes a problem that cannot be fixed now, saying why."""
    locked = _transition(actor, problem, ProblemState.CARRIED_OVER, "carry_over")
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the problem is carried over.")})
    with audited(actor):
        locked.carried_over_reason = reason.strip()
        locked.save(update_fields=["state", "carried_over_reason", "updated_at"])
        _close_pending_extensions(locked, actor, _("Closed: the problem was carried over."))
    return _sync(problem, locked)


@transaction.atomic
def problem_reopen(*, actor: User, problem: Problem, reason: str) -> Problem:
    """The campaign's office takes a verified problem back to work, saying why.

    The sign-off is undone and the evaluation closes; its votes stay as the record of
    that round, and a later evaluation starts a new round.
    """
    locked = _transition(actor, problem, ProblemState.IN_PROGRESS, "reopen")
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the problem is reopened.")})
    with audited(actor):
        locked.reopen_reason = reason.strip()
        locked.review_comment = ""
        locked.reopen_count += 1
        locked.evaluation_open = False
        locked.verified_by = None
        locked.verified_on = None
        locked.completed_on = None
        locked.save(
            update_fields=[
                "state",
                "reopen_reason",
                "review_comment",
                "reopen_count",
                "evaluation_open",
                "verified_by",
                "verified_on",
                "completed_on",
                "updated_at",
            ]
        )
    return _sync(problem, locked)


# ---------------------------------------------------------------- evaluation (接受群众检验)


@transaction.atomic
def evaluation_open(*, actor: User, problem: Problem) -> Problem:
    """Open a verified problem to the evaluation of the members of the units concerned.

    Rounds follow sign-offs, not openings: the first evaluation after the n-th reopening
    is round n + 1. Closing and opening again (a pause) keeps the round, its votes and
    its one vote per member.
    """
    locked = _locked(problem)
    if not is_campaign_office.test(actor, locked):
        raise PermissionDenied
    if locked.state != ProblemState.VERIFIED:
        raise ValidationError(
            _("Only a verified problem can be opened to evaluation."), code="not_verified"
        )
    if locked.evaluation_open:
        raise ValidationError(_("This problem is already open to evaluation."), code="already_open")
    with audited(actor):
        locked.evaluation_open = True
        locked.evaluation_round = max(locked.evaluation_round, locked.reopen_count + 1)
        locked.save(update_fields=["evaluation_open", "evaluation_round", "updated_at"])
    return _sync(problem, locked)


@transaction.atomic
def evaluation_close(*, actor: User, problem: Problem) -> Problem:
    """Stop taking votes; the results stay beside the problem."""
    locked = _locked(problem)
    if not is_campaign_office.test(actor, locked):
        raise PermissionDenied
    if not locked.evaluation_open:
        raise ValidationError(_("This problem is not open to evaluation."), code="not_open")
    with audited(actor):
        locked.evaluation_open = False
        locked.save(update_fields=["evaluation_open", "updated_at"])
    return _sync(problem, locked)


@transaction.atomic
def vote_cast(*, actor: User, problem: Problem, rating: str, comment: str = "") -> SatisfactionVote:
    """One member's evaluation of the fix: once per round, by members of the units concerned."""
    locked = _locked(problem)
    if not is_evaluator.test(actor, locked):
        raise PermissionDenied
    if not locked.evaluation_open:
        raise ValidationError(_("This problem is not open to evaluation."), code="not_open")
    if rating not in Rating.values:
        raise ValidationError(
            {"rating": _("Choose satisfied, basically satisfied or unsatisfied.")}
        )
    vote = SatisfactionVote(
        problem=locked,
        round=locked.evaluation_round,
        voter=actor,
        rating=rating,
        comment=comment.strip(),
    )
    if SatisfactionVote.objects.filter(
        problem=locked, round=locked.evaluation_round, voter=actor
    ).exists():
        raise ValidationError(_("You have already evaluated this problem."), code="voted")
    try:
        with audited(actor), transaction.atomic():
            vote.save()
    except IntegrityError as exc:  # two tabs racing
        raise ValidationError(_("You have already evaluated this problem."), code="voted") from exc
    return vote


# ---------------------------------------------------------------- extensions


@transaction.atomic
def extension_request(
    *,
    actor: User,
    problem: Problem,
    reason: str,
    requested_deadline: dt.date,
    progress_so_far: str = "",
) -> ExtensionRequest:
    """Ask the office for a later deadline; one request may be pending at a time."""
    locked = _locked(problem)
    if not actor.has_perm("rectification.request_extension", locked):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if not clean_html(reason):
        errors["reason"] = _("Say why more time is needed.")
    if locked.deadline and requested_deadline <= locked.deadline:
        errors["requested_deadline"] = _(
            "The new deadline must be after the current one (%(d)s)."
        ) % {"d": locked.deadline}
    elif requested_deadline < clock.today():
        errors["requested_deadline"] = _("The new deadline cannot be in the past.")
    if locked.extensions.filter(state=ExtensionState.REQUESTED).exists():
        errors["problem"] = _("This problem already has an extension request pending.")
    if errors:
        raise ValidationError(errors)
    extension = ExtensionRequest(
        problem=locked,
        reason=clean_html(reason),
        progress_so_far=clean_html(progress_so_far),
        previous_deadline=locked.deadline,
        requested_deadline=requested_deadline,
        requested_by=actor,
    )
    extension.full_clean()
    with audited(actor):
        extension.save()
    return extension


@transaction.atomic
def extension_decide(
    *, actor: User, extension: ExtensionRequest, grant: bool, comment: str = ""
) -> ExtensionRequest:
    """The campaign's office grants (the deadline moves, the count grows) or refuses."""
    extension = (
        ExtensionRequest.objects.select_for_update()
        .select_related("problem__campaign__owner_unit", "problem__unit")
        .get(pk=extension.pk)
    )
    if not is_campaign_office.test(actor, extension.problem):
        raise PermissionDenied
    if extension.state != ExtensionState.REQUESTED:
        raise ValidationError(_("This request has already been decided."), code="already_decided")
    if not grant and not comment.strip():
        raise ValidationError({"comment": _("Say why the extension is refused.")})
    problem = _locked(extension.problem)
    with audited(actor):
        if grant:
            if problem.state not in (ProblemState.OPEN, ProblemState.IN_PROGRESS):
                raise ValidationError(
                    _("Only an open problem's deadline can be extended."), code="not_working"
                )
            problem.deadline = extension.requested_deadline
            problem.extension_count += 1
            problem.save(update_fields=["deadline", "extension_count", "updated_at"])
        extension.state = ExtensionState.GRANTED if grant else ExtensionState.REFUSED
        extension.decided_by = actor
        extension.decided_at = clock.now()
        extension.decision_comment = comment.strip()
        extension.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
    return extension


__all__ = [
    "MeasureInput",
    "evaluation_close",
    "evaluation_open",
    "extension_decide",
    "extension_request",
    "has_evidence",
    "ledger_number_next",
    "measure_set_done",
    "problem_carry_over",
    "problem_complete",
    "problem_create",
    "problem_open",
    "problem_reopen",
    "problem_send_back",
    "problem_start",
    "problem_update",
    "problem_verify",
    "progress_add",
    "vote_cast",
]
