"""``manage.py restore PATH [--yes]``: put back a ``manage.py backup`` archive.

Replaces the database and the uploads: stop the site first. A database that holds data
is replaced only with ``--yes``; an archive of another engine, or from a newer version of
taolun than this code, is refused.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from taolun.core import backup


class Command(BaseCommand):
    help = "Restore the database and the uploaded files from a backup archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar.gz written by manage.py backup.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Replace a database that already holds data.",
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, archive: Path, yes: bool, database: str, **options) -> None:
        try:
            manifest = backup.restore(archive, alias=database, force=yes, progress=self._say)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self._report(manifest, backup.table_counts(database), verbose=options["verbosity"] >= 2)
        if pending := backup.pending_migrations(database):
            self.stdout.write(
                self.style.WARNING(
                    f"The archive predates {pending} migrations of this code: "
                    "run manage.py migrate."
                )
            )

    def _report(self, manifest: backup.Manifest, counts: dict[str, int], *, verbose: bool) -> None:
        differ = 0
        for table in sorted(set(counts) | set(manifest.counts)):
            now, then = counts.get(table), manifest.counts.get(table)
            if now != then:
                differ += 1
                self.stdout.write(f"  {table}: {now} rows (the archive counted {then})")
            elif verbose or now:
                self.stdout.write(f"  {table}: {now} rows")
        total = sum(counts.values())
        if differ:
            self.stdout.write(
                self.style.WARNING(
                    f"Restored {total} rows; {differ} tables differ from the archive's counts "
                    "(rows written while the backup ran)."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Restored {total} rows in {len(counts)} tables, as the archive counted."
                )
            )

    def _say(self, message: str) -> None:
        self.stdout.write(message)
