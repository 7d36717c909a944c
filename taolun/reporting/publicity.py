"""Publicity: adopted briefs and approved typical cases put out on channels.

The office of a campaign marks an item for one or more channels; each mark is a
``Publication`` holding the text prepared for its channel's kind, which the office may
edit, then records as published (date, link) or withdraws. The ready-to-post text of
each channel (WeChat's digest, Weibo's 2,000 characters with the link) is derived here
from the publication, so what the office copies always fits the channel.

Anonymous visitors read only what ``selectors.public_publications()`` lets through: the
public selectors below start from it and from nothing else.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.sanitize import clean_html, has_text
from taolun.org.models import User
from taolun.org.predicates import InCampaign
from taolun.reporting.briefs import adopted_text
from taolun.reporting.models import (
    Brief,
    BriefPhoto,
    BriefReview,
    CaseState,
    Channel,
    ChannelKind,
    Publication,
    PublicationState,
    ReviewState,
    TypicalCase,
)
from taolun.reporting.selectors import public_publications, publications_for_user

DIGEST_MAX = 120
WEIBO_MAX = 2000
PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 20
FEED_SIZE = 30

# The legal moves of a publication: (from, to) -> verb. A withdrawn item may be planned
# again (a channel holds an item once, so it is not marked afresh).
PUBLICATION_TRANSITIONS: dict[tuple[str, str], str] = {
    (PublicationState.PLANNED, PublicationState.PUBLISHED): "publish",
    (PublicationState.PLANNED, PublicationState.WITHDRAWN): "withdraw",
    (PublicationState.PUBLISHED, PublicationState.WITHDRAWN): "withdraw",
    (PublicationState.WITHDRAWN, PublicationState.PLANNED): "replan",
}
PUBLICATION_EDITABLE = frozenset({PublicationState.PLANNED, PublicationState.PUBLISHED})

SENTENCE_END = "。！？!?；;…"
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|tr)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")

# ---------------------------------------------------------------- text for channels


def plain_text(value: str) -> str:
    """The words of sanitised HTML, one paragraph a line (Weibo and digests take no tags)."""
    text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", value or "")))
    lines = (" ".join(line.replace("\xa0", " ").split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def clip(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: whole if it fits, else cut after the last
    sentence that fits (when that keeps at least half) or mid-sentence, ending with …"""
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    end = max(room.rfind(mark) for mark in SENTENCE_END)
    if end + 1 >= limit // 2:
        room = room[: end + 1]
        if room.endswith("…"):
            return room
    return room.rstrip() + "…"


def make_digest(body: str, limit: int = DIGEST_MAX) -> str:
    """WeChat's digest: the first sentences of the text that fit in ``limit``; a first
    sentence that is too long alone is cut with …"""
    text = "".join(plain_text(body).split("\n"))
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(mark) for mark in SENTENCE_END)
    if end >= 0:
        return cut[: end + 1]
    return clip(text, limit)


def weibo_text(title: str, body: str, link: str) -> str:
    """A Weibo post: 【title】 and the text, cut cleanly so that with the link (kept whole
    on its own line) it stays within 2,000 characters."""
    text = f"【{title}】\n{plain_text(body)}" if title else plain_text(body)
    room = WEIBO_MAX - len(link) - 1 if link else WEIBO_MAX
    text = clip(text, max(room, 1))
    return f"{text}\n{link}" if link else text


def public_path(item: Brief | TypicalCase) -> str:
    if isinstance(item, Brief):
        return reverse("public:brief", args=[item.pk])
    return reverse("public:case", args=[item.pk])


def photo_paths(item: Brief | TypicalCase) -> list[tuple[str, str]]:
    """(public address, caption) of the item's photos; briefs' photos should be prefetched."""
    if isinstance(item, Brief):
        return [
            (reverse("public:brief_photo", args=[item.pk, photo.pk]), photo.caption)
            for photo in item.photos.all()
            if photo.file
        ]
    if case_has_photo(item):
        return [(reverse("public:case_photo", args=[item.pk]), item.name)]
    return []


