"""The back office for the organisation: complete for superusers, scoped for other staff."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.urls import reverse

from taolun.core.tests.admin_utils import make_staff, url
from taolun.org.models import Post, RoleAssignment, Unit, UnitKind, User
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", name="超级管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def posts(org):
    return {
        "branch1": Post.objects.create(unit=org.branch1, title="书记", holder=org.contact1),
        "branch2": Post.objects.create(unit=org.branch2, title="书记", holder=org.contact2),
    }


@pytest.fixture
def staff1(org, client):
    """contact1 as back-office staff and office of branch1, with rights on the org models.

    Only the office role writes in the back office, so branch1's contact is made its
    office too; the scope stays branch1.
    """
    grant(org.contact1, org.branch1, Role.OFFICE)
    user = make_staff(
        org.contact1,
        *(
            f"org.{verb}_{model}"
            for verb in ("view", "change", "add", "delete")
            for model in ("unit", "user", "post", "roleassignment")
        ),
        "org.view_unitkind",
    )
    client.force_login(user)
    return user


ORG_MODELS = (UnitKind, Unit, User, Post, RoleAssignment)


def test_every_org_model_is_registered():
    for model in ORG_MODELS:
        assert model in admin.site._registry


def test_superuser_sees_every_changelist_and_add_page(org, posts, superuser, client):
    client.force_login(superuser)
    for model in ORG_MODELS:
        assert client.get(url(model)).status_code == 200, model
        assert client.get(url(model, "add")).status_code == 200, model
    page = client.get(url(Unit), {"q": "党支部"}).content.decode()
    assert "机关第一党支部" in page and "机关第二党支部" in page


def test_superuser_change_pages_open(org, posts, superuser, client):
    client.force_login(superuser)
    assert client.get(url(Unit, "change", org.branch2.pk)).status_code == 200
    assert client.get(url(User, "change", org.contact2.pk)).status_code == 200
    assert client.get(url(Post, "change", posts["branch2"].pk)).status_code == 200


def test_staff_without_permissions_is_refused(org, client):
    client.force_login(make_staff(org.contact1))
    assert client.get(url(Unit)).status_code == 403
    assert client.get(url(Post)).status_code == 403


def test_non_staff_is_sent_to_the_admin_login(org, client):
    client.force_login(org.contact1)
    response = client.get(url(Unit))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_unit_tree_starts_at_the_staff_members_units(org, staff1, client):
    response = client.get(url(Unit))
    assert response.status_code == 200
    page = response.content.decode()
    assert "机关第一党支部" in page
    assert "机关第二党支部" not in page
    assert "省残联" not in page.split('id="result_list"', 1)[-1]


def test_unit_search_in_chinese_is_scoped(org, staff1, client):
    branch1_child = make_unit("第一党小组", "branch1-group", org.branch1)
    make_unit("第二党小组", "branch2-group", org.branch2)
    page = client.get(url(Unit), {"q": "党小组"}).content.decode()
    assert branch1_child.name in page
    assert "第二党小组" not in page


def test_superuser_unit_search_in_chinese(org, superuser, client):
    client.force_login(superuser)
    page = client.get(url(Unit), {"q": "第二"}).content.decode()
    assert "机关第二党支部" in page
    assert "机关第一党支部" not in page


def test_out_of_scope_objects_answer_404(org, posts, staff1, client):
    other_role = RoleAssignment.objects.get(user=org.contact2)
    for model, pk in (
        (Unit, org.branch2.pk),
        (Unit, org.root.pk),
        (User, org.contact2.pk),
        (Post, posts["branch2"].pk),
        (RoleAssignment, other_role.pk),
    ):
        for view in ("change", "delete", "history"):
            assert client.get(url(model, view, pk)).status_code == 404, (model, view)
    password = reverse("admin:auth_user_password_change", args=[org.contact2.pk])
    assert client.get(password).status_code == 404
    assert client.get(url(Unit, "change", 999999)).status_code == 404


def test_in_scope_objects_open(org, posts, staff1, client):
    assert client.get(url(Unit, "change", org.branch1.pk)).status_code == 200
    assert client.get(url(Post, "change", posts["branch1"].pk)).status_code == 200
    assert client.get(url(User, "change", org.member1.pk)).status_code == 200


def test_post_changelist_lists_only_branch1(org, posts, staff1, client):
    response = client.get(url(Post))
    shown = list(response.context["cl"].result_list)
    assert shown == [posts["branch1"]]


def test_role_changelist_lists_only_branch1(org, staff1, client):
    shown = set(client.get(url(RoleAssignment)).context["cl"].result_list)
    assert shown == set(RoleAssignment.objects.filter(unit=org.branch1))
    filtered = client.get(url(RoleAssignment), {"role__exact": Role.MEMBER})
    assert [r.user for r in filtered.context["cl"].result_list] == [org.member1]


def test_people_changelist_is_scoped_and_searchable_in_chinese(org, staff1, superuser, client):
    shown = set(client.get(url(User)).context["cl"].result_list)
    assert shown == {org.contact1, org.member1}
    found = list(client.get(url(User), {"q": "联络员"}).context["cl"].result_list)
    assert found == [org.contact1]


def test_post_cannot_be_placed_in_another_unit(org, staff1, client):
    response = client.post(
        url(Post, "add"),
        {
            "unit": org.branch2.pk,
            "title": "组织委员",
            "holder": org.contact1.pk,
            "order": 0,
        },
    )
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert not Post.objects.filter(title="组织委员").exists()


def test_post_holder_must_be_in_scope(org, staff1, client):
    response = client.post(
        url(Post, "add"),
        {
            "unit": org.branch1.pk,
            "title": "组织委员",
            "holder": org.contact2.pk,
            "order": 0,
        },
    )
    assert "holder" in response.context["adminform"].form.errors
    assert not Post.objects.filter(title="组织委员").exists()


def test_post_added_in_scope_is_audited_with_the_actor(org, staff1, client):
    response = client.post(
        url(Post, "add"),
        {
            "unit": org.branch1.pk,
            "title": "组织委员",
            "holder": org.member1.pk,
            "order": 2,
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(title="组织委员")
    entry = LogEntry.objects.get_for_object(post).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == staff1


def test_change_through_admin_is_audited_with_the_actor(org, posts, superuser, client):
    client.force_login(superuser)
    post = posts["branch1"]
    response = client.post(
        url(Post, "change", post.pk),
        {
            "unit": org.branch1.pk,
            "title": "副书记",
            "holder": "",
            "order": 1,
        },
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "副书记" and post.holder is None
    entry = LogEntry.objects.get_for_object(post).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == superuser
    assert entry.changes_dict["title"] == ["书记", "副书记"]


def test_autocomplete_offers_only_units_in_scope(org, staff1, client):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "org",
            "model_name": "post",
            "field_name": "unit",
            "term": "党支部",
        },
    )
    assert response.status_code == 200
    names = [row["text"] for row in response.json()["results"]]
    assert names == ["机关第一党支部"]


def test_role_cannot_be_granted_outside_scope(org, staff1, client):
    response = client.post(
        url(RoleAssignment, "add"),
        {
            "user": org.member1.pk,
            "unit": org.branch2.pk,
            "role": Role.CONTACT,
        },
    )
    assert "unit" in response.context["adminform"].form.errors
    assert not RoleAssignment.objects.filter(unit=org.branch2, user=org.member1).exists()


def test_unit_cannot_be_added_outside_scope(org, staff1, client):
    kind = org.branch1.kind
    data = {
        "name": "新支部",
        "short_name": "",
        "slug": "new-branch",
        "kind": kind.pk,
        "treebeard_position": "first-child",
        "treebeard_ref_node": org.branch2.pk,
    }
    response = client.post(url(Unit, "add"), data)
    assert "treebeard_ref_node" in response.context["adminform"].form.errors
    # Beside its own top unit would put the new unit under 机关, outside the scope.
    data["treebeard_ref_node"] = org.branch1.pk
    data["treebeard_position"] = "right"
    response = client.post(url(Unit, "add"), data)
    assert "treebeard_ref_node" in response.context["adminform"].form.errors
    assert not Unit.objects.filter(slug="new-branch").exists()
    data["treebeard_position"] = "first-child"
    response = client.post(url(Unit, "add"), data)
    assert response.status_code == 302
    added = Unit.objects.get(slug="new-branch")
    assert Unit.objects.get_parent(added) == org.branch1


def test_unit_in_scope_can_be_renamed_in_place(org, staff1, client):
    response = client.get(url(Unit, "change", org.branch1.pk))
    form = response.context["adminform"].form
    data = {
        "name": "机关第一党支部（改）",
        "short_name": "",
        "slug": "branch1",
        "kind": org.branch1.kind_id,
        "treebeard_position": form.initial["treebeard_position"],
        "treebeard_ref_node": getattr(form.initial["treebeard_ref_node"], "pk", ""),
    }
    response = client.post(url(Unit, "change", org.branch1.pk), data)
    assert response.status_code == 302
    org.branch1.refresh_from_db()
    assert org.branch1.name == "机关第一党支部（改）"
    assert Unit.objects.get_parent(org.branch1) == org.organ


def test_units_cannot_be_dragged_out_of_scope(org, staff1, client):
    group = make_unit("第一党小组", "branch1-group", org.branch1)
    move = reverse("admin:org_unit_changelist") + "move/"
    for node, target, relation in (
        (group.pk, org.branch2.pk, "child"),
        (org.branch2.pk, org.branch1.pk, "child"),
        (group.pk, org.branch1.pk, "sibling"),
    ):
        response = client.post(move, {"node": node, "target": target, "relation": relation})
        assert response.status_code == 404
    group.refresh_from_db()
    assert Unit.objects.get_parent(group) == org.branch1


def test_children_of_out_of_scope_unit_answer_404(org, staff1, client):
    children = reverse("admin:org_unit_changelist") + f"children/{org.branch2.pk}/"
    assert client.get(children).status_code == 404


def test_scoped_staff_cannot_grant_back_office_rights(org, staff1, client):
    response = client.get(url(User, "change", org.member1.pk))
    form = response.context["adminform"].form
    for name in ("is_superuser", "is_staff", "user_permissions", "groups"):
        assert name not in form.fields
    client.post(
        url(User, "change", org.member1.pk),
        {
            "username": "member1",
            "name": "党员一",
            "unit": org.branch1.pk,
            "email": "",
            "phone": "",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    org.member1.refresh_from_db()
    assert not org.member1.is_superuser and not org.member1.is_staff


def test_superusers_are_hidden_from_scoped_staff(org, staff1, client):
    boss = UserFactory(username="boss", name="超管", unit=org.branch1, is_superuser=True)
    assert client.get(url(User, "change", boss.pk)).status_code == 404


def test_unit_kinds_are_reference_data(org, staff1, client):
    shown = set(client.get(url(UnitKind)).context["cl"].result_list)
    assert shown == set(UnitKind.objects.all())


def _more_rows(org, n: int, start: int) -> None:
    for i in range(start, start + n):
        person = UserFactory(username=f"p{i}", name=f"人员{i}", unit=org.branch1)
        grant(person, org.branch1, Role.MEMBER)
        Post.objects.create(unit=org.branch1, title=f"委员{i}", holder=person)
        make_unit(f"党小组{i}", f"group-{i}", org.branch1)


@pytest.mark.parametrize("model", [User, Post, RoleAssignment, Unit])
def test_changelist_queries_do_not_grow_with_rows(
    org, staff1, client, model, django_assert_max_num_queries
):
    _more_rows(org, 3, 0)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url(model)).status_code == 200
    _more_rows(org, 15, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(model)).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries) + 1):
        assert client.get(url(model), {"q": "党"}).status_code == 200


def test_unit_children_view_is_constant_in_queries(
    org, superuser, client, django_assert_max_num_queries
):
    client.force_login(superuser)
    children = reverse("admin:org_unit_changelist") + f"children/{org.branch1.pk}/"
    _more_rows(org, 3, 0)
    with django_assert_max_num_queries(20) as small:
        assert client.get(children).status_code == 200
    _more_rows(org, 15, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(children).status_code == 200


# --- Only the office writes, and never above itself -------------------------------------

ORG_PERMS = tuple(
    f"org.{verb}_{model}"
    for verb in ("view", "change", "add", "delete")
    for model in ("unit", "user", "post", "roleassignment")
)


@pytest.fixture
def office_staff(org, client):
    """The office at the root, as back-office staff with rights on the org models."""
    user = make_staff(org.office, *ORG_PERMS, "org.view_unitkind")
    client.force_login(user)
    return user


@pytest.fixture
def province(org):
    """A unit above the root, and a person sitting in branch1 who is its office."""
    top = make_unit("省委", "top", kind="organisation")
    Unit.objects.move(org.root, top, pos="first-child")
    for unit in (org.root, org.organ, org.branch1, org.branch2):
        unit.refresh_from_db()
    boss = UserFactory(username="province-office", name="省里办公室", unit=org.branch1)
    grant(boss, top, Role.OFFICE)
    grant(boss, org.branch1, Role.MEMBER)
    return top, boss


def person_form(person, **overrides) -> dict:
    data = {
        "username": person.username,
        "name": person.name,
        "unit": person.unit_id,
        "email": person.email,
        "phone": person.phone,
        "is_active": "on",
    }
    data.update(overrides)
    return data


def password_url(person) -> str:
    return reverse("admin:auth_user_password_change", args=[person.pk])


def test_office_cannot_take_over_a_person_with_reach_above_it(org, province, office_staff, client):
    _top, boss = province
    response = client.post(url(User, "change", boss.pk), person_form(boss, email="me@evil.example"))
    assert response.status_code in (403, 404)
    for method in (client.get, client.post):
        response = method(
            password_url(boss), {"password1": "Hijack-12345", "password2": "Hijack-12345"}
        )
        assert response.status_code in (403, 404)
    assert client.post(url(User, "delete", boss.pk), {"post": "yes"}).status_code in (403, 404)
    boss.refresh_from_db()
    assert boss.email != "me@evil.example"
    assert not boss.check_password("Hijack-12345")


def test_office_cannot_take_over_a_peer_office(org, office_staff, client):
    peer = UserFactory(username="peer", name="另一办公室", unit=org.branch1)
    grant(peer, org.root, Role.OFFICE)
    response = client.post(
        password_url(peer), {"password1": "Hijack-12345", "password2": "Hijack-12345"}
    )
    assert response.status_code in (403, 404)
    peer.refresh_from_db()
    assert not peer.check_password("Hijack-12345")


def test_office_cannot_take_over_back_office_staff_with_wider_rights(org, office_staff, client):
    clerk = make_staff(
        UserFactory(username="clerk", name="管理员", unit=org.branch1), "auth.change_group"
    )
    response = client.post(
        password_url(clerk), {"password1": "Hijack-12345", "password2": "Hijack-12345"}
    )
    assert response.status_code in (403, 404)
    clerk.refresh_from_db()
    assert not clerk.check_password("Hijack-12345")


def test_office_manages_people_whose_roles_lie_within_it(org, province, office_staff, client):
    response = client.post(
        password_url(org.member1), {"password1": "New-pass-12345", "password2": "New-pass-12345"}
    )
    assert response.status_code == 302
    org.member1.refresh_from_db()
    assert org.member1.check_password("New-pass-12345")
    response = client.post(
        url(User, "change", org.contact1.pk), person_form(org.contact1, phone="123")
    )
    assert response.status_code == 302
    org.contact1.refresh_from_db()
    assert org.contact1.phone == "123"


def test_bulk_delete_refuses_people_the_office_may_not_manage(org, province, office_staff, client):
    _top, boss = province
    response = client.post(
        url(User),
        {"action": "delete_selected", "_selected_action": [boss.pk, org.member1.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert User.objects.filter(pk__in=[boss.pk, org.member1.pk]).count() == 2


def test_office_role_is_granted_only_below_ones_own_office(org, province, office_staff, client):
    top, _boss = province
    for unit in (org.root, top):
        response = client.post(
            url(RoleAssignment, "add"),
            {"user": org.member1.pk, "unit": unit.pk, "role": Role.OFFICE},
        )
        assert response.status_code == 200
        assert "unit" in response.context["adminform"].form.errors
    assert not RoleAssignment.objects.filter(user=org.member1, role=Role.OFFICE).exists()
    # Outside the office scope, no role at all.
    response = client.post(
        url(RoleAssignment, "add"), {"user": org.member1.pk, "unit": top.pk, "role": Role.MEMBER}
    )
    assert "unit" in response.context["adminform"].form.errors
    # Beneath it, any role.
    response = client.post(
        url(RoleAssignment, "add"),
        {"user": org.member1.pk, "unit": org.organ.pk, "role": Role.OFFICE},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(
        user=org.member1, unit=org.organ, role=Role.OFFICE
    ).exists()


def test_office_cannot_turn_an_assignment_into_a_peer_office(org, office_staff, client):
    member = RoleAssignment.objects.get(user=org.member1)
    response = client.post(
        url(RoleAssignment, "change", member.pk),
        {"user": org.member1.pk, "unit": org.root.pk, "role": Role.OFFICE},
    )
    assert "unit" in response.context["adminform"].form.errors
    own = RoleAssignment.objects.get(user=org.office, role=Role.OFFICE)
    response = client.post(
        url(RoleAssignment, "change", own.pk),
        {"user": org.member1.pk, "unit": org.root.pk, "role": Role.OFFICE},
    )
    assert response.status_code == 403
    assert client.post(url(RoleAssignment, "delete", own.pk), {"post": "yes"}).status_code == 403
    own.refresh_from_db()
    assert own.user == org.office
    member.refresh_from_db()
    assert member.role == Role.MEMBER


def test_roles_other_than_office_only_read(org, posts, client):
    reader = make_staff(org.contact1, *ORG_PERMS)
    client.force_login(reader)
    assert client.get(url(Post, "change", posts["branch1"].pk)).status_code == 200
    response = client.post(
        url(Post, "change", posts["branch1"].pk),
        {"unit": org.branch1.pk, "title": "改", "holder": "", "order": 0},
    )
    assert response.status_code == 403
    assert client.get(url(Post, "add")).status_code == 403
    assert (
        client.post(
            password_url(org.member1), {"password1": "X-12345678a", "password2": "X-12345678a"}
        ).status_code
        == 403
    )
    posts["branch1"].refresh_from_db()
    assert posts["branch1"].title == "书记"


def test_unit_kinds_are_written_by_superusers_only(org, client):
    staff = make_staff(org.office, "org.view_unitkind", "org.change_unitkind")
    client.force_login(staff)
    kind = org.branch1.kind
    response = client.post(
        url(UnitKind, "change", kind.pk),
        {"name": "改", "code": kind.code, "takes_part": "", "order": 0},
    )
    assert response.status_code == 403
    kind.refresh_from_db()
    assert kind.takes_part


# --- Tree changes keep the status table current ------------------------------------------


def statuses(unit, campaign) -> int:
    from taolun.campaigns.models import ActionStatus

    return ActionStatus.objects.filter(unit=unit, campaign=campaign).count()


@pytest.fixture
def local_campaigns(org):
    """Campaigns run by each branch itself, beside the root's campaign."""
    from taolun.campaigns.tests.factories import make_campaign

    return make_campaign(org.branch1, "camp-b1"), make_campaign(org.branch2, "camp-b2")


