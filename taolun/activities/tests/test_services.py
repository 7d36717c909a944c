import datetime as dt
import itertools

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from taolun.activities.models import TRANSITIONS, ActivityRecord, Attachment, RecordStatus
from taolun.activities.services import (
    attachment_delete,
    record_create,
    record_review,
    record_submit,
    record_update,
)
from taolun.activities.tests.files import fake_pdf, pdf, png
from taolun.campaigns.models import ActionStatus, CellStatus, RecordState

D = dt.date


@pytest.fixture
def action1(org):
    return org.campaign.actions.get(number=1)


def make(org, action, *, who="contact1", unit="branch1", **kw):
    kw.setdefault("title", "召开动员部署会")
    kw.setdefault("held_on", D(2019, 3, 1))
    return record_create(actor=getattr(org, who), action=action, unit=getattr(org, unit), **kw)


def cell(org, action, unit="branch1") -> ActionStatus:
    return ActionStatus.objects.get(unit=getattr(org, unit), action=action)


def test_draft_submit_accept_updates_the_status_row(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1)
    assert cell(org, action1).record_state == RecordState.WORKING
    assert cell(org, action1).status(D(2019, 3, 5)) == CellStatus.IN_PROGRESS
    record_submit(actor=org.contact1, record=record)
    assert cell(org, action1).status(D(2019, 3, 5)) == CellStatus.AWAITING_REVIEW
    record_review(actor=org.office, record=record, accept=True)
    row = cell(org, action1)
    assert row.status(D(2019, 3, 5)) == CellStatus.DONE
    assert row.completed_on == D(2019, 3, 1) and row.latest_record == record
    assert cell(org, action1, "branch2").record_state == RecordState.NONE


def test_accepted_after_the_due_date_is_done_late(org, action1, travel):
    travel(D(2019, 3, 25))
    record = make(org, action1, held_on=D(2019, 3, 22), submit=True)
    record_review(actor=org.office, record=record, accept=True)
    assert cell(org, action1).status(D(2019, 3, 25)) == CellStatus.DONE_LATE


def test_return_needs_a_comment_then_the_contact_resubmits(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1, submit=True)
    with pytest.raises(ValidationError) as exc:
        record_review(actor=org.office, record=record, accept=False, comment="  ")
    assert "comment" in exc.value.message_dict
    record_review(actor=org.office, record=record, accept=False, comment="请补充签到表")
    record.refresh_from_db()
    assert record.status == RecordStatus.RETURNED and record.review_comment == "请补充签到表"
    assert cell(org, action1).status(D(2019, 3, 5)) == CellStatus.IN_PROGRESS
    record_update(actor=org.contact1, record=record, place="三楼会议室", files=[pdf()], submit=True)
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED and record.attachments.count() == 1


ALL = list(RecordStatus)


@pytest.mark.parametrize(("start", "target"), list(itertools.product(ALL, ALL)))
def test_every_transition_is_legal_or_refused(org, action1, travel, start, target):
    """Exhaustive over the table: what it allows happens, everything else is refused."""
    travel(D(2019, 3, 5))
    record = make(org, action1)
    ActivityRecord.objects.filter(pk=record.pk).update(status=start)
    record.refresh_from_db()
    verb = TRANSITIONS.get((start, target))

    def attempt():
        if target == RecordStatus.SUBMITTED:
            return record_submit(actor=org.contact1, record=record)
        if target == RecordStatus.ACCEPTED:
            return record_review(actor=org.office, record=record, accept=True)
        if target == RecordStatus.RETURNED:
            return record_review(actor=org.office, record=record, accept=False, comment="补充")
        return None

    if target == RecordStatus.DRAFT:
        assert verb is None  # nothing goes back to draft
        return
    if verb is not None:
        attempt()
        record.refresh_from_db()
        assert record.status == target
    else:
        with pytest.raises((ValidationError, PermissionDenied)):
            attempt()
        record.refresh_from_db()
        assert record.status == start


def test_illegal_review_says_why(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1)
    with pytest.raises(ValidationError) as exc:
        record_review(actor=org.office, record=record, accept=True)
    assert exc.value.code == "illegal_transition"


@pytest.mark.parametrize("who", ["contact2", "member1", "supervisor", "leader", "outsider"])
def test_only_the_units_contact_or_office_record(org, action1, who):
    with pytest.raises(PermissionDenied):
        make(org, action1, who=who)
    assert not ActivityRecord.objects.exists()


def test_contact_cannot_review_own_record(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1, submit=True)
    with pytest.raises(PermissionDenied):
        record_review(actor=org.contact1, record=record, accept=True)


def test_submitted_record_cannot_be_edited(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1, submit=True)
    with pytest.raises(PermissionDenied):
        record_update(actor=org.contact1, record=record, title="改")


def test_future_date_is_refused_and_nothing_saved(org, action1, travel):
    travel(D(2019, 3, 5))
    with pytest.raises(ValidationError) as exc:
        make(org, action1, held_on=D(2019, 4, 1))
    assert "held_on" in exc.value.message_dict
    assert not ActivityRecord.objects.exists()


