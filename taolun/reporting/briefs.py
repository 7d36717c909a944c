"""Writes for the brief workflow (信息报送): write, sign off, submit, review, forward.

A brief moves through its unit (``BRIEF_TRANSITIONS``) and then from office to office
(``REVIEW_TRANSITIONS``, one ``BriefReview`` per level). Every move is authorised by
the permission in ``reporting.rules`` first; someone who may make the move in general
but not from the current state is told so (ValidationError), anyone else gets
PermissionDenied. Each move writes a ``BriefEvent`` for the timeline, under audit.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from taolun.activities.models import Meeting
from taolun.campaigns.models import Action, Campaign
from taolun.campaigns.services import campaign_units
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.recycle import recycle
from taolun.core.sanitize import TAG, clean_html, has_text
from taolun.core.uploads import check_upload
from taolun.org.models import Unit, User
from taolun.org.predicates import InCampaign
from taolun.reporting.models import (
    BRIEF_EDITABLE,
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
from taolun.reporting.rules import (
    is_author,
    is_campaign_contact,
    is_review_office,
    may_decide,
    may_sign_off,
)

# About 500 characters is the norm for a news piece; past this a hint suggests cutting.
NEWS_NORM = 500
NEWS_HINT_ABOVE = 800


# Who may make each move in general, whatever the state: when they hold the permission's
# people but the state forbids the move, they are told why instead of refused.
WHO: dict[str, rules.Predicate] = {
    "edit": is_author | is_campaign_contact,
    "send_for_signoff": is_author | is_campaign_contact,
    "sign": may_sign_off,
    "send_back": may_sign_off,
    "submit": is_author | is_campaign_contact,
    "decide": may_decide,
    "forward": is_review_office,
}
PERMS: dict[str, str] = {
    "edit": "reporting.change_brief",
    "send_for_signoff": "reporting.send_brief_for_signoff",
    "sign": "reporting.sign_brief",
    "send_back": "reporting.send_back_brief",
    "submit": "reporting.submit_brief",
    "decide": "reporting.decide_review",
    "forward": "reporting.forward_review",
}


@dataclass(frozen=True)
class PhotoInput:
    upload: UploadedFile
    caption: str = ""


# ---------------------------------------------------------------- helpers


def text_length(body: str) -> int:
    """Characters of the text a reader sees (tags and surrounding space left out)."""
    return len("".join(html.unescape(TAG.sub("", body or "")).split()))


def length_hint(kind: str, body: str) -> str:
    """A hint (not an error) when a news piece runs far beyond the usual 500 characters."""
    n = text_length(body)
    if kind == BriefKind.NEWS and n > NEWS_HINT_ABOVE:
        return _(
            "This news piece has %(n)s characters; about %(norm)s is the norm. Consider "
            "cutting it, or mark it as a research piece."
        ) % {"n": n, "norm": NEWS_NORM}
    return ""


def may(actor: User, verb: str, obj: Brief | BriefReview) -> bool:
    """Whether ``actor`` may make the move now."""
    return actor.has_perm(PERMS[verb], obj)


def _authorise(actor: User, verb: str, obj: Brief | BriefReview, state_label: str) -> None:
    if may(actor, verb, obj):
        return
    if WHO[verb].test(actor, obj):
        raise ValidationError(
            _("This cannot be done while the brief is “%(state)s”.") % {"state": state_label},
            code="illegal_transition",
        )
    raise PermissionDenied


def _move(brief: Brief, to: str, verb: str) -> None:
    if BRIEF_TRANSITIONS.get((brief.state, to)) != verb:
        raise ValidationError(
            _("A brief that is “%(state)s” cannot become “%(target)s”.")
            % {"state": BriefState(brief.state).label, "target": BriefState(to).label},
            code="illegal_transition",
        )
    brief.state = to


def _move_review(review: BriefReview, to: str, verb: str) -> None:
    if REVIEW_TRANSITIONS.get((review.state, to)) != verb:
        raise ValidationError(
            _("A review that is “%(state)s” cannot become “%(target)s”.")
            % {"state": ReviewState(review.state).label, "target": ReviewState(to).label},
            code="illegal_transition",
        )
    review.state = to


def _locked(brief: Brief) -> Brief:
    return (
        Brief.objects.select_for_update(of=("self",))
        .select_related("campaign__owner_unit", "campaign__parent", "unit")
        .get(pk=brief.pk)
    )


def _locked_review(review: BriefReview) -> BriefReview:
    return (
        BriefReview.objects.select_for_update(of=("self",))
        .select_related(
            "campaign__owner_unit", "campaign__parent", "brief__unit", "brief__campaign"
        )
        .get(pk=review.pk)
    )


def _sync(target, saved):
    """Let the caller's object see what was saved on the locked row."""
    if target is not saved:
        target.refresh_from_db()
    return target


