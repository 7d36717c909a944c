"""Anonymous opinions: no page shows who wrote one, except to its author; the audit trail does."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from taolun.core.tests.admin_utils import make_staff
from taolun.core.tests.admin_utils import url as admin_url
from taolun.discussion.models import Opinion
from taolun.discussion.selectors import opinions_of, topic_opinions
from taolun.discussion.services import opinion_answer, opinion_classify
from taolun.discussion.tests.factories import make_topic, post
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.rectification.services import problem_create

D = dt.date
NAME, USERNAME = "匿名的作者", "hidden_author"


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


@pytest.fixture
def secret(org):
    """An anonymous opinion by a member of branch1, answered, classified and on the ledger."""
    author = UserFactory(username=USERNAME, name=NAME, unit=org.branch1)
    grant(author, org.branch1, Role.MEMBER)
    org.author = author
    topic = make_topic(org)
    opinion = post(org, topic, who="author", body="领导作风需要改进", anonymous=True)
    post(org, topic, who="contact2", body="我也这样认为", parent=opinion)
    opinion_classify(actor=org.office, opinion=opinion, theme=org.campaign.themes.get())
    opinion_answer(actor=org.office, opinion=opinion, answer="已转整改")
    problem = problem_create(
        actor=org.office,
        campaign=org.campaign,
        unit=org.branch1,
        description=opinion.body,
        deadline=D(2019, 4, 30),
        source_object=Opinion.objects.get(pk=opinion.pk),
        source_note=topic.question,
    )
    return opinion, problem


def assert_hidden(html: str) -> None:
    assert NAME not in html and USERNAME not in html
    assert "Anonymous" in html


def pages(opinion, problem) -> list[str]:
    topic = opinion.topic
    return [
        reverse("discussion:topic_detail", args=[topic.pk]),
        reverse("discussion:topic_detail", args=[topic.pk]) + f"?reply={opinion.pk}",
        reverse("rectification:problem", args=[problem.pk]),
    ]


@pytest.mark.parametrize(
    "who", ["contact1", "contact2", "office", "leader", "supervisor", "member1"]
)
def test_no_page_names_the_author(org, secret, client, who):
    opinion, problem = secret
    client.force_login(getattr(org, who))
    for path in pages(opinion, problem):
        response = client.get(path)
        if response.status_code == 404:  # a peer who cannot read the ledger of branch1
            continue
        html = response.content.decode()
        assert NAME not in html and USERNAME not in html
    html = client.get(pages(opinion, problem)[0]).content.decode()
    assert_hidden(html)


def test_the_inbox_hides_the_author_from_the_office_and_a_superuser(org, secret, client):
    for user in (org.office, UserFactory(username="root_admin", is_superuser=True, is_staff=True)):
        client.force_login(user)
        for query in ("", "?problem=yes", "?state=unanswered"):
            response = client.get(reverse("discussion:inbox", args=["camp"]) + query)
            assert response.status_code == 200
            assert NAME not in response.content.decode()
            assert USERNAME not in response.content.decode()
        assert_hidden(client.get(reverse("discussion:inbox", args=["camp"])).content.decode())


def test_the_author_sees_their_own_name(org, secret, client):
    opinion, _problem = secret
    client.force_login(org.author)
    html = client.get(reverse("discussion:topic_detail", args=[opinion.topic_id])).content.decode()
    assert NAME in html and "posted anonymously" in html


def test_selectors_resolve_display_names_per_reader(org, secret):
    opinion, _problem = secret
    shown = {o.pk: o for o in topic_opinions(org.office, opinion.topic)}
    assert (shown[opinion.pk].shown_author, shown[opinion.pk].shown_unit) == ("Anonymous", "")
    reply = shown[opinion.pk].reply_list[0]
    assert reply.shown_author == str(org.contact2)  # replies signed by name stay named
    mine = topic_opinions(org.author, opinion.topic)[0]
    assert mine.shown_author == NAME and mine.is_own
    assert [o.shown_author for o in opinions_of(org.author)] == [NAME]


def test_the_problem_from_an_anonymous_opinion_names_nobody(org, secret, client):
    _opinion, problem = secret
    assert NAME not in problem.description + problem.source_note
    client.force_login(org.office)
    html = client.get(reverse("rectification:problem", args=[problem.pk])).content.decode()
    assert NAME not in html and USERNAME not in html


def test_the_suggested_problem_names_nobody(org, secret, client):
    opinion, _problem = secret
    client.force_login(org.office)
    link = reverse("rectification:problem_create", args=["camp"])
    html = client.get(f"{link}?origin=discussion.opinion:{opinion.pk}").content.decode()
    assert "领导作风需要改进" in html
    # Everyone in scope is offered as responsible leader or person in charge; beyond those
    # lists of people the form says nothing of the author.
    outside_lists = re.sub(r"<select.*?</select>", "", html, flags=re.S)
    assert NAME not in outside_lists and USERNAME not in outside_lists


def test_the_back_office_hides_the_author(org, secret, client):
    opinion, _problem = secret
    admin = UserFactory(username="root_admin", is_superuser=True, is_staff=True)
    for user in (admin, make_staff(org.office, "discussion.view_opinion")):
        client.force_login(user)
        for path in (admin_url(Opinion), admin_url(Opinion, "change", opinion.pk)):
            response = client.get(path)
            assert response.status_code == 200
            html = response.content.decode()
            assert NAME not in html and USERNAME not in html
            assert "Anonymous" in html
        search = client.get(admin_url(Opinion) + f"?q={NAME}").content.decode()
        assert "0 opinions" in search or "0 results" in search


def test_the_audit_trail_keeps_the_author(org, secret):
    opinion, _problem = secret
    entry = LogEntry.objects.get_for_object(opinion).get(action=LogEntry.Action.CREATE)
    assert entry.actor == org.author
    assert entry.changes_dict["author"][1] == str(org.author.pk)


@pytest.mark.parametrize(
    "lookup",
    [
        "author",
        "author__exact",
        "author_id",
        "author__id__exact",
        "author__username",
        "author__name__contains",
        "unit",
        "unit__id__exact",
        "unit__path__startswith",
        "replies__author",
        "parent__unit",
    ],
)
def test_the_back_office_cannot_narrow_opinions_to_an_author_or_unit(org, secret, client, lookup):
    """A filter on the author or their unit would list exactly one person's anonymous opinions."""
    opinion, _problem = secret
    other = post(org, opinion.topic, who="contact2", body="二支部的意见")
    value = {
        "author": org.author.pk,
        "unit": org.branch1.pk,
        "replies": org.contact2.pk,
        "parent": org.branch1.pk,
    }[lookup.split("__")[0].removesuffix("_id")]
    if lookup.endswith(("username", "name__contains")):
        value = USERNAME if "username" in lookup else NAME
    elif lookup.endswith("path__startswith"):
        value = org.branch1.path
    admin = UserFactory(username="root_admin", is_superuser=True, is_staff=True)
    for user in (admin, make_staff(org.office, "discussion.view_opinion")):
        client.force_login(user)
        response = client.get(admin_url(Opinion) + f"?{lookup}={value}")
        if response.status_code == 200:  # the filter was ignored: everything is listed
            html = response.content.decode()
            assert admin_url(Opinion, "change", other.pk) in html
        else:
            assert response.status_code in (302, 400)
            if response.status_code == 302:
                assert "e=1" in response["Location"]


