"""Typical cases (典型): nominated by a unit, decided by the campaign's office.

A contact (or the office) nominates a person, a unit or a practice with its story; the
office approves it or returns it with comments; the nominator edits a returned case and
nominates it again (CASE_TRANSITIONS). Approved cases are shared with the whole campaign
and may be published on channels. Reads start from ``selectors.cases_for_user``.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign, Theme
from taolun.campaigns.selectors import paths_held_here
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.history import HistoryRow, object_history
from taolun.core.sanitize import clean_html, has_text
from taolun.core.uploads import check_upload
from taolun.org.models import Unit, User
from taolun.org.predicates import InCampaign
from taolun.org.roles import Role
from taolun.org.selectors import scope_for
from taolun.reporting.models import CASE_TRANSITIONS, CaseKind, CaseState, TypicalCase
from taolun.reporting.selectors import cases_for_user

CASE_FIELDS = frozenset({"kind", "name", "person", "theme", "summary", "story"})
# Roles that write for a unit in the reporting areas (nominate a case, record an outcome).
WRITER_ROLES = (Role.CONTACT, Role.OFFICE)


# ---------------------------------------------------------------- reads


def units_for_reporting(campaign: Campaign, user: User) -> QuerySet[Unit]:
    """Units ``user`` may nominate or record for: ``nominate_case`` and ``add_outcome`` in
    SQL (contact or office role held for the campaign). Any unit of the campaign's tree may
    be a typical case or issue a rule, departments included (they have no matrix cells)."""
    units = Unit.objects.filter(path__startswith=campaign.owner_unit.path).order_by("path")
    if scope_for(user).is_everything:
        return units
    held = paths_held_here(user, campaign, WRITER_ROLES)
    if not held:
        return units.none()
    return units.filter(reduce(or_, (Q(path__startswith=p) for p in held)))


def people_for_case(unit: Unit) -> QuerySet[User]:
    """The people a person case may name: those whose home unit is the unit or below it."""
    return User.objects.filter(unit__path__startswith=unit.path, is_active=True).order_by(
        "name", "pk"
    )


def case_list(
    user: User,
    campaign: Campaign,
    *,
    kind: str = "",
    state: str = "",
    unit: Unit | None = None,
) -> QuerySet[TypicalCase]:
    """The campaign's cases the user reads, narrowed by the list's filters (unit: subtree)."""
    qs = (
        cases_for_user(user)
        .filter(campaign=campaign)
        .select_related("unit", "person", "theme", "nominated_by")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("-nominated_at", "-id")


# Bookkeeping a reader does not need in the trail.
HIDDEN_IN_HISTORY = frozenset(
    {"id", "file", "content_type", "size", "nominated_at", "decided_at", "decided_by"}
)


def case_history(case: TypicalCase) -> list[HistoryRow]:
    """The case's audit trail in one query, with the changed fields named."""
    return object_history(case, hidden=HIDDEN_IN_HISTORY, state_field="state", states=CaseState)


# ---------------------------------------------------------------- checks


def _photo_error(photo: UploadedFile | None) -> list[str]:
    """Why ``photo`` cannot be the case's photo (checked by content), or nothing."""
    if photo is None:
        return []
    try:
        checked = check_upload(photo)
    except ValidationError as exc:
        return exc.messages
    if not checked.content_type.startswith("image/"):
        return [
            _("“%(name)s” is not a photo: choose a JPEG, PNG, GIF or WebP image.")
            % {"name": checked.original_name}
        ]
    return []


def _validate(case: TypicalCase, photo: UploadedFile | None) -> None:
    """Every mistake at once, each on its field; then the photo is attached."""
    campaign = case.campaign
    errors: dict[str, str | list[str]] = {}
    if photo_errors := _photo_error(photo):
        errors["photo"] = photo_errors
    if case.kind not in CaseKind.values:
        errors["kind"] = _("Choose whether a person, a unit or a practice is nominated.")
    if not case.unit.path.startswith(campaign.owner_unit.path):
        errors["unit"] = _("The unit does not take part in this campaign.")
    if case.person_id is not None:
        if case.kind != CaseKind.PERSON:
            errors["person"] = _("Choose a person only when a person is nominated.")
        elif case.person.unit is None or not case.person.unit.path.startswith(case.unit.path):
            errors["person"] = _("Choose one of the unit's people.")
    if not case.name:
        errors["name"] = (
            _("Give the person's name, or choose the person from the unit's people.")
            if case.kind == CaseKind.PERSON
            else _("Give the name of the unit or practice nominated.")
        )
    if not has_text(case.story):
        errors["story"] = _("Tell the case's story: what was done and what came of it.")
    if case.theme_id is not None and case.theme.campaign_id != campaign.pk:
        errors["theme"] = _("Choose one of this campaign's themes.")
    if errors:
        raise ValidationError(errors)
    case.full_clean(exclude=["file", "nominated_by", "decided_by"])
    if photo is not None:
        case.attach(photo, field="photo")