def case_has_photo(case: TypicalCase) -> bool:
    return bool(case.file) and case.content_type.startswith("image/")


@dataclass(frozen=True)
class ReadyPart:
    """One field of a channel's ready-to-post text, with its limit if the channel has one."""

    key: str
    label: str
    text: str
    limit: int | None = None

    @property
    def count(self) -> int:
        return len(self.text)

    @property
    def over(self) -> bool:
        return self.limit is not None and self.count > self.limit


def ready_to_post(publication: Publication, *, site_url: str) -> list[ReadyPart]:
    """The text the office copies into the channel: WeChat gets title, digest and HTML with
    the photos; Weibo one plain post with the item's public link; the rest title and HTML.
    ``site_url`` (scheme and host, no slash at the end) makes the links absolute."""
    item = publication.item
    site_url = site_url.rstrip("/")
    kind = publication.channel.kind
    if kind == ChannelKind.WEIBO:
        link = site_url + public_path(item)
        return [
            ReadyPart(
                "weibo",
                _("Weibo post"),
                weibo_text(publication.title, publication.body, link),
                WEIBO_MAX,
            )
        ]
    parts = [ReadyPart("title", _("Title"), publication.title)]
    body = publication.body
    if kind == ChannelKind.WECHAT:
        parts.append(
            ReadyPart(
                "digest",
                _("Digest"),
                publication.digest or make_digest(publication.body),
                DIGEST_MAX,
            )
        )
        body += "".join(
            f'<p><img src="{escape(site_url + path)}" alt="{escape(caption)}"></p>'
            for path, caption in photo_paths(item)
        )
    parts.append(ReadyPart("body", _("Text (HTML)"), body))
    return parts


# ---------------------------------------------------------------- what may be published


def adopted_briefs(campaign: Campaign) -> QuerySet[Brief]:
    """Briefs adopted by this campaign's office (its own units' or forwarded to it)."""
    return Brief.objects.filter(
        Exists(
            BriefReview.objects.filter(
                brief=OuterRef("pk"), campaign=campaign, state=ReviewState.ADOPTED
            )
        )
    )


def approved_cases(campaign: Campaign) -> QuerySet[TypicalCase]:
    return TypicalCase.objects.filter(campaign=campaign, state=CaseState.APPROVED)


def unmarked_briefs(campaign: Campaign) -> QuerySet[Brief]:
    """Adopted here and not yet marked for any channel by this campaign's office."""
    marked = Publication.objects.filter(brief=OuterRef("pk"), campaign=campaign)
    return (
        adopted_briefs(campaign)
        .filter(~Exists(marked))
        .select_related("unit")
        .prefetch_related("reviews")
        .order_by("-submitted_at", "-pk")
    )


def unmarked_cases(campaign: Campaign) -> QuerySet[TypicalCase]:
    marked = Publication.objects.filter(case=OuterRef("pk"), campaign=campaign)
    return (
        approved_cases(campaign)
        .filter(~Exists(marked))
        .select_related("unit")
        .order_by("-decided_at", "-pk")
    )


def active_channels(campaign: Campaign) -> QuerySet[Channel]:
    """Channels in use offered to the campaign's office: its own unit's and the shared ones."""
    return Channel.objects.filter(
        Q(unit__isnull=True) | Q(unit_id=campaign.owner_unit_id), active=True
    ).order_by("order", "pk")


def free_channels(campaign: Campaign, item: Brief | TypicalCase) -> QuerySet[Channel]:
    """The office's channels that do not hold the item yet (it publishes an item once on
    a channel)."""
    field = "brief" if isinstance(item, Brief) else "case"
    return active_channels(campaign).exclude(
        pk__in=Publication.objects.filter(campaign=campaign, **{field: item}).values("channel_id")
    )


def can_manage_publicity(user: User, campaign: Campaign) -> bool:
    return user.has_perm("reporting.manage_publicity", InCampaign(campaign.owner_unit, campaign))


