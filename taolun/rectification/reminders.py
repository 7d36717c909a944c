"""Deadline reminders of the ledger (``manage.py ledger_reminders``): who has what late or due.

Offices used to chase owners by phone. Each problem still being worked on (open or in
progress) that is overdue or due within N days goes to the one who must act: its person
in charge; when none, its responsible leader; when none, the contacts of its responsible
unit (the nearest unit at or above it, inside the campaign, that has contacts). A
completed problem waits for the office's sign-off, not for its owner, so it is not listed.

Everything is read in a fixed number of queries whatever the number of problems, and the
mails go out through the same task as every other notification.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet, TextChoices
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.notifications.tasks import send_mails
from taolun.org.models import RoleAssignment, Unit, User
from taolun.org.roles import Role
from taolun.rectification.models import WORKING, Problem, warning_days

# Paths asked for in one query when looking up contacts; keeps each query well under
# the database's limit on bound parameters.
_PATHS_PER_QUERY = 900
# Messages handed to one mail task.
_MAILS_PER_TASK = 200


class Because(TextChoices):
    """Why a person is reminded of a problem."""

    PERSON_IN_CHARGE = "person_in_charge", gettext_lazy("person in charge")
    RESPONSIBLE_LEADER = "responsible_leader", gettext_lazy("responsible leader")
    UNIT_CONTACT = "unit_contact", gettext_lazy("contact of the responsible unit")


@dataclass(frozen=True)
class ReminderItem:
    problem: Problem
    days_left: int  # negative when overdue
    because: str  # a Because value

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@dataclass
class Reminder:
    """Everything one person is reminded of: one mail."""

    person: User
    items: list[ReminderItem] = field(default_factory=list)

    @property
    def mailable(self) -> bool:
        return bool(self.person.email)

    @property
    def overdue(self) -> list[ReminderItem]:
        return [i for i in self.items if i.overdue]

    @property
    def due_soon(self) -> list[ReminderItem]:
        return [i for i in self.items if not i.overdue]


@dataclass
class ReminderReport:
    today: dt.date
    days: int
    reminders: list[Reminder]
    unreached: list[ReminderItem]  # nobody to remind: no owner and no contact above
    problem_count: int

    @property
    def not_mailed(self) -> list[Reminder]:
        return [r for r in self.reminders if not r.mailable]


def problems_due(
    *, today: dt.date, days: int, campaign: Campaign | None = None
) -> QuerySet[Problem]:
    """Problems being worked on whose deadline is past or within ``days`` of ``today``."""
    qs = Problem.objects.filter(
        state__in=WORKING,
        deadline__isnull=False,
        deadline__lte=today + dt.timedelta(days=days),
    ).select_related("campaign__owner_unit", "unit", "person_in_charge", "responsible_leader")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("deadline", "campaign_id", "ledger_number")


def _owner(problem: Problem) -> tuple[User, str] | None:
    for person, because in (
        (problem.person_in_charge, Because.PERSON_IN_CHARGE),
        (problem.responsible_leader, Because.RESPONSIBLE_LEADER),
    ):
        if person is not None and person.is_active:
            return person, because
    return None


def _paths_within(unit: Unit, owner: Unit) -> list[str]:
    """The unit's own path and its ancestors' inside the campaign, deepest first."""
    return [p for p in reversed(unit.ancestor_paths()) if p.startswith(owner.path)]


def _nearest_contacts(problems: Iterable[Problem]) -> dict[tuple[int, int], list[User]]:
    """(unit id, campaign id) -> the active contacts of the nearest unit that has any.

    A contact's role reaches the unit's subtree, as ``notifications.services.holders_over``
    counts it, but only the nearest level is asked: the federation's liaison is not
    reminded of every branch's late item. One query per few hundred units.
    """
    wanted: dict[tuple[int, int], list[str]] = {}
    for p in problems:
        key = (p.unit_id, p.campaign_id)
        if key not in wanted:
            wanted[key] = _paths_within(p.unit, p.campaign.owner_unit)
    paths = sorted({path for chain in wanted.values() for path in chain})
    contacts: dict[str, list[User]] = defaultdict(list)
    for start in range(0, len(paths), _PATHS_PER_QUERY):
        rows = (
            RoleAssignment.objects.filter(
                role=Role.CONTACT,
                unit__path__in=paths[start : start + _PATHS_PER_QUERY],
                user__is_active=True,
            )
            .select_related("user", "unit")
            .order_by("user__name", "user_id")
        )
        for row in rows:
            contacts[row.unit.path].append(row.user)
    return {
        key: next((contacts[path] for path in chain if contacts.get(path)), [])
        for key, chain in wanted.items()
    }


def ledger_reminders(
    *,
    today: dt.date | None = None,
    days: int | None = None,
    campaign: Campaign | None = None,
) -> ReminderReport:
    """Who is to be reminded of what: overdue and due-soon problems, grouped by person."""
    today = today or clock.today()
    days = warning_days() if days is None else days
    problems = list(problems_due(today=today, days=days, campaign=campaign))
    unowned = [p for p in problems if _owner(p) is None]
    contacts = _nearest_contacts(unowned) if unowned else {}
    by_person: dict[int, Reminder] = {}
    unreached: list[ReminderItem] = []
    for problem in problems:
        owner = _owner(problem)
        if owner is not None:
            recipients = [owner]
        else:
            found = contacts[(problem.unit_id, problem.campaign_id)]
            recipients = [(person, Because.UNIT_CONTACT) for person in found]
        days_left = (problem.deadline - today).days
        if not recipients:
            unreached.append(ReminderItem(problem, days_left, ""))
        for person, because in recipients:
            reminder = by_person.setdefault(person.pk, Reminder(person))
            reminder.items.append(ReminderItem(problem, days_left, because))
    reminders = sorted(by_person.values(), key=lambda r: (r.person.name, r.person.pk))
    for reminder in reminders:
        reminder.items.sort(key=lambda i: (not i.overdue, i.days_left, i.problem.ledger_number))
    return ReminderReport(
        today=today,
        days=days,
        reminders=reminders,
        unreached=unreached,
        problem_count=len(problems),
    )


# ---------------------------------------------------------------- text


def plain(text: str, length: int = 60) -> str:
    """A rich-text description as one short line of plain text."""
    flat = " ".join(html.unescape(strip_tags(text)).split())
    return Truncator(flat).chars(length)


def when_text(item: ReminderItem) -> str:
    if item.days_left < 0:
        late = -item.days_left
        return ngettext("overdue by %(days)s day", "overdue by %(days)s days", late) % {
            "days": late
        }
    if item.days_left == 0:
        return _("due today")
    return ngettext("due in %(days)s day", "due in %(days)s days", item.days_left) % {
        "days": item.days_left
    }


def problem_link(problem: Problem) -> str:
    """The problem's page on the site, for the mail."""
    site = settings.TAOLUN_SITE_URL.rstrip("/")
    return site + reverse("rectification:problem", kwargs={"pk": problem.pk})


