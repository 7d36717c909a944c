"""Publicity services: marking, editing, publishing, withdrawing; the channels' text limits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taolun.reporting import publicity
from taolun.reporting.models import (
    BriefReview,
    CaseState,
    Channel,
    Publication,
    PublicationState,
    ReviewState,
)
from taolun.reporting.tests.factories import make_brief, make_case

D = dt.date
ADOPTED = "adopted"


@pytest.fixture(autouse=True)
def _today(travel):
    travel(D(2019, 4, 10))


def channels(*codes: str) -> list[Channel]:
    return [Channel.objects.get(code=code) for code in codes]


def adopted_brief(levels, **kwargs):
    return make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        reviews=[(levels.campaign, ReviewState.ADOPTED)],
        **kwargs,
    )


def mark(levels, item, *codes, actor=None):
    return publicity.publication_mark(
        actor=actor or levels.office, campaign=levels.campaign, item=item, channels=channels(*codes)
    )


# ---------------------------------------------------------------- text for channels


def test_digest_keeps_whole_sentences_within_120():
    body = "<p>" + "支部召开动员会，全体党员参加。" * 20 + "</p>"
    digest = publicity.make_digest(body)
    assert len(digest) <= publicity.DIGEST_MAX
    assert digest.endswith("。")
    assert digest == "支部召开动员会，全体党员参加。" * 8


def test_digest_cuts_one_long_sentence_with_an_ellipsis():
    digest = publicity.make_digest("<p>" + "长" * 300 + "</p>")
    assert len(digest) == publicity.DIGEST_MAX
    assert digest.endswith("…")


def test_a_short_text_is_its_own_digest():
    assert publicity.make_digest("<p>短讯。</p><p>第二段</p>") == "短讯。第二段"


def test_weibo_text_fits_2000_with_the_link_whole():
    link = "https://example.org/public/briefs/12345/"
    text = publicity.weibo_text("标题", "<p>" + "改革创新，奋发有为。" * 400 + "</p>", link)
    assert len(text) <= publicity.WEIBO_MAX
    assert text.endswith("\n" + link)
    assert text.startswith("【标题】")
    assert text[: -len(link) - 1].endswith("…")


def test_a_short_weibo_post_is_not_cut():
    text = publicity.weibo_text("标题", "<p>一句话。</p>", "https://x.org/p/1/")
    assert text == "【标题】\n一句话。\nhttps://x.org/p/1/"


def test_ready_to_post_per_channel_kind(levels):
    brief = adopted_brief(levels, body="<p>第一句。</p><p>第二句。</p>")
    by_code = {p.channel.code: p for p in mark(levels, brief, "portal", "wechat", "weibo")}
    site = "https://taolun.example.org"
    wechat = {p.key: p for p in publicity.ready_to_post(by_code["wechat"], site_url=site)}
    assert set(wechat) == {"title", "digest", "body"}
    assert wechat["digest"].text == "第一句。第二句。"
    assert wechat["digest"].limit == 120
    (weibo,) = publicity.ready_to_post(by_code["weibo"], site_url=site)
    assert weibo.text.endswith(f"{site}/public/briefs/{brief.pk}/")
    assert weibo.limit == 2000 and not weibo.over
    portal = [p.key for p in publicity.ready_to_post(by_code["portal"], site_url=site)]
    assert portal == ["title", "body"]


# ---------------------------------------------------------------- marking


def test_the_office_marks_an_adopted_brief_with_its_adopted_text(levels):
    brief = adopted_brief(levels, title="原标题", body="<p>原文。</p>")
    BriefReview.objects.filter(brief=brief).update(title="采用标题", body="<p>编辑后的正文。</p>")
    made = mark(levels, brief, "portal", "wechat")
    assert [p.state for p in made] == [PublicationState.PLANNED] * 2
    assert {p.title for p in made} == {"采用标题"}
    assert {p.body for p in made} == {"<p>编辑后的正文。</p>"}
    wechat = next(p for p in made if p.channel.code == "wechat")
    assert wechat.digest == "编辑后的正文。"
    assert next(p for p in made if p.channel.code == "portal").digest == ""
    # The original is kept.
    brief.refresh_from_db()
    assert brief.title == "原标题"


def test_the_latest_adopted_level_gives_the_text(levels):
    brief = make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        reviews=[(levels.campaign, ReviewState.ADOPTED), (levels.prov, ReviewState.ADOPTED)],
    )
    BriefReview.objects.filter(brief=brief, level=1).update(title="一级", body="<p>一级正文</p>")
    BriefReview.objects.filter(brief=brief, level=2).update(title="二级")
    assert publicity.adopted_text(brief) == ("二级", "<p>一级正文</p>")


@pytest.mark.parametrize(
    "reviews",
    [
        [],
        [("campaign", ReviewState.PENDING)],
        [("campaign", ReviewState.RETURNED)],
    ],
)
def test_only_adopted_briefs_can_be_marked(levels, reviews):
    brief = make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        reviews=[(getattr(levels, c), s) for c, s in reviews],
    )
    with pytest.raises(ValidationError):
        mark(levels, brief, "portal")
    assert not Publication.objects.exists()


def test_a_brief_adopted_below_is_not_the_parent_offices_to_publish(levels):
    brief = make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        reviews=[(levels.campaign, ReviewState.ADOPTED), (levels.prov, ReviewState.PENDING)],
    )
    with pytest.raises(ValidationError):
        publicity.publication_mark(
            actor=levels.prov_office, campaign=levels.prov, item=brief, channels=channels("portal")
        )
    BriefReview.objects.filter(brief=brief, level=2).update(state=ReviewState.ADOPTED)
    (made,) = publicity.publication_mark(
        actor=levels.prov_office, campaign=levels.prov, item=brief, channels=channels("portal")
    )
    assert made.campaign == levels.prov


def test_cases_are_marked_once_approved(levels):
    case = make_case(levels.campaign, levels.branch1, levels.contact1)
    with pytest.raises(ValidationError):
        mark(levels, case, "portal")
    case.state = CaseState.APPROVED
    case.save()
    (made,) = mark(levels, case, "portal")
    assert (made.case, made.title, made.body) == (case, case.name, "<p>扎根基层十五年。</p>")


@pytest.mark.parametrize("who", ["contact1", "leader", "supervisor", "prov_office", "outsider"])
def test_only_the_campaigns_office_marks(levels, who):
    brief = adopted_brief(levels)
    with pytest.raises(PermissionDenied):
        mark(levels, brief, "portal", actor=getattr(levels, who))
    assert not Publication.objects.exists()


def test_a_channel_holds_an_item_once_and_nothing_is_written(levels):
    brief = adopted_brief(levels)
    mark(levels, brief, "portal")
    with pytest.raises(ValidationError) as exc:
        mark(levels, brief, "wechat", "portal")
    assert "门户网站" in str(exc.value.message_dict["channels"])
    assert Publication.objects.count() == 1


def test_no_channel_chosen_is_an_error_on_channels(levels):
    with pytest.raises(ValidationError) as exc:
        mark(levels, adopted_brief(levels))
    assert "channels" in exc.value.message_dict


def test_an_unused_channel_is_refused(levels):
    Channel.objects.filter(code="weibo").update(active=False)
    with pytest.raises(ValidationError):
        mark(levels, adopted_brief(levels), "weibo")


# ---------------------------------------------------------------- editing and moves


def test_edited_text_is_sanitised_and_the_digest_checked(levels):
    (pub,) = mark(levels, adopted_brief(levels), "wechat")
    dirty = (
        '<p onclick="x()">正文<script>alert(1)</script><a href="javascript:alert(1)">链接</a></p>'
    )
    with pytest.raises(ValidationError) as exc:
        publicity.publication_update(
            actor=levels.office, publication=pub, title="", digest="长" * 121, body=dirty
        )
    assert set(exc.value.message_dict) == {"title", "digest"}
    pub.refresh_from_db()
    assert "script" not in pub.body
    pub = publicity.publication_update(
        actor=levels.office, publication=pub, title="新标题", digest="", body=dirty
    )
    assert "script" not in pub.body and "onclick" not in pub.body
    assert "javascript" not in pub.body
    assert pub.digest == "正文链接"


def test_an_empty_text_is_refused(levels):
    (pub,) = mark(levels, adopted_brief(levels), "portal")
    with pytest.raises(ValidationError) as exc:
        publicity.publication_update(
            actor=levels.office, publication=pub, title="题", digest="", body="<p>&nbsp;</p>"
        )
    assert "body" in exc.value.message_dict


def test_publish_withdraw_replan(levels):
    (pub,) = mark(levels, adopted_brief(levels), "portal")
    pub = publicity.publication_publish(
        actor=levels.office, publication=pub, link="https://www.sxdpf.org.cn/news/1.html"
    )
    assert (pub.state, pub.published_on, pub.published_by) == (
        PublicationState.PUBLISHED,
        D(2019, 4, 10),
        levels.office,
    )
    with pytest.raises(ValidationError):
        publicity.publication_publish(actor=levels.office, publication=pub)
    pub = publicity.publication_withdraw(actor=levels.office, publication=pub)
    assert pub.state == PublicationState.WITHDRAWN
    with pytest.raises(ValidationError):
        publicity.publication_update(
            actor=levels.office, publication=pub, title="t", digest="", body="b"
        )
    with pytest.raises(ValidationError):
        publicity.publication_withdraw(actor=levels.office, publication=pub)
    pub = publicity.publication_replan(actor=levels.office, publication=pub)
    assert (pub.state, pub.published_on, pub.link) == (PublicationState.PLANNED, None, "")


def test_a_planned_publication_can_be_given_up(levels):
    (pub,) = mark(levels, adopted_brief(levels), "portal")
    assert publicity.publication_withdraw(actor=levels.office, publication=pub).state == "withdrawn"


@pytest.mark.parametrize(
    ("day", "link", "field"),
    [
        (D(2019, 4, 11), "", "published_on"),
        (D(2019, 3, 31), "", "published_on"),
        (D(2019, 4, 10), "javascript:alert(1)", "link"),
        (D(2019, 4, 10), "not a link", "link"),
    ],
)
def test_bad_publication_records_change_nothing(levels, day, link, field):
    (pub,) = mark(levels, adopted_brief(levels), "portal")
    with pytest.raises(ValidationError) as exc:
        publicity.publication_publish(
            actor=levels.office, publication=pub, published_on=day, link=link
        )
    assert field in exc.value.message_dict
    pub.refresh_from_db()
    assert pub.state == PublicationState.PLANNED


@pytest.mark.parametrize("who", ["contact1", "leader", "prov_office"])
def test_only_the_office_edits_and_moves(levels, who):
    (pub,) = mark(levels, adopted_brief(levels), "portal")
    actor = getattr(levels, who)
    with pytest.raises(PermissionDenied):
        publicity.publication_publish(actor=actor, publication=pub)
    with pytest.raises(PermissionDenied):
        publicity.publication_withdraw(actor=actor, publication=pub)
    with pytest.raises(PermissionDenied):
        publicity.publication_update(actor=actor, publication=pub, title="t", digest="", body="b")
    pub.refresh_from_db()
    assert pub.state == PublicationState.PLANNED


MOVES = {
    "publish": (publicity.publication_publish, PublicationState.PUBLISHED),
    "withdraw": (publicity.publication_withdraw, PublicationState.WITHDRAWN),
    "replan": (publicity.publication_replan, PublicationState.PLANNED),
}


@pytest.mark.parametrize("start", PublicationState.values)
@pytest.mark.parametrize("verb", list(MOVES))
def test_every_move_from_every_state(levels, start, verb):
    """Each move succeeds exactly where the transition table allows it."""
    (pub,) = mark(levels, adopted_brief(levels), "portal")
    Publication.objects.filter(pk=pub.pk).update(
        state=start, published_on=D(2019, 4, 10) if start == "published" else None
    )
    pub.refresh_from_db()
    service, target = MOVES[verb]
    allowed = publicity.PUBLICATION_TRANSITIONS.get((start, target)) == verb
    if allowed:
        assert service(actor=levels.office, publication=pub).state == target
    else:
        with pytest.raises(ValidationError):
            service(actor=levels.office, publication=pub)
        pub.refresh_from_db()
        assert pub.state == start


def test_the_wechat_text_carries_the_photos_with_absolute_addresses(levels):
    from taolun.activities.tests.files import png
    from taolun.reporting.models import BriefPhoto

    brief = adopted_brief(levels)
    photo = BriefPhoto(brief=brief, caption="会场")
    photo.attach(png())
    photo.save()
    wechat, portal = mark(levels, brief, "wechat", "portal")
    site = "https://taolun.example.org"
    body = publicity.ready_to_post(wechat, site_url=site)[-1].text
    assert f'<img src="{site}/public/briefs/{brief.pk}/photos/{photo.pk}/" alt="会场">' in body
    assert "<img" not in publicity.ready_to_post(portal, site_url=site)[-1].text


def test_a_very_long_title_still_leaves_the_weibo_link_whole():
    link = "https://example.org/public/briefs/1/"
    text = publicity.weibo_text("题" * 3000, "<p>正文。</p>", link)
    assert len(text) == publicity.WEIBO_MAX
    assert text.endswith("…\n" + link)