def _event(brief: Brief, verb: str, actor: User, *, level: int = 0, comment: str = "") -> None:
    BriefEvent.objects.create(
        brief=brief, verb=verb, actor=actor, level=level, at=clock.now(), comment=comment
    )


def _check_photos(photos: Sequence[PhotoInput], field: str = "photos") -> None:
    """Every photo must be an image by its content; all are checked before any is kept."""
    errors: list[str] = []
    for photo in photos:
        try:
            checked = check_upload(photo.upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if not checked.content_type.startswith("image/"):
            errors.append(
                _("“%(name)s” is not an image: a brief's photos are JPEG, PNG, GIF or WebP.")
                % {"name": checked.original_name}
            )
    if errors:
        raise ValidationError({field: errors})


def _save_photos(brief: Brief, photos: Iterable[PhotoInput]) -> list[BriefPhoto]:
    start = brief.photos.count()
    saved = []
    for i, photo in enumerate(photos, start=start):
        row = BriefPhoto(brief=brief, caption=photo.caption.strip()[:200], order=i)
        row.attach(photo.upload, field="photos")
        row.save()
        saved.append(row)
    return saved


def _clean_fields(
    campaign: Campaign,
    *,
    title: str,
    body: str,
    kind: str,
    action: Action | None,
    meeting: Meeting | None,
    phone: str,
) -> tuple[str, str, str]:
    """The stripped title and phone and the sanitised body, or errors naming the fields."""
    title, phone, body = title.strip(), phone.strip(), clean_html(body)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the brief a title.")
    if not has_text(body):
        errors["body"] = _("Write the text of the brief.")
    if not phone:
        errors["phone"] = _("Give a contact phone number, so the office can check facts.")
    if kind not in BriefKind.values:
        errors["kind"] = _("Choose news or research piece.")
    if action is not None and action.campaign_id != campaign.pk:
        errors["action"] = _("Choose one of this campaign's actions.")
    if meeting is not None and meeting.record.campaign_id != campaign.pk:
        errors["meeting"] = _("Choose a meeting of this campaign.")
    if errors:
        raise ValidationError(errors)
    return title, body, phone


# ---------------------------------------------------------------- the brief in its unit


@transaction.atomic
def brief_create(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    title: str,
    body: str,
    phone: str,
    kind: str = BriefKind.NEWS,
    action: Action | None = None,
    meeting: Meeting | None = None,
    byline: str = "",
    photos: Sequence[PhotoInput] = (),
) -> Brief:
    """A unit's contact (or the office) writes a brief: a draft until sent for sign-off."""
    if not actor.has_perm("reporting.add_brief", InCampaign(unit, campaign)):
        raise PermissionDenied
    if not campaign_units(campaign).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("This unit does not report in this campaign.")})
    title, body, phone = _clean_fields(
        campaign, title=title, body=body, kind=kind, action=action, meeting=meeting, phone=phone
    )
    _check_photos(photos)
    brief = Brief(
        campaign=campaign,
        unit=unit,
        kind=kind,
        title=title,
        body=body,
        action=action,
        meeting=meeting,
        author=actor,
        byline=byline.strip() or actor.name or actor.username,
        phone=phone,
    )
    brief.full_clean()
    with audited(actor):
        brief.save()
        _save_photos(brief, photos)
        _event(brief, "create", actor)
    return brief


