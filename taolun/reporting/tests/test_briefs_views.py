"""The brief pages: the whole flow, scope of every view, who sees which button, bad input
that keeps what was typed, and query counts of the hub."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from taolun.activities.tests.files import pdf, png
from taolun.reporting.briefs import (
    PhotoInput,
    brief_create,
    brief_send_for_signoff,
    brief_sign,
    brief_submit,
    review_decide,
    review_forward,
)
from taolun.reporting.models import Brief, BriefPhoto, BriefReview, BriefState, ReviewState
from taolun.reporting.tests.factories import make_brief

B = BriefState
R = ReviewState
DAY = dt.date(2019, 3, 12)


@pytest.fixture(autouse=True)
def _today(travel):
    travel(DAY)


def url(name, *args):
    return reverse(f"reporting:{name}", args=args)


def as_user(client, user):
    client.force_login(user)
    return client


def form_data(levels, **overrides):
    data = {
        "unit": levels.branch1.pk,
        "kind": "news",
        "title": "机关第一党支部召开大讨论动员会",
        "body": "3月1日，支部召开动员会。\n全体党员参加。",
        "action": "",
        "meeting": "",
        "byline": "联络员一",
        "phone": "0351-1234567",
        "caption": "",
    }
    data.update(overrides)
    return data


def write(levels, **kw) -> Brief:
    fields = {
        "actor": levels.contact1,
        "campaign": levels.campaign,
        "unit": levels.branch1,
        "title": "支部动员会",
        "body": "<p>正文</p>",
        "phone": "0351-1",
    }
    fields.update(kw)
    return brief_create(**fields)


def submitted(levels, **kw) -> Brief:
    brief = write(levels, **kw)
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    brief_sign(actor=levels.head1, brief=brief)
    brief_submit(actor=levels.contact1, brief=brief)
    return brief


def review(brief: Brief, level: int) -> BriefReview:
    return BriefReview.objects.get(brief=brief, level=level)


# ---------------------------------------------------------------- the whole flow


def test_whole_flow_through_the_pages(levels, client):
    as_user(client, levels.contact1)
    hub = client.get(url("briefs", "fed")).content.decode()
    assert "Write a brief" in hub and "Received by our office" not in hub
    page = client.get(url("brief_create", "fed")).content.decode()
    assert 'name="phone"' in page and 'for="id_body"' in page
    response = client.post(
        url("brief_create", "fed"), {**form_data(levels, caption="会场"), "photo": png()}
    )
    brief = Brief.objects.get()
    assert response.status_code == 302 and response["Location"] == url("brief_detail", brief.pk)
    assert brief.body == "<p>3月1日，支部召开动员会。</p><p>全体党员参加。</p>"
    photo = brief.photos.get()
    detail = client.get(url("brief_detail", brief.pk)).content.decode()
    assert "The brief was saved as a draft." in detail
    assert url("brief_photo", photo.pk) in detail and "会场" in detail
    assert client.get(url("brief_photo", photo.pk)).status_code == 200
    assert client.post(url("brief_send_for_signoff", brief.pk)).status_code == 302
    detail = client.get(url("brief_detail", brief.pk)).content.decode()
    assert url("brief_sign", brief.pk) not in detail  # the writer does not sign

    as_user(client, levels.head1)
    hub = client.get(url("briefs", "fed")).content.decode()
    assert "To sign off" in hub and brief.title in hub
    assert client.post(url("brief_sign", brief.pk)).status_code == 302

    as_user(client, levels.contact1)
    assert client.post(url("brief_submit", brief.pk)).status_code == 302
    brief.refresh_from_db()
    assert brief.state == B.SUBMITTED

    as_user(client, levels.office)
    hub = client.get(url("briefs", "fed")).content.decode()
    assert "Received by our office" in hub and brief.title in hub
    first = review(brief, 1)
    page = client.get(url("brief_review_decide", first.pk)).content.decode()
    assert "3月1日，支部召开动员会。" in page  # prefilled with the text received
    response = client.post(
        url("brief_review_decide", first.pk),
        {
            "decision": "adopt",
            "title": "省残联机关第一党支部动员",
            "body": "<p>改写</p>",
            "comment": "",
        },
    )
    assert response.status_code == 302
    detail = client.get(url("brief_detail", brief.pk)).content.decode()
    assert "Level 1's version" in detail and "<p>改写</p>" in detail
    assert "3月1日，支部召开动员会。" in detail  # the original is kept
    page = client.get(url("brief_review_forward", first.pk)).content.decode()
    assert "省残联机关第一党支部动员" in page
    response = client.post(
        url("brief_review_forward", first.pk),
        {"title": "省残联机关第一党支部动员", "body": "<p>改写</p>", "comment": "请审阅"},
    )
    assert response.status_code == 302
    second = review(brief, 2)
    first.refresh_from_db()
    assert second.campaign == levels.prov and first.forwarded and first.title and not second.title

    as_user(client, levels.prov_office)
    hub = client.get(url("briefs", "prov")).content.decode()
    assert "Forwarded from fed 大讨论" in hub and "省残联机关第一党支部动员" not in hub
    assert brief.title in hub
    page = client.get(url("brief_review_decide", second.pk)).content.decode()
    assert "<p>改写</p>" in page or "改写" in page
    response = client.post(
        url("brief_review_decide", second.pk), {"decision": "adopt", "title": "", "body": ""}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == R.ADOPTED and (second.title, second.body) == ("", "")
    detail = client.get(url("brief_detail", brief.pk)).content.decode()
    assert "As received (level 1's version)" in detail
    timeline = detail.split('id="timeline-heading"')[1]
    for label in ("Written", "Sent for sign-off", "Signed off", "Submitted to the office"):
        assert label in timeline
    assert "请审阅" in timeline


def test_return_with_comments_and_resubmit(levels, client):
    brief = submitted(levels)
    first = review(brief, 1)
    as_user(client, levels.office)
    response = client.post(
        url("brief_review_decide", first.pk), {"decision": "return", "comment": "请补充数据"}
    )
    assert response.status_code == 302
    as_user(client, levels.contact1)
    detail = client.get(url("brief_detail", brief.pk)).content.decode()
    assert "请补充数据" in detail and url("brief_edit", brief.pk) in detail
    version = client.get(url("brief_edit", brief.pk)).context["form"]["version"].value()
    response = client.post(
        url("brief_edit", brief.pk),
        form_data(levels, title="补充数据后", unit="", version=version),
    )
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.title == "补充数据后" and brief.state == B.RETURNED


# ---------------------------------------------------------------- scope and permissions


def test_another_unit_gets_404_everywhere(levels, client):
    brief = submitted(levels, photos=[PhotoInput(png(), "会场")])
    photo = brief.photos.get()
    first = review(brief, 1)
    as_user(client, levels.contact2)
    assert client.get(url("brief_detail", brief.pk)).status_code == 404
    assert client.get(url("brief_edit", brief.pk)).status_code == 404
    assert client.get(url("brief_photo", photo.pk)).status_code == 404
    assert client.post(url("brief_photo_remove", photo.pk)).status_code == 404
    assert client.post(url("brief_photo_caption", photo.pk), {"caption": "x"}).status_code == 404
    assert client.post(url("brief_photo_add", brief.pk), {}).status_code == 404
    for name in ("send_for_signoff", "sign", "send_back", "submit"):
        assert client.post(url(f"brief_{name}", brief.pk), {}).status_code == 404, name
    for name in ("brief_review_decide", "brief_review_forward"):
        assert client.get(url(name, first.pk)).status_code == 404
        assert client.post(url(name, first.pk), {"decision": "adopt"}).status_code == 404
    assert brief.title not in client.get(url("briefs", "fed")).content.decode()
    assert BriefPhoto.objects.count() == 1 and review(brief, 1).state == R.PENDING


def test_the_province_office_sees_only_what_was_forwarded(levels, client):
    brief = submitted(levels)
    as_user(client, levels.prov_office)
    assert client.get(url("brief_detail", brief.pk)).status_code == 404
    assert client.get(url("brief_review_decide", review(brief, 1).pk)).status_code == 404
    assert brief.title not in client.get(url("briefs", "prov")).content.decode()


def test_the_federation_office_cannot_decide_at_the_province_level(levels, client):
    brief = submitted(levels)
    first = review(brief, 1)
    review_decide(actor=levels.office, review=first, adopt=True)
    second = review_forward(actor=levels.office, review=first)
    as_user(client, levels.office)
    detail = client.get(url("brief_detail", brief.pk)).content.decode()
    assert url("brief_review_decide", second.pk) not in detail
    assert client.get(url("brief_review_decide", second.pk)).status_code == 403
    response = client.post(url("brief_review_decide", second.pk), {"decision": "adopt"})
    assert response.status_code == 403
    second.refresh_from_db()
    assert second.state == R.PENDING


def test_a_member_cannot_write_and_the_writer_cannot_sign(levels, client):
    as_user(client, levels.member1)
    assert client.get(url("brief_create", "fed")).status_code == 403
    assert "Write a brief" not in client.get(url("briefs", "fed")).content.decode()
    brief = write(levels)
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    as_user(client, levels.contact1)
    assert client.post(url("brief_sign", brief.pk)).status_code == 403
    brief.refresh_from_db()
    assert brief.state == B.SIGNING


def test_the_supervisor_reads_but_is_offered_nothing(levels, client):
    brief = submitted(levels)
    as_user(client, levels.supervisor)
    detail = client.get(url("brief_detail", brief.pk)).content.decode()
    assert "What you can do" not in detail and url("brief_review_decide", 1) not in detail
    hub = client.get(url("briefs", "fed")).content.decode()
    assert "Received by our office" in hub and brief.title in hub


def test_photos_are_captioned_and_removed_only_while_editable(levels, client):
    brief = write(levels, photos=[PhotoInput(png(), "会场")])
    photo = brief.photos.get()
    as_user(client, levels.contact1)
    client.post(url("brief_photo_caption", photo.pk), {"caption": "动员会会场"})
    photo.refresh_from_db()
    assert photo.caption == "动员会会场"
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    detail = client.get(url("brief_detail", brief.pk)).content.decode()
    assert url("brief_photo_remove", photo.pk) not in detail and "动员会会场" in detail
    response = client.post(url("brief_photo_remove", photo.pk), follow=True)
    assert "This cannot be done while the brief is" in response.content.decode()
    client.post(url("brief_photo_caption", photo.pk), {"caption": "x"})
    photo.refresh_from_db()
    assert photo.caption == "动员会会场"
    as_user(client, levels.member1)  # reads nothing of branch1's briefs
    assert client.post(url("brief_photo_caption", photo.pk), {"caption": "x"}).status_code == 404


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("title", "Give the brief a title."),
        ("body", "Write the text of the brief."),
        ("phone", "Give a contact phone number"),
    ],
)
def test_an_empty_required_field_is_named_and_typing_kept(levels, client, field, message):
    as_user(client, levels.contact1)
    data = form_data(levels, **{field: ""}, byline="我写的署名")
    response = client.post(url("brief_create", "fed"), data)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert f'href="#id_{field}"' in page and "我写的署名" in page
    assert not Brief.objects.exists()


def test_a_non_image_photo_is_refused_and_typing_kept(levels, client):
    as_user(client, levels.contact1)
    response = client.post(url("brief_create", "fed"), {**form_data(levels), "photo": pdf()})
    page = response.content.decode()
    assert response.status_code == 200 and "is not an image" in page
    assert "机关第一党支部召开大讨论动员会" in page
    assert not Brief.objects.exists()
    brief = write(levels)
    response = client.post(url("brief_photo_add", brief.pk), {"photo-photo": pdf()})
    assert response.status_code == 200 and "is not an image" in response.content.decode()
    assert not BriefPhoto.objects.exists()


def test_return_without_comment_keeps_the_edited_text(levels, client):
    brief = submitted(levels)
    first = review(brief, 1)
    as_user(client, levels.office)
    response = client.post(
        url("brief_review_decide", first.pk),
        {"decision": "return", "comment": "", "title": "我改的标题", "body": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Say why the brief is returned." in page
    assert "我改的标题" in page
    assert review(brief, 1).state == R.PENDING


def test_send_back_without_comment_shows_on_the_brief_page(levels, client):
    brief = write(levels)
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    as_user(client, levels.head1)
    response = client.post(url("brief_send_back", brief.pk), {"send_back-comment": ""})
    assert response.status_code == 200
    assert "Say what should change" in response.content.decode()
    brief.refresh_from_db()
    assert brief.state == B.SIGNING


def test_sanitised_text_is_shown_without_scripts(levels, client):
    as_user(client, levels.contact1)
    body = '<p onclick="steal()">正文</p><script>alert(1)</script><a href="javascript:x()">链</a>'
    client.post(url("brief_create", "fed"), form_data(levels, body=body))
    brief = Brief.objects.get()
    page = client.get(url("brief_detail", brief.pk)).content.decode()
    assert "steal()" not in page and "alert(1)" not in page and "javascript:x()" not in page
    assert "正文" in page


def test_a_long_news_piece_gets_a_hint_not_an_error(levels, client):
    as_user(client, levels.contact1)
    response = client.post(url("brief_create", "fed"), form_data(levels, body="字" * 1200))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "1200 characters" in page and "about 500 is the norm" in page


# ---------------------------------------------------------------- queries


def _fill(levels, n: int) -> None:
    for i in range(n):
        make_brief(
            levels.campaign,
            levels.branch1 if i % 2 else levels.branch2,
            levels.contact1,
            title=f"信息{i}",
            reviews=[(levels.campaign, R.ADOPTED), (levels.prov, R.PENDING)],
        )
        make_brief(levels.campaign, levels.branch1, levels.contact1, title=f"草稿{i}")


@pytest.mark.parametrize("user", ["office", "contact1", "prov_office", "leader"])
def test_the_hub_does_not_grow_with_rows(levels, client, django_assert_max_num_queries, user):
    as_user(client, getattr(levels, user))
    slug = "prov" if user == "prov_office" else "fed"
    _fill(levels, 2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url("briefs", slug)).status_code == 200
    _fill(levels, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url("briefs", slug)).content.decode()
    assert "信息11" in page or user == "leader"


def test_the_brief_page_with_two_levels_stays_within_its_query_budget(
    levels, client, django_assert_max_num_queries
):
    brief = make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        reviews=[(levels.campaign, R.ADOPTED), (levels.prov, R.ADOPTED)],
    )
    as_user(client, levels.office)
    with django_assert_max_num_queries(20):
        assert client.get(url("brief_detail", brief.pk)).status_code == 200


def test_the_office_filters_what_it_received(levels, client):
    pending = [(levels.campaign, R.PENDING)]
    make_brief(
        levels.campaign, levels.branch1, levels.contact1, title="三月一支部", reviews=pending
    )
    make_brief(
        levels.campaign,
        levels.branch2,
        levels.contact2,
        title="四月二支部退回",
        on=dt.date(2019, 4, 3),
        reviews=[(levels.campaign, R.RETURNED)],
    )
    make_brief(
        levels.campaign,
        levels.branch2,
        levels.contact2,
        title="四月二支部采用",
        on=dt.date(2019, 4, 8),
        reviews=[(levels.campaign, R.ADOPTED)],
    )
    as_user(client, levels.office)

    def shown(**query) -> set[str]:
        page = client.get(url("briefs", "fed"), query).content.decode()
        table = page.split('id="received-heading"')[1]
        return {t for t in ("三月一支部", "四月二支部退回", "四月二支部采用") if t in table}

    assert shown() == {"三月一支部", "四月二支部退回", "四月二支部采用"}
    assert shown(state="returned") == {"四月二支部退回"}
    assert shown(unit="branch2") == {"四月二支部退回", "四月二支部采用"}
    assert shown(month="2019-03") == {"三月一支部"}
    assert shown(month="2019-04", state="adopted") == {"四月二支部采用"}
    assert shown(month="not-a-month") == {"三月一支部", "四月二支部退回", "四月二支部采用"}


def test_the_pages_render_in_chinese(levels, client, settings):
    brief = submitted(levels)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    as_user(client, levels.office)
    for address in (
        url("briefs", "fed"),
        url("brief_detail", brief.pk),
        url("brief_review_decide", review(brief, 1).pk),
    ):
        response = client.get(address)
        assert response.status_code == 200
        assert 'lang="zh-Hans"' in response.content.decode()
