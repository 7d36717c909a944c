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


# ---------------------------------------------------------------- meetings
# Object: a Meeting. A meeting is its record's evidence, so writing it is writing the
# record (the unit's contact or office in the campaign, while the record is editable).
# Preparation (steps, talks) goes on around the meeting and its review, so it only needs
# the role. Attendees read the meeting they attended and write their own check material.


@rules.predicate
def writes_meeting_record(user, meeting) -> bool:
    return meeting is not None and is_campaign_contact_or_office.test(user, meeting.record)


@rules.predicate
def meeting_record_editable(user, meeting) -> bool:
    return meeting is not None and meeting.record.status in EDITABLE


@rules.predicate
def reads_meeting_record(user, meeting) -> bool:
    return meeting is not None and in_scope.test(user, meeting.record)


@rules.predicate
def is_attendee(user, meeting) -> bool:
    from taolun.activities.meeting_selectors import is_attendee as attended

    return meeting is not None and user.is_authenticated and attended(user, meeting)


rules.add_perm("activities.view_meeting", reads_meeting_record | is_attendee)
rules.add_perm("activities.change_meeting", writes_meeting_record & meeting_record_editable)
rules.add_perm("activities.prepare_meeting", writes_meeting_record)
rules.add_perm("activities.write_check_material", is_attendee | writes_meeting_record)
