"""Permission predicates over role assignments and the unit tree (django ``rules``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rules

from taolun.org.models import Unit
from taolun.org.roles import Role
from taolun.org.selectors import scope_for


@dataclass(frozen=True)
class InCampaign:
    """A unit acting in a campaign: the object of permissions to record, plan or propose."""

    unit: Unit
    campaign: Any


def unit_of(obj) -> Unit | None:
    if obj is None:
        return None
    if isinstance(obj, Unit):
        return obj
    return getattr(obj, "unit", None)


def role_over(*roles: str, name: str | None = None) -> rules.Predicate:
    """True when the user holds one of ``roles`` over the object's unit (or above it)."""
    wanted: Iterable[str] = roles or [r.value for r in Role]

    def check(user, obj) -> bool:
        unit = unit_of(obj)
        return unit is not None and scope_for(user).covers(unit, wanted)

    return rules.predicate(check, name=name or f"role_over({','.join(wanted)})")


def campaign_role(*roles: str, name: str) -> rules.Predicate:
    """True when the user holds one of ``roles`` over the object's unit, inside its campaign.

    The object (a record, a self-selected action) has ``unit`` and ``campaign``.
    """

    def check(user, obj) -> bool:
        unit = unit_of(obj)
        if unit is None or getattr(obj, "campaign", None) is None:
            return False
        return scope_for(user).covers_in_campaign(unit, obj.campaign.owner_unit.path, roles)

    return rules.predicate(check, name=name)


in_scope = role_over(name="in_scope")
is_contact_or_office = role_over(Role.CONTACT, Role.OFFICE, name="is_contact_or_office")
is_campaign_office = campaign_role(Role.OFFICE, name="is_campaign_office")
is_campaign_contact_or_office = campaign_role(
    Role.CONTACT, Role.OFFICE, name="is_campaign_contact_or_office"
)
is_campaign_office_or_leader = campaign_role(
    Role.OFFICE, Role.LEADER, name="is_campaign_office_or_leader"
)
