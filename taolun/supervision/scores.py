"""Scores (考核评分): the office's scheme applied to the units of one level of the tree.

Each unit earns five parts, each out of its weight (the weights sum to 100), from its
subtree's rolled-up figures (``rollups.level_rollups``, so a level of ten units or ten
thousand costs the same queries):

- action completion: completion rate × weight;
- timeliness: done on time ÷ (done + done late + overdue) × weight;
- rectification: verified on time ÷ (verified + overdue) × weight;
- briefs adopted: adopted by the unit's own office ÷ the briefs for full marks (capped at
  1), or ÷ the level's best when the scheme sets 0;
- participation: (study logs + reflections + opinions) per member ÷ the level's best.

A part with nothing to measure earns its whole weight: nothing due for the unit (no
action cell, none done or overdue, no problem verified or overdue), or nothing to compare
in the level (the level's best is 0 briefs or 0 participation). A unit with no members
registered earns no participation points: it cannot show any, and full marks would
reward not registering people. Problem findings
of inspections take points off: a finding's own deduction, else the scheme's default,
together at most the cap; a score is never below 0. Units with equal scores share a rank.

Who sees scores: rankings compare units with each other, so the office, leaders and
supervisors see them over their subtree; a unit's contact does not (404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taolun.campaigns.models import Campaign
from taolun.core.audit import audited
from taolun.org.models import Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import scope_for
from taolun.supervision.access import _in_tree, may_manage_scheme
from taolun.supervision.models import ScoringScheme
from taolun.supervision.rollups import AsOf, UnitFigures
from taolun.supervision.snapshots import level_figures

SCORE_ROLES = (Role.OFFICE, Role.LEADER, Role.SUPERVISOR)
CENT = Decimal("0.01")
SCORES_PAGE_SIZE = 50
HUNDRED = Decimal(100)

SCHEME_FIELDS = (
    *ScoringScheme.WEIGHT_FIELDS,
    "deduction_per_finding",
    "deduction_cap",
    "briefs_for_full_marks",
)

# Part names, in the order the pages show them.
PARTS = {
    "actions": gettext_lazy("Action completion"),
    "timeliness": gettext_lazy("Timeliness"),
    "rectification": gettext_lazy("Rectification"),
    "briefs": gettext_lazy("Briefs adopted"),
    "participation": gettext_lazy("Participation"),
}


# ---------------------------------------------------------------- who


def score_paths(user: User, campaign: Campaign) -> list[str]:
    """Topmost paths of the campaign's tree whose units ``user`` may see ranked."""
    scope = scope_for(user)
    if scope.is_everything:
        return [campaign.owner_unit.path]
    return _in_tree(campaign, scope.paths_for(SCORE_ROLES))


def may_see_scores(user: User, campaign: Campaign) -> bool:
    return bool(score_paths(user, campaign))


def may_refresh(user: User, campaign: Campaign, unit: Unit) -> bool:
    """Whether ``user`` may recompute the snapshot of ``unit``'s figures ("Refresh now"):
    the office, leaders and supervisors over the unit, who watch its figures."""
    return any(unit.path.startswith(p) for p in score_paths(user, campaign))


# ---------------------------------------------------------------- the scheme


def scheme_for(campaign: Campaign) -> tuple[ScoringScheme, bool]:
    """The campaign's scheme and whether it was saved (else the model's defaults)."""
    scheme = ScoringScheme.objects.filter(campaign=campaign).first()
    if scheme is None:
        return ScoringScheme(campaign=campaign), False
    return scheme, True


@transaction.atomic
def scheme_save(*, actor: User, campaign: Campaign, **values: Decimal | int) -> ScoringScheme:
    """Save the campaign's scoring scheme; the five weights must sum to 100.

    Raises ValidationError naming each weight (and the sum) when they do not, and
    PermissionDenied for anyone but the campaign's office. The campaign's row is locked
    so two first saves at once do not both insert.
    """
    if not may_manage_scheme(actor, campaign):
        raise PermissionDenied
    unknown = set(values) - set(SCHEME_FIELDS)
    if unknown:
        raise TypeError(f"unknown scheme fields: {sorted(unknown)}")
    list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk"))
    scheme, _saved = scheme_for(campaign)
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.updated_by = actor
    errors: dict[str, list[str]] = {}
    try:
        scheme.full_clean(exclude=["campaign"])
    except ValidationError as error:
        errors.update(error.message_dict)
    total = scheme.total_weight
    if not errors and total != HUNDRED:
        message = _("The five weights must add up to 100; they add up to %(sum)s.") % {
            "sum": total.normalize()
        }
        errors = {name: [message] for name in ScoringScheme.WEIGHT_FIELDS}
    if errors:
        raise ValidationError(errors)
    with audited(actor):
        try:
            with transaction.atomic():
                scheme.save()
        except IntegrityError:
            # A database without row locks (SQLite) let another first save in: update it.
            scheme.pk = ScoringScheme.objects.get(campaign=campaign).pk
            scheme.save(force_update=True)
    return scheme


# ---------------------------------------------------------------- the scores


@dataclass
class Part:
    """One part of a score: what was measured, the rate, the points out of the weight."""

    key: str
    weight: Decimal
    rate: float | None
    points: Decimal
    measured: str

    @property
    def label(self) -> str:
        return str(PARTS[self.key])

    @property
    def nothing_due(self) -> bool:
        return self.rate is None


@dataclass
class Score:
    figures: UnitFigures
    parts: list[Part]
    deduction: Decimal
    deduction_uncapped: Decimal
    total: Decimal = Decimal(0)
    rank: int = 0

    @property
    def unit(self) -> Unit:
        return self.figures.unit

    @property
    def capped(self) -> bool:
        return self.deduction < self.deduction_uncapped

    @property
    def earned(self) -> Decimal:
        return sum((p.points for p in self.parts), Decimal(0))


