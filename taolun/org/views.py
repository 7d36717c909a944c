"""Organisation pages: the unit tree and a unit's own page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from taolun.campaigns.models import Approval, CellStatus
from taolun.campaigns.selectors import (
    matrix_counts,
    unit_campaigns_for_user,
    unit_matrix,
    unit_own_actions,
    unit_plan,
)
from taolun.core import clock
from taolun.org.models import Unit
from taolun.org.predicates import InCampaign
from taolun.org.selectors import (
    get_unit_for_user,
    unit_children,
    unit_people,
    unit_posts,
    unit_tree_for_user,
)
from taolun.rectification.selectors import rectification_counts, unit_live_problems

# Live problems listed on a unit page; the rest are in the ledger, filtered by the unit.
LIVE_PROBLEMS_SHOWN = 10


@dataclass(frozen=True)
class TreeItem:
    """A unit of the tree page with what the template needs to nest lists.

    ``opens``: start a new list before this item; ``close_li``: close this item's list
    item (unless its children follow); ``climbs``: how many nested lists end after it.
    """

    unit: Unit
    level: int
    opens: bool
    close_li: bool
    climbs: range


def tree_items(units: list[Unit]) -> list[TreeItem]:
    """Nest units given in path order; the scope may be a forest of separate subtrees."""
    levels: list[int] = []
    stack: list[str] = []
    for unit in units:
        while stack and not unit.path.startswith(stack[-1]):
            stack.pop()
        levels.append(len(stack))
        stack.append(unit.path)
    items = []
    for i, (unit, level) in enumerate(zip(units, levels, strict=True)):
        following = levels[i + 1] if i + 1 < len(levels) else 0
        items.append(
            TreeItem(
                unit=unit,
                level=level,
                opens=i == 0 or level > levels[i - 1],
                close_li=following <= level,
                climbs=range(max(level - following, 0)),
            )
        )
    return items


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    units = unit_tree_for_user(request.user)
    return render(request, "org/tree.html", {"items": tree_items(units)})


@login_required
def unit_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(user, slug)
    campaigns = list(unit_campaigns_for_user(user, unit).select_related("owner_unit"))
    campaign = None
    wanted = request.GET.get("campaign")
    if wanted:
        campaign = next((c for c in campaigns if c.slug == wanted), None)
        if campaign is None:
            raise Http404
    elif campaigns:
        campaign = campaigns[0]

    context = {
        "unit": unit,
        "people": unit_people(unit),
        "posts": unit_posts(unit),
        "children": unit_children(unit).order_by("path"),
        "campaigns": campaigns,
        "campaign": campaign,
    }
    if campaign is not None:
        today = clock.today()
        acting = InCampaign(unit, campaign)
        plan = unit_plan(campaign, unit)
        own_actions = unit_own_actions(campaign, unit)
        matrix = unit_matrix(campaign, unit, today)
        counts = matrix_counts(matrix)
        context.update(
            {
                "today": today,
                "plan": plan,
                "own_actions": [
                    (
                        action,
                        action.approval == Approval.PROPOSED
                        and user.has_perm("campaigns.decide_action", action),
                    )
                    for action in own_actions
                ],
                "matrix": matrix,
                "counts": [(s.value, s.label, counts.get(s.value, 0)) for s in CellStatus],
                "can_record": user.has_perm("activities.add_record", acting),
                "can_edit_plan": user.has_perm("campaigns.change_unit_plan", acting),
                "can_propose": user.has_perm("campaigns.propose_action", acting),
                "rectification": rectification_counts(campaign, unit, today),
                "live_problems": unit_live_problems(
                    user, campaign, unit, today, limit=LIVE_PROBLEMS_SHOWN
                ),
            }
        )
    return render(request, "org/unit_detail.html", context)
