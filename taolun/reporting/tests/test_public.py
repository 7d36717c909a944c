"""The public page, item pages, photos and Atom feed: only what was published on a public
channel, and of it only the publication's text, the unit and the date."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from taolun.activities.tests.files import PNG, png
from taolun.reporting import publicity
from taolun.reporting.models import (
    BriefPhoto,
    BriefReview,
    BriefState,
    CaseState,
    PublicationState,
    ReviewState,
)
from taolun.reporting.tests.factories import make_brief, make_case, make_publication

D = dt.date
ATOM = "{http://www.w3.org/2005/Atom}"
ADOPTED_HERE = ReviewState.ADOPTED


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 5, 20))


def brief(levels, title, **kwargs):
    return make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        title=title,
        body=f"<p>{title}正文</p>",
        **kwargs,
    )


def adopted(levels, title):
    return brief(levels, title, reviews=[(levels.campaign, ADOPTED_HERE)])


def with_photo(item):
    photo = BriefPhoto(brief=item, caption=f"{item.title}的照片")
    photo.attach(png())
    photo.save()
    return photo


@pytest.fixture
def world(levels):
    """One item in every state that must stay private, and one published item."""
    items = {
        "draft": brief(levels, "草稿稿件"),
        "signing": brief(levels, "待签发稿件", state=BriefState.SIGNING),
        "submitted": brief(levels, "已报送稿件", reviews=[(levels.campaign, ReviewState.PENDING)]),
        "returned": brief(levels, "退回稿件", reviews=[(levels.campaign, ReviewState.RETURNED)]),
        "unmarked": adopted(levels, "采用未标记稿件"),
        "planned": adopted(levels, "计划发布稿件"),
        "withdrawn": adopted(levels, "撤回稿件"),
        "internal": adopted(levels, "内部简报稿件"),
        "published": adopted(levels, "已发布稿件"),
    }
    make_publication(items["planned"], "portal", levels.office)
    pub = make_publication(items["withdrawn"], "portal", levels.office, published_on=D(2019, 5, 1))
    pub.state = PublicationState.WITHDRAWN
    pub.save()
    make_publication(items["internal"], "bulletin", levels.office, published_on=D(2019, 5, 1))
    make_publication(items["published"], "wechat", levels.office, published_on=D(2019, 5, 2))
    photos = {name: with_photo(item) for name, item in items.items()}
    # Private things a brief carries that must never leak with the published text.
    BriefReview.objects.filter(brief=items["published"]).update(comment="内部审核意见")
    return items, photos


PRIVATE = [
    "draft",
    "signing",
    "submitted",
    "returned",
    "unmarked",
    "planned",
    "withdrawn",
    "internal",
]


def test_only_the_published_item_is_on_the_list(client, world):
    items, _photos = world
    page = client.get(reverse("public:index")).content.decode()
    assert "已发布稿件" in page
    for name in PRIVATE:
        assert items[name].title not in page


@pytest.mark.parametrize("name", PRIVATE)
def test_private_items_and_their_photos_answer_404(client, world, name):
    items, photos = world
    item = items[name]
    assert client.get(reverse("public:brief", args=[item.pk])).status_code == 404
    photo_url = reverse("public:brief_photo", args=[item.pk, photos[name].pk])
    assert client.get(photo_url).status_code == 404


def test_the_published_item_shows_its_text_photo_unit_and_date_only(client, levels, world):
    items, photos = world
    item = items["published"]
    response = client.get(reverse("public:brief", args=[item.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "已发布稿件正文" in page
    assert levels.branch1.name in page
    assert "2019-05-02" in page
    photo_url = reverse("public:brief_photo", args=[item.pk, photos["published"].pk])
    assert photo_url in page
    for secret in ("内部审核意见", "0351-1234567", levels.contact1.name, levels.office.name):
        assert secret not in page
    photo = client.get(photo_url)
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content) == PNG
    # Another brief's photo is not reachable through a published brief's address.
    other = reverse("public:brief_photo", args=[item.pk, photos["draft"].pk])
    assert client.get(other).status_code == 404


def test_the_page_shows_the_publications_text_not_the_briefs(client, levels, world):
    items, _photos = world
    item = items["published"]
    item.publications.update(title="对外标题", body="<p>对外正文</p>")
    page = client.get(reverse("public:brief", args=[item.pk])).content.decode()
    assert "对外标题" in page and "对外正文" in page
    assert "已发布稿件正文" not in page


def test_a_withdrawn_item_disappears_everywhere(client, levels, world):
    items, photos = world
    item = items["published"]
    (pub,) = item.publications.all()
    publicity.publication_withdraw(actor=levels.office, publication=pub)
    assert "已发布稿件" not in client.get(reverse("public:index")).content.decode()
    assert "已发布稿件" not in client.get(reverse("public:feed")).content.decode()
    assert client.get(reverse("public:brief", args=[item.pk])).status_code == 404
    photo_url = reverse("public:brief_photo", args=[item.pk, photos["published"].pk])
    assert client.get(photo_url).status_code == 404


def test_the_feed_is_atom_with_only_the_published_item(client, levels, world):
    items, _photos = world
    response = client.get(reverse("public:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["已发布稿件"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.endswith(reverse("public:brief", args=[items["published"].pk]))
    assert link.startswith("http")
    text = response.content.decode()
    for name in PRIVATE:
        assert items[name].title not in text
    for secret in ("内部审核意见", "0351-1234567", levels.contact1.name):
        assert secret not in text


def test_the_list_links_the_feed(client, world):
    page = client.get(reverse("public:index")).content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert reverse("public:feed") in page


def test_an_item_on_several_channels_is_listed_once(client, levels):
    item = adopted(levels, "多渠道稿件")
    make_publication(item, "weibo", levels.office, published_on=D(2019, 5, 3))
    make_publication(item, "portal", levels.office, published_on=D(2019, 5, 2))
    make_publication(item, "bulletin", levels.office, published_on=D(2019, 5, 2))
    page = client.get(reverse("public:index")).content.decode()
    assert page.count("多渠道稿件") == 1
    root = ET.fromstring(client.get(reverse("public:feed")).content)
    assert len(root.findall(f"{ATOM}entry")) == 1
    detail = client.get(reverse("public:brief", args=[item.pk])).content.decode()
    assert "门户网站" in detail and "官方微博" in detail
    assert "内部简报" not in detail


def test_cases_are_public_only_once_published(client, levels):
    case = make_case(levels.campaign, levels.branch1, levels.contact1, state=CaseState.APPROVED)
    case.attach(png("典型照片.png"))
    case.save()
    url = reverse("public:case", args=[case.pk])
    photo_url = reverse("public:case_photo", args=[case.pk])
    make_publication(case, "portal", levels.office)
    assert client.get(url).status_code == 404
    assert client.get(photo_url).status_code == 404
    assert case.name not in client.get(reverse("public:index")).content.decode()
    case.publications.update(state=PublicationState.PUBLISHED, published_on=D(2019, 5, 5))
    page = client.get(url).content.decode()
    assert "扎根基层十五年" in page and photo_url in page
    assert client.get(photo_url).status_code == 200
    assert case.name in client.get(reverse("public:index")).content.decode()
    assert case.name in client.get(reverse("public:feed")).content.decode()


def test_newest_first_twenty_a_page_and_by_campaign(client, levels):
    for day in range(1, 23):
        item = adopted(levels, f"稿件{day:02d}号")
        make_publication(item, "portal", levels.office, published_on=D(2019, 5, day))
    prov_item = make_brief(
        levels.prov,
        levels.province,
        levels.prov_office,
        title="省委稿件",
        reviews=[(levels.prov, ADOPTED_HERE)],
    )
    make_publication(prov_item, "portal", levels.prov_office, published_on=D(2019, 4, 1))
    page = client.get(reverse("public:index")).content.decode()
    assert page.index("稿件22号") < page.index("稿件21号")
    assert "稿件03号" in page and "稿件02号" not in page
    second = client.get(reverse("public:index") + "?page=2").content.decode()
    assert "稿件02号" in second and "省委稿件" in second
    only_prov = client.get(reverse("public:index") + "?campaign=prov").content.decode()
    assert "省委稿件" in only_prov and "稿件22号" not in only_prov


def test_no_login_needed_and_no_internal_navigation(client, world):
    page = client.get(reverse("public:index")).content.decode()
    assert reverse("campaigns:list") not in page
    assert reverse("logout") not in page


def test_the_public_list_asks_the_same_queries_for_more_rows(
    client, levels, django_assert_max_num_queries
):
    def add(n, start):
        for i in range(n):
            item = adopted(levels, f"批量{start + i}")
            make_publication(item, "portal", levels.office, published_on=D(2019, 5, 1))

    add(2, 0)
    with django_assert_max_num_queries(4) as small:
        assert client.get(reverse("public:index")).status_code == 200
        assert client.get(reverse("public:feed")).status_code == 200
    add(18, 100)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("public:index")).status_code == 200
        assert client.get(reverse("public:feed")).status_code == 200


@pytest.mark.parametrize("path", ["/public/briefs/999999/", "/public/cases/999999/"])
def test_unknown_items_answer_404(client, db, path):
    assert client.get(path).status_code == 404


def test_an_item_page_asks_the_same_queries_for_more_photos(
    client, levels, django_assert_max_num_queries
):
    item = adopted(levels, "多图稿件")
    make_publication(item, "portal", levels.office, published_on=D(2019, 5, 1))
    with_photo(item)
    url = reverse("public:brief", args=[item.pk])
    with django_assert_max_num_queries(3) as small:
        assert client.get(url).status_code == 200
    for _ in range(5):
        with_photo(item)
    make_publication(item, "weibo", levels.office, published_on=D(2019, 5, 2))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).content.decode().count("<img") == 6
