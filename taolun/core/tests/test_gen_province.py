"""``manage.py gen_province``: the synthetic province is complete, deterministic and sound."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.urls import reverse

from taolun.campaigns.models import ActionStatus, Campaign, RecordState
from taolun.core.synthetic import plan_units
from taolun.org.models import RoleAssignment, Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import scoped, units_for_user
from taolun.rectification.models import Problem, ProblemState
from taolun.reporting.models import Brief, BriefReview, BriefState, ReviewState

UNITS = 300


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Generate one province for the module (the slow part) and roll it back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("gen_province", units=UNITS, seed=7, no_progress=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def province(generated, db) -> str:
    """The command's output; each test's changes roll back to the generated province."""
    return generated


def test_counts(province):
    root = Unit.objects.get(slug="gp7")
    units = Unit.objects.filter(path__startswith=root.path)
    assert units.count() == UNITS
    kinds = Counter(units.values_list("kind__code", flat=True))
    assert kinds["province"] == 1
    assert kinds["city"] >= 2 and kinds["county"] >= 4 and kinds["village"] > kinds["township"]
    campaign = Campaign.objects.get(slug="gp7-2019")
    acting = units.filter(kind__takes_part=True).count()
    assert acting == UNITS - kinds["organ"]
    statuses = ActionStatus.objects.filter(campaign=campaign)
    assert statuses.count() == acting * 10
    assert set(statuses.values_list("record_state", flat=True)) == set(RecordState.values)
    # Late completions exist, and nothing completes after the synthetic "today".
    assert statuses.filter(completed_on__gt=F("due_on")).exists()
    assert not statuses.filter(completed_on__gt="2019-05-20").exists()
    problems = Problem.objects.filter(campaign=campaign)
    assert problems.count() == 2 * acting
    assert set(problems.values_list("state", flat=True)) == set(ProblemState.values)
    assert problems.filter(state=ProblemState.OPEN, deadline__lt="2019-05-20").exists()
    briefs = Brief.objects.filter(campaign=campaign)
    assert briefs.count() == UNITS // 20
    adopted = briefs.filter(state=BriefState.ADOPTED).count()
    assert (
        adopted
        and BriefReview.objects.filter(campaign=campaign, state=ReviewState.ADOPTED).count()
        == adopted
    )
    assert User.objects.filter(username__startswith="gp7-m").count() == UNITS // 10
    assert "units: 300" in province


def test_same_seed_same_tree_other_seed_another(province):
    root = Unit.objects.get(slug="gp7")
    stored = list(
        Unit.objects.filter(path__startswith=root.path)
        .order_by("path")
        .values_list("path", "name", "slug", "depth", "numchild")
    )
    planned = [
        (u.path, u.name, u.slug, u.depth, u.numchild)
        for u in plan_units(units=UNITS, seed=7, prefix="gp7", root_path=root.path)
    ]
    assert stored == planned
    other = plan_units(units=UNITS, seed=8, prefix="gp7", root_path=root.path)
    assert [u.path for u in other] == [p[0] for p in planned]  # same shape for the same size
    assert [u.name for u in other] != [p[1] for p in planned]


def test_tree_is_sound_for_treebeard(province):
    assert all(not problems for problems in Unit.objects.find_problems())
    root = Unit.objects.get(slug="gp7")
    assert root.is_root()
    assert Unit.objects.get_descendant_count(root) == UNITS - 1
    city = Unit.objects.get_children(root).get(slug="gp7-c01")
    assert Unit.objects.get_parent(city) == root
    assert city.numchild == Unit.objects.get_children(city).count()


def test_a_county_office_sees_only_its_county(province, client):
    office = User.objects.get(username="gp7-c01k01-office")
    county = Unit.objects.get(slug="gp7-c01k01")
    assert RoleAssignment.objects.filter(user=office, unit=county, role=Role.OFFICE).exists()
    in_scope = units_for_user(office)
    assert set(in_scope.values_list("pk", flat=True)) == set(
        Unit.objects.filter(path__startswith=county.path).values_list("pk", flat=True)
    )
    statuses = scoped(ActionStatus.objects.all(), office)
    assert (
        statuses.count() == ActionStatus.objects.filter(unit__path__startswith=county.path).count()
    )
    assert (
        not scoped(Problem.objects.all(), office)
        .exclude(unit__path__startswith=county.path)
        .exists()
    )

    client.force_login(office)
    assert client.get(county.get_absolute_url()).status_code == 200
    village = Unit.objects.filter(path__startswith=county.path, kind__code="village").first()
    assert client.get(village.get_absolute_url()).status_code == 200
    neighbour = Unit.objects.get(slug="gp7-c01k02")
    assert client.get(neighbour.get_absolute_url()).status_code == 404


def test_refuses_an_existing_province_and_too_few_units(province):
    with pytest.raises(CommandError, match="exists already"):
        call_command("gen_province", units=UNITS, seed=7, no_progress=True, stdout=StringIO())
    with pytest.raises(CommandError, match="--units"):
        call_command("gen_province", units=10, seed=9, no_progress=True, stdout=StringIO())
    assert not Unit.objects.filter(slug="gp9").exists()


def test_the_county_dashboard_shows_its_townships_and_no_other_county(province, client):
    office = User.objects.get(username="gp7-c01k01-office")
    county = Unit.objects.get(slug="gp7-c01k01")
    township = Unit.objects.get(slug="gp7-c01k01t01")
    client.force_login(office)
    response = client.get(
        reverse("supervision:dashboard_unit", kwargs={"slug": "gp7-2019", "unit_slug": county.slug})
    )
    assert response.status_code == 200
    assert township.name in response.content.decode()
    neighbour = reverse(
        "supervision:dashboard_unit", kwargs={"slug": "gp7-2019", "unit_slug": "gp7-c01k02"}
    )
    assert client.get(neighbour).status_code == 404
