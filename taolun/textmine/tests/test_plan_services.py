"""Creating a campaign from a reviewed plan: who may, the draft's values, matching, atomicity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from taolun.campaigns.models import Campaign, LeadingGroupMember, LeadingGroupRole, Stage, Theme
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit
from taolun.textmine.plan import parse_plan
from taolun.textmine.services_plan import (
    MemberInput,
    StageInput,
    ThemeInput,
    campaign_create_from_plan,
    may_import_plan,
    people_match,
    plan_owner_units,
    plan_review_initial,
    suggest_slug,
    theme_fields,
)

pytestmark = pytest.mark.django_db

PLANS = Path(__file__).parent / "plans"


def draft_of(name: str):
    return parse_plan((PLANS / name).read_text(encoding="utf-8"))


def create(actor, owner, **overrides):
    fields = {
        "actor": actor,
        "owner_unit": owner,
        "slug": "from-plan",
        "name": "导入的大讨论",
        "starts_on": dt.date(2021, 3, 10),
        "ends_on": dt.date(2021, 9, 30),
        "basis_number": "市委办发[2021]12号",
        "themes": [ThemeInput("聚焦理论武装", "着力解决学习不深问题", "推动学思践悟")],
        "stages": [StageInput("学习动员", "", dt.date(2021, 3, 10), dt.date(2021, 4, 30))],
        "members": [],
    }
    fields.update(overrides)
    return campaign_create_from_plan(**fields)


# ---------------------------------------------------------------- who and where


def test_only_offices_may_import(org):
    assert may_import_plan(org.office)
    for user in (org.leader, org.supervisor, org.contact1, org.member1, org.outsider):
        assert not may_import_plan(user)


def test_owner_units_are_the_offices_units_a_few_levels_down(org):
    deep = make_unit("小组", "deep", org.branch1)
    assert list(plan_owner_units(org.office)) == [org.root, org.organ, org.branch1, org.branch2]
    assert deep not in plan_owner_units(org.office)
    office2 = UserFactory(username="office2", unit=org.branch2)
    grant(office2, org.branch2, Role.OFFICE)
    assert list(plan_owner_units(office2)) == [org.branch2]
    assert not plan_owner_units(org.contact1).exists()


def test_an_office_cannot_create_for_a_unit_outside_its_offices(org):
    office2 = UserFactory(username="office2", unit=org.branch2)
    grant(office2, org.branch2, Role.OFFICE)
    grant(office2, org.root, Role.LEADER)  # leading is not running the campaign office
    with pytest.raises(PermissionDenied):
        create(office2, org.branch1)
    assert not Campaign.objects.filter(slug="from-plan").exists()
    assert create(office2, org.branch2).owner_unit == org.branch2


# ---------------------------------------------------------------- the draft's values


def test_theme_clauses_become_the_three_parts():
    assert theme_fields(["破除甲", "着力解决乙问题", "坚持丙"]) == {
        "break_with": "破除甲",
        "focus_on": "着力解决乙问题",
        "adhere_to": "坚持丙",
    }
    # Two clauses: the middle part is left for the user to write.
    assert theme_fields(["坚持政治引领", "强化理论学习"]) == {
        "break_with": "坚持政治引领",
        "focus_on": "",
        "adhere_to": "强化理论学习",
    }
    assert theme_fields(["一", "二", "三", "四"])["focus_on"] == "二，三"


def test_initial_values_of_a_plan_with_a_later_date(org):
    initial = plan_review_initial(
        actor=org.office, draft=draft_of("county_speech.txt"), owner=org.root
    )
    campaign = initial.campaign
    assert (campaign["launched_on"], campaign["starts_on"]) == (dt.date(2020, 4, 8),) * 2
    assert campaign["ends_on"] == dt.date(2020, 6, 30)
    assert campaign["slug"] == "root-2020"
    assert campaign["basis_number"] == "县政办发（2020）7号"
    assert initial.notes == []
    assert initial.themes == []
    assert initial.missing_stages == 4
    assert [(m["name"], m["role"], m["posts"]) for m in initial.members] == [
        ("刘芳", LeadingGroupRole.DEPUTY, ""),
        ("李明华", LeadingGroupRole.HEAD, "县委书记"),
        ("周强", LeadingGroupRole.DEPUTY, "县委副书记、县长"),
    ]


def test_initial_values_without_an_end_date_ask_for_one(org):
    initial = plan_review_initial(actor=org.office, draft=draft_of("branch_plan.txt"), owner=None)
    assert initial.campaign["ends_on"] is None
    assert initial.notes
    # Branch secretaries hold posts in units, not seats in the leading group.
    assert initial.members == []


def test_suggested_slug_is_free(org):
    assert suggest_slug(org.root, 2019) == "root-2019"
    Campaign.objects.create(
        slug="root-2019",
        name="x",
        owner_unit=org.root,
        starts_on=dt.date(2019, 1, 1),
        ends_on=dt.date(2019, 2, 1),
    )
    assert suggest_slug(org.root, 2019) == "root-2019-2"
    assert suggest_slug(None, 2019) == "campaign-2019"


# ---------------------------------------------------------------- matching people


def test_people_are_matched_by_unique_full_name_in_scope(org):
    one = UserFactory(username="wang", name="王建国", unit=org.branch1)
    for n in (1, 2):
        UserFactory(username=f"liu{n}", name="刘芳", unit=org.root)
    elsewhere = make_unit("外单位", "elsewhere", kind="organisation")
    UserFactory(username="chen", name="陈明", unit=elsewhere)
    matches = people_match(actor=org.office, names=["王建国", " 刘芳 ", "陈明", "赵强", ""])
    assert matches["王建国"].user == one
    assert (matches["刘芳"].user, matches["刘芳"].count) == (None, 2)
    assert (matches["陈明"].user, matches["陈明"].count) == (None, 0)  # outside the scope
    assert not matches["赵强"].matched
    # A branch's contact sees only the branch: the same name is out of reach.
    assert not people_match(actor=org.contact2, names=["王建国"])["王建国"].matched


# ---------------------------------------------------------------- creating


def test_create_makes_every_row_under_the_actor(org):
    head = UserFactory(username="head", name="王建国", unit=org.root)
    last = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    campaign = create(
        org.office,
        org.organ,
        themes=[
            ThemeInput("聚焦理论武装", "着力解决学习不深问题", "推动学思践悟"),
            ThemeInput(" 聚焦服务群众 ", "着力解决宗旨意识淡薄问题", "推动为民办事"),
        ],
        stages=[
            StageInput(
                "学习动员", "打响动员的“第一枪”", dt.date(2021, 3, 10), dt.date(2021, 4, 30)
            ),
            StageInput("整改落实"),
        ],
        members=[
            MemberInput("王建国", LeadingGroupRole.HEAD, "市委常委，组织部部长"),
            MemberInput("无此人", LeadingGroupRole.MEMBER, ""),
        ],
    )
    assert campaign.owner_unit == org.organ and campaign.basis_number == "市委办发[2021]12号"
    themes = list(Theme.objects.filter(campaign=campaign).order_by("number"))
    assert [(t.number, t.break_with) for t in themes] == [(1, "聚焦理论武装"), (2, "聚焦服务群众")]
    stages = list(Stage.objects.filter(campaign=campaign).order_by("number"))
    assert stages[0].directive == "打响动员的“第一枪”"
    assert (stages[1].starts_on, stages[1].ends_on) == (campaign.starts_on, campaign.ends_on)
    group = list(LeadingGroupMember.objects.filter(campaign=campaign))
    assert [(m.person, m.position) for m in group] == [(head, "市委常委、组织部部长")]
    created = LogEntry.objects.filter(pk__gt=last, action=LogEntry.Action.CREATE)
    assert {entry.actor for entry in created} == {org.office}
    for model, count in ((Campaign, 1), (Theme, 2), (Stage, 2), (LeadingGroupMember, 1)):
        kind = ContentType.objects.get_for_model(model)
        assert created.filter(content_type=kind).count() == count, model


@pytest.mark.parametrize(
    ("overrides", "key", "words"),
    [
        ({"themes": [ThemeInput("破除", "", "坚持")]}, "themes", "Theme 1"),
        (
            {"stages": [StageInput("学习", "", dt.date(2021, 3, 1), dt.date(2021, 4, 1))]},
            "stages",
            "Stage 1 must fall within the campaign",
        ),
        (
            {
                "stages": [
                    StageInput("学习"),
                    StageInput("实践", "", dt.date(2021, 5, 1), dt.date(2021, 4, 1)),
                ]
            },
            "stages",
            "Stage 2",
        ),
        ({"slug": "camp"}, "slug", ""),
        ({"ends_on": dt.date(2021, 1, 1)}, "ends_on", ""),
    ],
)
def test_any_error_creates_nothing(org, overrides, key, words):
    counts = (Campaign.objects.count(), Theme.objects.count(), Stage.objects.count())
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        create(org.office, org.root, **overrides)
    errors = raised.value.message_dict
    assert key in errors
    assert words in " ".join(errors[key])
    assert (Campaign.objects.count(), Theme.objects.count(), Stage.objects.count()) == counts
