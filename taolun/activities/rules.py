import rules

from taolun.activities.models import EDITABLE, RecordStatus
from taolun.org.predicates import in_scope, is_campaign_office, is_contact_or_office


@rules.predicate
def is_editable(user, record) -> bool:
    return record is not None and record.status in EDITABLE


@rules.predicate
def is_submitted(user, record) -> bool:
    return record is not None and record.status == RecordStatus.SUBMITTED


# Object: a Unit for add_record, an ActivityRecord otherwise.
rules.add_perm("activities.view_record", in_scope)
rules.add_perm("activities.add_record", is_contact_or_office)
rules.add_perm("activities.change_record", is_contact_or_office & is_editable)
rules.add_perm("activities.review_record", is_campaign_office & is_submitted)
