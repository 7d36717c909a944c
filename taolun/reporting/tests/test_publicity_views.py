"""The office's publicity pages: who gets in, marking, editing, publishing, kept input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from taolun.reporting.models import CaseState, Channel, Publication, PublicationState, ReviewState
from taolun.reporting.tests.factories import make_brief, make_case, make_publication

D = dt.date


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 5, 20))


def as_user(client, user):
    client.force_login(user)
    return client


def adopted(levels, title="采用稿件", unit=None):
    return make_brief(
        levels.campaign,
        unit or levels.branch1,
        levels.contact1,
        title=title,
        reviews=[(levels.campaign, ReviewState.ADOPTED)],
    )


def page_url():
    return reverse("reporting:publicity", args=["fed"])


def mark_url(kind, pk):
    return reverse("reporting:publicity_mark", args=["fed", kind, pk])


def channel_ids(*codes):
    return [str(Channel.objects.get(code=c).pk) for c in codes]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("office", 200),
        ("leader", 404),
        ("supervisor", 404),
        ("contact1", 404),
        ("member1", 404),
        ("prov_office", 404),
        ("outsider", 404),
    ],
)
def test_the_publicity_page_is_the_offices(client, levels, who, status):
    assert as_user(client, getattr(levels, who)).get(page_url()).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, levels):
    response = client.get(page_url())
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_page_lists_unmarked_items_and_publications(client, levels):
    waiting = adopted(levels, "待发布稿件")
    marked = adopted(levels, "已标记稿件")
    make_publication(marked, "portal", levels.office)
    make_brief(levels.campaign, levels.branch1, levels.contact1, title="草稿不出现")
    case = make_case(levels.campaign, levels.branch1, levels.contact1, state=CaseState.APPROVED)
    make_case(levels.campaign, levels.branch1, levels.contact1, name="未批准典型")
    page = as_user(client, levels.office).get(page_url()).content.decode()
    assert mark_url("brief", waiting.pk) in page
    assert mark_url("case", case.pk) in page
    assert mark_url("brief", marked.pk) not in page
    assert "已标记稿件" in page
    assert "草稿不出现" not in page
    assert "未批准典型" not in page


def test_filters_by_state_and_channel(client, levels):
    a = adopted(levels, "甲稿")
    b = adopted(levels, "乙稿")
    make_publication(a, "portal", levels.office, published_on=D(2019, 5, 1))
    make_publication(b, "weibo", levels.office)
    as_user(client, levels.office)
    page = client.get(page_url() + "?state=planned").content.decode()
    assert "乙稿" in page and "甲稿" not in page
    portal = Channel.objects.get(code="portal").pk
    page = client.get(page_url() + f"?channel={portal}").content.decode()
    assert "甲稿" in page and "乙稿" not in page


def test_the_office_marks_an_item(client, levels):
    brief = adopted(levels)
    response = as_user(client, levels.office).post(
        mark_url("brief", brief.pk), {f"brief-{brief.pk}-channels": channel_ids("portal", "weibo")}
    )
    assert response.status_code == 302
    assert set(brief.publications.values_list("channel__code", flat=True)) == {"portal", "weibo"}


def test_marking_without_a_channel_says_so_and_writes_nothing(client, levels):
    brief = adopted(levels)
    response = as_user(client, levels.office).post(mark_url("brief", brief.pk), {})
    assert response.status_code == 400
    page = response.content.decode()
    form = page[page.index(f'id="mark-brief-{brief.pk}"') :]
    assert 'class="invalid-feedback d-block"' in form[: form.index("</form>")]
    assert not Publication.objects.exists()


def test_marking_a_taken_channel_keeps_the_choice(client, levels):
    brief = adopted(levels)
    make_publication(brief, "portal", levels.office)
    # An old page still offers the portal: the refusal shows the form again, as sent.
    field = f"brief-{brief.pk}-channels"
    response = as_user(client, levels.office).post(
        mark_url("brief", brief.pk), {field: channel_ids("portal", "weibo")}
    )
    assert response.status_code == 400
    page = response.content.decode()
    form = page[page.index(f'id="mark-brief-{brief.pk}"') :]
    form = form[: form.index("</form>")]
    (weibo,) = channel_ids("weibo")
    assert (
        f'value="{weibo}" class="form-check-input" id="id_{field}_2" aria-invalid="true" checked'
        in form
    )
    assert "门户网站" in form[form.index("invalid-feedback") :]
    assert brief.publications.count() == 1


def test_more_channels_from_the_publication_page(client, levels):
    brief = adopted(levels)
    pub = make_publication(brief, "portal", levels.office)
    as_user(client, levels.office)
    page = client.get(reverse("reporting:publication", args=[pub.pk])).content.decode()
    more = page[page.index('id="more-heading"') :]
    assert "官方微博" in more and "门户网站" not in more[: more.index("</form>")]
    client.post(mark_url("brief", brief.pk), {f"brief-{brief.pk}-channels": channel_ids("weibo")})
    assert brief.publications.count() == 2


@pytest.mark.parametrize(("who", "status"), [("contact1", 403), ("leader", 403), ("outsider", 404)])
def test_others_cannot_mark(client, levels, who, status):
    brief = adopted(levels)
    response = as_user(client, getattr(levels, who)).post(
        mark_url("brief", brief.pk), {f"brief-{brief.pk}-channels": channel_ids("portal")}
    )
    assert response.status_code == status
    assert not Publication.objects.exists()


def test_an_unadopted_brief_cannot_be_marked(client, levels):
    draft = make_brief(levels.campaign, levels.branch1, levels.contact1)
    response = as_user(client, levels.office).post(
        mark_url("brief", draft.pk), {f"brief-{draft.pk}-channels": channel_ids("portal")}
    )
    assert response.status_code == 404


def test_the_detail_page_shows_ready_text_with_counts(client, levels):
    brief = adopted(levels)
    pub = make_publication(brief, "weibo", levels.office)
    response = as_user(client, levels.office).get(reverse("reporting:publication", args=[pub.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "readonly" in page
    assert f"http://testserver/public/briefs/{brief.pk}/" in page
    assert "2000" in page
    assert (
        as_user(client, levels.leader)
        .get(reverse("reporting:publication", args=[pub.pk]))
        .status_code
        == 404
    )
    assert (
        as_user(client, levels.contact1)
        .get(reverse("reporting:publication", args=[pub.pk]))
        .status_code
        == 404
    )


def test_editing_with_errors_keeps_what_was_typed(client, levels):
    pub = make_publication(adopted(levels), "wechat", levels.office)
    response = as_user(client, levels.office).post(
        reverse("reporting:publication_edit", args=[pub.pk]),
        {"title": "新的标题", "digest": "长" * 121, "body": "<p>我改过的正文</p>"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "新的标题" in page and "我改过的正文" in page
    assert 'id="id_digest_error"' in page
    pub.refresh_from_db()
    assert pub.title != "新的标题"


def test_editing_saves_sanitised_text(client, levels):
    pub = make_publication(adopted(levels), "portal", levels.office)
    response = as_user(client, levels.office).post(
        reverse("reporting:publication_edit", args=[pub.pk]),
        {"title": "新标题", "body": '<p onclick="x()">新正文<script>alert(1)</script></p>'},
    )
    assert response.status_code == 302
    pub.refresh_from_db()
    assert pub.title == "新标题" and "script" not in pub.body and "onclick" not in pub.body


def test_publish_then_withdraw_through_the_pages(client, levels):
    pub = make_publication(adopted(levels), "portal", levels.office)
    as_user(client, levels.office)
    bad = client.post(
        reverse("reporting:publication_publish", args=[pub.pk]),
        {"published_on": "2019-05-21", "link": "https://www.sxdpf.org.cn/n/1.html"},
    )
    assert bad.status_code == 400
    assert "https://www.sxdpf.org.cn/n/1.html" in bad.content.decode()
    ok = client.post(
        reverse("reporting:publication_publish", args=[pub.pk]),
        {"published_on": "2019-05-20", "link": "https://www.sxdpf.org.cn/n/1.html"},
    )
    assert ok.status_code == 302
    pub.refresh_from_db()
    assert pub.state == PublicationState.PUBLISHED
    client.post(reverse("reporting:publication_withdraw", args=[pub.pk]))
    pub.refresh_from_db()
    assert pub.state == PublicationState.WITHDRAWN
    client.post(reverse("reporting:publication_replan", args=[pub.pk]))
    pub.refresh_from_db()
    assert pub.state == PublicationState.PLANNED


def test_a_contact_cannot_publish(client, levels):
    pub = make_publication(adopted(levels), "portal", levels.office)
    response = as_user(client, levels.contact1).post(
        reverse("reporting:publication_publish", args=[pub.pk]), {"published_on": "2019-05-20"}
    )
    assert response.status_code == 404
    # A leader reads the campaign but not its publicity: 404, as on the publication's page
    # (an empty or bad form is never checked first, which would show that page).
    for data in ({"published_on": "2019-05-20"}, {}):
        response = as_user(client, levels.leader).post(
            reverse("reporting:publication_publish", args=[pub.pk]), data
        )
        assert response.status_code == 404
    pub.refresh_from_db()
    assert pub.state == PublicationState.PLANNED


def test_the_publicity_page_asks_the_same_queries_for_more_rows(
    client, levels, django_assert_max_num_queries
):
    as_user(client, levels.office)

    def add(n, start):
        for i in range(n):
            unit = levels.branch1 if i % 2 else levels.branch2
            make_publication(adopted(levels, f"已标记{start + i}", unit), "portal", levels.office)
            adopted(levels, f"待标记{start + i}", unit)
            make_case(
                levels.campaign,
                unit,
                levels.contact1,
                name=f"典型{start + i}",
                state=CaseState.APPROVED,
            )

    add(2, 0)
    with django_assert_max_num_queries(30) as small:
        assert client.get(page_url()).status_code == 200
    add(10, 100)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(page_url()).status_code == 200


def test_the_page_counts_publications_by_state(client, levels):
    make_publication(adopted(levels, "甲"), "portal", levels.office, published_on=D(2019, 5, 1))
    make_publication(adopted(levels, "乙"), "portal", levels.office)
    make_publication(adopted(levels, "丙"), "weibo", levels.office)
    page = as_user(client, levels.office).get(page_url()).content.decode()
    planned = PublicationState.PLANNED.label
    published = PublicationState.PUBLISHED.label
    assert f'<a href="?state=planned">{planned}: 2</a>' in page
    assert f'<a href="?state=published">{published}: 1</a>' in page
