import rules

from taolun.activities.models import EDITABLE
from taolun.org.predicates import in_scope, is_campaign_contact_or_office, is_campaign_office


@rules.predicate
def is_editable(user, record) -> bool:
    return record is not None and record.status in EDITABLE


@rules.predicate
def is_author(user, record) -> bool:
    return record is not None and record.created_by_id == user.pk


# Objects: an InCampaign(unit, campaign) for add_record, an ActivityRecord otherwise.
# Writing and reviewing count only roles held inside the record's campaign; nobody
# reviews a record they wrote themselves. Whether a record is awaiting review is the
# state machine's question (services), not a permission.
rules.add_perm("activities.view_record", in_scope)
rules.add_perm("activities.add_record", is_campaign_contact_or_office)
rules.add_perm("activities.change_record", is_campaign_contact_or_office & is_editable)
rules.add_perm("activities.review_record", is_campaign_office & ~is_author)