@transaction.atomic
def brief_update(
    *,
    actor: User,
    brief: Brief,
    title: str,
    body: str,
    phone: str,
    kind: str = BriefKind.NEWS,
    action: Action | None = None,
    meeting: Meeting | None = None,
    byline: str = "",
) -> Brief:
    """Edit a draft, or a brief its office returned (then it is signed off again)."""
    locked = _locked(brief)
    _authorise(actor, "edit", locked, locked.get_state_display())
    if locked.state not in BRIEF_EDITABLE:
        raise ValidationError(_("Only a draft or a returned brief can be edited."))
    title, body, phone = _clean_fields(
        locked.campaign,
        title=title,
        body=body,
        kind=kind,
        action=action,
        meeting=meeting,
        phone=phone,
    )
    locked.title, locked.body, locked.phone, locked.kind = title, body, phone, kind
    locked.action, locked.meeting = action, meeting
    locked.byline = byline.strip() or locked.author.name or locked.author.username
    locked.full_clean()
    with audited(actor):
        locked.save()
        _event(locked, "edit", actor)
    return _sync(brief, locked)


@transaction.atomic
def brief_photo_add(
    *, actor: User, brief: Brief, upload: UploadedFile, caption: str = ""
) -> BriefPhoto:
    """Add a photo (an image, checked by content) while the brief can be edited."""
    locked = _locked(brief)
    _authorise(actor, "edit", locked, locked.get_state_display())
    photo = PhotoInput(upload, caption)
    _check_photos([photo], field="photo")
    with audited(actor):
        (row,) = _save_photos(locked, [photo])
    return row


@transaction.atomic
def brief_photo_update(*, actor: User, photo: BriefPhoto, caption: str) -> BriefPhoto:
    """Change a photo's caption while the brief can be edited."""
    locked = _locked(photo.brief)
    _authorise(actor, "edit", locked, locked.get_state_display())
    with audited(actor):
        photo.caption = caption.strip()[:200]
        photo.save(update_fields=["caption"])
    return photo


@transaction.atomic
def brief_photo_remove(*, actor: User, photo: BriefPhoto) -> None:
    """Take a photo off the brief: to the recycle bin, file and caption kept (the office
    can put it back; the file leaves storage when the bin is purged)."""
    locked = _locked(photo.brief)
    _authorise(actor, "edit", locked, locked.get_state_display())
    recycle(photo, actor=actor, unit=locked.unit)


def _brief_move(actor: User, brief: Brief, verb: str, to: str) -> Brief:
    locked = _locked(brief)
    _authorise(actor, verb, locked, locked.get_state_display())
    _move(locked, to, verb)
    return locked


@transaction.atomic
def brief_send_for_signoff(*, actor: User, brief: Brief) -> Brief:
    """The writer hands the brief to the unit's head."""
    locked = _brief_move(actor, brief, "send_for_signoff", BriefState.SIGNING)
    with audited(actor):
        locked.save(update_fields=["state", "updated_at"])
        _event(locked, "send_for_signoff", actor)
    return _sync(brief, locked)


@transaction.atomic
def brief_sign(*, actor: User, brief: Brief) -> Brief:
    """The unit's head (or a leader of the campaign) signs the brief off; never its writer."""
    locked = _brief_move(actor, brief, "sign", BriefState.SIGNED)
    with audited(actor):
        locked.signed_by = actor
        locked.signed_at = clock.now()
        locked.save(update_fields=["state", "signed_by", "signed_at", "updated_at"])
        _event(locked, "sign", actor)
    return _sync(brief, locked)


