"""Who may do what in the discussion (django ``rules``).

A topic is read by everyone whose scope reaches its unit from above (the office, the
leaders, supervisors over it) or from below (the people of the units it is open to,
whether through a role or through their home unit: a member without any role still
takes part); its opinions follow the topic. Topics are opened by the campaign's office
or a unit's contact and changed by whoever opened them or by the office over them;
opinions are classified, answered and turned into problems by the office.
"""

from __future__ import annotations

import rules

from taolun.core import clock
from taolun.org.predicates import is_campaign_contact_or_office, is_campaign_office
from taolun.org.roles import Role
from taolun.org.selectors import paths_taking_part, scope_for


def reaches_topic(user, topic) -> bool:
    """The user's scope holds the topic's unit, or the topic is open to a unit of theirs."""
    if topic is None:
        return False
    return scope_for(user).covers(topic.unit) or topic.unit.path in paths_taking_part(user)


@rules.predicate
def sees_topic(user, topic) -> bool:
    return reaches_topic(user, topic)


@rules.predicate
def topic_is_open(user, topic) -> bool:
    return topic is not None and topic.opens_on <= clock.today() <= topic.closes_on


@rules.predicate
def has_home_unit(user) -> bool:
    return user is not None and user.is_authenticated and user.unit_id is not None


@rules.predicate
def opened_topic(user, topic) -> bool:
    return topic is not None and topic.created_by_id == user.pk


@rules.predicate
def is_author(user, opinion) -> bool:
    return opinion is not None and opinion.author_id == user.pk


@rules.predicate
def is_unhandled(user, opinion) -> bool:
    """Neither classified nor answered: the office has not yet acted on what was written."""
    return opinion is not None and opinion.theme_id is None and not opinion.answer


@rules.predicate
def is_top_level(user, opinion) -> bool:
    return opinion is not None and opinion.parent_id is None


def is_topic_office(user, topic) -> bool:
    """The campaign's office over the topic's unit: it handles the topic's opinions."""
    return topic is not None and is_campaign_office.test(user, topic)


@rules.predicate
def office_over_topic(user, opinion) -> bool:
    """The office over the unit of the opinion's topic (not over the author's unit)."""
    return opinion is not None and is_topic_office(user, opinion.topic)


def is_office_in_campaign(user, campaign) -> bool:
    """The user holds the office role inside the campaign's tree: the inbox is theirs."""
    scope = scope_for(user)
    owner = campaign.owner_unit.path
    return scope.is_everything or any(
        p.startswith(owner) for p in scope.by_role.get(Role.OFFICE, ())
    )


# Objects: an InCampaign(unit, campaign) for add_topic, a Topic for the topic
# permissions, an Opinion for the opinion ones.
rules.add_perm("discussion.view_topic", sees_topic)
rules.add_perm("discussion.add_topic", is_campaign_contact_or_office)
# Whoever opened a topic changes it while they still run the discussion over its unit;
# the office over the unit changes any topic there (a contact never changes the office's).
rules.add_perm(
    "discussion.change_topic",
    (opened_topic & is_campaign_contact_or_office) | is_campaign_office,
)
rules.add_perm("discussion.post_opinion", has_home_unit & sees_topic & topic_is_open)
rules.add_perm("discussion.change_opinion", is_author & is_unhandled)
rules.add_perm("discussion.moderate_opinion", office_over_topic & is_top_level)
