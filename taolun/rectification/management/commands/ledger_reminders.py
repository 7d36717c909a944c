"""``manage.py ledger_reminders``: list (and mail) the ledger's overdue and due-soon problems."""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from taolun.campaigns.models import Campaign
from taolun.rectification.models import warning_days
from taolun.rectification.reminders import (
    Because,
    ReminderReport,
    item_line,
    ledger_reminders,
    reminders_mail,
)


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(_("give a whole number of days, 0 or more"))
    return days


class Command(BaseCommand):
    help = (
        "List the problems of the rectification ledger that are overdue or due within N "
        "days (open or in progress), grouped by the person who must act: the person in "
        "charge, else the responsible leader, else the contacts of the responsible unit. "
        "With --mail, each person gets one mail with all their items."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=_days,
            default=None,
            help=f"remind of deadlines within this many days (default {warning_days()}, "
            "TAOLUN_LEDGER_WARNING_DAYS)",
        )
        parser.add_argument("--campaign", help="only this campaign (its slug, e.g. sxdpf-2019)")
        parser.add_argument("--mail", action="store_true", help="mail each person their reminder")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="with --mail: show who would be mailed, send nothing",
        )

    def handle(
        self,
        *args,
        days: int | None,
        campaign: str | None,
        mail: bool,
        dry_run: bool,
        **options,
    ) -> None:
        found = None
        if campaign:
            found = Campaign.objects.filter(slug=campaign).first()
            if found is None:
                raise CommandError(_("No campaign with slug “%(slug)s”.") % {"slug": campaign})
        report = ledger_reminders(days=days, campaign=found)
        self.print_report(report)
        if not mail:
            return
        if dry_run:
            would = len(report.reminders) - len(report.not_mailed)
            self.stdout.write(
                ngettext(
                    "Dry run: %(n)s mail would be sent; nothing was sent.",
                    "Dry run: %(n)s mails would be sent; nothing was sent.",
                    would,
                )
                % {"n": would}
            )
            return
        sent = reminders_mail(report)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext("%(n)s mail sent.", "%(n)s mails sent.", sent) % {"n": sent}
            )
        )

    def print_report(self, report: ReminderReport) -> None:
        self.stdout.write(
            _("Ledger reminders of %(today)s: overdue, or due by %(until)s.")
            % {
                "today": report.today.isoformat(),
                "until": (report.today + dt.timedelta(days=report.days)).isoformat(),
            }
        )
        if not report.problem_count:
            self.stdout.write(_("Nothing is overdue or due soon."))
            return
        for reminder in report.reminders:
            person = reminder.person
            if reminder.mailable:
                address = f"<{person.email}>"
            else:
                address = self.style.WARNING(_("(no e-mail address: not mailed)"))
            self.stdout.write("")
            self.stdout.write(f"{person.name or person.username} {address}")
            for item in reminder.items:
                role = Because(item.because).label
                marker = _("OVERDUE") if item.overdue else _("due soon")
                self.stdout.write(f"  [{marker}] {item_line(item)} ({role})")
        if report.unreached:
            self.stdout.write("")
            self.stdout.write(
                self.style.WARNING(
                    _("Nobody to remind (no person in charge, leader or unit contact):")
                )
            )
            for item in report.unreached:
                self.stdout.write(f"  {item_line(item)}")
        self.stdout.write("")
        self.stdout.write(
            _(
                "Problems: %(problems)s; people: %(people)s; "
                "without an e-mail address: %(unmailed)s."
            )
            % {
                "problems": report.problem_count,
                "people": len(report.reminders),
                "unmailed": len(report.not_mailed),
            }
        )
