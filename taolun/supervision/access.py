"""Who reads and writes supervision data, and over which units.

Dashboards and scores read across the whole tree below a unit in scope — the province's
office watches every federation, county and village, child campaigns included — so here
roles count wherever they are held under the campaign's owner (``Scope.covers``), not
only inside the campaign's own tree as for reviewing (``paths_held_here``).

- readers of dashboards and inspections: the office, leaders and supervisors, over their
  subtree; a unit's contact, over the contact's own unit and below;
- recording inspections: supervisors and the office over the unit visited;
- the scoring scheme: the campaign's own office (inside its tree, outside its children's).
"""

from __future__ import annotations

from taolun.campaigns.models import Campaign
from taolun.campaigns.selectors import paths_held_here
from taolun.org.models import Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import _collapse, scope_for

READER_ROLES = (Role.OFFICE, Role.LEADER, Role.SUPERVISOR, Role.CONTACT)
INSPECTOR_ROLES = (Role.SUPERVISOR, Role.OFFICE)


def _in_tree(campaign: Campaign, paths: tuple[str, ...]) -> list[str]:
    """The paths cut down to the campaign's tree: a path above the owner becomes the owner."""
    owner = campaign.owner_unit.path
    kept = []
    for p in paths:
        if p.startswith(owner):
            kept.append(p)
        elif owner.startswith(p):
            kept.append(owner)
    return list(_collapse(kept))


def reader_paths(user: User, campaign: Campaign) -> list[str]:
    """Topmost paths of the campaign's tree whose subtrees ``user`` may read here."""
    scope = scope_for(user)
    if scope.is_everything:
        return [campaign.owner_unit.path]
    return _in_tree(campaign, scope.paths_for(READER_ROLES))


def may_read(user: User, campaign: Campaign, unit: Unit) -> bool:
    return any(unit.path.startswith(p) for p in reader_paths(user, campaign))


def inspector_paths(user: User, campaign: Campaign) -> list[str]:
    scope = scope_for(user)
    if scope.is_everything:
        return [campaign.owner_unit.path]
    return _in_tree(campaign, scope.paths_for(INSPECTOR_ROLES))


def may_inspect(user: User, campaign: Campaign, unit: Unit) -> bool:
    """Whether ``user`` may record (and edit) an inspection of ``unit`` in this campaign."""
    return any(unit.path.startswith(p) for p in inspector_paths(user, campaign))


def may_manage_scheme(user: User, campaign: Campaign) -> bool:
    """The campaign's own office sets its scoring scheme."""
    if scope_for(user).is_everything:
        return True
    return campaign.owner_unit.path in paths_held_here(user, campaign, (Role.OFFICE,))