def test_the_back_office_does_not_sort_by_author_or_unit(org, secret, client):
    post(org, secret[0].topic, who="contact2", body="二支部的意见")
    admin = UserFactory(username="root_admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    html = client.get(admin_url(Opinion)).content.decode()
    assert "?o=" in html  # other columns sort
    columns = len(re.findall(r'<th scope="col"', html))
    for index in range(columns):
        for order in (str(index), f"-{index}"):
            response = client.get(admin_url(Opinion) + f"?o={order}")
            assert response.status_code == 200
            ordering = [str(o) for o in response.context["cl"].queryset.query.order_by]
            assert not any(
                o.lstrip("-").startswith(("author", "unit")) or "__author" in o for o in ordering
            )


@pytest.mark.parametrize("lookup", ["opinions", "opinions__id", "opinions__pk__in"])
def test_the_people_list_cannot_be_narrowed_to_an_opinions_author(org, secret, client, lookup):
    """``/admin/org/user/?opinions=<pk>`` would list exactly the anonymous author."""
    from taolun.org.models import User

    opinion, _problem = secret
    admin = User.objects.create_superuser("root", "root@example.org", "x-pass-1234")
    client.force_login(admin)
    response = client.get(f"/admin/org/user/?{lookup}={opinion.pk}")
    assert response.status_code != 200 or USERNAME not in response.content.decode()
    assert client.get("/admin/org/user/?roles__role=member").status_code == 200
