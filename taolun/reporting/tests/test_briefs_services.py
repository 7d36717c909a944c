"""The brief workflow through its services: every move at both levels, who may make it,
bad input, sanitising and the text each level receives."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.timezone import localdate

from taolun.activities.tests.files import pdf, png
from taolun.reporting.briefs import (
    PhotoInput,
    adopted_text,
    brief_create,
    brief_photo_add,
    brief_photo_remove,
    brief_send_back,
    brief_send_for_signoff,
    brief_sign,
    brief_submit,
    brief_update,
    length_hint,
    review_decide,
    review_edit_text,
    review_forward,
    text_at,
    text_length,
)
from taolun.reporting.models import (
    BRIEF_TRANSITIONS,
    REVIEW_TRANSITIONS,
    Brief,
    BriefEvent,
    BriefKind,
    BriefPhoto,
    BriefReview,
    BriefState,
    ReviewState,
)
from taolun.reporting.tests.factories import make_brief

B = BriefState
R = ReviewState
DAY = dt.date(2019, 3, 12)


@pytest.fixture(autouse=True)
def _today(travel):
    travel(DAY)


def write(levels, **kw) -> Brief:
    fields = {
        "actor": levels.contact1,
        "campaign": levels.campaign,
        "unit": levels.branch1,
        "title": "机关第一党支部召开大讨论动员会",
        "body": "<p>3月1日，支部召开动员会。</p>",
        "phone": "0351-1234567",
    }
    fields.update(kw)
    return brief_create(**fields)


def submitted(levels) -> Brief:
    brief = write(levels)
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    brief_sign(actor=levels.head1, brief=brief)
    brief_submit(actor=levels.contact1, brief=brief)
    return brief


def level(brief: Brief, n: int) -> BriefReview:
    return BriefReview.objects.get(brief=brief, level=n)


def forwarded(levels) -> Brief:
    brief = submitted(levels)
    review = level(brief, 1)
    review_decide(actor=levels.office, review=review, adopt=True)
    review_forward(actor=levels.office, review=review)
    return brief


# ---------------------------------------------------------------- the main flow


def test_whole_flow_up_two_levels_keeps_each_levels_decision_and_text(levels):
    brief = write(levels, body="<p>原文</p>")
    assert brief.state == B.DRAFT and brief.byline == "联络员一"
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    brief_sign(actor=levels.head1, brief=brief)
    assert (brief.state, brief.signed_by) == (B.SIGNED, levels.head1)
    first = brief_submit(actor=levels.contact1, brief=brief)
    assert brief.state == B.SUBMITTED and localdate(brief.submitted_at) == DAY
    assert (first.level, first.campaign, first.state) == (1, levels.campaign, R.PENDING)

    review_decide(
        actor=levels.office, review=first, adopt=True, title="省残联动员会", body="<p>改后</p>"
    )
    brief.refresh_from_db()
    assert brief.state == B.ADOPTED and brief.body == "<p>原文</p>"
    assert (first.title, first.body, first.decided_by) == (
        "省残联动员会",
        "<p>改后</p>",
        levels.office,
    )

    second = review_forward(actor=levels.office, review=first)
    first.refresh_from_db()
    assert first.forwarded and (second.level, second.campaign) == (2, levels.prov)
    assert text_at(second) == ("省残联动员会", "<p>改后</p>")
    assert text_at(first) == (brief.title, "<p>原文</p>")

    review_decide(actor=levels.prov_office, review=second, adopt=True, body="<p>省委版本</p>")
    second.refresh_from_db()
    assert second.title == "" and second.body == "<p>省委版本</p>"
    brief.refresh_from_db()
    assert brief.state == B.ADOPTED  # the brief's own state is its level-1 state
    assert adopted_text(brief) == ("省残联动员会", "<p>省委版本</p>")
    verbs = list(BriefEvent.objects.filter(brief=brief).values_list("verb", "level"))
    assert verbs == [
        ("create", 0),
        ("send_for_signoff", 0),
        ("sign", 0),
        ("submit", 1),
        ("adopt", 1),
        ("forward", 2),
        ("adopt", 2),
    ]
    assert LogEntry.objects.filter(actor=levels.prov_office).exists()


def test_a_return_at_level_one_goes_back_to_the_unit_and_reuses_the_review(levels, travel):
    brief = submitted(levels)
    review = level(brief, 1)
    with pytest.raises(ValidationError) as exc:
        review_decide(actor=levels.office, review=review, adopt=False, comment="  ")
    assert "comment" in exc.value.message_dict
    review_decide(actor=levels.office, review=review, adopt=False, comment="请补充数据")
    brief.refresh_from_db()
    assert brief.state == B.RETURNED
    brief_update(actor=levels.contact1, brief=brief, title="补充后", body="有数据", phone="0351-1")
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    brief_sign(actor=levels.head1, brief=brief)
    travel(dt.date(2019, 3, 20))
    again = brief_submit(actor=levels.contact1, brief=brief)
    assert again.pk == review.pk and BriefReview.objects.count() == 1
    assert again.state == R.PENDING and localdate(again.received_at) == dt.date(2019, 3, 20)
    assert again.comment == "" and again.decided_by is None
    assert BriefEvent.objects.get(verb="return").comment == "请补充数据"


def test_a_return_from_the_province_lets_the_office_edit_and_forward_again(levels):
    brief = forwarded(levels)
    first, second = level(brief, 1), level(brief, 2)
    review_decide(actor=levels.prov_office, review=second, adopt=False, comment="太长")
    second.refresh_from_db()
    assert second.state == R.RETURNED
    brief.refresh_from_db()
    assert brief.state == B.ADOPTED  # adopted at its own level all the same
    review_edit_text(actor=levels.office, review=first, title="", body="<p>精简版</p>")
    again = review_forward(actor=levels.office, review=first, comment="已精简")
    assert again.pk == second.pk and again.state == R.PENDING
    assert text_at(again)[1] == "<p>精简版</p>"
    with pytest.raises(ValidationError):  # pending above: nothing to send again
        review_forward(actor=levels.office, review=first)


# ---------------------------------------------------------------- the state tables


def _brief_in(levels, state: str) -> Brief:
    reviews = {
        B.SUBMITTED: [(levels.campaign, R.PENDING)],
        B.RETURNED: [(levels.campaign, R.RETURNED)],
        B.ADOPTED: [(levels.campaign, R.ADOPTED)],
    }.get(state, ())
    return make_brief(
        levels.campaign, levels.branch1, levels.contact1, state=state, reviews=reviews
    )


def _brief_move(levels, brief: Brief, verb: str) -> None:
    if verb == "send_for_signoff":
        brief_send_for_signoff(actor=levels.contact1, brief=brief)
    elif verb == "sign":
        brief_sign(actor=levels.head1, brief=brief)
    elif verb == "send_back":
        brief_send_back(actor=levels.head1, brief=brief, comment="再改改")
    elif verb == "submit":
        brief_submit(actor=levels.contact1, brief=brief)
    else:
        review_decide(
            actor=levels.office, review=level(brief, 1), adopt=verb == "adopt", comment="意见"
        )


@pytest.mark.parametrize(
    ("start", "to"), list(BRIEF_TRANSITIONS), ids=lambda s: getattr(s, "value", s)
)
def test_every_legal_brief_move(levels, start, to):
    brief = _brief_in(levels, start)
    _brief_move(levels, brief, BRIEF_TRANSITIONS[(start, to)])
    brief.refresh_from_db()
    assert brief.state == to
    assert BriefEvent.objects.filter(brief=brief, verb=BRIEF_TRANSITIONS[(start, to)]).exists()


ILLEGAL_BRIEF_MOVES = [
    (state, verb)
    for state in B
    for verb in sorted(set(BRIEF_TRANSITIONS.values()))
    if not any(s == state and v == verb for (s, _to), v in BRIEF_TRANSITIONS.items())
]


@pytest.mark.parametrize(("start", "verb"), ILLEGAL_BRIEF_MOVES, ids=str)
def test_every_illegal_brief_move_is_refused_and_changes_nothing(levels, start, verb):
    brief = _brief_in(levels, start)
    with pytest.raises((ValidationError, BriefReview.DoesNotExist)):
        _brief_move(levels, brief, verb)
    brief.refresh_from_db()
    assert brief.state == start
    assert not BriefEvent.objects.filter(brief=brief).exists()


def _review_in(levels, state: str) -> BriefReview:
    """A level-2 review at the province in ``state``; RETURNED means sent back from there."""
    brief = make_brief(
        levels.campaign,
        levels.branch1,
        levels.contact1,
        reviews=[(levels.campaign, R.ADOPTED), (levels.prov, state)],
    )
    return level(brief, 2)


def _review_move(levels, review: BriefReview, verb: str) -> None:
    if verb == "forward":
        review_forward(actor=levels.office, review=level(review.brief, 1))
    else:
        review_decide(
            actor=levels.prov_office, review=review, adopt=verb == "adopt", comment="意见"
        )


@pytest.mark.parametrize(
    ("start", "to"), list(REVIEW_TRANSITIONS), ids=lambda s: getattr(s, "value", s)
)
def test_every_legal_review_move_at_the_province(levels, start, to):
    review = _review_in(levels, start)
    _review_move(levels, review, REVIEW_TRANSITIONS[(start, to)])
    review.refresh_from_db()
    assert review.state == to
    assert review.brief.events.filter(verb=REVIEW_TRANSITIONS[(start, to)], level=2).exists()


ILLEGAL_REVIEW_MOVES = [
    (state, verb)
    for state in R
    for verb in sorted(set(REVIEW_TRANSITIONS.values()))
    if not any(s == state and v == verb for (s, _to), v in REVIEW_TRANSITIONS.items())
]


@pytest.mark.parametrize(("start", "verb"), ILLEGAL_REVIEW_MOVES, ids=str)
def test_every_illegal_review_move_is_refused(levels, start, verb):
    review = _review_in(levels, start)
    with pytest.raises(ValidationError):
        _review_move(levels, review, verb)
    review.refresh_from_db()
    assert review.state == start
    assert not review.brief.events.exists()


def test_level_one_decisions_on_a_decided_review_are_refused(levels):
    brief = _brief_in(levels, B.ADOPTED)
    with pytest.raises(ValidationError):
        review_decide(actor=levels.office, review=level(brief, 1), adopt=False, comment="x")


def test_a_province_level_review_cannot_be_forwarded_further(levels):
    review = _review_in(levels, R.ADOPTED)
    with pytest.raises((ValidationError, PermissionDenied)):
        review_forward(actor=levels.prov_office, review=review)
    assert not BriefReview.objects.filter(level=3).exists()


# ---------------------------------------------------------------- who may


def test_a_member_or_outsider_cannot_write_a_brief(levels):
    for who in (levels.member1, levels.outsider, levels.contact2):
        with pytest.raises(PermissionDenied):
            write(levels, actor=who)
    assert not Brief.objects.exists()


def test_who_signs_off(levels):
    brief = write(levels)
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    for who in (levels.contact1, levels.member1, levels.contact2, levels.office):
        with pytest.raises(PermissionDenied):
            brief_sign(actor=who, brief=brief)
    brief_sign(actor=levels.leader, brief=brief)
    assert brief.state == B.SIGNED


def test_the_author_cannot_sign_their_own_brief(levels):
    brief = write(levels, actor=levels.office)  # the office writes for the branch
    brief_send_for_signoff(actor=levels.office, brief=brief)
    from taolun.org.tests.factories import grant

    grant(levels.office, levels.fed, "leader")
    levels.office = type(levels.office).objects.get(pk=levels.office.pk)
    with pytest.raises(PermissionDenied):
        brief_sign(actor=levels.office, brief=brief)


def test_a_contact_cannot_decide_and_the_office_not_at_the_province(levels):
    brief = forwarded(levels)
    second = level(brief, 2)
    for who in (levels.office, levels.contact1, levels.leader, levels.supervisor):
        with pytest.raises(PermissionDenied):
            review_decide(actor=who, review=second, adopt=True)
    other = submitted(levels)
    for who in (levels.contact1, levels.head1, levels.prov_office, levels.leader):
        with pytest.raises(PermissionDenied):
            review_decide(actor=who, review=level(other, 1), adopt=True)
    second.refresh_from_db()
    assert second.state == R.PENDING


def test_only_the_office_below_forwards(levels):
    brief = submitted(levels)
    review = level(brief, 1)
    review_decide(actor=levels.office, review=review, adopt=True)
    for who in (levels.contact1, levels.prov_office, levels.leader):
        with pytest.raises(PermissionDenied):
            review_forward(actor=who, review=review)
    assert not BriefReview.objects.filter(level=2).exists()


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("field", "value"), [("title", "  "), ("body", "<p>&nbsp;</p>"), ("phone", "")]
)
def test_required_fields_name_themselves(levels, field, value):
    with pytest.raises(ValidationError) as exc:
        write(levels, **{field: value})
    assert field in exc.value.message_dict
    assert not Brief.objects.exists()


def test_text_is_sanitised(levels):
    brief = write(
        levels,
        body='<p onclick="x()">正文<script>alert(1)</script>'
        '<a href="javascript:alert(1)">链接</a></p>',
    )
    assert "script" not in brief.body and "onclick" not in brief.body
    assert "javascript" not in brief.body and "正文" in brief.body
    review = level(submitted(levels), 1)
    review_decide(actor=levels.office, review=review, adopt=True, body="<script>x</script>改")
    assert "script" not in review.body


def test_photos_must_be_images(levels):
    with pytest.raises(ValidationError) as exc:
        write(levels, photos=[PhotoInput(png(), "会场"), PhotoInput(pdf(), "纪要")])
    assert "photos" in exc.value.message_dict
    assert not Brief.objects.exists() and not BriefPhoto.objects.exists()
    brief = write(levels, photos=[PhotoInput(png(), "会场")])
    photo = brief.photos.get()
    assert photo.caption == "会场" and photo.content_type == "image/png"
    with pytest.raises(ValidationError) as exc:
        brief_photo_add(actor=levels.contact1, brief=brief, upload=pdf())
    assert "photo" in exc.value.message_dict
    brief_photo_add(actor=levels.contact1, brief=brief, upload=png("二.png"), caption="二")
    with pytest.raises(PermissionDenied):
        brief_photo_remove(actor=levels.contact2, photo=photo)
    photo_pk = photo.pk
    brief_photo_remove(actor=levels.contact1, photo=photo)
    assert list(brief.photos.values_list("caption", flat=True)) == ["二"]
    # Into the recycle bin, scoped to the brief's unit, its file kept for a restore.
    from taolun.core.models import RecycledRecord

    binned = RecycledRecord.objects.get(object_pk=str(photo_pk))
    assert binned.unit == brief.unit and binned.deleted_by == levels.contact1
    assert photo.file.storage.exists(photo.file.name)


def test_only_editable_briefs_change(levels):
    brief = submitted(levels)
    with pytest.raises(ValidationError):
        brief_update(actor=levels.contact1, brief=brief, title="x", body="y", phone="1")
    with pytest.raises(PermissionDenied):
        brief_update(actor=levels.contact2, brief=brief, title="x", body="y", phone="1")
    brief.refresh_from_db()
    assert brief.title == "机关第一党支部召开大讨论动员会"


def test_the_send_back_needs_a_comment(levels):
    brief = write(levels)
    brief_send_for_signoff(actor=levels.contact1, brief=brief)
    with pytest.raises(ValidationError) as exc:
        brief_send_back(actor=levels.head1, brief=brief, comment=" ")
    assert "comment" in exc.value.message_dict
    brief.refresh_from_db()
    assert brief.state == B.SIGNING


def test_length_is_counted_and_long_news_gets_a_hint(levels):
    assert text_length("<p>一二 三</p><p>&amp;</p>") == 4
    assert length_hint(BriefKind.NEWS, "<p>" + "字" * 500 + "</p>") == ""
    assert "900" in length_hint(BriefKind.NEWS, "<p>" + "字" * 900 + "</p>")
    assert length_hint(BriefKind.RESEARCH, "<p>" + "字" * 3000 + "</p>") == ""
    brief = write(levels, body="<p>" + "字" * 3000 + "</p>")  # a hint, not an error
    assert brief.pk