def _fill(case: TypicalCase, fields: dict) -> None:
    for name, value in fields.items():
        if name == "story":
            value = clean_html(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(case, name, value)
    if not case.name and case.person_id is not None and case.kind == CaseKind.PERSON:
        case.name = case.person.name


def _move(case: TypicalCase, to: str, verb: str) -> None:
    if CASE_TRANSITIONS.get((case.state, to)) != verb:
        raise ValidationError(
            _("A case that is “%(state)s” cannot become “%(target)s”.")
            % {"state": CaseState(case.state).label, "target": CaseState(to).label},
            code="illegal_transition",
        )
    case.state = to


def _locked(case: TypicalCase) -> TypicalCase:
    return (
        TypicalCase.objects.select_for_update(of=("self",))
        .select_related("campaign__owner_unit", "unit", "person__unit", "theme")
        .get(pk=case.pk)
    )


# ---------------------------------------------------------------- writes


@transaction.atomic
def case_nominate(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    kind: str,
    name: str = "",
    person: User | None = None,
    theme: Theme | None = None,
    summary: str = "",
    story: str,
    photo: UploadedFile | None = None,
) -> TypicalCase:
    """A unit nominates a person, unit or practice; it goes to the campaign's office."""
    if not actor.has_perm("reporting.nominate_case", InCampaign(unit, campaign)):
        raise PermissionDenied
    case = TypicalCase(
        campaign=campaign,
        unit=unit,
        state=CaseState.NOMINATED,
        nominated_by=actor,
        nominated_at=clock.now(),
    )
    _fill(
        case,
        {
            "kind": kind,
            "name": name,
            "person": person,
            "theme": theme,
            "summary": summary,
            "story": story,
        },
    )
    _validate(case, photo)
    with audited(actor):
        case.save()
    return case


@transaction.atomic
def case_update(
    *,
    actor: User,
    case: TypicalCase,
    photo: UploadedFile | None = None,
    remove_photo: bool = False,
    nominate_again: bool = False,
    **fields,
) -> TypicalCase:
    """Edit a returned case; with ``nominate_again`` it goes back to the office."""
    unknown = set(fields) - CASE_FIELDS
    if unknown:
        raise TypeError(f"case_update got unknown fields: {sorted(unknown)}")
    locked = _locked(case)
    if not actor.has_perm("reporting.change_case", locked):
        raise PermissionDenied
    _fill(locked, fields)
    if remove_photo and photo is None:
        locked.clear_file()
    _validate(locked, photo)
    if nominate_again:
        _move(locked, CaseState.NOMINATED, "nominate")
        locked.nominated_at = clock.now()
        # Who sends it again answers for it now, and so may not approve it.
        locked.nominated_by = actor
    with audited(actor):
        locked.save()
    if case is not locked:
        case.refresh_from_db()
    return locked


@transaction.atomic
def case_decide(*, actor: User, case: TypicalCase, approve: bool, comment: str = "") -> TypicalCase:
    """The office approves a nominated case, or returns it with comments (required)."""
    locked = _locked(case)
    if not actor.has_perm("reporting.decide_case", locked):
        raise PermissionDenied
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError(
            {"comment": _("Say what the nominator should change before nominating it again.")},
            code="required",
        )
    if approve:
        _move(locked, CaseState.APPROVED, "approve")
    else:
        _move(locked, CaseState.RETURNED, "return")
    locked.comment = comment
    locked.decided_by = actor
    locked.decided_at = clock.now()
    with audited(actor):
        locked.save()
    if case is not locked:
        case.refresh_from_db()
    return locked
