"""Discussion writes: who may do what, the date window, replies, sanitising, the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import translation

from taolun.campaigns.tests.factories import make_campaign
from taolun.discussion.models import Opinion, OpinionKind, Topic
from taolun.discussion.services import (
    opinion_answer,
    opinion_classify,
    opinion_post,
    opinion_update,
    topic_create,
    topic_update,
)
from taolun.discussion.tests.factories import make_topic, post
from taolun.org.predicates import InCampaign

D = dt.date


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


def errors_of(call) -> dict[str, list[str]]:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


# ---------------------------------------------------------------- topics


@pytest.mark.parametrize(
    ("who", "unit", "allowed"),
    [
        ("office", "root", True),
        ("office", "branch2", True),
        ("contact1", "branch1", True),
        ("contact1", "branch2", False),
        ("contact1", "root", False),
        ("member1", "branch1", False),
        ("leader", "root", False),
        ("supervisor", "root", False),
        ("outsider", "root", False),
    ],
)
def test_who_opens_a_topic(org, who, unit, allowed):
    user, target = getattr(org, who), getattr(org, unit)
    assert user.has_perm("discussion.add_topic", InCampaign(target, org.campaign)) is allowed
    if allowed:
        topic = make_topic(org, who=who, unit=unit)
        assert topic.created_by == user and topic.unit == target
    else:
        with pytest.raises(PermissionDenied):
            make_topic(org, who=who, unit=unit)
        assert not Topic.objects.exists()


def test_topic_errors_name_their_fields_and_change_nothing(org):
    other = make_campaign(org.root, "camp2")
    errors = errors_of(
        lambda: topic_create(
            actor=org.office,
            campaign=org.campaign,
            unit=org.root,
            question="   ",
            theme=other.themes.get(),
            stage=other.stages.first(),
            opens_on=D(2019, 3, 10),
            closes_on=D(2019, 3, 9),
        )
    )
    assert errors == {
        "question": ["Write the question put to discussion."],
        "theme": ["Choose a theme of this campaign."],
        "stage": ["Choose a stage of this campaign."],
        "closes_on": ["The topic cannot close (2019-03-09) before it opens (2019-03-10)."],
    }
    assert not Topic.objects.exists()


def test_topic_description_is_sanitised(org):
    topic = make_topic(
        org,
        description='<p onclick="x()">读<script>alert(1)</script>'
        '<a href="javascript:x()">链接</a></p>',
    )
    assert "script" not in topic.description
    assert "onclick" not in topic.description
    assert "javascript" not in topic.description
    assert "读" in topic.description


def test_topic_update_by_its_contact_and_kept_on_error(org):
    topic = make_topic(org, who="contact1", unit="branch1")
    topic_update(actor=org.contact1, topic=topic, question="新问题", closes_on=D(2019, 4, 5))
    topic.refresh_from_db()
    assert (topic.question, topic.closes_on) == ("新问题", D(2019, 4, 5))
    assert errors_of(
        lambda: topic_update(actor=org.contact1, topic=topic, closes_on=D(2019, 2, 1))
    ) == {"closes_on": ["The topic cannot close (2019-02-01) before it opens (2019-03-01)."]}
    assert errors_of(lambda: topic_update(actor=org.contact1, topic=topic, unit=org.branch2)) == {
        "unit": ["Choose a unit you run the discussion for."]
    }
    topic.refresh_from_db()
    assert (topic.closes_on, topic.unit) == (D(2019, 4, 5), org.branch1)
    with pytest.raises(PermissionDenied):
        topic_update(actor=org.contact2, topic=topic, question="别人的")


# ---------------------------------------------------------------- posting


@pytest.mark.parametrize(
    ("who", "unit", "allowed"),
    [
        ("member1", "root", True),
        ("member1", "branch1", True),
        ("member1", "branch2", False),
        ("contact2", "branch1", False),
        ("contact2", "root", True),
        ("office", "branch1", True),
        ("outsider", "root", False),
    ],
)
def test_who_may_post(org, who, unit, allowed):
    topic = make_topic(org, unit=unit)
    user = getattr(org, who)
    assert user.has_perm("discussion.post_opinion", topic) is allowed
    if allowed:
        opinion = post(org, topic, who=who)
        assert opinion.author == user and opinion.unit == user.unit
    else:
        with pytest.raises(PermissionDenied):
            post(org, topic, who=who)


@pytest.mark.parametrize(
    ("today", "message"),
    [
        (D(2019, 2, 28), "This topic opens on 2019-03-01; opinions are taken until 2019-03-31."),
        (D(2019, 4, 1), "This topic closed on 2019-03-31 (it was open from 2019-03-01)."),
    ],
)
def test_opinions_only_while_the_topic_is_open(org, travel, today, message):
    topic = make_topic(org)
    travel(today)
    assert not org.member1.has_perm("discussion.post_opinion", topic)
    assert errors_of(lambda: post(org, topic)) == {"topic": [message]}
    assert not Opinion.objects.exists()


@pytest.mark.parametrize("today", [D(2019, 3, 1), D(2019, 3, 31)])
def test_first_and_last_days_are_open(org, travel, today):
    topic = make_topic(org)
    travel(today)
    assert post(org, topic).pk


def test_a_person_without_home_unit_cannot_post(org):
    from taolun.org.roles import Role
    from taolun.org.tests.factories import UserFactory, grant

    homeless = UserFactory(username="homeless", unit=None)
    grant(homeless, org.branch1, Role.MEMBER)
    topic = make_topic(org)
    assert not homeless.has_perm("discussion.post_opinion", topic)
    errors = errors_of(lambda: opinion_post(actor=homeless, topic=topic, body="意见"))
    assert list(errors) == ["topic"] and "no home unit" in errors["topic"][0]


def test_anonymous_only_where_allowed(org):
    closed = make_topic(org, allow_anonymous=False)
    assert errors_of(lambda: post(org, closed, anonymous=True)) == {
        "anonymous": ["This topic does not take anonymous opinions."]
    }
    opinion = post(org, make_topic(org), anonymous=True)
    assert opinion.anonymous and opinion.author == org.member1


@pytest.mark.parametrize(
    "body",
    ["", "   ", "<script>alert(1)</script>", "<p> </p>", '<a href="javascript:x()"></a>'],
)
def test_an_empty_opinion_is_refused(org, body):
    assert errors_of(lambda: post(org, make_topic(org), body=body)) == {
        "body": ["Write your opinion."]
    }


def test_opinion_body_is_sanitised(org):
    opinion = post(
        org,
        make_topic(org),
        body='<p onclick="steal()">看法<script>alert(1)</script>'
        '<a href="javascript:alert(1)">点我</a></p>',
    )
    assert "看法" in opinion.body and "点我" in opinion.body
    for bad in ("<script", "onclick", "javascript:"):
        assert bad not in opinion.body


def test_replies_go_one_level_deep_and_stay_in_their_topic(org):
    topic, other = make_topic(org), make_topic(org, question="另一个")
    opinion = post(org, topic)
    reply = post(org, topic, who="contact1", body="同意", parent=opinion)
    assert reply.parent == opinion and reply.is_reply
    assert errors_of(lambda: post(org, topic, body="再回复", parent=reply)) == {
        "parent": ["Reply to the opinion itself, not to a reply."]
    }
    assert errors_of(lambda: post(org, other, body="跨主题", parent=opinion)) == {
        "parent": ["You can only reply to an opinion on this topic."]
    }
    assert Opinion.objects.count() == 2


def test_the_audit_trail_keeps_the_author_of_an_anonymous_opinion(org):
    opinion = post(org, make_topic(org), anonymous=True)
    entry = LogEntry.objects.get_for_object(opinion).get(action=LogEntry.Action.CREATE)
    assert entry.actor == org.member1
    assert entry.changes_dict["author"][1] == str(org.member1.pk)
    assert entry.changes_dict["anonymous"][1] == "True"


# ---------------------------------------------------------------- editing own opinions


def test_authors_edit_until_the_office_acts(org):
    topic = make_topic(org)
    opinion = post(org, topic)
    with pytest.raises(PermissionDenied):
        opinion_update(actor=org.contact1, opinion=opinion, body="改别人的")
    opinion_update(
        actor=org.member1, opinion=opinion, body="改过的意见", kind=OpinionKind.SUGGESTION
    )
    opinion.refresh_from_db()
    assert opinion.body == "<p>改过的意见</p>" and opinion.kind == OpinionKind.SUGGESTION
    assert errors_of(lambda: opinion_update(actor=org.member1, opinion=opinion, body="")) == {
        "body": ["Write your opinion."]
    }
    opinion_classify(actor=org.office, opinion=opinion, theme=org.campaign.themes.get())
    opinion.refresh_from_db()
    assert not org.member1.has_perm("discussion.change_opinion", opinion)
    assert errors_of(lambda: opinion_update(actor=org.member1, opinion=opinion, body="再改")) == {
        NON_FIELD_ERRORS: [
            "The office has already classified or answered this opinion: it can no longer "
            "be changed. Post a reply instead."
        ]
    }
    opinion.refresh_from_db()
    assert opinion.body == "<p>改过的意见</p>"


# ---------------------------------------------------------------- the office


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("office", True),
        ("leader", False),
        ("supervisor", False),
        ("contact1", False),
        ("member1", False),
    ],
)
def test_only_the_office_classifies_and_answers(org, who, allowed):
    topic = make_topic(org, who="contact1", unit="branch1")
    opinion = post(org, topic)
    user = getattr(org, who)
    theme = org.campaign.themes.get()
    assert user.has_perm("discussion.moderate_opinion", opinion) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            opinion_classify(actor=user, opinion=opinion, theme=theme)
        with pytest.raises(PermissionDenied):
            opinion_answer(actor=user, opinion=opinion, answer="答复")
        return
    opinion_classify(actor=user, opinion=opinion, theme=theme)
    opinion_answer(actor=user, opinion=opinion, answer="<p>已采纳<script>x</script></p>")
    opinion.refresh_from_db()
    assert opinion.theme == theme and opinion.classified_by == user
    assert opinion.answer == "<p>已采纳</p>" and opinion.answered_by == user
    assert opinion.answered_at is not None and opinion.classified_at is not None


def test_classification_can_be_taken_off_and_themes_stay_in_their_campaign(org):
    opinion = post(org, make_topic(org))
    opinion_classify(actor=org.office, opinion=opinion, theme=org.campaign.themes.get())
    opinion_classify(actor=org.office, opinion=opinion, theme=None)
    opinion.refresh_from_db()
    assert opinion.theme is None and opinion.classified_by is None
    other = make_campaign(org.root, "camp2").themes.get()
    assert errors_of(lambda: opinion_classify(actor=org.office, opinion=opinion, theme=other)) == {
        "theme": ["Choose a theme of this campaign."]
    }


def test_an_empty_answer_is_refused(org):
    opinion = post(org, make_topic(org))
    assert errors_of(
        lambda: opinion_answer(actor=org.office, opinion=opinion, answer="<script>x</script>")
    ) == {"answer": ["Write the answer."]}
    opinion.refresh_from_db()
    assert opinion.answer == "" and opinion.answered_by is None


def test_replies_are_not_classified(org):
    topic = make_topic(org)
    reply = post(org, topic, who="contact1", parent=post(org, topic))
    assert not org.office.has_perm("discussion.moderate_opinion", reply)
    with pytest.raises(PermissionDenied):
        opinion_answer(actor=org.office, opinion=reply, answer="答复")
