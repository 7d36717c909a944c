"""``manage.py gen_province``: a synthetic province for load and scale tests."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from taolun.core.synthetic import MIN_UNITS, Options, describe, generate


class Command(BaseCommand):
    help = (
        "Build a synthetic province (province → cities → counties → townships → villages, "
        "with organs and branches), its people, one campaign with every unit's action "
        "statuses, problems, briefs and participation, for load and scale tests. The same "
        "seed gives the same tree. Bulk inserts: nothing of it is in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--units", type=int, required=True, help="units in total")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--actions", type=int, default=10, help="prescribed actions")
        parser.add_argument("--problems", type=int, help="default: two per unit taking part")
        parser.add_argument("--briefs", type=int, help="default: one per 20 units")
        parser.add_argument("--members", type=int, help="default: one per 10 units")
        parser.add_argument("--prefix", help='slug prefix of every unit; default "gp<seed>"')
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["units"] < MIN_UNITS:
            raise CommandError(f"--units: a province needs at least {MIN_UNITS} units.")
        if options["actions"] < 1:
            raise CommandError("--actions: at least one prescribed action.")
        for name in ("problems", "briefs", "members"):
            if options[name] is not None and options[name] < 0:
                raise CommandError(f"--{name}: must not be negative.")
        hide = options["no_progress"]

        bars: list[tqdm] = []

        def progress(label: str, total: int) -> Callable[[int], Any]:
            """One bar per table, closed when the next table starts."""
            if bars:
                bars.pop().close()
            bars.append(tqdm(total=total, desc=label, unit="row", file=sys.stderr, disable=hide))
            return bars[-1].update

        started = time.monotonic()
        try:
            result = generate(
                Options(
                    units=options["units"],
                    seed=options["seed"],
                    actions=options["actions"],
                    problems=options["problems"],
                    briefs=options["briefs"],
                    members=options["members"],
                    prefix=options["prefix"],
                ),
                progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            while bars:
                bars.pop().close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Province {result.root.name} ({result.root.slug}), campaign "
                f"{result.campaign.slug}, in {time.monotonic() - started:.1f} s:"
            )
        )
        for line in describe(result.counts):
            self.stdout.write(f"  {line}")
