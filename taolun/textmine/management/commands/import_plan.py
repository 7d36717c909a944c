"""``manage.py import_plan FILE``: print the draft campaign a plan (.txt or .docx) announces."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taolun.textmine.plan import PlanTextError, parse_plan
from taolun.textmine.plan_files import MAX_PLAN_FILE_BYTES, PlanFileError, read_plan_file


class Command(BaseCommand):
    help = (
        "Read an implementation plan or speech (.txt in UTF-8 or GBK, or .docx) and print "
        "the draft it announces as JSON: title, document numbers, dates, outline, themes, "
        "stage and action counts, stage directives, enumerations and people. Nothing is saved."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the plan file (.txt or .docx)")
        parser.add_argument(
            "--indent", type=int, default=2, help="JSON indentation (0 for one line)"
        )

    def handle(self, *args, file: str, indent: int, **options) -> None:
        path = Path(file)
        try:
            with path.open("rb") as handle:
                # One byte more than allowed is enough to tell the file is too big.
                data = handle.read(MAX_PLAN_FILE_BYTES + 1)
        except FileNotFoundError as exc:
            raise CommandError(f"No file {file!r}.") from exc
        except IsADirectoryError as exc:
            raise CommandError(f"{file!r} is a directory, not a plan file.") from exc
        try:
            draft = parse_plan(read_plan_file(path.name, data))
        except (PlanFileError, PlanTextError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            json.dumps(draft.as_dict(), ensure_ascii=False, indent=indent if indent > 0 else None)
        )
