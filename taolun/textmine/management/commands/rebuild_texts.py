"""``manage.py rebuild_texts``: read every text again into its signature and search entry."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from taolun.textmine import indexing
from taolun.textmine.sources import SOURCES, TextSource


class Command(BaseCommand):
    help = (
        "Recompute the near-copy signature and the search entry of every text (or of the "
        "kinds given), for a database filled by a bulk loader or before the text side "
        "existed. Texts are saved in batches; running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kind",
            action="append",
            metavar="APP.MODEL",
            help="only this kind of text (repeatable): "
            + ", ".join(source.label for source in SOURCES),
        )
        parser.add_argument("--batch", type=int, default=500, help="texts saved at a time")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = self._sources(options["kind"])
        if options["batch"] < 1:
            raise CommandError("--batch: at least 1.")
        hide = options["no_progress"]
        bars: dict[str, tqdm] = {}

        def progress(source: TextSource, read: int) -> None:
            """One bar per kind, sized by the kind's row count, closed when the next starts."""
            if source.label not in bars:
                for bar in bars.values():
                    bar.close()
                bars[source.label] = tqdm(
                    total=source.model._default_manager.count(),
                    desc=source.label,
                    unit="text",
                    file=sys.stderr,
                    disable=hide,
                )
            bars[source.label].update(read)

        try:
            total = indexing.rebuild(sources, batch=options["batch"], progress=progress)
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(self.style.SUCCESS(f"Read {total} texts of {len(sources)} kinds."))

    @staticmethod
    def _sources(kinds: list[str] | None) -> list[TextSource]:
        if not kinds:
            return list(SOURCES)
        by_label = {source.label.lower(): source for source in SOURCES}
        unknown = [kind for kind in kinds if kind.lower() not in by_label]
        if unknown:
            raise CommandError(
                f"--kind: no kind of text {', '.join(unknown)}; "
                f"known: {', '.join(source.label for source in SOURCES)}."
            )
        return [by_label[kind.lower()] for kind in dict.fromkeys(kinds)]
