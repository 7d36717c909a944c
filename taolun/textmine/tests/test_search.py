"""Search: every word found, ranked, scoped to what the user may open, never broken by input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from taolun.discussion.tests.factories import OpinionFactory, TopicFactory
from taolun.rectification.tests.factories import make_problem
from taolun.reporting.models import BriefState
from taolun.reporting.tests.factories import make_brief
from taolun.study.tests.factories import ReflectionFactory
from taolun.textmine import indexing, search
from taolun.textmine.models import SearchEntry

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("textmine:search")


def reflect(org, author, body: str, **kw):
    return ReflectionFactory(campaign=org.campaign, author=author, body=f"<p>{body}</p>", **kw)


def found(user, query: str, **kw) -> list[str]:
    return [hit.title for hit in search.search(user, query, **kw).hits]


@pytest.fixture
def texts(org):
    """One text per rule: a member's draft and submitted reflection in branch1, one in
    branch2, an excellent one, an anonymous and a signed opinion, a draft and a submitted
    brief, a problem of each branch. Each holds the word 形式主义 and its own marker."""
    ns = org
    ns.draft = reflect(org, org.member1, "草稿 反对形式主义", title="甲草稿", submitted_at=None)
    ns.mine = reflect(org, org.member1, "已交 反对形式主义", title="甲已交")
    ns.other_branch = reflect(org, org.contact2, "二支部 反对形式主义", title="乙支部心得")
    ns.excellent = reflect(org, org.contact2, "优秀 反对形式主义", title="优秀心得", excellent=True)
    topic = TopicFactory(campaign=org.campaign, created_by=org.office)
    ns.anonymous = OpinionFactory(
        topic=topic, author=org.member1, anonymous=True, body="<p>匿名意见 形式主义严重</p>"
    )
    ns.signed = OpinionFactory(topic=topic, author=org.contact2, body="<p>署名意见 形式主义</p>")
    ns.brief_draft = make_brief(
        org.campaign, org.branch1, org.member1, title="简报草稿", body="<p>形式主义 简报</p>"
    )
    ns.brief_sent = make_brief(
        org.campaign,
        org.branch1,
        org.contact1,
        title="简报已报",
        body="<p>形式主义 简报</p>",
        state=BriefState.SUBMITTED,
    )
    ns.problem1 = make_problem(org, unit="branch1", description="一支部问题 形式主义")
    ns.problem2 = make_problem(org, unit="branch2", description="二支部问题 形式主义")
    indexing.rebuild()
    return ns


def test_every_word_must_occur_and_the_best_match_comes_first(org):
    reflect(org, org.office, "作风建设 作风建设 作风建设 整改落实", title="多次")
    reflect(org, org.office, "作风建设 其他内容 " + "无关文字" * 30, title="一次")
    reflect(org, org.office, "整改落实", title="另一篇")
    indexing.rebuild()
    assert found(org.office, "作风建设") == ["多次", "一次"]
    assert found(org.office, "作风建设 整改落实") == ["多次"]
    # A part of a compound word is found too (jieba's search mode indexes it).
    assert found(org.office, "作风") == ["多次", "一次"]


def test_a_member_finds_their_own_draft_and_excellent_texts_only(texts):
    titles = found(texts.member1, "形式主义", kind="reflection")
    assert sorted(titles) == sorted(["甲草稿", "甲已交", "优秀心得"])


def test_the_office_never_finds_someone_elses_draft(texts):
    titles = found(texts.office, "形式主义", kind="reflection")
    assert sorted(titles) == sorted(["甲已交", "乙支部心得", "优秀心得"])
    assert "简报草稿" not in found(texts.office, "形式主义")
    assert "简报草稿" not in found(texts.contact1, "形式主义")
    assert "简报草稿" in found(texts.member1, "简报")


def test_another_branch_is_out_of_reach(texts):
    titles = found(texts.contact2, "形式主义")
    assert "甲已交" not in titles
    assert "简报已报" not in titles
    assert texts.problem1.ledger_number not in titles
    assert texts.problem2.ledger_number in titles
    assert not any(
        "一支部问题" in hit.snippet for hit in search.search(texts.contact2, "问题").hits
    )


def test_someone_without_a_role_or_unit_finds_nothing(texts):
    assert found(texts.outsider, "形式主义") == []


def test_an_anonymous_opinion_never_names_its_unit_and_the_page_never_its_author(texts, client):
    [hit] = search.search(texts.office, "匿名意见").hits
    assert hit.unit == ""
    client.force_login(texts.office)
    page = client.get(SEARCH_URL, {"q": "匿名意见"}).content.decode()
    assert "匿名意见" in page
    assert texts.member1.name not in page
    assert texts.branch1.display_name not in page
    # The index keeps no unit for it, so not even its author's hit names one.
    [own] = search.search(texts.member1, "匿名意见").hits
    assert own.unit == ""


def test_each_hit_links_to_a_page_its_reader_may_open(texts, client):
    client.force_login(texts.contact2)
    for hit in search.search(texts.contact2, "形式主义").hits:
        assert client.get(hit.url, follow=True).status_code == 200, hit


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '形式主义"',
        "NEAR(形式主义",
        "形式主义 NEAR 简报",
        "*",
        "形式*",
        ")",
        "形式主义 AND OR NOT",
        "-- ; drop table",
        "tokens:形式主义",
        "^形式主义",
        "a:b & c | !d <-> e",
        "'",
        "\\",
        "形式主义" * 200,
    ],
)
def test_hostile_queries_are_words_not_syntax(texts, query):
    page = search.search(texts.office, query)
    assert page.total >= 0


def test_quotes_and_operators_are_searched_as_words(org):
    reflect(org, org.office, "讨论 NEAR 与 AND 的用法", title="英文词")
    reflect(org, org.office, "讨论别的", title="别的")
    indexing.rebuild()
    assert found(org.office, "near") == ["英文词"]
    assert found(org.office, '讨论 "AND"') == ["英文词"]


def test_an_empty_or_punctuation_query_runs_no_search(org, django_assert_num_queries):
    with django_assert_num_queries(0):
        page = search.search(org.office, " ，。！？ ")
    assert page.total == 0
    assert page.query.words == ()


def test_a_snippet_is_escaped_and_marks_the_words(org):
    # Stored rich text is sanitised HTML; what it shows as text must stay text.
    body = "开头" * 100 + "&lt;script&gt;alert(1)&lt;/script&gt; 形式主义 &amp; 结尾"
    reflect(org, org.office, body, title="t")
    indexing.rebuild()
    [hit] = search.search(org.office, "形式主义").hits
    assert "<mark>形式主义</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert hit.snippet.startswith("…")


def test_the_index_follows_edits_and_deletions(org):
    reflection = reflect(org, org.office, "旧的说法", title="会改的")
    indexing.rebuild()
    assert found(org.office, "旧的说法") == ["会改的"]
    reflection.body = "<p>新的说法</p>"
    reflection.save()
    indexing.rebuild()
    assert found(org.office, "旧的说法") == []
    assert found(org.office, "新的说法") == ["会改的"]
    SearchEntry.objects.all().delete()
    assert found(org.office, "新的说法") == []


def test_pages_of_results(org):
    for n in range(search.PAGE_SIZE + 5):
        reflect(org, org.office, "学习心得 " * (n + 1), title=f"第{n}篇")
    indexing.rebuild()
    first = search.search(org.office, "学习心得")
    assert (first.total, first.pages, len(first.hits)) == (search.PAGE_SIZE + 5, 2, 20)
    second = search.search(org.office, "学习心得", page=99)
    assert (second.number, len(second.hits)) == (2, 5)
    assert not {h.title for h in first.hits} & {h.title for h in second.hits}


@pytest.mark.parametrize("size", [3, 30])
def test_query_count_does_not_grow_with_the_hits(texts, size, django_assert_max_num_queries):
    topic = TopicFactory(campaign=texts.campaign, created_by=texts.office)
    for n in range(size):
        reflect(texts, texts.contact1, f"形式主义 {n}", title=f"r{n}")
        OpinionFactory(topic=topic, author=texts.member1, anonymous=True, body="<p>形式主义</p>")
        make_problem(texts, unit="branch1", description=f"形式主义 {n}")
    indexing.rebuild()
    from taolun.org.models import User

    office = User.objects.get(pk=texts.office.pk)
    with django_assert_max_num_queries(8):
        page = search.search(office, "形式主义")
    assert page.total == 3 * size + 7  # and the fixture's seven the office may open


# ---------------------------------------------------------------- the page


def test_the_page_lists_hits_with_marked_snippets_and_a_count(texts, client):
    client.force_login(texts.contact1)
    response = client.get(SEARCH_URL, {"q": "简报"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>简报</mark>" in html
    assert "1 text matches." in html
    assert 'role="status"' in html
    assert 'value="简报"' in html


def test_the_page_filters_by_kind_and_says_when_nothing_matches(texts, client):
    client.force_login(texts.office)
    html = client.get(SEARCH_URL, {"q": "形式主义", "kind": "problem"}).content.decode()
    assert texts.problem1.ledger_number in html
    assert "甲已交" not in html
    html = client.get(SEARCH_URL, {"q": "不存在的词语组合"}).content.decode()
    assert "No texts you may open contain" in html


def test_the_page_rejects_an_unknown_kind_and_keeps_the_query(texts, client):
    client.force_login(texts.office)
    response = client.get(SEARCH_URL, {"q": "形式主义", "kind": "nonsense"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in html
    assert 'value="形式主义"' in html


def test_the_page_asks_for_words_when_given_none(texts, client):
    client.force_login(texts.office)
    assert "Type one or more words" in client.get(SEARCH_URL, {"q": ""}).content.decode()
    assert "punctuation and spaces alone" in client.get(SEARCH_URL, {"q": "！？"}).content.decode()


def test_hostile_queries_on_the_page_are_no_server_error(texts, client):
    client.force_login(texts.office)
    for query in ['"', "NEAR(", "*", ")", "--", "x" * 5000, "page=%00"]:
        assert client.get(SEARCH_URL, {"q": query, "page": "abc"}).status_code == 200


def test_the_header_holds_a_labelled_search_box_for_signed_in_users(org, client):
    assert client.get(reverse("public:index")).content.decode().count('role="search"') == 0
    client.force_login(org.member1)
    html = client.get(reverse("home")).content.decode()
    assert 'role="search"' in html
    assert '<label class="visually-hidden" for="header-search">' in html
    assert f'action="{SEARCH_URL}"' in html


def test_the_page_needs_a_sign_in(client):
    response = client.get(SEARCH_URL, {"q": "形式主义"})
    assert response.status_code == 302
