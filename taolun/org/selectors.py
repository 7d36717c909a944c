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

from django.db.models import BooleanField, Expression, F, Q, QuerySet, Subquery
from django.http import Http404

from taolun.org.models import Post, RoleAssignment, Unit, User
from taolun.org.roles import Role

# A filter every row passes, which stays one when OR-ed (``Q()`` vanishes instead).
EVERYTHING = ~Q(pk__in=[])


def _collapse(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths that lie under another path of the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return tuple(kept)


class InSubtree(Expression):
    """``unit_field`` is a unit of the subtree under ``path``, as a filter condition.

    On PostgreSQL a subtree below a tree's root is read first, by the path index, into an
    array, and the rows by their unit's index (``= ANY(ARRAY(...))``): joined to the unit
    table instead, the planner scans every row of the campaign and looks each unit up, since
    it cannot tell how few units a path range holds (a county's office waited 100 ms on its
    to-do count in a 100,000-unit province, now 3 ms). A root's subtree is the whole tree,
    where that join is right: ``subtree_q`` keeps the plain ``LIKE`` there.

    Only for conditions ANDed with the rest of a query: inside an ``OR`` the array cannot
    lead, and PostgreSQL searches it element by element for every row (it hashes constant
    arrays only). A row with no unit is neither in nor, negated, outside the subtree.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, unit_field: str, path: str) -> None:
        super().__init__()
        self.units = Subquery(Unit.objects.filter(path__startswith=path).order_by().values("pk"))
        self.column = F(unit_field)

    def get_source_expressions(self) -> list:
        return [self.column, self.units]

    def set_source_expressions(self, exprs: list) -> None:
        self.column, self.units = exprs

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        column, column_params = compiler.compile(self.column)
        units, units_params = compiler.compile(self.units)
        return f"{column} IN {units}", (*column_params, *units_params)

    def as_postgresql(self, compiler, connection) -> tuple[str, tuple]:
        column, column_params = compiler.compile(self.column)
        units, units_params = compiler.compile(self.units)
        return f"{column} = ANY(ARRAY{units})", (*column_params, *units_params)


def subtree_q(unit_field: str, path: str, *, unit_index_first: bool = False) -> Q:
    """Rows whose ``unit_field`` lies under ``path``: the joined ``LIKE``, or with
    ``unit_index_first`` ``InSubtree`` below a root (a root's subtree is the whole tree)."""
    if not unit_index_first or len(path) <= Unit.steplen:
        return Q(**{f"{unit_field}__path__startswith": path})
    return Q(InSubtree(unit_field, path))


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
            # Not ``Q()``: OR-ed with another condition, an empty Q drops out and
            # "everything or what I attended" would become "what I attended".
            return EVERYTHING
        paths = self.paths_for(roles)
        if not paths:
            return Q(pk__in=[])
        prefix = f"{unit_field}__path" if unit_field else "path"
        return reduce(or_, (Q(**{f"{prefix}__startswith": p}) for p in paths))

    def holds(self, roles: Iterable[str]) -> bool:
        """Whether the user holds any of ``roles`` anywhere: a selector for those roles'
        work answers ``.none()`` otherwise, which costs no SQL to build or to read."""
        return self.is_everything or any(self.by_role.get(role) for role in roles)

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
        *,
        unit_index_first: bool = False,
    ) -> Q:
        """SQL for ``covers_in_campaign``: rows reached by a role held inside their campaign.

        ``unit_index_first`` (see ``InSubtree``) when the condition is ANDed with the rest of
        the query, as in the to-do counts: a county's office then reads its own units first.
        """
        if self.is_everything:
            return Q()
        held = sorted({p for role in roles for p in self.by_role.get(role, ())})
        if not held:
            return Q(pk__in=[])
        steplen = Unit.steplen
        return reduce(
            or_,
            (
                subtree_q(unit_field, p, unit_index_first=unit_index_first)
                & Q(
                    **{
                        f"{owner_field}__path__in": [
                            p[: i * steplen] for i in range(1, len(p) // steplen + 1)
                        ]
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
