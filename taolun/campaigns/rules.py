import rules

from taolun.org.predicates import in_scope, is_campaign_office_or_leader, is_contact_or_office

# Object: a Unit (propose, edit plan) or an Action (decide).
rules.add_perm("campaigns.view_unit_plan", in_scope)
rules.add_perm("campaigns.change_unit_plan", is_contact_or_office)
rules.add_perm("campaigns.propose_action", is_contact_or_office)
rules.add_perm("campaigns.decide_action", is_campaign_office_or_leader)
