"""E-mail to whoever has something waiting. Called after commit; never blocks a write."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from taolun.activities.models import ActivityRecord, RecordStatus
from taolun.campaigns.models import Action, Approval
from taolun.notifications.tasks import send_mails
from taolun.org.models import RoleAssignment, Unit, User
from taolun.org.roles import APPROVING_ROLES, REVIEWING_ROLES


def holders_over(unit: Unit, roles: Iterable[str], *, within: Unit) -> list[User]:
    """Active people with an address holding one of ``roles`` over ``unit``.

    Only roles held at or below ``within`` (the campaign's owner) count: the province's
    office is not asked to review a federation's records.
    """
    paths = [p for p in unit.ancestor_paths() if p.startswith(within.path)]
    user_ids = RoleAssignment.objects.filter(unit__path__in=paths, role__in=list(roles)).values(
        "user_id"
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""))


def _send(recipients: Iterable[User], subject: str, body: str, link: str) -> int:
    """Queue one mail per recipient with an address; return how many were queued."""
    site = settings.TAOLUN_SITE_URL.rstrip("/")
    messages = [
        [subject, f"{body}\n\n{site}{link}", settings.DEFAULT_FROM_EMAIL, [user.email]]
        for user in {u.pk: u for u in recipients if u.email}.values()
    ]
    if messages:
        send_mails.enqueue(messages)
    return len(messages)


def notify_record_submitted(record: ActivityRecord) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        return _send(
            holders_over(record.unit, REVIEWING_ROLES, within=record.campaign.owner_unit),
            _("Record to review: %(title)s") % {"title": record.title},
            _("%(unit)s submitted a record of “%(action)s” for review.")
            % {"unit": record.unit.name, "action": record.action.name},
            reverse("notifications:todo"),
        )


def notify_record_reviewed(record: ActivityRecord) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        if record.status == RecordStatus.ACCEPTED:
            subject = _("Record accepted: %(title)s") % {"title": record.title}
        else:
            subject = _("Record returned: %(title)s") % {"title": record.title}
        return _send([record.created_by], subject, record.review_comment, record.get_absolute_url())


def notify_action_proposed(action: Action) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        return _send(
            holders_over(action.unit, APPROVING_ROLES, within=action.campaign.owner_unit),
            _("Self-selected action to approve: %(name)s") % {"name": action.name},
            _("%(unit)s proposed a self-selected action.") % {"unit": action.unit.name},
            reverse("notifications:todo"),
        )


def notify_action_decided(action: Action) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        if action.proposed_by is None:
            return 0
        subject = (
            _("Self-selected action approved: %(name)s")
            if action.approval == Approval.APPROVED
            else _("Self-selected action not approved: %(name)s")
        ) % {"name": action.name}
        return _send(
            [action.proposed_by], subject, action.decision_comment, action.unit.get_absolute_url()
        )
