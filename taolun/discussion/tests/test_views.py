"""The discussion pages: scope, permissions, the flows, kept input, filters, queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from taolun.discussion.models import Opinion, OpinionKind, Topic
from taolun.discussion.selectors import topics_for_user
from taolun.discussion.services import opinion_answer, opinion_classify, topic_update
from taolun.discussion.tests.factories import OpinionFactory, make_topic, post
from taolun.org.roles import Role
from taolun.org.tests.factories import UserFactory, grant
from taolun.rectification.models import Problem, ProblemSource
from taolun.textmine import themes

D = dt.date
LONG = "我认为" + "改革创新需要从思想上破除僵化保守。" * 200


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 3, 15))


def as_user(client, user):
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"discussion:{name}", args=args)


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


# ---------------------------------------------------------------- scope and permissions


@pytest.fixture
def topics(org):
    return {
        "root": make_topic(org, question="全体讨论"),
        "b1": make_topic(org, who="contact1", unit="branch1", question="一支部讨论"),
        "b2": make_topic(org, who="contact2", unit="branch2", question="二支部讨论"),
    }


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("office", {"root", "b1", "b2"}),
        ("supervisor", {"root", "b1", "b2"}),
        ("contact1", {"root", "b1"}),
        ("member1", {"root", "b1"}),
        ("contact2", {"root", "b2"}),
    ],
)
def test_topics_are_scoped(org, topics, client, who, seen):
    as_user(client, getattr(org, who))
    index = page(client, url("index", "camp"))
    for name, topic in topics.items():
        assert (topic.question in index) is (name in seen)
        status = client.get(url("topic_detail", topic.pk)).status_code
        assert status == (200 if name in seen else 404)


def test_outsider_sees_no_discussion(org, topics, client):
    as_user(client, org.outsider)
    assert client.get(url("index", "camp")).status_code == 404
    assert client.get(url("topic_detail", topics["root"].pk)).status_code == 404
    assert client.get(url("inbox", "camp")).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(org, topics, client):
    response = client.get(url("topic_detail", topics["root"].pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_who_opens_and_edits_topics(org, topics, client):
    as_user(client, org.member1)
    assert "Open a topic" not in page(client, url("index", "camp"))
    assert client.get(url("topic_create", "camp")).status_code == 403
    assert client.get(url("topic_edit", topics["b1"].pk)).status_code == 403
    as_user(client, org.contact2)
    assert client.get(url("topic_edit", topics["root"].pk)).status_code == 403
    assert client.get(url("topic_edit", topics["b1"].pk)).status_code == 404
    as_user(client, org.contact1)
    assert "Open a topic" in page(client, url("index", "camp"))
    form = page(client, url("topic_create", "camp"))
    # A contact opens topics to their own unit only.
    assert f'value="{org.branch1.pk}"' in form and f'value="{org.branch2.pk}"' not in form
    assert client.get(url("topic_edit", topics["b1"].pk)).status_code == 200


@pytest.mark.parametrize("home", ["branch1", "organ"])
def test_a_person_with_a_home_unit_and_no_role_takes_part(org, topics, client, home):
    """Opened to the root and to branch1: a branch1 person with no role reads and posts
    on both; an organ person only on the root's (branch1's is below them); none on branch2's.
    """
    person = UserFactory(username="norole", name="无角色党员", unit=getattr(org, home))
    as_user(client, person)
    index = page(client, url("index", "camp"))
    reached = {"root", "b1"} if home == "branch1" else {"root"}
    for name, topic in topics.items():
        assert (topic.question in index) is (name in reached)
        response = client.post(url("topic_detail", topic.pk), {"kind": "opinion", "body": name})
        if name in reached:
            assert response.status_code == 302
            assert Opinion.objects.get(topic=topic, author=person).unit == getattr(org, home)
        else:
            assert response.status_code == 404
            assert client.get(url("topic_detail", topic.pk)).status_code == 404
            assert not Opinion.objects.filter(topic=topic).exists()


def test_a_person_with_no_home_unit_and_no_role_sees_no_topic(org, topics):
    assert not topics_for_user(org.outsider).exists()
    assert not org.outsider.has_perm("discussion.view_topic", topics["root"])


@pytest.mark.parametrize(
    ("who", "office_topic", "contact_topic"),
    [
        ("office", 200, 200),
        ("contact1", 403, 200),  # the contact changes the topic they opened, not the office's
        ("other_contact", 403, 403),  # another contact of branch1 did not open it
        ("leader", 403, 403),
        ("supervisor", 403, 403),
        ("member1", 403, 403),
        ("contact2", 404, 404),
    ],
)
def test_who_changes_a_topic(org, client, who, office_topic, contact_topic):
    other = UserFactory(username="other_contact", name="联络员甲", unit=org.branch1)
    grant(other, org.branch1, Role.CONTACT)
    org.other_contact = other
    made = {
        "office": (make_topic(org, unit="branch1", question="办公室开的"), office_topic),
        "contact": (
            make_topic(org, who="contact1", unit="branch1", question="联络员开的"),
            contact_topic,
        ),
    }
    user = getattr(org, who)
    as_user(client, user)
    for topic, status in made.values():
        assert client.get(url("topic_edit", topic.pk)).status_code == status
        response = client.post(
            url("topic_edit", topic.pk),
            {
                "unit": org.branch1.pk,
                "question": "改过的问题",
                "opens_on": "2019-03-01",
                "closes_on": "2019-03-31",
            },
        )
        assert response.status_code == (302 if status == 200 else status)
        topic.refresh_from_db()
        assert (topic.question == "改过的问题") is (status == 200)
        if status != 404:
            detail = page(client, url("topic_detail", topic.pk))
            assert (url("topic_edit", topic.pk) in detail) is (status == 200)


def test_a_contact_who_lost_the_role_no_longer_changes_their_topic(org):
    topic = make_topic(org, who="contact1", unit="branch1")
    org.contact1.roles.filter(role=Role.CONTACT).delete()
    contact = type(org.contact1).objects.get(pk=org.contact1.pk)
    assert not contact.has_perm("discussion.change_topic", topic)
    with pytest.raises(PermissionDenied):
        topic_update(actor=contact, topic=topic, question="改")


def test_the_inbox_is_the_offices(org, topics, client):
    for who in ("member1", "contact1", "leader", "supervisor"):
        as_user(client, getattr(org, who))
        assert client.get(url("inbox", "camp")).status_code == 403
    as_user(client, org.office)
    assert "Opinions inbox" in page(client, url("index", "camp"))
    assert client.get(url("inbox", "camp")).status_code == 200


def test_office_actions_are_refused_to_others(org, topics, client):
    opinion = post(org, topics["b1"])
    for who, status in (("contact1", 403), ("member1", 403), ("leader", 403), ("contact2", 404)):
        as_user(client, getattr(org, who))
        for name in ("opinion_classify", "opinion_answer"):
            response = client.post(url(name, opinion.pk), {f"answer-{opinion.pk}-answer": "答"})
            assert response.status_code == status
    opinion.refresh_from_db()
    assert opinion.answer == "" and opinion.theme is None
    as_user(client, org.contact1)
    assert "Office: classify" not in page(client, url("topic_detail", topics["b1"].pk))


def test_only_the_author_edits_an_opinion(org, topics, client):
    opinion = post(org, topics["b1"])
    as_user(client, org.contact1)
    assert client.get(url("opinion_edit", opinion.pk)).status_code == 403
    as_user(client, org.contact2)
    assert client.get(url("opinion_edit", opinion.pk)).status_code == 404
    as_user(client, org.member1)
    response = client.post(
        url("opinion_edit", opinion.pk), {"kind": OpinionKind.SUGGESTION, "body": "修改后的建议"}
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.body == "<p>修改后的建议</p>" and opinion.kind == OpinionKind.SUGGESTION


@pytest.mark.parametrize("handled", ["answered", "classified"])
def test_editing_an_opinion_handled_meanwhile_keeps_the_typed_text(org, topics, client, handled):
    opinion = post(org, topics["b1"], body="原来的意见")
    as_user(client, org.member1)
    assert "原来的意见" in page(client, url("opinion_edit", opinion.pk))
    # The office acts while the member is still typing.
    if handled == "answered":
        opinion_answer(actor=org.office, opinion=opinion, answer="已阅")
    else:
        opinion_classify(actor=org.office, opinion=opinion, theme=org.campaign.themes.get())
    locked = "it can no longer be changed"
    for data in ({"kind": "opinion", "body": LONG}, {"kind": "nonsense", "body": LONG}):
        response = client.post(url("opinion_edit", opinion.pk), data)
        assert response.status_code == 200
        html = response.content.decode()
        textarea = re.search(r"<textarea[^>]*name=\"body\"[^>]*>(.*?)</textarea>", html, re.S)
        assert textarea is not None and LONG in textarea.group(1)
        # Said once, above the form, as an error of the form itself.
        assert html.count(locked) == 1
        assert html.index(locked) < html.index("<textarea")
        assert 'id="form-errors"' in html
    opinion.refresh_from_db()
    assert opinion.body == "<p>原来的意见</p>"
    # Coming back later, the author sees the opinion as stored and no form.
    html = page(client, url("opinion_edit", opinion.pk))
    assert "原来的意见" in html and "<textarea" not in html and locked in html


# ---------------------------------------------------------------- index


def test_index_groups_topics_by_dates_with_counts(org, client):
    open_topic = make_topic(org, question="正在讨论")
    make_topic(org, question="将要讨论", opens_on=D(2019, 4, 1), closes_on=D(2019, 4, 30))
    make_topic(org, question="已经结束", opens_on=D(2019, 2, 20), closes_on=D(2019, 3, 1))
    first = post(org, open_topic)
    post(org, open_topic, who="contact1", body="第二条")
    post(org, open_topic, who="contact2", body="回复", parent=first)
    as_user(client, org.member1)
    html = page(client, url("index", "camp"))
    open_at, upcoming_at, closed_at = (
        html.index("Open now"),
        html.index("Upcoming"),
        html.index("Closed"),
    )
    assert open_at < html.index("正在讨论") < upcoming_at < html.index("将要讨论") < closed_at
    assert html.index("已经结束") > closed_at
    row = re.search(r"正在讨论.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'<td class="text-end">(\d+)</td>', row)
    assert cells == ["2", "1"]  # two opinions, one reply
    assert "2019-03-01 – 2019-03-31" in row


# ---------------------------------------------------------------- posting


def test_member_posts_an_opinion_and_a_reply(org, topics, client):
    as_user(client, org.member1)
    topic = topics["root"]
    response = client.post(
        url("topic_detail", topic.pk),
        {"kind": OpinionKind.SUGGESTION, "body": "建议每月集中学习"},
    )
    opinion = Opinion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("opinion", opinion.pk)
    landed = client.get(response["Location"])
    assert landed["Location"] == f"{url('topic_detail', topic.pk)}#opinion-{opinion.pk}"
    assert (opinion.author, opinion.unit, opinion.kind) == (
        org.member1,
        org.branch1,
        OpinionKind.SUGGESTION,
    )
    as_user(client, org.contact2)
    form = page(client, url("topic_detail", topic.pk) + f"?reply={opinion.pk}")
    assert "Reply to an opinion" in form and f'name="parent" value="{opinion.pk}"' in form
    client.post(
        url("topic_detail", topic.pk), {"kind": "opinion", "body": "同意", "parent": opinion.pk}
    )
    reply = Opinion.objects.get(parent=opinion)
    assert reply.author == org.contact2
    html = page(client, url("topic_detail", topic.pk))
    assert "建议每月集中学习" in html and "同意" in html
    assert html.index("建议每月集中学习") < html.index(f'id="opinion-{reply.pk}"')


def test_a_refused_opinion_keeps_the_long_text(org, topics, client, travel):
    topic = topics["root"]
    travel(D(2019, 4, 2))
    as_user(client, org.member1)
    response = client.post(
        url("topic_detail", topic.pk), {"kind": "opinion", "body": LONG, "anonymous": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This topic closed on 2019-03-31 (it was open from 2019-03-01)." in html
    assert LONG in html
    assert (
        'name="anonymous" class="form-check-input" aria-describedby' in html and "checked" in html
    )
    assert not Opinion.objects.exists()


def test_an_empty_opinion_names_the_field(org, topics, client):
    as_user(client, org.member1)
    html = client.post(
        url("topic_detail", topics["root"].pk), {"kind": "opinion", "body": "<script>x</script>"}
    ).content.decode()
    assert 'href="#id_body" class="alert-link">Your opinion</a>: Write your opinion.' in html
    assert not Opinion.objects.exists()


def test_no_anonymous_box_where_the_topic_refuses_it(org, client):
    topic = make_topic(org, allow_anonymous=False)
    as_user(client, org.member1)
    assert 'name="anonymous"' not in page(client, url("topic_detail", topic.pk))
    client.post(
        url("topic_detail", topic.pk), {"kind": "opinion", "body": "意见", "anonymous": "on"}
    )
    assert Opinion.objects.get().anonymous is False


def test_posted_html_is_sanitised_on_the_page(org, topics, client):
    as_user(client, org.member1)
    client.post(
        url("topic_detail", topics["root"].pk),
        {
            "kind": "opinion",
            "body": '<p onclick="steal()">看法<script>alert(1)</script>'
            '<a href="javascript:alert(1)">链接</a></p>',
        },
    )
    html = page(client, url("topic_detail", topics["root"].pk))
    assert "看法" in html and "链接" in html
    assert "alert(1)" not in html and "steal()" not in html and "javascript:" not in html


def test_closed_topic_says_so_and_offers_no_form(org, client):
    topic = make_topic(org, opens_on=D(2019, 2, 20), closes_on=D(2019, 3, 1))
    as_user(client, org.member1)
    html = page(client, url("topic_detail", topic.pk))
    assert "This topic closed on 2019-03-01: no more opinions are taken." in html
    assert 'id="post"' not in html


def test_topic_form_errors_keep_what_was_typed(org, client):
    as_user(client, org.office)
    response = client.post(
        url("topic_create", "camp"),
        {
            "unit": org.root.pk,
            "question": "如何更好地服务残疾人？",
            "description": LONG,
            "opens_on": "2019-03-20",
            "closes_on": "2019-03-10",
            "allow_anonymous": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The topic cannot close (2019-03-10) before it opens (2019-03-20)." in html
    assert 'href="#id_closes_on"' in html
    assert "如何更好地服务残疾人？" in html and LONG in html
    assert not Topic.objects.exists()


def test_office_opens_a_topic(org, client):
    as_user(client, org.office)
    theme = org.campaign.themes.get()
    response = client.post(
        url("topic_create", "camp"),
        {
            "unit": org.branch2.pk,
            "question": "如何转变作风？",
            "description": "<p>请谈谈</p><script>x</script>",
            "theme": theme.pk,
            "opens_on": "2019-03-15",
            "closes_on": "2019-03-25",
        },
    )
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == url("topic_detail", topic.pk)
    assert topic.unit == org.branch2 and topic.theme == theme
    assert topic.description == "<p>请谈谈</p>" and topic.allow_anonymous is False


# ---------------------------------------------------------------- the office


def test_office_classifies_and_answers_on_the_topic_page(org, topics, client):
    opinion = post(org, topics["b1"])
    theme = org.campaign.themes.get()
    as_user(client, org.office)
    html = page(client, url("topic_detail", topics["b1"].pk))
    assert "Office: classify, answer, record as a problem" in html
    client.post(url("opinion_classify", opinion.pk), {f"classify-{opinion.pk}-theme": theme.pk})
    response = client.post(
        url("opinion_answer", opinion.pk), {f"answer-{opinion.pk}-answer": "已纳入学习计划"}
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.theme == theme and opinion.answer == "<p>已纳入学习计划</p>"
    as_user(client, org.member1)
    html = page(client, url("topic_detail", topics["b1"].pk))
    assert "The office answered" in html and "已纳入学习计划" in html
    assert theme.break_with in html
    assert url("opinion_edit", opinion.pk) not in html  # handled: no longer editable


def test_a_refused_answer_reshows_the_page_with_the_typed_text(org, topics, client):
    opinion = post(org, topics["root"])
    as_user(client, org.office)
    typed = "<script>alert(1)</script>"
    response = client.post(
        url("opinion_answer", opinion.pk), {f"answer-{opinion.pk}-answer": typed}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Write the answer." in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # kept, escaped, in the textarea
    assert '<details class="mt-3" open>' in html
    opinion.refresh_from_db()
    assert opinion.answer == ""


def test_an_unknown_theme_is_a_field_error(org, topics, client):
    opinion = post(org, topics["root"])
    as_user(client, org.office)
    response = client.post(
        url("opinion_classify", opinion.pk), {f"classify-{opinion.pk}-theme": "999"}
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    opinion.refresh_from_db()
    assert opinion.theme is None


def inbox_questions(html: str) -> list[str]:
    return re.findall(r'#opinion-(\d+)">', html)


def test_inbox_filters_and_theme_counts(org, topics, client):
    theme = org.campaign.themes.get()
    done = post(org, topics["root"], body="已办")
    classified = post(org, topics["b1"], body="已分类", who="contact1")
    fresh = post(org, topics["b2"], body="新的", who="contact2")
    post(org, topics["root"], who="contact2", body="回复", parent=done)  # replies stay out
    opinion_classify(actor=org.office, opinion=done, theme=theme)
    opinion_answer(actor=org.office, opinion=done, answer="答复")
    opinion_classify(actor=org.office, opinion=classified, theme=theme)
    as_user(client, org.office)
    base = url("inbox", "camp")
    assert set(inbox_questions(page(client, base))) == {
        str(o.pk) for o in (done, classified, fresh)
    }
    assert inbox_questions(page(client, base + "?state=unclassified")) == [str(fresh.pk)]
    assert set(inbox_questions(page(client, base + "?state=unanswered"))) == {
        str(classified.pk),
        str(fresh.pk),
    }
    assert set(inbox_questions(page(client, f"{base}?theme={theme.pk}"))) == {
        str(done.pk),
        str(classified.pk),
    }
    assert inbox_questions(page(client, f"{base}?topic={topics['b2'].pk}")) == [str(fresh.pk)]
    html = page(client, base)
    counts = re.search(
        r"<caption[^>]*>Opinions and answers per theme.*?</table>", html, re.S
    ).group(0)
    rows = re.findall(r'<td class="text-end">(\d+)</td>\s*<td class="text-end">(\d+)</td>', counts)
    assert rows == [("2", "1"), ("1", "0")]  # the theme; not classified
    bad = client.get(base + "?theme=nonsense")
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def _count(client, path, django_assert_max_num_queries, limit) -> int:
    # The office's pages build the campaign's theme matcher; built afresh for each count,
    # so both counts do the same work (a kept matcher saves two queries).
    themes.clear_cache()
    with django_assert_max_num_queries(limit) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _more_opinions(org, topic, n: int) -> None:
    for i in range(n):
        parent = OpinionFactory(topic=topic, author=org.contact1, anonymous=i % 2 == 0)
        OpinionFactory(topic=topic, author=org.contact2, parent=parent)


def test_topic_page_query_count_does_not_grow(org, topics, client, django_assert_max_num_queries):
    topic = topics["root"]
    _more_opinions(org, topic, 1)
    as_user(client, org.office)
    few = _count(client, url("topic_detail", topic.pk), django_assert_max_num_queries, 14)
    _more_opinions(org, topic, 15)
    opinion_classify(
        actor=org.office, opinion=topic.opinions.first(), theme=org.campaign.themes.get()
    )
    assert _count(client, url("topic_detail", topic.pk), django_assert_max_num_queries, 14) == few


def test_inbox_query_count_does_not_grow(org, topics, client, django_assert_max_num_queries):
    _more_opinions(org, topics["root"], 1)
    as_user(client, org.office)
    few = _count(client, url("inbox", "camp"), django_assert_max_num_queries, 16)
    _more_opinions(org, topics["b1"], 15)
    _more_opinions(org, topics["b2"], 15)
    assert _count(client, url("inbox", "camp"), django_assert_max_num_queries, 16) == few


def test_index_query_count_does_not_grow(org, client, django_assert_max_num_queries):
    topic = make_topic(org)
    _more_opinions(org, topic, 1)
    as_user(client, org.member1)
    few = _count(client, url("index", "camp"), django_assert_max_num_queries, 10)
    for i in range(8):
        _more_opinions(org, make_topic(org, question=f"问题{i}"), 2)
    assert _count(client, url("index", "camp"), django_assert_max_num_queries, 10) == few


# ---------------------------------------------------------------- opinion -> problem


def test_office_records_an_opinion_as_a_problem(org, topics, client):
    topic = topics["b1"]
    opinion = post(org, topic, body="学习流于形式")
    theme = org.campaign.themes.get()
    opinion_classify(actor=org.office, opinion=opinion, theme=theme)
    as_user(client, org.office)
    html = page(client, url("topic_detail", topic.pk))
    link = re.search(r'href="([^"]+)">Record as a problem', html).group(1).replace("&amp;", "&")
    assert link == reverse("rectification:problem_create", args=["camp"]) + (
        f"?origin=discussion.opinion%3A{opinion.pk}"
    )
    form = page(client, link)
    assert "学习流于形式" in form
    assert f'<option value="{ProblemSource.STAFF_OPINION}" selected>' in form
    assert f'<option value="{theme.pk}" selected>' in form
    assert f'<option value="{org.branch1.pk}" selected>' in form
    assert topic.question in form
    origin = re.search(r'name="origin" value="([^"]+)"', form).group(1)
    client.post(
        link,
        {
            "unit": org.branch1.pk,
            "description": "学习流于形式",
            "source": ProblemSource.STAFF_OPINION,
            "source_note": topic.question,
            "theme": theme.pk,
            "level": "unit",
            "kind": "deadline",
            "deadline": "2019-04-30",
            "target_standard": "",
            "measures-TOTAL_FORMS": "1",
            "measures-INITIAL_FORMS": "0",
            "measures-MIN_NUM_FORMS": "0",
            "measures-MAX_NUM_FORMS": "100",
            "measures-0-text": "制定学习计划",
            "measures-0-deadline": "2019-04-15",
            "origin": origin,
            "open": "1",
        },
    )
    problem = Problem.objects.get()
    assert problem.source_object == opinion and problem.source == ProblemSource.STAFF_OPINION
    problem_page = page(client, reverse("rectification:problem", args=[problem.pk]))
    assert opinion.get_absolute_url() in problem_page
    assert problem.ledger_number in page(client, url("topic_detail", topic.pk))
    inbox = page(client, url("inbox", "camp"))
    assert "Became a problem" in inbox and problem.ledger_number in inbox
    assert inbox_questions(page(client, url("inbox", "camp") + "?problem=yes")) == [str(opinion.pk)]
    assert inbox_questions(page(client, url("inbox", "camp") + "?problem=no")) == []


def test_the_origin_token_is_scoped(org, topics, client):
    opinion = post(org, topics["b1"])
    link = reverse("rectification:problem_create", args=["camp"]) + (
        f"?origin=discussion.opinion:{opinion.pk}"
    )
    as_user(client, org.contact2)  # may record problems, cannot read branch1's topic
    assert client.get(link).status_code == 404
    assert client.get(link.replace(str(opinion.pk), "99999")).status_code == 404
