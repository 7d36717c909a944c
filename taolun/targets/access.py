"""Who manages, reports and reads work targets, and over which units.

- Reading the target areas and the headline figures (the responsible unit's rolled-up
  value): everyone who can see the campaign — targets are the campaign's public plan.
- Reading a unit's own figures below the headline: units in the user's scope (any role)
  and the user's own unit, with everything below them.
- Reporting a value: a unit's contact or the office, for the unit they hold the role
  over and every unit below it (a role reaches its subtree), inside the indicator's
  responsible subtree; only roles held inside the campaign's own tree count, so the
  province's office does not fill in a federation's figures.
- Managing areas and indicators: the campaign's own office (held over the owner unit,
  outside child campaigns' trees) and superusers.

No function here queries the database beyond the cached scope and the campaign's child
campaigns (``paths_held_here``, once per campaign object).
"""

from __future__ import annotations

from collections.abc import Iterable

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import paths_held_here
from taolun.org.models import Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import _collapse, scope_for
from taolun.targets.models import Indicator

REPORTER_ROLES: tuple[str, ...] = (Role.CONTACT, Role.OFFICE)


def may_manage(user: User, campaign: Campaign) -> bool:
    """The campaign's own office (or a superuser) adds and edits areas and indicators."""
    if scope_for(user).is_everything:
        return True
    return campaign.owner_unit.path in paths_held_here(user, campaign, (Role.OFFICE,))


def _within(root: str, paths: Iterable[str]) -> list[str]:
    """The paths cut down to ``root``'s subtree: a path above the root becomes the root."""
    kept = []
    for p in paths:
        if p.startswith(root):
            kept.append(p)
        elif root.startswith(p):
            kept.append(root)
    return list(_collapse(kept))


def report_paths(user: User, indicator: Indicator) -> list[str]:
    """Topmost paths of the responsible subtree whose units ``user`` reports for."""
    scope = scope_for(user)
    root = indicator.responsible_unit.path
    if scope.is_everything:
        return [root]
    owner = indicator.area.campaign.owner_unit.path
    held = [
        p for role in REPORTER_ROLES for p in scope.by_role.get(role, ()) if p.startswith(owner)
    ]
    return _within(root, held)


def may_report(user: User, indicator: Indicator, unit: Unit) -> bool:
    return any(unit.path.startswith(p) for p in report_paths(user, indicator))


def value_paths(user: User, indicator: Indicator) -> list[str]:
    """Topmost paths of the responsible subtree whose units' figures ``user`` reads."""
    scope = scope_for(user)
    root = indicator.responsible_unit.path
    if scope.is_everything:
        return [root]
    paths = list(scope.paths)
    home = getattr(user, "unit", None)
    if home is not None:
        paths.append(home.path)
    return _within(root, paths)


def may_read_values(user: User, indicator: Indicator, unit: Unit) -> bool:
    return any(unit.path.startswith(p) for p in value_paths(user, indicator))