@transaction.atomic
def brief_send_back(*, actor: User, brief: Brief, comment: str) -> Brief:
    """The head does not sign: the brief goes back to a draft, with the reason."""
    locked = _brief_move(actor, brief, "send_back", BriefState.DRAFT)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what should change before you sign it off.")})
    with audited(actor):
        locked.save(update_fields=["state", "updated_at"])
        _event(locked, "send_back", actor, comment=comment)
    return _sync(brief, locked)


@transaction.atomic
def brief_submit(*, actor: User, brief: Brief) -> BriefReview:
    """Send the signed brief to its campaign's office (level 1).

    After a return the same level-1 review is reopened: its earlier decision stays in
    the timeline, the row shows the current round.
    """
    locked = _brief_move(actor, brief, "submit", BriefState.SUBMITTED)
    now = clock.now()
    with audited(actor):
        locked.submitted_at = now
        locked.save(update_fields=["state", "submitted_at", "updated_at"])
        review = BriefReview.objects.filter(brief=locked, level=1).first()
        if review is None:
            review = BriefReview(brief=locked, campaign=locked.campaign, level=1)
        review.state = ReviewState.PENDING
        review.sent_by = actor
        review.received_at = now
        review.decided_by = None
        review.decided_at = None
        review.comment = review.title = review.body = ""
        review.forwarded = False
        review.save()
        _event(locked, "submit", actor, level=1)
    _sync(brief, locked)
    return review


# ---------------------------------------------------------------- the brief at the offices


def _texts(brief: Brief, reviews: Sequence[BriefReview]) -> dict[int, tuple[str, str]]:
    """Level -> (title, body) as that level received it; key 0 is the original."""
    title, body = brief.title, brief.body
    received = {0: (title, body)}
    for review in sorted(reviews, key=lambda r: r.level):
        received[review.level] = (title, body)
        if review.state == ReviewState.ADOPTED:
            title, body = review.title or title, review.body or body
    return received


def _reviews_of(review: BriefReview) -> list[BriefReview]:
    cached = getattr(review.brief, "_prefetched_objects_cache", {}).get("reviews")
    if cached is not None:
        return list(cached)
    return list(BriefReview.objects.filter(brief_id=review.brief_id, level__lte=review.level))


def text_at(review: BriefReview, reviews: Sequence[BriefReview] | None = None) -> tuple[str, str]:
    """(title, body) as the review's office received it: the adopted text of the level below
    (its edit, or what it received), the brief's own text at level 1."""
    rows = list(reviews) if reviews is not None else _reviews_of(review)
    rows = [r for r in rows if r.level < review.level]
    return _texts(review.brief, [*rows, review])[review.level]


def version_of(
    review: BriefReview, reviews: Sequence[BriefReview] | None = None
) -> tuple[str, str]:
    """(title, body) this level adopted: its own edit, else the text it received."""
    title, body = text_at(review, reviews)
    return review.title or title, review.body or body


def adopted_text(brief: Brief) -> tuple[str, str]:
    """The latest adopted version of the brief (the highest level that adopted it); the
    brief's own text when nobody adopted it. Publicity and the bulletin print this."""
    reviews = sorted(brief.reviews.all(), key=lambda r: r.level)
    adopted = [r for r in reviews if r.state == ReviewState.ADOPTED]
    if not adopted:
        return brief.title, brief.body
    return version_of(adopted[-1], reviews)


def _edited(value: str, received: str) -> str:
    """Store an edit only when it differs from what was received (line endings aside:
    browsers send a text area back with CRLF)."""

    def same(text: str) -> str:
        return text.replace("\r\n", "\n").strip()

    return "" if same(value) == same(received) else value