def campaign_publications(
    campaign: Campaign, *, state: str = "", channel: Channel | None = None
) -> QuerySet[Publication]:
    """The campaign's publications for its publicity page, newest first, filtered."""
    rows = Publication.objects.filter(campaign=campaign).select_related(
        "channel", "brief__unit", "case__unit"
    )
    if state:
        rows = rows.filter(state=state)
    if channel is not None:
        rows = rows.filter(channel=channel)
    return rows.order_by("-marked_at", "-pk")


def publication_counts(campaign: Campaign) -> list[tuple[str, str, int]]:
    """(state, label, how many) of the campaign's publications, for the filter's labels."""
    rows = Publication.objects.filter(campaign=campaign).values("state").annotate(n=Count("pk"))
    counts = {row["state"]: row["n"] for row in rows.order_by()}
    return [(value, label, counts.get(value, 0)) for value, label in PublicationState.choices]


def get_publication_for_user(user: User, pk: int) -> Publication:
    """The publication, or 404 outside the user's read scope."""
    publication = (
        publications_for_user(user)
        .select_related("campaign__owner_unit", "channel", "brief__unit", "case__unit")
        .filter(pk=pk)
        .first()
    )
    if publication is None:
        raise Http404
    if publication.brief_id:
        brief = Brief.objects.prefetch_related("photos").get(pk=publication.brief_id)
        publication.brief = brief
    return publication


def get_publishable_item(campaign: Campaign, kind: str, pk: int) -> Brief | TypicalCase:
    """An adopted brief or approved case the campaign's office may publish, else 404."""
    if kind == "brief":
        item = adopted_briefs(campaign).select_related("unit").filter(pk=pk).first()
    elif kind == "case":
        item = approved_cases(campaign).select_related("unit").filter(pk=pk).first()
    else:
        item = None
    if item is None:
        raise Http404
    return item


# ---------------------------------------------------------------- writes


def _authorise(actor: User, campaign: Campaign) -> None:
    if not can_manage_publicity(actor, campaign):
        raise PermissionDenied


def _locked(publication: Publication) -> Publication:
    return (
        Publication.objects.select_for_update(of=("self",))
        .select_related("campaign__owner_unit", "channel")
        .get(pk=publication.pk)
    )


def _move(publication: Publication, to: str, verb: str) -> None:
    if PUBLICATION_TRANSITIONS.get((publication.state, to)) != verb:
        raise ValidationError(
            _("A publication that is “%(state)s” cannot become “%(target)s”.")
            % {
                "state": PublicationState(publication.state).label,
                "target": PublicationState(to).label,
            },
            code="illegal_transition",
        )
    publication.state = to


def _is_publishable(campaign: Campaign, item: Brief | TypicalCase) -> bool:
    if isinstance(item, Brief):
        return adopted_briefs(campaign).filter(pk=item.pk).exists()
    return item.campaign_id == campaign.pk and item.state == CaseState.APPROVED