def unit_form(client, unit, **overrides) -> dict:
    form = client.get(url(Unit, "change", unit.pk)).context["adminform"].form
    data = {
        "name": unit.name,
        "short_name": unit.short_name,
        "slug": unit.slug,
        "kind": unit.kind_id,
        "treebeard_position": form.initial["treebeard_position"],
        "treebeard_ref_node": getattr(form.initial["treebeard_ref_node"], "pk", ""),
    }
    data.update(overrides)
    return data


def test_unit_added_in_admin_gets_its_status_rows(org, office_staff, client):
    data = {
        "name": "新支部",
        "short_name": "",
        "slug": "new-branch",
        "kind": org.branch1.kind_id,
        "treebeard_position": "first-child",
        "treebeard_ref_node": org.organ.pk,
    }
    assert client.post(url(Unit, "add"), data).status_code == 302
    added = Unit.objects.get(slug="new-branch")
    assert statuses(added, org.campaign) == 4


def test_unit_moved_in_admin_form_changes_campaigns(org, local_campaigns, superuser, client):
    camp_b1, camp_b2 = local_campaigns
    group = make_unit("党小组", "group", org.branch1)
    assert (statuses(group, camp_b1), statuses(group, camp_b2)) == (4, 0)
    client.force_login(superuser)
    data = unit_form(
        client, group, treebeard_position="first-child", treebeard_ref_node=org.branch2.pk
    )
    assert client.post(url(Unit, "change", group.pk), data).status_code == 302
    group.refresh_from_db()
    assert Unit.objects.get_parent(group) == org.branch2
    assert (statuses(group, camp_b1), statuses(group, camp_b2)) == (0, 4)
    assert statuses(group, org.campaign) == 4


