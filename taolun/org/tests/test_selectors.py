import pytest
from django.http import Http404

from taolun.campaigns.selectors import campaigns_for_user, get_campaign_for_user
from taolun.org.models import Unit
from taolun.org.roles import Role
from taolun.org.selectors import (
    get_unit_for_user,
    people_for_user,
    scope_for,
    scoped,
    units_for_user,
)
from taolun.org.tests.factories import UserFactory, grant, make_unit


def slugs(qs) -> set[str]:
    return set(qs.values_list("slug", flat=True))


def test_role_reaches_the_whole_subtree(org):
    assert slugs(units_for_user(org.office)) == {"root", "organ", "branch1", "branch2"}
    assert slugs(units_for_user(org.contact1)) == {"branch1"}
    assert slugs(units_for_user(org.member1)) == {"branch1"}


def test_sibling_branches_do_not_see_each_other(org):
    with pytest.raises(Http404):
        get_unit_for_user(org.contact1, "branch2")
    assert get_unit_for_user(org.contact2, "branch2") == org.branch2
    assert not people_for_user(org.contact1).filter(pk=org.contact2.pk).exists()


def test_no_role_means_no_scope(org):
    assert not units_for_user(org.outsider).exists()
    assert not campaigns_for_user(org.outsider).exists()
    with pytest.raises(Http404):
        get_unit_for_user(org.outsider, "root")


def test_inactive_and_anonymous_users_see_nothing(org):
    from django.contrib.auth.models import AnonymousUser

    org.office.is_active = False
    assert scope_for(org.office).paths == ()
    assert not units_for_user(org.office).exists()
    assert scope_for(AnonymousUser()).paths == ()


def test_superuser_sees_everything(org):
    admin = UserFactory(username="root-admin", is_superuser=True, is_staff=True)
    assert units_for_user(admin).count() == Unit.objects.count()


def test_nested_roles_collapse_to_the_outer_path(org):
    grant(org.contact1, org.organ, Role.LEADER)
    scope = scope_for(org.contact1)
    assert scope.paths == (org.organ.path,)
    assert scope.paths_for([Role.CONTACT]) == (org.branch1.path,)


def test_scope_is_computed_once_per_user(org, django_assert_num_queries):
    with django_assert_num_queries(1):
        scope_for(org.contact1)
        scope_for(org.contact1)


def test_scoped_filters_by_role(org):
    from taolun.org.models import RoleAssignment

    qs = RoleAssignment.objects.all()
    assert set(scoped(qs, org.office, roles=[Role.CONTACT]).values_list("pk", flat=True)) == set()
    assert scoped(qs, org.office, roles=[Role.OFFICE]).count() == qs.count()


def test_campaigns_run_above_are_visible_to_members(org):
    assert list(campaigns_for_user(org.member1)) == [org.campaign]
    assert get_campaign_for_user(org.contact2, "camp") == org.campaign


def test_campaign_of_a_sibling_subtree_is_hidden(org):
    from taolun.campaigns.tests.factories import make_campaign

    sibling = make_campaign(org.branch2, "branch2-own")
    assert sibling in campaigns_for_user(org.contact2)
    with pytest.raises(Http404):
        get_campaign_for_user(org.contact1, "branch2-own")


def test_scope_query_does_not_depend_on_tree_size(org, django_assert_num_queries):
    for i in range(30):
        make_unit(f"村{i}", f"village-{i}", org.branch1)
    user = UserFactory(username="c1b")
    grant(user, org.branch1, Role.CONTACT)
    with django_assert_num_queries(2):
        assert units_for_user(user).count() == 31


def test_unit_index_first_reaches_the_same_rows(org):
    """The to-do kinds read a subtree unit-first (``InSubtree``); that is a plan, not a rule:
    the rows are those of the joined ``LIKE``, for an office below the root as at the root."""
    from taolun.rectification.models import Problem
    from taolun.rectification.tests.factories import make_problem

    here = make_problem(org, unit="branch1", description="一支部的问题")
    there = make_problem(org, unit="branch2", description="二支部的问题")
    branch_office = UserFactory(username="branch1-office", unit=org.branch1)
    grant(branch_office, org.branch1, Role.OFFICE)
    for user, expected in ((branch_office, {here.pk}), (org.office, {here.pk, there.pk})):
        scope = scope_for(user)
        rows = {}
        for first in (False, True):
            q = scope.q_in_campaign([Role.OFFICE], unit_index_first=first)
            rows[first] = set(Problem.objects.filter(q).values_list("pk", flat=True))
        assert rows[True] == rows[False] == expected, user.username
