"""Writes of the discussion: open topics, post opinions and replies, classify and answer.

The author of an opinion is always stored and written to the audit trail, anonymous or
not; anonymity is a matter of what pages show (see selectors).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign, Stage, Theme
from taolun.core import clock
from taolun.core.audit import audited
from taolun.core.sanitize import clean_html, has_text
from taolun.discussion.models import Opinion, OpinionKind, Topic
from taolun.org.models import Unit, User
from taolun.org.predicates import InCampaign

TOPIC_FIELDS = (
    "question",
    "description",
    "theme",
    "stage",
    "opens_on",
    "closes_on",
    "allow_anonymous",
)


def _date(value: dt.date) -> str:
    return value.isoformat()


# ---------------------------------------------------------------- topics


def _check_topic(topic: Topic) -> None:
    """Field-keyed errors: everything wrong with the topic at once."""
    errors: dict[str, str] = {}
    campaign = topic.campaign
    if not topic.question:
        errors["question"] = _("Write the question put to discussion.")
    if not topic.unit.path.startswith(campaign.owner_unit.path):
        errors["unit"] = _("Choose a unit of this campaign.")
    if topic.theme is not None and topic.theme.campaign_id != campaign.pk:
        errors["theme"] = _("Choose a theme of this campaign.")
    if topic.stage is not None and topic.stage.campaign_id != campaign.pk:
        errors["stage"] = _("Choose a stage of this campaign.")
    if topic.opens_on and topic.closes_on and topic.closes_on < topic.opens_on:
        errors["closes_on"] = _(
            "The topic cannot close (%(closes)s) before it opens (%(opens)s)."
        ) % {
            "closes": _date(topic.closes_on),
            "opens": _date(topic.opens_on),
        }
    if errors:
        raise ValidationError(errors)
    topic.full_clean()


@transaction.atomic
def topic_create(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    question: str,
    description: str = "",
    theme: Theme | None = None,
    stage: Stage | None = None,
    opens_on: dt.date,
    closes_on: dt.date,
    allow_anonymous: bool = True,
) -> Topic:
    """Open a topic to ``unit`` and everyone under it: the office or the unit's contact."""
    if not actor.has_perm("discussion.add_topic", InCampaign(unit, campaign)):
        raise PermissionDenied
    topic = Topic(
        campaign=campaign,
        unit=unit,
        question=question.strip(),
        description=clean_html(description),
        theme=theme,
        stage=stage,
        opens_on=opens_on,
        closes_on=closes_on,
        allow_anonymous=allow_anonymous,
        created_by=actor,
    )
    _check_topic(topic)
    with audited(actor):
        topic.save()
    return topic


@transaction.atomic
def topic_update(*, actor: User, topic: Topic, unit: Unit | None = None, **fields) -> Topic:
    """Change a topic's text, dates or unit; opinions already posted stay where they are."""
    unknown = set(fields) - set(TOPIC_FIELDS)
    if unknown:
        raise TypeError(f"topic_update() got unexpected fields {sorted(unknown)}")
    if not actor.has_perm("discussion.change_topic", topic):
        raise PermissionDenied
    if unit is not None and unit.pk != topic.unit_id:
        if not actor.has_perm("discussion.add_topic", InCampaign(unit, topic.campaign)):
            raise ValidationError({"unit": _("Choose a unit you run the discussion for.")})
        topic.unit = unit
    for name, value in fields.items():
        if name == "question":
            value = value.strip()
        elif name == "description":
            value = clean_html(value)
        setattr(topic, name, value)
    try:
        _check_topic(topic)
    except ValidationError:
        topic.refresh_from_db()
        raise
    with audited(actor):
        topic.save()
    return topic


# ---------------------------------------------------------------- opinions


def _window_error(topic: Topic) -> str | None:
    today = clock.today()
    dates = {"opens": _date(topic.opens_on), "closes": _date(topic.closes_on)}
    if today < topic.opens_on:
        return _("This topic opens on %(opens)s; opinions are taken until %(closes)s.") % dates
    if today > topic.closes_on:
        return _("This topic closed on %(closes)s (it was open from %(opens)s).") % dates
    return None