def test_unit_dragged_in_the_tree_changes_campaigns(org, local_campaigns, office_staff, client):
    camp_b1, camp_b2 = local_campaigns
    group = make_unit("党小组", "group", org.branch1)
    move = reverse("admin:org_unit_changelist") + "move/"
    response = client.post(move, {"node": group.pk, "target": org.branch2.pk, "relation": "child"})
    assert response.status_code == 200
    group.refresh_from_db()
    assert Unit.objects.get_parent(group) == org.branch2
    assert (statuses(group, camp_b1), statuses(group, camp_b2)) == (0, 4)


def test_unit_given_a_grouping_kind_leaves_the_campaigns(org, office_staff, client):
    grouping = UnitKind.objects.create(code="dept", name="部门", takes_part=False)
    group = make_unit("党小组", "group", org.branch1)
    assert statuses(group, org.campaign) == 4
    data = unit_form(client, group, kind=grouping.pk)
    assert client.post(url(Unit, "change", group.pk), data).status_code == 302
    assert statuses(group, org.campaign) == 0
    data = unit_form(client, group, kind=org.branch1.kind_id)
    assert client.post(url(Unit, "change", group.pk), data).status_code == 302
    assert statuses(group, org.campaign) == 4


def test_kind_that_stops_taking_part_leaves_the_campaigns(org, superuser, client):
    client.force_login(superuser)
    kind = UnitKind.objects.create(code="group", name="党小组", takes_part=True)
    group = Unit.objects.get(slug=make_unit("党小组", "group", org.branch1).slug)
    group.kind = kind
    group.save()
    from taolun.campaigns.services import campaign_sync_statuses

    campaign_sync_statuses(campaign=org.campaign)
    assert statuses(group, org.campaign) == 4
    data = {"name": kind.name, "code": kind.code, "order": 0}
    assert client.post(url(UnitKind, "change", kind.pk), data).status_code == 302
    assert statuses(group, org.campaign) == 0
    data["takes_part"] = "on"
    assert client.post(url(UnitKind, "change", kind.pk), data).status_code == 302
    assert statuses(group, org.campaign) == 4
    assert statuses(org.branch1, org.campaign) == 4


def test_an_office_cannot_delete_its_own_unit(org, client):
    office = make_staff(org.office, "org.view_unit", "org.delete_unit")
    client.force_login(office)
    assert client.post(url(Unit, "delete", org.root.pk), {"post": "yes"}).status_code == 403
    assert Unit.objects.filter(pk=org.root.pk).exists()
    assert client.get(url(Unit, "delete", org.branch2.pk)).status_code == 200
