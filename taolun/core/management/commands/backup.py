"""``manage.py backup [--output PATH]``: the database and the uploads in one archive.

Safe while the site runs: SQLite is copied with its online backup API, PostgreSQL with
``pg_dump``. See ``taolun.core.backup`` for what the archive holds.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from taolun.core import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files to one .tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="Archive to write (default: <data dir>/backups/taolun-<time>.tar.gz).",
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, output: Path | None, database: str, **options) -> None:
        try:
            path, manifest = backup.backup(output, alias=database, progress=self._say)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {manifest.total_rows} rows in {len(manifest.counts)} tables to {path}."
            )
        )

    def _say(self, message: str) -> None:
        self.stdout.write(message)