def item_line(item: ReminderItem) -> str:
    """One line per problem: number, deadline, lateness, unit, what it is."""
    problem = item.problem
    return _("%(number)s · deadline %(deadline)s, %(when)s · %(unit)s · %(description)s") % {
        "number": problem.ledger_number,
        "deadline": problem.deadline.isoformat(),
        "when": when_text(item),
        "unit": problem.unit.display_name,
        "description": plain(problem.description),
    }


def reminder_message(reminder: Reminder, report: ReminderReport) -> tuple[str, str]:
    """Subject and body of one person's reminder, in the active language."""
    overdue, due = reminder.overdue, reminder.due_soon
    subject = _("Rectification ledger: %(overdue)s overdue, %(due)s due soon") % {
        "overdue": len(overdue),
        "due": len(due),
    }
    lines = [
        _("Dear %(name)s,") % {"name": reminder.person.name or reminder.person.username},
        "",
        _("As of %(today)s these problems of the rectification ledger wait for you:")
        % {"today": report.today.isoformat()},
    ]
    for heading, items in (
        (_("Overdue"), overdue),
        (
            ngettext("Due within %(days)s day", "Due within %(days)s days", report.days)
            % {"days": report.days},
            due,
        ),
    ):
        if not items:
            continue
        lines += ["", f"{heading}:"]
        for item in items:
            lines.append(f"- {item_line(item)}")
            lines.append("  " + _("(you are its %(role)s)") % {"role": Because(item.because).label})
            lines.append(f"  {problem_link(item.problem)}")
    lines += [
        "",
        _(
            "Post your progress, claim completion with the evidence, or ask the campaign "
            "office for an extension before the deadline passes."
        ),
    ]
    return subject, "\n".join(lines)


def reminders_mail(report: ReminderReport) -> int:
    """Queue one mail per person with an address, in the site's language; return how many."""
    with translation.override(settings.LANGUAGE_CODE):
        messages = [
            [
                *reminder_message(reminder, report),
                settings.DEFAULT_FROM_EMAIL,
                [reminder.person.email],
            ]
            for reminder in report.reminders
            if reminder.mailable
        ]
    for start in range(0, len(messages), _MAILS_PER_TASK):
        send_mails.enqueue(messages[start : start + _MAILS_PER_TASK])
    return len(messages)


__all__ = [
    "Because",
    "Reminder",
    "ReminderItem",
    "ReminderReport",
    "item_line",
    "ledger_reminders",
    "problems_due",
    "reminder_message",
    "reminders_mail",
]
