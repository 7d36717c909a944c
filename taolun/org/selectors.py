"""The scoping selector: every read of business data asks it what the user may see.

A role held over a unit reaches the unit's subtree, so a user's scope is a short
list of materialised paths; a row is in scope when its unit's path starts with one
of them. That is one indexed ``LIKE 'prefix%'`` per path, whatever the tree's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from taolun.org.models import Post, RoleAssignment, Unit, User
from taolun.org.roles import Role


def _collapse(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths that lie under another path of the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return tuple(kept)


@dataclass(frozen=True)
class Scope:
    """What one user may reach: for each role, the unit paths it is held over."""

    is_everything: bool = False
    by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def paths(self) -> tuple[str, ...]:
        return _collapse(p for paths in self.by_role.values() for p in paths)

    def paths_for(self, roles: Iterable[str] | None) -> tuple[str, ...]:
        if roles is None:
            return self.paths
        return _collapse(p for role in roles for p in self.by_role.get(role, ()))

    def q(self, unit_field: str = "unit", roles: Iterable[str] | None = None) -> Q:
        """A filter keeping rows whose ``unit_field`` lies in scope (for the given roles)."""
        if self.is_everything:
            return Q()
        paths = self.paths_for(roles)
        if not paths:
            return Q(pk__in=[])
        prefix = f"{unit_field}__path" if unit_field else "path"
        return reduce(or_, (Q(**{f"{prefix}__startswith": p}) for p in paths))

    def covers(self, unit: Unit, roles: Iterable[str] | None = None) -> bool:
        if self.is_everything:
            return True
        return any(unit.path.startswith(p) for p in self.paths_for(roles))

    def _held_within(self, roles: Iterable[str], owner_path: str) -> list[str]:
        return [p for role in roles for p in self.by_role.get(role, ()) if p.startswith(owner_path)]

    def covers_in_campaign(self, unit: Unit, owner_path: str, roles: Iterable[str]) -> bool:
        """Like ``covers``, counting only roles held inside the campaign's own tree.

        The office of a province-wide campaign reaches every federation below it, but
        reviewing a federation's records is the federation's office's work, not its own.
        """
        if self.is_everything:
            return True
        return any(unit.path.startswith(p) for p in self._held_within(roles, owner_path))

    def q_in_campaign(
        self,
        roles: Iterable[str],
        unit_field: str = "unit",
        owner_field: str = "campaign__owner_unit",
    ) -> Q:
        """SQL for ``covers_in_campaign``: rows reached by a role held inside their campaign."""
        if self.is_everything:
            return Q()
        held = sorted({p for role in roles for p in self.by_role.get(role, ())})
        if not held:
            return Q(pk__in=[])
        steplen = Unit.steplen
        return reduce(
            or_,
            (
                Q(
                    **{
                        f"{unit_field}__path__startswith": p,
                        f"{owner_field}__path__in": [
                            p[: i * steplen] for i in range(1, len(p) // steplen + 1)
                        ],
                    }
                )
                for p in held
            ),
        )

    def ancestor_paths(self) -> set[str]:
        """Paths of every unit above (or at) a unit in scope: campaigns run from there."""
        steplen = Unit.steplen
        return {p[: i * steplen] for p in self.paths for i in range(1, len(p) // steplen + 1)}


_EMPTY = Scope()


def scope_for(user: User | None) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _EMPTY
    cached = getattr(user, "_taolun_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(is_everything=True)
    else:
        by_role: dict[str, list[str]] = {}
        for role, path in RoleAssignment.objects.filter(user=user).values_list(
            "role", "unit__path"
        ):
            by_role.setdefault(role, []).append(path)
        # Kept whole per role: a role held inside another of the same kind still
        # matters where campaigns are concerned (see covers_in_campaign).
        scope = Scope(by_role={role: tuple(sorted(set(paths))) for role, paths in by_role.items()})
    user._taolun_scope = scope
    return scope


def paths_taking_part(user: User | None) -> set[str]:
    """Paths of every unit at or above the user's home unit or a unit in their scope: where
    what they take part in is run (campaigns, topics). No query beyond the cached scope;
    the authentication backend loads the home unit with the user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    paths = scope_for(user).ancestor_paths()
    home = getattr(user, "unit", None)
    if home is not None:
        paths |= set(home.ancestor_paths())
    return paths


def units_for_user(user: User, roles: Iterable[str] | None = None) -> QuerySet[Unit]:
    return Unit.objects.filter(scope_for(user).q(unit_field="", roles=roles))


def scoped(
    qs: QuerySet, user: User, *, unit_field: str = "unit", roles: Iterable[str] | None = None
) -> QuerySet:
    """Restrict any queryset whose rows belong to a unit to what ``user`` may see."""
    return qs.filter(scope_for(user).q(unit_field=unit_field, roles=roles))


def get_unit_for_user(user: User, slug: str) -> Unit:
    """The unit, or 404 when it does not exist or lies outside the user's scope."""
    unit = units_for_user(user).select_related("kind").filter(slug=slug).first()
    if unit is None:
        raise Http404
    return unit


def unit_children(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.get_children(unit).select_related("kind")


def roles_of(user: User) -> QuerySet[RoleAssignment]:
    """The user's own role assignments, for their home page."""
    return (
        RoleAssignment.objects.filter(user=user)
        .select_related("unit", "unit__kind")
        .order_by("unit__path", "role")
    )


TREE_LEVELS = 4


def unit_tree_for_user(user: User, levels: int = TREE_LEVELS) -> list[Unit]:
    """The top ``levels`` levels of each subtree in scope, in tree order.

    A province holds 100,000 units: deeper ones are reached from their parent's page.
    """
    scope = scope_for(user)
    units = Unit.objects.select_related("kind").order_by("path")
    if scope.is_everything:
        return list(units.filter(depth__lte=levels))
    if not scope.paths:
        return []
    steplen = Unit.steplen
    return list(
        units.filter(
            reduce(
                or_,
                (Q(path__startswith=p, depth__lt=len(p) // steplen + levels) for p in scope.paths),
            )
        )
    )


def unit_people(unit: Unit) -> QuerySet[User]:
    return User.objects.filter(unit=unit).order_by("name")


def unit_posts(unit: Unit) -> QuerySet[Post]:
    return Post.objects.filter(unit=unit).select_related("holder").order_by("order", "id")


def people_for_user(user: User) -> QuerySet[User]:
    return scoped(User.objects.all(), user)


__all__ = [
    "Role",
    "Scope",
    "get_unit_for_user",
    "paths_taking_part",
    "people_for_user",
    "roles_of",
    "scope_for",
    "scoped",
    "unit_children",
    "unit_people",
    "unit_posts",
    "unit_tree_for_user",
    "units_for_user",
]
