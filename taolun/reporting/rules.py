"""Who may do what with briefs, publicity, typical cases, outcomes and the summary.

Objects: an ``InCampaign(unit, campaign)`` to write a brief, nominate a case or record
an outcome for a unit; a ``Brief`` for its own moves; a ``BriefReview`` for the decisions
of the office it was sent to; an ``InCampaign(campaign.owner_unit, campaign)`` for the
office's campaign-wide work (channels, quotas, league tables, bulletin, summary).

Only roles held for the campaign count — inside its own tree, outside its child
campaigns' trees (``paths_held_here``) — so the federation's office does not act in the
province's campaign, and the province office decides on what was forwarded to it and
nothing else. Nobody signs off a brief they wrote any of, nor adopts one they signed.
"""

from __future__ import annotations

import rules

from taolun.campaigns.selectors import paths_held_here
from taolun.org.models import Post
from taolun.org.predicates import unit_of
from taolun.org.roles import Role
from taolun.org.selectors import scope_for
from taolun.reporting.models import (
    BRIEF_EDITABLE,
    BRIEF_TRANSITIONS,
    BriefEvent,
    CaseState,
    ReviewState,
)


@rules.predicate
def is_author(user, brief) -> bool:
    return brief is not None and brief.author_id == user.pk


@rules.predicate
def is_unit_head(user, brief) -> bool:
    """Holds a post in the brief's own unit (支部书记, 主任): the head who signs it off."""
    if brief is None or not user.is_authenticated:
        return False
    return Post.objects.filter(unit_id=brief.unit_id, holder=user).exists()


@rules.predicate
def is_brief_editable(user, brief) -> bool:
    return brief is not None and brief.state in BRIEF_EDITABLE


def brief_can_now(verb: str) -> rules.Predicate:
    """True when the brief's current state has a legal move named ``verb``."""

    def check(user, brief) -> bool:
        return brief is not None and any(
            v == verb and start == brief.state for (start, _to), v in BRIEF_TRANSITIONS.items()
        )

    return rules.predicate(check, name=f"brief_can_now({verb})")


def _held_here_over(user, unit, campaign, roles) -> bool:
    if unit is None or campaign is None or not user.is_authenticated:
        return False
    if scope_for(user).is_everything:
        return True
    return any(unit.path.startswith(p) for p in paths_held_here(user, campaign, roles))


def campaign_role_here(*roles: str, name: str) -> rules.Predicate:
    """One of ``roles`` over the object's unit, held for the object's campaign: inside its
    tree and outside its child campaigns' (``paths_held_here``)."""

    def check(user, obj) -> bool:
        return _held_here_over(user, unit_of(obj), getattr(obj, "campaign", None), roles)

    return rules.predicate(check, name=name)


is_campaign_office = campaign_role_here(Role.OFFICE, name="is_campaign_office")
is_campaign_leader = campaign_role_here(Role.LEADER, name="is_campaign_leader")
is_campaign_contact = campaign_role_here(Role.CONTACT, name="is_campaign_contact")
is_campaign_contact_or_office = campaign_role_here(
    Role.CONTACT, Role.OFFICE, name="is_campaign_contact_or_office"
)


@rules.predicate
def is_review_office(user, review) -> bool:
    """Holds the office role over the brief's unit for the reviewing campaign."""
    if review is None:
        return False
    return _held_here_over(user, review.brief.unit, review.campaign, (Role.OFFICE,))


@rules.predicate
def is_review_author(user, review) -> bool:
    return review is not None and review.brief.author_id == user.pk


@rules.predicate
def is_review_signer(user, review) -> bool:
    return review is not None and review.brief.signed_by_id == user.pk


@rules.predicate
def has_written(user, brief) -> bool:
    """Wrote or edited the brief's text (a contact may edit a colleague's draft)."""
    return (
        brief is not None
        and BriefEvent.objects.filter(
            brief=brief, actor_id=user.pk, verb__in=("create", "edit")
        ).exists()
    )


@rules.predicate
def review_is_pending(user, review) -> bool:
    return review is not None and review.state == ReviewState.PENDING


@rules.predicate
def review_can_forward(user, review) -> bool:
    """Adopted here and there is a campaign above; not sent up yet, or sent back from
    there (then the office edits its adopted text and sends it again)."""
    if review is None or review.state != ReviewState.ADOPTED or review.campaign.parent_id is None:
        return False
    if not review.forwarded:
        return True
    return review.brief.reviews.filter(level=review.level + 1, state=ReviewState.RETURNED).exists()


@rules.predicate
def case_is_nominated(user, case) -> bool:
    return case is not None and case.state == CaseState.NOMINATED


@rules.predicate
def case_is_returned(user, case) -> bool:
    return case is not None and case.state == CaseState.RETURNED


@rules.predicate
def is_nominator(user, case) -> bool:
    return case is not None and case.nominated_by_id == user.pk


# The unit's head or a campaign leader signs off what they did not write; an office
# decides at its own level on what its members neither wrote nor signed.
may_sign_off = (is_unit_head | is_campaign_leader) & ~is_author & ~has_written
may_decide = is_review_office & ~is_review_author & ~is_review_signer

# Briefs: written by the unit's contact (or the office for its own unit), signed off by
# the unit's head or a leader of the campaign, submitted by the unit.
rules.add_perm("reporting.add_brief", is_campaign_contact_or_office)
rules.add_perm("reporting.change_brief", (is_author | is_campaign_contact) & is_brief_editable)
rules.add_perm(
    "reporting.send_brief_for_signoff",
    (is_author | is_campaign_contact) & brief_can_now("send_for_signoff"),
)
rules.add_perm("reporting.sign_brief", may_sign_off & brief_can_now("sign"))
rules.add_perm("reporting.send_back_brief", may_sign_off & brief_can_now("send_back"))
rules.add_perm(
    "reporting.submit_brief",
    (is_author | is_campaign_contact) & brief_can_now("submit"),
)
# Reviews: the office of the reviewing campaign, never the brief's author or signer.
rules.add_perm("reporting.decide_review", may_decide & review_is_pending)
rules.add_perm("reporting.forward_review", is_review_office & review_can_forward)
# Typical cases and outcomes: nominated / recorded by a unit, decided by the office.
rules.add_perm("reporting.nominate_case", is_campaign_contact_or_office)
rules.add_perm(
    "reporting.change_case", (is_nominator | is_campaign_contact_or_office) & case_is_returned
)
rules.add_perm("reporting.decide_case", is_campaign_office & ~is_nominator & case_is_nominated)
rules.add_perm("reporting.add_outcome", is_campaign_contact_or_office)
rules.add_perm("reporting.change_outcome", is_campaign_contact_or_office)
# The office's campaign-wide work (object: InCampaign(owner_unit, campaign)).
rules.add_perm("reporting.manage_publicity", is_campaign_office)
rules.add_perm("reporting.manage_quotas", is_campaign_office)
rules.add_perm("reporting.publish_league_table", is_campaign_office)
rules.add_perm("reporting.manage_bulletin", is_campaign_office)
rules.add_perm("reporting.change_summary", is_campaign_office)