@dataclass
class Ranking:
    root: Unit
    depth: int
    scheme: ScoringScheme
    scheme_saved: bool
    scores: list[Score] = field(default_factory=list)
    best_briefs: int = 0
    best_participation: float = 0.0
    as_of: AsOf | None = None


def _points(weight: Decimal, rate: float | None) -> Decimal:
    if rate is None:
        return weight.quantize(CENT)
    rate = max(0.0, min(1.0, rate))
    return (weight * Decimal(str(rate))).quantize(CENT, rounding=ROUND_HALF_UP)


def _due(rate: float | None, measured: str) -> str:
    return _("nothing due") if rate is None else measured


def score_unit(
    figures: UnitFigures,
    scheme: ScoringScheme,
    *,
    best_briefs: int,
    best_participation: float,
) -> Score:
    """One unit's score with the reasons behind each part (see the module's rules)."""
    actions = figures.actions
    parts = [
        Part(
            "actions",
            scheme.weight_actions,
            actions.completion_rate,
            _points(scheme.weight_actions, actions.completion_rate),
            _due(
                actions.completion_rate,
                _("%(done)s of %(total)s action cells done")
                % {"done": actions.completed, "total": actions.total},
            ),
        ),
        Part(
            "timeliness",
            scheme.weight_timeliness,
            actions.timeliness,
            _points(scheme.weight_timeliness, actions.timeliness),
            _due(
                actions.timeliness,
                _("%(on_time)s done on time of %(due)s done or overdue")
                % {
                    "on_time": actions.done,
                    "due": actions.done + actions.done_late + actions.overdue,
                },
            ),
        ),
        Part(
            "rectification",
            scheme.weight_rectification,
            figures.rectification_rate,
            _points(scheme.weight_rectification, figures.rectification_rate),
            _due(
                figures.rectification_rate,
                _("%(on_time)s verified on time of %(due)s verified or overdue")
                % {"on_time": figures.problems_verified_on_time, "due": figures.problems_due},
            ),
        ),
    ]
    adopted = figures.briefs_adopted_here
    full = scheme.briefs_for_full_marks
    rate: float | None
    if full:
        rate = min(1.0, adopted / full)
        measured = _("%(n)s adopted; %(full)s earn full marks") % {"n": adopted, "full": full}
    elif best_briefs:
        rate = adopted / best_briefs
        measured = _("%(n)s adopted; the level's best is %(best)s") % {
            "n": adopted,
            "best": best_briefs,
        }
    else:
        rate = None
        measured = _("nothing to measure: no unit of this level has a brief adopted")
    parts.append(
        Part("briefs", scheme.weight_briefs, rate, _points(scheme.weight_briefs, rate), measured)
    )
    per_member = figures.participation_per_member
    if per_member is None:
        rate = 0.0
        measured = _("no members registered")
    elif best_participation:
        rate = per_member / best_participation
        measured = _(
            "%(n)s study logs, reflections and opinions by %(members)s members "
            "(%(per)s each; the level's best is %(best)s)"
        ) % {
            "n": figures.participation,
            "members": figures.members,
            "per": f"{per_member:.2f}",
            "best": f"{best_participation:.2f}",
        }
    else:
        rate = None
        measured = _(
            "nothing to measure: no unit of this level has study logs, reflections or opinions"
        )
    parts.append(
        Part(
            "participation",
            scheme.weight_participation,
            rate,
            _points(scheme.weight_participation, rate),
            measured,
        )
    )
    uncapped = figures.findings_deduction + figures.findings_default * scheme.deduction_per_finding
    deduction = min(uncapped, scheme.deduction_cap)
    score = Score(figures=figures, parts=parts, deduction=deduction, deduction_uncapped=uncapped)
    score.total = max(Decimal(0), score.earned - deduction).quantize(CENT)
    return score


def rank(scores: list[Score]) -> list[Score]:
    """Highest score first; equal scores share a rank (1, 1, 3), then tree order."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.unit.path))
    for position, score in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        score.rank = previous.rank if previous and previous.total == score.total else position
    return ordered


def ranking(campaign: Campaign, root: Unit, depth: int, today: dt.date) -> Ranking:
    """Units ``depth`` levels below ``root`` ranked by score: the rollup's queries + 1
    (or the snapshot's, for a big subtree)."""
    scheme, saved = scheme_for(campaign)
    figures = level_figures(campaign, root, depth, today)
    level = figures.units
    best_briefs = max((f.briefs_adopted_here for f in level), default=0)
    best_participation = max((f.participation_per_member or 0.0 for f in level), default=0.0)
    scores = [
        score_unit(f, scheme, best_briefs=best_briefs, best_participation=best_participation)
        for f in level
    ]
    return Ranking(
        root=root,
        depth=depth,
        scheme=scheme,
        scheme_saved=saved,
        scores=rank(scores),
        best_briefs=best_briefs,
        best_participation=best_participation,
        as_of=figures.as_of,
    )


def get_score_root(user: User, campaign: Campaign, slug: str | None) -> Unit:
    """The unit whose levels are ranked: ``slug`` if in reach, else the user's topmost;
    404 for anyone who may not see scores or a unit outside reach."""
    paths = score_paths(user, campaign)
    if not paths:
        raise Http404
    if slug:
        unit = Unit.objects.select_related("kind").filter(slug=slug).first()
        if unit is None or not any(unit.path.startswith(p) for p in paths):
            raise Http404
        return unit
    return Unit.objects.select_related("kind").get(path=paths[0])