def test_content_is_sanitised(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(
        org,
        action1,
        content='<p>学习<a href="javascript:alert(1)">链接</a></p>'
        "<img src=x onerror=alert(1)><script>alert(2)</script>",
    )
    assert "script" not in record.content
    assert "javascript" not in record.content
    assert "onerror" not in record.content
    assert "学习" in record.content


def test_plain_text_keeps_its_paragraphs(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1, content="第一段\n第二段 <不是标签")
    assert record.content.startswith("<p>第一段</p>")


def test_attachments_are_sniffed_and_stored_under_generated_names(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1, files=[png(), pdf("../../etc/passwd.pdf")])
    names = sorted(a.original_name for a in record.attachments.all())
    assert names == ["passwd.pdf", "现场照片.png"]
    for attachment in record.attachments.all():
        assert attachment.original_name not in attachment.file.name
        assert attachment.file.name.startswith("records/")


def test_a_disguised_file_is_refused_and_nothing_is_saved(org, action1, travel):
    travel(D(2019, 3, 5))
    with pytest.raises(ValidationError) as exc:
        make(org, action1, files=[png(), fake_pdf()])
    assert "伪装.pdf" in str(exc.value.message_dict["attachments"])
    assert not ActivityRecord.objects.exists() and not Attachment.objects.exists()


def test_too_large_file_is_refused(org, action1, travel, settings):
    travel(D(2019, 3, 5))
    settings.TAOLUN_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        make(org, action1, files=[png()])
    assert not ActivityRecord.objects.exists()


def test_participants_must_be_in_scope(org, action1, travel):
    travel(D(2019, 3, 5))
    with pytest.raises(ValidationError) as exc:
        make(org, action1, participants=[org.contact2])
    assert "participants" in exc.value.message_dict
    record = make(org, action1, participants=[org.member1], participant_count=30)
    assert list(record.participants.all()) == [org.member1]


def test_unapproved_or_foreign_self_selected_action_cannot_be_recorded(org, travel):
    from taolun.campaigns.services import (
        self_selected_action_decide,
        self_selected_action_propose,
    )

    travel(D(2019, 3, 5))
    own = self_selected_action_propose(
        actor=org.contact2,
        campaign=org.campaign,
        unit=org.branch2,
        stage=org.campaign.stages.first(),
        name="自选",
    )
    with pytest.raises(ValidationError):
        make(org, own, who="contact2", unit="branch2")
    self_selected_action_decide(actor=org.office, action=own, approve=True)
    with pytest.raises(ValidationError):
        make(org, own, who="office", unit="branch1")
    make(org, own, who="contact2", unit="branch2")


def test_every_step_is_audited_with_its_actor(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1, submit=True)
    record_review(actor=org.office, record=record, accept=True)
    actors = [e.actor for e in LogEntry.objects.get_for_object(record).order_by("timestamp")]
    assert actors[0] == org.contact1 and actors[-1] == org.office


def test_attachment_delete_only_while_editable(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1, files=[png()])
    attachment = record.attachments.get()
    attachment_delete(actor=org.contact1, attachment=attachment)
    assert not record.attachments.exists()
    record = make(org, action1, files=[png()], submit=True)
    with pytest.raises(PermissionDenied):
        attachment_delete(actor=org.contact1, attachment=record.attachments.get())


def test_an_office_above_the_campaign_does_not_review_its_records(org, action1, travel):
    """The province's office reaches the federation's units but reviews only its own campaign."""
    from taolun.activities.selectors import records_to_review
    from taolun.org.models import Unit
    from taolun.org.roles import Role
    from taolun.org.tests.factories import UserFactory, grant, make_unit

    travel(D(2019, 3, 5))
    province = make_unit("省委", "province", kind="organisation")
    org.root.refresh_from_db()
    Unit.objects.move(org.root, province, "first-child")
    for unit in (org.root, org.branch1):
        unit.refresh_from_db()
    province_office = UserFactory(username="province-office")
    grant(province_office, province, Role.OFFICE)
    record = make(org, action1, submit=True)
    record.refresh_from_db()

    assert province_office.has_perm("activities.view_record", record)
    assert not province_office.has_perm("activities.review_record", record)
    assert list(records_to_review(province_office)) == []
    assert list(records_to_review(org.office)) == [record]
    with pytest.raises(PermissionDenied):
        record_review(actor=province_office, record=record, accept=True)


def test_an_office_held_at_two_levels_reviews_at_the_inner_one(org, action1, travel):
    from taolun.activities.selectors import records_to_review
    from taolun.org.models import Unit
    from taolun.org.roles import Role
    from taolun.org.tests.factories import grant, make_unit

    travel(D(2019, 3, 5))
    province = make_unit("省委", "province", kind="organisation")
    org.root.refresh_from_db()
    Unit.objects.move(org.root, province, "first-child")
    grant(org.office, province, Role.OFFICE)  # also at the province, above the campaign
    org.branch1.refresh_from_db()
    record = make(org, action1, submit=True)
    office = type(org.office).objects.get(pk=org.office.pk)
    record = ActivityRecord.objects.select_related("campaign__owner_unit", "unit").get(pk=record.pk)
    assert office.has_perm("activities.review_record", record)
    assert list(records_to_review(office)) == [record]


def test_permission_is_checked_before_the_state(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1)  # a draft
    with pytest.raises(PermissionDenied):
        record_review(actor=org.member1, record=record, accept=True)


def test_the_office_does_not_accept_its_own_record(org, action1, travel):
    travel(D(2019, 3, 5))
    record = make(org, action1, who="office", submit=True)
    with pytest.raises(PermissionDenied):
        record_review(actor=org.office, record=record, accept=True)
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