@transaction.atomic
def review_decide(
    *,
    actor: User,
    review: BriefReview,
    adopt: bool,
    comment: str = "",
    title: str = "",
    body: str = "",
) -> BriefReview:
    """The office of the reviewing campaign adopts the brief (with its own edited title and
    text, if given; the brief keeps the original) or returns it with comments.

    At level 1 the brief follows: adopted, or returned to its unit for editing.
    """
    locked = _locked_review(review)
    _authorise(actor, "decide", locked, locked.get_state_display())
    to = ReviewState.ADOPTED if adopt else ReviewState.RETURNED
    verb = "adopt" if adopt else "return"
    _move_review(locked, to, verb)
    comment = comment.strip()
    if not adopt and not comment:
        raise ValidationError({"comment": _("Say why the brief is returned.")})
    received_title, received_body = text_at(locked)
    if adopt:
        title = title.strip()
        body = clean_html(body)
        locked.title = _edited(title, received_title)
        locked.body = _edited(body if has_text(body) else "", received_body)
    brief = locked.brief
    if locked.level == 1:
        brief = _locked(brief)
        _move(brief, BriefState.ADOPTED if adopt else BriefState.RETURNED, verb)
    with audited(actor):
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.comment = comment
        locked.save()
        if locked.level == 1:
            brief.save(update_fields=["state", "updated_at"])
        _event(brief, verb, actor, level=locked.level, comment=comment)
    return _sync(review, locked)


@transaction.atomic
def review_edit_text(*, actor: User, review: BriefReview, title: str, body: str) -> BriefReview:
    """The office revises the text it adopted, before forwarding (again) to the level above.

    An empty title or text keeps what the office received.
    """
    locked = _locked_review(review)
    _authorise(actor, "forward", locked, locked.get_state_display())
    received_title, received_body = text_at(locked)
    body = clean_html(body)
    new_title = _edited(title.strip(), received_title)
    new_body = _edited(body if has_text(body) else "", received_body)
    if (new_title, new_body) == (locked.title, locked.body):
        return _sync(review, locked)
    with audited(actor):
        locked.title, locked.body = new_title, new_body
        locked.save(update_fields=["title", "body"])
        _event(locked.brief, "edit_text", actor, level=locked.level)
    return _sync(review, locked)


@transaction.atomic
def review_forward(*, actor: User, review: BriefReview, comment: str = "") -> BriefReview:
    """Send an adopted brief on to the office of the parent campaign (the next level).

    The level above gets this level's adopted version. After the level above returned it,
    the same row is reopened (its decision stays in the timeline).
    """
    locked = _locked_review(review)
    _authorise(actor, "forward", locked, locked.get_state_display())
    parent = locked.campaign.parent
    if locked.state != ReviewState.ADOPTED or parent is None:
        raise ValidationError(_("Only an adopted brief can be forwarded to a campaign above."))
    now = clock.now()
    above = BriefReview.objects.select_for_update().filter(
        brief_id=locked.brief_id, level=locked.level + 1
    )
    upper = above.first()
    with audited(actor):
        if upper is None:
            upper = BriefReview(brief_id=locked.brief_id, campaign=parent, level=locked.level + 1)
        else:
            _move_review(upper, ReviewState.PENDING, "forward")
        upper.state = ReviewState.PENDING
        upper.sent_by = actor
        upper.received_at = now
        upper.decided_by = None
        upper.decided_at = None
        upper.comment = upper.title = upper.body = ""
        upper.forwarded = False
        upper.save()
        locked.forwarded = True
        locked.save(update_fields=["forwarded"])
        _event(locked.brief, "forward", actor, level=upper.level, comment=comment.strip())
    _sync(review, locked)
    return upper


__all__ = [
    "NEWS_HINT_ABOVE",
    "NEWS_NORM",
    "PhotoInput",
    "adopted_text",
    "brief_create",
    "brief_photo_add",
    "brief_photo_remove",
    "brief_photo_update",
    "brief_send_back",
    "brief_send_for_signoff",
    "brief_sign",
    "brief_submit",
    "brief_update",
    "length_hint",
    "may",
    "review_decide",
    "review_edit_text",
    "review_forward",
    "text_at",
    "text_length",
    "version_of",
]
