"""Whoever has something waiting gets an e-mail, in the site's language, after commit."""

import datetime as dt

from django.core import mail
from django.urls import reverse

from taolun.activities.services import record_create, record_review
from taolun.campaigns.services import self_selected_action_decide, self_selected_action_propose

D = dt.date


def test_submission_mails_the_office_above_the_unit_only(
    org, travel, django_capture_on_commit_callbacks
):
    travel(D(2019, 3, 5))
    org.leader.email = ""
    org.leader.save()
    with django_capture_on_commit_callbacks(execute=True):
        record_create(
            actor=org.contact1,
            action=org.campaign.actions.get(number=1),
            unit=org.branch1,
            title="动员会",
            held_on=D(2019, 3, 1),
            submit=True,
        )
    assert [m.to for m in mail.outbox] == [[org.office.email]]
    assert "动员会" in mail.outbox[0].subject
    assert "/todo/" in mail.outbox[0].body


def test_review_mails_the_author_with_the_comment(org, travel, django_capture_on_commit_callbacks):
    travel(D(2019, 3, 5))
    record = record_create(
        actor=org.contact1,
        action=org.campaign.actions.get(number=1),
        unit=org.branch1,
        title="动员会",
        held_on=D(2019, 3, 1),
        submit=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        record_review(actor=org.office, record=record, accept=False, comment="请补充签到表")
    assert [m.to for m in mail.outbox] == [[org.contact1.email]]
    assert "请补充签到表" in mail.outbox[0].body
    assert reverse("activities:detail", args=[record.pk]) in mail.outbox[0].body


def test_no_mail_is_sent_when_the_transaction_fails(
    org, travel, django_capture_on_commit_callbacks
):
    travel(D(2019, 3, 5))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record_create(
            actor=org.contact1,
            action=org.campaign.actions.get(number=1),
            unit=org.branch1,
            title="动员会",
            held_on=D(2019, 3, 1),
            submit=True,
        )
    # Nothing is sent before the commit; once it commits, the mail goes.
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[org.office.email]]


def test_proposal_and_decision_mail_approvers_then_proposer(
    org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = self_selected_action_propose(
            actor=org.contact1,
            campaign=org.campaign,
            unit=org.branch1,
            stage=org.campaign.stages.first(),
            name="参观红色教育基地",
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org.office.email, org.leader.email])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        self_selected_action_decide(
            actor=org.leader, action=action, approve=False, comment="与规定动作重复"
        )
    assert [m.to for m in mail.outbox] == [[org.contact1.email]]
    assert "与规定动作重复" in mail.outbox[0].body
