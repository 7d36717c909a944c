"""The back office for the discussion: scoped, opinions read-only, topics' wording sanitised."""

from __future__ import annotations

import datetime as dt

import pytest

from taolun.core.tests.admin_utils import make_staff, url
from taolun.discussion.models import Opinion, Topic
from taolun.discussion.tests.factories import make_topic, post

D = dt.date


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


def test_topics_and_opinions_are_scoped_and_opinions_read_only(org, client):
    b1 = make_topic(org, who="contact1", unit="branch1", question="一支部的问题")
    b2 = make_topic(org, who="contact2", unit="branch2", question="二支部的问题")
    opinion = post(org, b2, who="contact2", body="二支部意见")
    staff = make_staff(
        org.contact1, "discussion.view_topic", "discussion.change_topic", "discussion.view_opinion"
    )
    client.force_login(staff)
    listing = client.get(url(Topic)).content.decode()
    assert "一支部的问题" in listing and "二支部的问题" not in listing
    assert client.get(url(Topic, "change", b2.pk)).status_code == 404
    assert client.get(url(Opinion, "change", opinion.pk)).status_code == 404
    # A contact reads in the back office; only the office writes there.
    response = client.post(url(Topic, "change", b1.pk), {"question": "改", "description": ""})
    assert response.status_code == 403
    b1.refresh_from_db()
    assert b1.question == "一支部的问题"


def test_office_corrects_a_topic_and_the_description_is_sanitised(org, client):
    topic = make_topic(org)
    staff = make_staff(org.office, "discussion.view_topic", "discussion.change_topic")
    client.force_login(staff)
    response = client.post(
        url(Topic, "change", topic.pk),
        {"question": "改过的问题", "description": '<p onclick="x()">说明</p><script>x</script>'},
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.question == "改过的问题" and topic.description == "<p>说明</p>"


def test_opinions_cannot_be_changed_in_the_back_office(org, client):
    opinion = post(org, make_topic(org))
    admin = make_staff(org.office, "discussion.view_opinion", "discussion.change_opinion")
    client.force_login(admin)
    client.post(url(Opinion, "change", opinion.pk), {"body": "篡改"})
    opinion.refresh_from_db()
    assert opinion.body == "<p>建议加强学习</p>"
