"""``manage.py import_ledger``: import a ledger (台账) .xlsx file, all or nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from taolun.rectification.ledger_io import LedgerFileError, ledger_import_run
from taolun.rectification.management.commands.export_ledger import (
    acting_user,
    find_campaign,
    find_unit,
    progress_bar,
)


class Command(BaseCommand):
    help = (
        "Import a rectification ledger from an .xlsx file for a unit: rows with a known "
        "ledger number update that problem, the others are added. All or nothing: any bad "
        "row is reported (row, column, what is wrong), nothing is changed and the command "
        "exits with status 1. Acts --as USERNAME, or by default as the campaign's office "
        "when exactly one person holds the office role at the campaign's office unit "
        "(otherwise --as is required)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the .xlsx ledger to import")
        parser.add_argument("--campaign", required=True, help="campaign slug, e.g. sxdpf-2019")
        parser.add_argument(
            "--unit", required=True, help="the unit the ledger is for (slug): rows are its problems"
        )
        parser.add_argument("--as", dest="username", help="act as this user (username)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, change nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(
        self,
        *args,
        file: str,
        campaign: str,
        unit: str,
        username: str | None,
        dry_run: bool,
        no_progress: bool,
        **options,
    ) -> None:
        found = find_campaign(campaign)
        target = find_unit(unit)
        user = acting_user(found, username)
        try:
            with progress_bar(no_progress, "row", "read") as bar:
                plan = ledger_import_run(
                    actor=user,
                    campaign=found,
                    unit=target,
                    source=file,
                    name=file,
                    dry_run=dry_run,
                    progress=bar,
                )
        except FileNotFoundError as exc:
            raise CommandError(f"No file {file!r}.") from exc
        except LedgerFileError as exc:
            raise CommandError(str(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(
                f"{user.username} may not record problems of {target.slug} in {found.slug}."
            ) from exc
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(f"row {error.row}, {error.column}: {error.message}")
            if plan.error_count > len(plan.errors):
                self.stderr.write(f"… and {plan.error_count - len(plan.errors)} more errors.")
            raise CommandError(f"{plan.error_count} errors: nothing was imported.")
        counts = plan.counts
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{counts['added']} added, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged ({verb} imported into {found.slug})."
        )
