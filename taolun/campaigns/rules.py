import rules

from taolun.org.predicates import is_campaign_contact_or_office, is_campaign_office_or_leader


@rules.predicate
def is_proposer(user, action) -> bool:
    return action is not None and action.proposed_by_id == user.pk


# Objects: an InCampaign(unit, campaign) for the plan and proposals, an Action to decide.
# Only roles held inside the campaign count; nobody approves their own proposal.
rules.add_perm("campaigns.change_unit_plan", is_campaign_contact_or_office)
rules.add_perm("campaigns.propose_action", is_campaign_contact_or_office)
rules.add_perm("campaigns.decide_action", is_campaign_office_or_leader & ~is_proposer)
