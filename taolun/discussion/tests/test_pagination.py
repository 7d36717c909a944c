"""A topic's opinions come fifty to a page; an opinion's address finds its page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from taolun.discussion.selectors import OPINIONS_PAGE_SIZE
from taolun.discussion.tests.factories import OpinionFactory, make_topic
from taolun.textmine import themes

COUNT = OPINIONS_PAGE_SIZE * 2 + 20


@pytest.fixture(autouse=True)
def _today(travel):
    travel(dt.date(2019, 3, 15))


@pytest.fixture
def crowded(org):
    topic = make_topic(org)
    opinions = [OpinionFactory(topic=topic, author=org.member1) for _ in range(COUNT)]
    return topic, opinions


def opinion_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="card mb-3" id="opinion-(\d+)"', html)]


def test_opinions_come_fifty_to_a_page(client, org, crowded):
    topic, opinions = crowded
    client.force_login(org.contact1)
    url = reverse("discussion:topic_detail", args=[topic.pk])
    first = client.get(url).content.decode()
    assert opinion_ids(first) == [o.pk for o in opinions[:OPINIONS_PAGE_SIZE]]
    assert str(COUNT) in first and "?page=2" in first
    last = client.get(url, {"page": 3}).content.decode()
    assert opinion_ids(last) == [o.pk for o in opinions[2 * OPINIONS_PAGE_SIZE :]]
    # A page out of range shows the last one, not an error.
    assert opinion_ids(client.get(url, {"page": 99}).content.decode()) == opinion_ids(last)


def test_an_opinions_address_opens_the_page_it_stands_on(client, org, crowded):
    topic, opinions = crowded
    client.force_login(org.contact1)
    topic_url = reverse("discussion:topic_detail", args=[topic.pk])
    middle = opinions[OPINIONS_PAGE_SIZE + 5]
    response = client.get(middle.get_absolute_url())
    assert response["Location"] == f"{topic_url}?page=2#opinion-{middle.pk}"
    assert middle.pk in opinion_ids(client.get(f"{topic_url}?page=2").content.decode())
    first = opinions[0]
    assert client.get(first.get_absolute_url())["Location"] == f"{topic_url}#opinion-{first.pk}"
    # A reply stands under its opinion.
    reply = OpinionFactory(topic=topic, author=org.contact1, parent=opinions[-1])
    assert client.get(reply.get_absolute_url())["Location"].startswith(f"{topic_url}?page=3#")


def test_an_opinions_address_answers_404_outside_scope(client, org, crowded):
    _topic, opinions = crowded
    client.force_login(org.outsider)
    assert client.get(opinions[0].get_absolute_url()).status_code == 404


def test_every_page_costs_the_same(client, org, crowded, django_assert_max_num_queries):
    topic, _opinions = crowded
    client.force_login(org.office)
    url = reverse("discussion:topic_detail", args=[topic.pk])
    counts = []
    for page in (1, 2, 3):
        themes.clear_cache()  # the theme matcher is built afresh for each page: same work
        with django_assert_max_num_queries(16) as ctx:
            assert client.get(url, {"page": page}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1


def test_a_refused_reply_on_a_later_page_stays_on_that_page(client, org, crowded):
    topic, opinions = crowded
    target = opinions[-1]
    client.force_login(org.contact1)
    url = reverse("discussion:topic_detail", args=[topic.pk])
    page = client.get(url, {"page": 3, "reply": target.pk}).content.decode()
    assert f'action="{url}?page=3"' in page and f"?page=3&amp;reply={target.pk}" in page
    response = client.post(f"{url}?page=3", {"parent": target.pk, "body": ""})
    refused = response.content.decode()
    assert response.status_code == 200 and target.pk in opinion_ids(refused)


def test_a_refused_answer_to_a_later_opinion_comes_back_on_its_page(client, org, crowded):
    _topic, opinions = crowded
    late = opinions[OPINIONS_PAGE_SIZE + 3]
    client.force_login(org.office)
    typed = "<script>x()</script>"  # empty once sanitised: refused
    response = client.post(
        reverse("discussion:opinion_answer", args=[late.pk]), {f"answer-{late.pk}-answer": typed}
    )
    page = response.content.decode()
    assert response.status_code == 200 and late.pk in opinion_ids(page)
    assert f'id="id_answer-{late.pk}-answer"' in page
