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
    """contact1 as back-office staff, with view and change rights on the org models."""
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