@transaction.atomic
def opinion_post(
    *,
    actor: User,
    topic: Topic,
    body: str,
    kind: str = OpinionKind.OPINION,
    anonymous: bool = False,
    parent: Opinion | None = None,
) -> Opinion:
    """Post an opinion or suggestion on an open topic, or a reply to one of its opinions.

    Replies go one level deep: a reply answers an opinion, never another reply.
    """
    if not actor.has_perm("discussion.view_topic", topic):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if (message := _window_error(topic)) is not None:
        errors["topic"] = message
    if actor.unit_id is None:
        errors["topic"] = _(
            "Your account has no home unit, so your opinion cannot be counted: "
            "ask the office to set your unit."
        )
    if anonymous and not topic.allow_anonymous:
        errors["anonymous"] = _("This topic does not take anonymous opinions.")
    if kind not in OpinionKind.values:
        errors["kind"] = _("Choose opinion or suggestion.")
    if parent is not None:
        if parent.topic_id != topic.pk:
            errors["parent"] = _("You can only reply to an opinion on this topic.")
        elif parent.parent_id is not None:
            errors["parent"] = _("Reply to the opinion itself, not to a reply.")
    cleaned = clean_html(body)
    if not has_text(cleaned):
        errors["body"] = _("Write your opinion.")
    if errors:
        raise ValidationError(errors)
    with audited(actor):
        opinion = Opinion.objects.create(
            topic=topic,
            parent=parent,
            author=actor,
            unit_id=actor.unit_id,
            anonymous=anonymous,
            kind=kind,
            body=cleaned,
        )
    return opinion


def locked_message() -> str:
    """Why an opinion the office has classified or answered is not changed any more.

    The office acted on what was written; changing it now would change what they read.
    """
    return _(
        "The office has already classified or answered this opinion: it can no longer "
        "be changed. Post a reply instead."
    )


@transaction.atomic
def opinion_update(
    *,
    actor: User,
    opinion: Opinion,
    body: str,
    kind: str | None = None,
    anonymous: bool | None = None,
) -> Opinion:
    """The author corrects an opinion the office has neither classified nor answered."""
    if opinion.author_id != actor.pk:
        raise PermissionDenied
    opinion = Opinion.objects.select_for_update().select_related("topic").get(pk=opinion.pk)
    errors: dict[str, str] = {}
    if opinion.theme_id is not None or opinion.answer:
        errors[NON_FIELD_ERRORS] = locked_message()
    if anonymous and not opinion.topic.allow_anonymous:
        errors["anonymous"] = _("This topic does not take anonymous opinions.")
    if kind is not None and kind not in OpinionKind.values:
        errors["kind"] = _("Choose opinion or suggestion.")
    cleaned = clean_html(body)
    if not has_text(cleaned):
        errors["body"] = _("Write your opinion.")
    if errors:
        raise ValidationError(errors)
    opinion.body = cleaned
    if kind is not None:
        opinion.kind = kind
    if anonymous is not None:
        opinion.anonymous = anonymous
    with audited(actor):
        opinion.save()
    return opinion


def _moderated(actor: User, opinion: Opinion) -> Opinion:
    """The opinion locked for the office's change, after checking the office may make it."""
    if not actor.has_perm("discussion.moderate_opinion", opinion):
        raise PermissionDenied
    return (
        Opinion.objects.select_for_update()
        .select_related("topic__campaign__owner_unit", "topic__unit")
        .get(pk=opinion.pk)
    )


@transaction.atomic
def opinion_classify(*, actor: User, opinion: Opinion, theme: Theme | None) -> Opinion:
    """File an opinion under one of the campaign's themes (None: take the classification off)."""
    locked = _moderated(actor, opinion)
    if theme is not None and theme.campaign_id != locked.topic.campaign_id:
        raise ValidationError({"theme": _("Choose a theme of this campaign.")})
    locked.theme = theme
    locked.classified_by = actor if theme is not None else None
    locked.classified_at = clock.now() if theme is not None else None
    with audited(actor):
        locked.save(update_fields=["theme", "classified_by", "classified_at"])
    opinion.refresh_from_db()
    return opinion


@transaction.atomic
def opinion_answer(*, actor: User, opinion: Opinion, answer: str) -> Opinion:
    """The office answers an opinion; a later answer replaces the earlier one."""
    locked = _moderated(actor, opinion)
    cleaned = clean_html(answer)
    if not has_text(cleaned):
        raise ValidationError({"answer": _("Write the answer.")})
    locked.answer = cleaned
    locked.answered_by = actor
    locked.answered_at = clock.now()
    with audited(actor):
        locked.save(update_fields=["answer", "answered_by", "answered_at"])
    opinion.refresh_from_db()
    return opinion