@transaction.atomic
def publication_mark(
    *,
    actor: User,
    campaign: Campaign,
    item: Brief | TypicalCase,
    channels: Sequence[Channel],
) -> list[Publication]:
    """Mark an adopted brief or approved case for ``channels``: one planned publication
    each, its text prepared from the adopted text (a brief) or the story (a case)."""
    _authorise(actor, campaign)
    if not _is_publishable(campaign, item):
        raise ValidationError(
            _("Only briefs adopted by this office and approved typical cases can be published."),
            code="not_publishable",
        )
    if not channels:
        raise ValidationError({"channels": _("Choose at least one channel.")})
    is_brief = isinstance(item, Brief)
    taken = Publication.objects.filter(
        campaign=campaign,
        channel__in=channels,
        **({"brief": item} if is_brief else {"case": item}),
    ).select_related("channel")
    errors = [
        _("“%(item)s” is already on “%(channel)s”.") % {"item": item, "channel": p.channel}
        for p in taken
    ]
    offered = set(active_channels(campaign).values_list("pk", flat=True))
    errors += [
        _("“%(channel)s” is not one of this office's channels in use.") % {"channel": c}
        for c in channels
        if c.pk not in offered
    ]
    if errors:
        raise ValidationError({"channels": errors})
    if is_brief:
        title, body = adopted_text(item)
    else:
        title, body = item.name, item.story
    body = clean_html(body)
    now = clock.now()
    created = []
    with audited(actor):
        for channel in channels:
            publication = Publication(
                campaign=campaign,
                channel=channel,
                brief=item if is_brief else None,
                case=None if is_brief else item,
                title=title[:200],
                digest=make_digest(body) if channel.kind == ChannelKind.WECHAT else "",
                body=body,
                marked_by=actor,
                marked_at=now,
            )
            publication.full_clean()
            try:
                with transaction.atomic():
                    publication.save()
            except IntegrityError as exc:
                raise ValidationError(
                    {"channels": _("“%(channel)s” already holds this item.") % {"channel": channel}}
                ) from exc
            created.append(publication)
    return created


@transaction.atomic
def publication_update(
    *, actor: User, publication: Publication, title: str, digest: str, body: str
) -> Publication:
    """Edit the text prepared for the channel (sanitised); a WeChat digest left empty is
    made again from the text."""
    locked = _locked(publication)
    _authorise(actor, locked.campaign)
    if locked.state not in PUBLICATION_EDITABLE:
        raise ValidationError(
            _("A withdrawn publication is not edited; plan it again first."), code="not_editable"
        )
    title = " ".join(title.split())
    body = clean_html(body)
    digest = " ".join(digest.split())
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the title.")
    elif len(title) > 200:
        errors["title"] = _("The title may be at most 200 characters.")
    if not has_text(body):
        errors["body"] = _("Write the text to publish.")
    if len(digest) > DIGEST_MAX:
        errors["digest"] = _(
            "The digest may be at most %(limit)d characters; it has %(count)d."
        ) % {
            "limit": DIGEST_MAX,
            "count": len(digest),
        }
    if errors:
        raise ValidationError(errors)
    if locked.channel.kind == ChannelKind.WECHAT and not digest:
        digest = make_digest(body)
    elif locked.channel.kind != ChannelKind.WECHAT:
        digest = ""
    with audited(actor):
        locked.title, locked.digest, locked.body = title, digest, body
        locked.save(update_fields=["title", "digest", "body"])
    return locked


@transaction.atomic
def publication_publish(
    *, actor: User, publication: Publication, published_on: dt.date | None = None, link: str = ""
) -> Publication:
    """Record that the item went out on its channel: the day (today by default, never
    later) and the address of the post."""
    locked = _locked(publication)
    _authorise(actor, locked.campaign)
    published_on = published_on or clock.today()
    link = link.strip()
    errors: dict[str, str] = {}
    if published_on > clock.today():
        errors["published_on"] = _("The day of publication cannot be after today.")
    if published_on < timezone.localdate(locked.marked_at):
        errors["published_on"] = _("The day of publication cannot be before it was marked.")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors["link"] = _("Give the full address of the post, starting with https://.")
    if errors:
        raise ValidationError(errors)
    _move(locked, PublicationState.PUBLISHED, "publish")
    with audited(actor):
        locked.published_on = published_on
        locked.published_by = actor
        locked.link = link
        locked.save(update_fields=["state", "published_on", "published_by", "link"])
    return locked


@transaction.atomic
def publication_withdraw(*, actor: User, publication: Publication) -> Publication:
    """Take the item off the channel (or give up the plan): it leaves the public page."""
    locked = _locked(publication)
    _authorise(actor, locked.campaign)
    _move(locked, PublicationState.WITHDRAWN, "withdraw")
    with audited(actor):
        locked.save(update_fields=["state"])
    return locked


