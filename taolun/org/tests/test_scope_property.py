"""The path-prefix scope agrees with walking the tree, on random trees and role sets."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taolun.org.models import Unit
from taolun.org.roles import Role
from taolun.org.selectors import units_for_user
from taolun.org.tests.factories import UserFactory, grant, make_unit


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    parents=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=25),
    held=st.lists(st.integers(min_value=0, max_value=10_000), min_size=0, max_size=4),
)
def test_scope_equals_brute_force_descendants(db, parents, held):
    Unit.objects.all().delete()
    units = [make_unit("根", "u0", kind="organisation")]
    for i, choice in enumerate(parents, start=1):
        units.append(make_unit(f"单位{i}", f"u{i}", units[choice % len(units)]))
    user = UserFactory(username="p")
    user.roles.all().delete()
    chosen = {units[h % len(units)] for h in held}
    for unit in chosen:
        grant(user, unit, Role.MEMBER)

    by_pk = {u.pk: u for u in Unit.objects.all()}
    parent_of = {
        u.pk: (Unit.objects.get_parent(u).pk if u.depth > 1 else None) for u in by_pk.values()
    }

    def under_a_held_unit(pk):
        while pk is not None:
            if pk in {c.pk for c in chosen}:
                return True
            pk = parent_of[pk]
        return False

    expected = {pk for pk in by_pk if under_a_held_unit(pk)}
    user = type(user).objects.get(pk=user.pk)  # fresh object: no cached scope
    assert set(units_for_user(user).values_list("pk", flat=True)) == expected
