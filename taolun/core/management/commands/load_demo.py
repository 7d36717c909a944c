"""``manage.py load_demo``: load the seed's campaign (idempotent) and print the demo accounts."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from taolun.core.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the seed's campaign (全省 and 省残联 “改革创新、奋发有为”大讨论 of 2019) with "
        "sample records. Running it again changes nothing. Demo log-in accounts are "
        "created only when TAOLUN_DEMO is on."
    )

    def handle(self, *args, **options) -> None:
        result = load_demo(accounts=settings.TAOLUN_DEMO)
        if result.changed:
            made = ", ".join(f"{n} {what}" for what, n in sorted(result.created.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo loaded: created {made}."))
        else:
            self.stdout.write("Demo already loaded: nothing changed.")
        if not result.accounts_enabled:
            self.stdout.write(
                self.style.WARNING(
                    "TAOLUN_DEMO is off: no demo log-in accounts were created "
                    "(set TAOLUN_DEMO=1 on a demo site to get them)."
                )
            )
            return
        self.stdout.write(
            "\nDemo accounts (passwords as created; for demonstration only, never in production):"
        )
        rows = [("username", "password", "role", "unit")] + [
            (a.username, a.password, a.role, a.unit) for a in result.accounts
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
            self.stdout.write("  " + "  ".join([*cells, row[3]]))