@transaction.atomic
def publication_replan(*, actor: User, publication: Publication) -> Publication:
    """Plan a withdrawn item again: it is published afresh, with a new day and link."""
    locked = _locked(publication)
    _authorise(actor, locked.campaign)
    _move(locked, PublicationState.PLANNED, "replan")
    with audited(actor):
        locked.published_on = None
        locked.published_by = None
        locked.link = ""
        locked.save(update_fields=["state", "published_on", "published_by", "link"])
    return locked


# ---------------------------------------------------------------- the public page


def _primary(public: QuerySet[Publication]) -> QuerySet[Publication]:
    """One publication of ``public`` per item: the one on the first public channel (by the
    channels' order), whose title and text the public page shows."""
    better = Q(channel__order__lt=OuterRef("channel__order")) | Q(
        channel__order=OuterRef("channel__order"), pk__lt=OuterRef("pk")
    )
    brief_better = public.filter(better, brief=OuterRef("brief"))
    case_better = public.filter(better, case=OuterRef("case"))
    return public.filter(
        Q(brief__isnull=False, case__isnull=True) & ~Exists(brief_better)
        | Q(case__isnull=False, brief__isnull=True) & ~Exists(case_better)
    )


def public_items(campaign: Campaign | None = None) -> QuerySet[Publication]:
    """Items with at least one publication published on a public channel, one row each
    (its primary publication), newest first."""
    public = public_publications()
    if campaign is not None:
        # Choose among the campaign's own publications: an item published by the federation
        # and by the province stays on each one's list.
        public = public.filter(campaign=campaign)
    return (
        _primary(public)
        .select_related("campaign", "brief__unit", "case__unit")
        .order_by("-published_on", "-pk")
    )


def public_campaigns() -> QuerySet[Campaign]:
    """Campaigns with something on the public page (the list's filter)."""
    return Campaign.objects.filter(pk__in=public_publications().values("campaign_id")).order_by(
        "-starts_on", "slug"
    )


@dataclass(frozen=True)
class PublicItem:
    """What the public page shows of one item: the primary publication's text, the unit,
    the date, the photos and the channels it went out on (with their links)."""

    item: Brief | TypicalCase
    publication: Publication
    photos: list[tuple[str, str]]
    channels: list[Publication]


def _public_item(field: str, pk: int) -> PublicItem:
    rows = list(
        public_publications()
        .filter(**{field: pk})
        .select_related("channel", "brief__unit", "case__unit")
        .order_by("channel__order", "pk")
    )
    if not rows:
        raise Http404
    primary = rows[0]
    item = primary.item
    if isinstance(item, Brief):
        photos = list(BriefPhoto.objects.filter(brief=item).exclude(file=""))
        paths = [
            (reverse("public:brief_photo", args=[item.pk, photo.pk]), photo.caption)
            for photo in photos
        ]
    else:
        paths = photo_paths(item)
    return PublicItem(item=item, publication=primary, photos=paths, channels=rows)


def get_public_brief(pk: int) -> PublicItem:
    """A brief published on a public channel, else 404."""
    return _public_item("brief_id", pk)


def get_public_case(pk: int) -> PublicItem:
    """A typical case published on a public channel, else 404."""
    return _public_item("case_id", pk)


def get_public_brief_photo(brief_pk: int, photo_pk: int) -> BriefPhoto:
    """A photo of a brief published on a public channel, else 404."""
    if not public_publications().filter(brief_id=brief_pk).exists():
        raise Http404
    photo = BriefPhoto.objects.filter(brief_id=brief_pk, pk=photo_pk).exclude(file="").first()
    if photo is None:
        raise Http404
    return photo


def get_public_case_photo(case_pk: int) -> TypicalCase:
    """The photo of a typical case published on a public channel, else 404."""
    if not public_publications().filter(case_id=case_pk).exists():
        raise Http404
    case = TypicalCase.objects.get(pk=case_pk)
    if not case_has_photo(case):
        raise Http404
    return case
