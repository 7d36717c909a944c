"""The office's suggested themes on the topic page and in the inbox, and their one-click accept."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from taolun.campaigns.models import Theme
from taolun.discussion.models import Opinion
from taolun.discussion.services import opinion_classify
from taolun.discussion.tests.factories import OpinionFactory, make_topic, post
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.textmine import themes

D = dt.date
# Theme 4 (资源依赖, 市场理念) by its words; no theme's clause is copied.
MARKET = "单位过分依赖财政拨款，市场意识淡薄，不会想办法拓宽资金来源。"


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


@pytest.fixture
def six(org, seed_themes) -> dict[int, Theme]:
    return seed_themes


@pytest.fixture
def topic(org, six):
    return make_topic(org, who="contact1", unit="branch1", question="查摆问题")


def _topic_url(topic) -> str:
    return reverse("discussion:topic_detail", args=[topic.pk])


def _accept(client, opinion: Opinion, theme: Theme, **extra):
    return client.post(
        reverse("discussion:opinion_classify", args=[opinion.pk]),
        {f"classify-{opinion.pk}-theme": theme.pk, **extra},
    )


def test_office_sees_the_suggestion_and_accepts_it(org, topic, six, client):
    opinion = post(org, topic, body=f"<p>{MARKET}</p>")
    client.force_login(org.office)
    html = client.get(_topic_url(topic)).content.decode()
    assert f"Suggested themes for opinion #{opinion.pk}" in html
    assert f'name="classify-{opinion.pk}-theme" value="{six[4].pk}"' in html

    response = _accept(client, opinion, six[4])

    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.theme == six[4]
    assert opinion.classified_by == org.office
    assert opinion.classified_at is not None
    entry = LogEntry.objects.get_for_object(opinion).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == org.office
    assert "theme" in entry.changes_dict
    # Classified: the office's choice is shown, no more suggestions.
    html = client.get(_topic_url(topic)).content.decode()
    assert f"Suggested themes for opinion #{opinion.pk}" not in html


def test_an_opinion_without_theme_words_gets_no_suggestion(org, topic, client):
    opinion = post(org, topic, body="请尽快答复。")
    client.force_login(org.office)
    html = client.get(_topic_url(topic)).content.decode()
    assert f"Suggested themes for opinion #{opinion.pk}" not in html


def test_accepting_from_the_inbox_comes_back_to_the_inbox(org, topic, six, client):
    opinion = post(org, topic, body=MARKET)
    client.force_login(org.office)
    inbox = reverse("discussion:inbox", args=["camp"]) + "?state=unclassified"
    html = client.get(inbox).content.decode()
    assert f'value="{six[4].pk}"' in html
    assert f'name="next" value="{inbox}"' in html

    response = _accept(client, opinion, six[4], next=inbox)

    assert response.status_code == 302 and response["Location"] == inbox
    opinion.refresh_from_db()
    assert opinion.theme == six[4]


def test_a_next_page_elsewhere_is_not_followed(org, topic, six, client):
    opinion = post(org, topic, body=MARKET)
    client.force_login(org.office)
    response = _accept(client, opinion, six[4], next="https://evil.example/")
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert response["Location"] == opinion.get_absolute_url()


def test_a_theme_of_another_campaign_is_refused_and_nothing_changes(org, topic, six, client):
    from taolun.campaigns.tests.factories import make_campaign

    other = make_campaign(org.root, "other").themes.first()
    opinion = post(org, topic, body=MARKET)
    client.force_login(org.office)
    response = _accept(client, opinion, other)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    opinion.refresh_from_db()
    assert opinion.theme is None


def test_a_member_sees_no_suggestion_and_cannot_accept(org, topic, six, client):
    opinion = post(org, topic, body=MARKET)
    client.force_login(org.member1)
    html = client.get(_topic_url(topic)).content.decode()
    assert "Suggested themes" not in html
    assert _accept(client, opinion, six[4]).status_code == 403
    opinion.refresh_from_db()
    assert opinion.theme is None


def test_another_unit_s_office_gets_404(org, topic, six, client):
    opinion = post(org, topic, body=MARKET)
    office2 = UserFactory(username="office2", unit=org.branch2)
    grant(office2, org.branch2, Role.OFFICE)
    client.force_login(office2)
    assert client.get(_topic_url(topic)).status_code == 404
    assert _accept(client, opinion, six[4]).status_code == 404
    opinion.refresh_from_db()
    assert opinion.theme is None


def _count(client, path, django_assert_max_num_queries) -> int:
    # Each count builds the campaign's matcher afresh: the same work whatever the data.
    themes.clear_cache()
    with django_assert_max_num_queries(20) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    assert "Suggested themes" in response.content.decode()
    return len(ctx.captured_queries)


def _opinions(org, topic, six, n: int) -> None:
    bodies = [MARKET, "思想保守，不敢改革，遇到难题绕着走。", "办事拖拉，上班玩手机，作风漂浮。"]
    for i in range(n):
        opinion = OpinionFactory(topic=topic, author=org.member1, body=bodies[i % 3])
        if i % 4 == 0:  # some already filed: they teach the matcher
            opinion_classify(actor=org.office, opinion=opinion, theme=six[1 + i % 6])


@pytest.mark.parametrize("page", ["topic", "inbox"])
def test_suggestions_cost_the_same_queries_at_two_sizes(
    org, topic, six, client, django_assert_max_num_queries, page
):
    path = _topic_url(topic) if page == "topic" else reverse("discussion:inbox", args=["camp"])
    client.force_login(org.office)
    _opinions(org, topic, six, 3)
    few = _count(client, path, django_assert_max_num_queries)
    _opinions(org, topic, six, 40)
    assert _count(client, path, django_assert_max_num_queries) == few
