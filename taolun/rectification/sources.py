"""Where a problem came from: the kinds of objects a problem may link to as its source.

A problem found at a meeting, in an opinion or by an inspection links to it, and the
problem's page links back. Each kind names the selector that reads it for a user, so a
link is shown only to someone who may open it. Apps that bring new kinds of source
(discussion opinions, supervision inspections) add them here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from taolun.org.models import User


def _found_in(source: Model) -> dict[str, Any]:
    """What any source suggests: its name as the note, and its unit when it has one."""
    initial: dict[str, Any] = {"source_note": str(source)}
    if getattr(source, "unit_id", None):
        initial["unit"] = source.unit_id
    return initial


@dataclass(frozen=True)
class SourceKind:
    model: str  # "app_label.ModelName"
    readable: Callable[[User], QuerySet]  # the objects of this kind the user may read
    # The problem form's initial values the source suggests (field name -> value).
    initial: Callable[[Model], dict[str, Any]] = _found_in
    # The lookup from the source to its campaign's id: a problem links only within one campaign.
    campaign_field: str = "campaign"
    # When the campaign is no plain lookup, computed from the readable row instead.
    campaign_of: Callable[[Model], int] | None = None
    # The kind's own rule, given the source locked and the problem being written: an
    # error message, or None. Both ways a problem comes from a source pass through it.
    check: Callable[[Model, Model], str | None] | None = None

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)


def _records_for_user(user: User) -> QuerySet:
    from taolun.activities.selectors import records_for_user

    return records_for_user(user)


def _opinions_for_user(user: User) -> QuerySet:
    from taolun.discussion.selectors import opinions_for_user

    return opinions_for_user(user)


def _from_opinion(opinion: Model) -> dict[str, Any]:
    """The opinion's text, classification and topic; never its author (it may be anonymous).

    The responsible unit suggested is the topic's unit, whose people were asked.
    """
    from taolun.rectification.models import ProblemSource

    return {
        "description": opinion.body,
        "source": ProblemSource.STAFF_OPINION,
        "theme": opinion.theme_id,
        "unit": opinion.topic.unit_id,
        "source_note": opinion.topic.question,
    }


def _findings_for_user(user: User) -> QuerySet:
    from taolun.supervision.inspections import findings_for_user

    return findings_for_user(user)


def _from_finding(finding: Model) -> dict[str, Any]:
    from taolun.supervision.inspections import suggested_problem

    return suggested_problem(finding)


def _finding_campaign(finding: Model) -> int:
    from taolun.supervision.inspections import ledger_campaign_id

    return ledger_campaign_id(finding)


def _check_finding(finding: Model, problem: Model) -> str | None:
    """The rule of ``finding_to_problem``: no good practice, no finding on the ledger twice."""
    from taolun.supervision.inspections import ledger_refusal

    refusal = ledger_refusal(finding, problem)
    return None if refusal is None else refusal.messages[0]


SOURCE_KINDS: tuple[SourceKind, ...] = (
    SourceKind("activities.ActivityRecord", _records_for_user),
    SourceKind(
        "discussion.Opinion",
        _opinions_for_user,
        initial=_from_opinion,
        campaign_field="topic__campaign",
    ),
    # A finding's problem goes to the ledger its unit keeps: the inspection's campaign,
    # or the descendant campaign the unit acts in.
    SourceKind(
        "supervision.Finding",
        _findings_for_user,
        initial=_from_finding,
        campaign_of=_finding_campaign,
        check=_check_finding,
    ),
)


def kind_of(obj: Model) -> SourceKind | None:
    label = f"{obj._meta.app_label}.{obj._meta.object_name}"
    return next((k for k in SOURCE_KINDS if k.model.lower() == label.lower()), None)


def is_source_kind(obj: Model) -> bool:
    return kind_of(obj) is not None


def source_for_user(user: User, problem) -> Model | None:
    """The problem's source when there is one and ``user`` may read it; else None."""
    if problem.source_type_id is None or problem.source_id is None:
        return None
    model = ContentType.objects.get_for_id(problem.source_type_id).model_class()
    kind = next((k for k in SOURCE_KINDS if k.model_class() is model), None)
    if kind is None:
        return None
    return kind.readable(user).filter(pk=problem.source_id).first()


def problems_from(obj: Model) -> QuerySet:
    """The problems that name ``obj`` as their source (unscoped; callers scope)."""
    from taolun.rectification.models import Problem

    ct = ContentType.objects.get_for_model(obj)
    return Problem.objects.filter(source_type=ct, source_id=obj.pk)
