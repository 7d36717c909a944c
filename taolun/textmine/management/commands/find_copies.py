"""``manage.py find_copies``: scan a campaign's texts for near-copies and print the groups."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from taolun.campaigns.models import Campaign
from taolun.org.models import Unit
from taolun.textmine.models import CopyScan, ScanState
from taolun.textmine.scan import DEFAULT_THRESHOLD, GroupView, run_scan, scan_groups, start_scan


def _groups(scan: CopyScan) -> list[GroupView]:
    """Every group of the scan, page after page."""
    groups: list[GroupView] = []
    number = 1
    while True:
        page = scan_groups(scan, number)
        groups += page.groups
        if not page.page.has_next():
            return groups
        number += 1


class Command(BaseCommand):
    help = (
        "Compare the signed texts of a campaign (reflections, opinions, briefs, activity "
        "records, meeting statements that left their authors' hands) under one unit, and "
        "print the groups of near-copies: who wrote first, each copy's similarity to it and "
        "the units. The scan runs here, not as a task, and is kept like the office's scans."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", required=True, metavar="SLUG")
        parser.add_argument(
            "--unit", metavar="SLUG", help="texts written under this unit (default: the owner)"
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"similarity (Jaccard of 5-character shingles), 0 to 1; {DEFAULT_THRESHOLD}",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = (
            Campaign.objects.select_related("owner_unit").filter(slug=options["campaign"]).first()
        )
        if campaign is None:
            raise CommandError(f"--campaign: no campaign {options['campaign']!r}.")
        unit = campaign.owner_unit
        if options["unit"]:
            unit = Unit.objects.filter(slug=options["unit"]).first()
            if unit is None:
                raise CommandError(f"--unit: no unit {options['unit']!r}.")
        try:
            scan = start_scan(
                actor=None,
                campaign=campaign,
                unit=unit,
                threshold=options["threshold"],
                queue=False,
            )
        except ValidationError as exc:
            field, [message, *_rest] = next(iter(exc.message_dict.items()))
            raise CommandError(f"--{field}: {message}") from exc
        run_scan(scan)
        if scan.state == ScanState.FAILED:
            raise CommandError(f"The scan failed: {scan.error}")
        groups = _groups(scan)
        if options["json"]:
            self.stdout.write(json.dumps(_as_dict(scan, groups), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"Scan {scan.pk} of {campaign.name} under {unit.name}, threshold "
            f"{scan.threshold:.2f}: {scan.texts} texts compared, {scan.groups} "
            f"group{'' if scan.groups == 1 else 's'}."
        )
        for group in groups:
            self.stdout.write(
                f"\nGroup {group.number}: {len(group.members)} texts, {group.units} units"
            )
            for member in group.members:
                share = "first" if member.first else f"{member.percent}%"
                self.stdout.write(
                    f"  {share:>5}  {member.written_at:%Y-%m-%d %H:%M}  {member.unit or '—'}  "
                    f"{member.author}  {member.kind} #{member.object_id}  "
                    f"{member.title or '—'}  ({member.chars} characters)"
                )


def _as_dict(scan: CopyScan, groups: list[GroupView]) -> dict[str, Any]:
    return {
        "scan": scan.pk,
        "campaign": scan.campaign.slug,
        "unit": scan.unit.slug,
        "threshold": scan.threshold,
        "texts": scan.texts,
        "groups": [
            {
                "group": group.number,
                "members": [
                    {
                        "first": member.first,
                        "similarity": round(member.similarity, 4),
                        "source": member.source,
                        "kind": member.kind,
                        "id": member.object_id,
                        "title": member.title,
                        "unit": member.unit,
                        "author": member.author,
                        "written_at": member.written_at.isoformat(),
                        "characters": member.chars,
                    }
                    for member in group.members
                ],
            }
            for group in groups
        ],
    }
