"""The home page, the unit tree and a unit's page: scope, permissions, content, queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taolun.activities.services import record_create
from taolun.campaigns.models import Action, ActionStatus
from taolun.campaigns.services import campaign_sync_statuses, self_selected_action_propose
from taolun.campaigns.tests.factories import make_campaign
from taolun.org.models import Post
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant, make_unit

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def unit_url(slug, campaign=None):
    url = reverse("org:unit_detail", args=[slug])
    return f"{url}?campaign={campaign}" if campaign else url


def tree_markup(page: str) -> str:
    return page.split('class="unit-tree">', 1)[1].split("</nav>", 1)[0]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/units/", "/units/branch1/"])
def test_anonymous_is_sent_to_login(client, org, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_home_shows_campaigns_units_and_todo(client, org):
    self_selected_action_propose(
        actor=org.contact1,
        campaign=org.campaign,
        unit=org.branch1,
        stage=org.campaign.stages.first(),
        name="走访残疾人家庭",
    )
    page = login(client, org.office).get("/").content.decode()
    assert "camp 大讨论" in page
    assert reverse("campaigns:detail", args=["camp"]) in page
    assert unit_url("root") in page and "Campaign office" in page
    assert "1 item is waiting for you" in page
    assert reverse("notifications:todo") in page


def test_home_of_a_contact_links_only_its_own_unit(client, org):
    page = login(client, org.contact1).get("/").content.decode()
    assert unit_url("branch1") in page
    assert unit_url("branch2") not in page
    assert "Unit contact" in page


def test_home_without_roles(client, org):
    page = login(client, org.outsider).get("/").content.decode()
    assert "You hold no role" in page
    assert "camp 大讨论" not in page


def test_tree_shows_the_scope_nested_in_path_order(client, org):
    page = login(client, org.office).get("/units/").content.decode()
    positions = [page.index(unit_url(s)) for s in ("root", "organ", "branch1", "branch2")]
    assert positions == sorted(positions)
    assert "(organisation)" in page and "(branch)" in page
    # Three nested lists: root > organ > branches, all closed again.
    tree = tree_markup(page)
    assert tree.count("<ul>") == tree.count("</ul>") == 3
    assert tree.count("<li>") == tree.count("</li>") == 4


def test_tree_of_a_contact_holds_only_its_branch(client, org):
    page = login(client, org.contact1).get("/units/").content.decode()
    assert unit_url("branch1") in page
    for other in ("root", "organ", "branch2"):
        assert unit_url(other) not in page


def test_tree_of_a_forest_scope(client, org):
    """Roles over two separate subtrees at different depths still nest correctly."""
    deep = make_unit("小组", "group", org.branch2)
    user = UserFactory(username="two-hats")
    grant(user, org.branch1, Role.MEMBER)
    grant(user, deep, Role.MEMBER)
    page = login(client, user).get("/units/").content.decode()
    assert unit_url("branch1") in page and unit_url("group") in page
    assert unit_url("branch2") not in page
    tree = tree_markup(page)
    assert tree.count("<ul>") == tree.count("</ul>") == 1


def test_tree_queries_do_not_grow_with_units(client, org, django_assert_max_num_queries):
    login(client, org.office)
    client.get("/units/")
    before = count_queries(client, "/units/")
    for i in range(15):
        make_unit(f"支部{i}", f"extra-{i}", org.branch1 if i % 2 else org.organ)
    with django_assert_max_num_queries(before):
        client.get("/units/")
    assert count_queries(client, "/units/") == before


@pytest.mark.parametrize("who", ["office", "leader", "supervisor", "contact1", "member1"])
def test_unit_page_renders_for_every_role_in_scope(client, org, who):
    response = login(client, getattr(org, who)).get(unit_url("branch1"))
    assert response.status_code == 200
    assert "机关第一党支部" in response.content.decode()


@pytest.mark.parametrize("who", ["contact1", "member1", "outsider"])
def test_unit_page_outside_scope_is_404(client, org, who):
    assert login(client, getattr(org, who)).get(unit_url("branch2")).status_code == 404


def test_unknown_unit_and_unknown_campaign_are_404(client, org):
    login(client, org.office)
    assert client.get(unit_url("nope")).status_code == 404
    assert client.get(unit_url("branch1", "nope")).status_code == 404


def test_unit_page_shows_people_posts_and_children(client, org):
    Post.objects.create(unit=org.organ, title="书记", holder=org.leader)
    Post.objects.create(unit=org.organ, title="副书记", holder=None)
    page = login(client, org.office).get(unit_url("organ")).content.decode()
    assert "书记：领导" in page
    assert "副书记：<em>holder not recorded</em>" in page
    assert f'href="{unit_url("branch1")}"' in page and f'href="{unit_url("branch2")}"' in page


def test_unit_page_shows_plan_own_actions_and_matrix(client, org, travel):
    travel(dt.date(2019, 3, 25))
    from taolun.campaigns.services import unit_plan_save

    unit_plan_save(
        actor=org.contact1,
        campaign=org.campaign,
        unit=org.branch1,
        title="第一支部实施方案",
        body="学习\n<script>alert(1)</script>研讨",
    )
    own = self_selected_action_propose(
        actor=org.contact1,
        campaign=org.campaign,
        unit=org.branch1,
        stage=org.campaign.stages.first(),
        name="走访残疾人家庭",
    )
    first = Action.objects.get(campaign=org.campaign, kind="prescribed", number=1)
    record = record_create(
        actor=org.contact1,
        action=first,
        unit=org.branch1,
        title="动员部署会",
        held_on=dt.date(2019, 3, 1),
        submit=True,
    )

    page = login(client, org.office).get(unit_url("branch1")).content.decode()
    assert "第一支部实施方案" in page
    assert "<script>" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "走访残疾人家庭" in page and "Awaiting approval" in page
    assert reverse("campaigns:action_decide", args=[own.pk]) in page
    assert reverse("activities:detail", args=[record.pk]) in page and "动员部署会" in page
    assert 'status-awaiting_review">Awaiting review' in page
    assert 'status-overdue">Overdue' in page  # action 2 was due 2019-03-19
    assert 'status-not_started">Not started' in page  # stage 2, due 2019-04-18
    assert reverse("activities:create", args=["branch1", first.pk]) in page
    assert "Status of each action on 2019-03-25" in page


def test_member_sees_the_matrix_but_no_write_links(client, org):
    page = login(client, org.member1).get(unit_url("branch1")).content.decode()
    assert "规定动作1" in page
    assert reverse("activities:create", args=["branch1", 1]).rsplit("/", 2)[0] not in page
    assert reverse("campaigns:plan_edit", args=["camp", "branch1"]) not in page
    assert reverse("campaigns:action_propose", args=["camp", "branch1"]) not in page


def test_contact_cannot_decide_its_own_proposal(client, org):
    own = self_selected_action_propose(
        actor=org.contact1,
        campaign=org.campaign,
        unit=org.branch1,
        stage=org.campaign.stages.first(),
        name="走访",
    )
    page = login(client, org.contact1).get(unit_url("branch1")).content.decode()
    assert reverse("campaigns:action_decide", args=[own.pk]) not in page


def test_unit_in_a_child_campaign_shows_the_child(client, org):
    child = make_campaign(org.organ, "child", parent=org.campaign)
    login(client, org.contact1)
    page = client.get(unit_url("branch1")).content.decode()
    assert f"In the campaign {child.name}" in page
    # The unit acts in the child campaign, no longer in the parent.
    assert client.get(unit_url("branch1", "camp")).status_code == 404
    assert client.get(unit_url("root", "camp")).status_code == 404  # root is out of scope
    login(client, org.office)
    assert client.get(unit_url("root", "camp")).status_code == 200


def test_unit_page_queries_do_not_grow(client, org, travel, django_assert_max_num_queries):
    travel(dt.date(2019, 3, 1))
    login(client, org.office)
    url = unit_url("branch1")
    first = Action.objects.get(campaign=org.campaign, kind="prescribed", number=1)
    record_create(
        actor=org.contact1,
        action=first,
        unit=org.branch1,
        title="记录",
        held_on=dt.date(2019, 2, 25),
    )
    self_selected_action_propose(
        actor=org.contact1,
        campaign=org.campaign,
        unit=org.branch1,
        stage=org.campaign.stages.first(),
        name="自选0",
    )
    Post.objects.create(unit=org.branch1, title="书记0", holder=org.contact1)
    make_unit("小组0", "group-0", org.branch1)
    client.get(url)
    before = count_queries(client, url)

    stage = org.campaign.stages.last()
    for i in range(1, 8):
        action = Action.objects.create(
            campaign=org.campaign,
            stage=stage,
            number=10 + i,
            name=f"新增动作{i}",
            due_on=stage.ends_on,
        )
        Post.objects.create(
            unit=org.branch1,
            title=f"委员{i}",
            holder=UserFactory(unit=org.branch1) if i % 2 else None,
        )
        make_unit(f"小组{i}", f"group-{i}", org.branch1)
        self_selected_action_propose(
            actor=org.contact1,
            campaign=org.campaign,
            unit=org.branch1,
            stage=stage,
            name=f"自选{i}",
        )
    campaign_sync_statuses(campaign=org.campaign)
    for action in Action.objects.filter(kind="prescribed", number__gt=10):
        record_create(
            actor=org.contact1,
            action=action,
            unit=org.branch1,
            title="记录",
            held_on=dt.date(2019, 2, 25),
        )
    assert ActionStatus.objects.filter(unit=org.branch1).count() == 11

    with django_assert_max_num_queries(before):
        response = client.get(url)
    page = response.content.decode()
    assert all(f"新增动作{i}" in page and f"自选{i}" in page for i in range(1, 8))
    assert count_queries(client, url) == before


def test_tree_shows_four_levels_and_points_to_deeper_units(client, org):
    from taolun.org.tests.factories import make_unit

    deep = org.branch1
    for level in range(4):
        deep = make_unit(f"第{level}级", f"deep-{level}", deep)
    page = login(client, org.office).get("/units/").content.decode()
    assert "机关第一党支部" in page and "第0级" in page
    assert "第1级" not in page  # root, organ, branch1, 第0级: four levels
    assert "1 sub-unit on its page" in page
    contact_page = login(client, org.contact1).get("/units/").content.decode()
    assert "第2级" in contact_page and "第3级" not in contact_page


# ---------------------------------------------------------------- the rectification ledger


def _ledger(org, travel):
    """On 2019-04-10: branch1 one overdue, one due soon; branch2 one verified late, voted."""
    from taolun.rectification.services import evaluation_open, vote_cast
    from taolun.rectification.tests.factories import evidence, make_problem, put

    travel(dt.date(2019, 3, 1))
    late = make_problem(org, deadline=dt.date(2019, 4, 1), open_now=True, description="逾期问题")
    soon = make_problem(org, deadline=dt.date(2019, 4, 12), open_now=True, description="临期问题")
    done = make_problem(org, unit="branch2", deadline=dt.date(2019, 4, 1))
    evidence(done, org.contact2)
    put(done, "verified", completed_on=dt.date(2019, 4, 3), verified_on=dt.date(2019, 4, 5))
    travel(dt.date(2019, 4, 10))
    evaluation_open(actor=org.office, problem=done)
    vote_cast(actor=org.contact2, problem=done, rating="satisfied")
    return late, soon, done


def _ledger_section(page: str) -> str:
    return page.split('id="unit-ledger"', 1)[1].split("</section>", 1)[0]


def test_unit_page_shows_rectification_counts_and_lights(client, org, travel):
    late, soon, done = _ledger(org, travel)
    login(client, org.member1)
    section = _ledger_section(client.get(unit_url("branch1")).content.decode())
    assert re.search(r"Being rectified</dt><dd[^>]*>2<", section)
    assert re.search(
        r"Overdue</dt><dd[^>]*><a href=\"[^\"]+\?unit=branch1&amp;overdue=yes\">1<", section
    )
    # Most urgent first, each light in words.
    assert section.index(late.ledger_number) < section.index(soon.ledger_number)
    assert "Overdue</span>" in section and "Due soon</span>" in section
    assert done.ledger_number not in section
    assert f'href="{reverse("rectification:ledger", args=["camp"])}?unit=branch1"' in section

    login(client, org.office)
    section = _ledger_section(client.get(unit_url("organ")).content.decode())
    assert re.search(r"Verified late</dt><dd[^>]*>1<", section)
    assert re.search(r"Satisfaction</dt><dd[^>]*>100%", section) and "1 vote" in section


def test_unit_page_lists_at_most_ten_live_problems(client, org, travel):
    from taolun.rectification.tests.factories import make_problem

    travel(dt.date(2019, 3, 1))
    for i in range(12):
        make_problem(org, open_now=True, description=f"问题{i}")
    login(client, org.contact1)
    section = _ledger_section(client.get(unit_url("branch1")).content.decode())
    assert section.count('<th scope="row" class="text-nowrap">') == 10
    assert "All in the ledger (12 open)" in section


def test_unit_page_ledger_queries_do_not_grow(client, org, travel):
    from taolun.rectification.tests.factories import evidence, make_problem

    _ledger(org, travel)
    login(client, org.office)
    url = unit_url("organ")
    client.get(url)
    before = count_queries(client, url)
    for i in range(8):
        problem = make_problem(org, unit="branch2", open_now=True, responsible_leader=org.leader)
        evidence(problem, org.contact2, f"进展{i}")
    assert count_queries(client, url) == before
