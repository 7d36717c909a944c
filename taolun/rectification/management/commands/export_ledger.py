"""``manage.py export_ledger``: write a campaign's ledger (台账) to an .xlsx file."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from taolun.campaigns.models import Campaign
from taolun.org.models import Unit, User
from taolun.rectification.ledger_io import campaign_office_holder, ledger_export


def acting_user(campaign: Campaign, username: str | None) -> User:
    """``--as`` the named user, else the campaign's office when one person holds it."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user
    user = campaign_office_holder(campaign)
    if user is None:
        raise CommandError(
            "Say who acts with --as USERNAME: the campaign's office is not exactly one person."
        )
    return user


def find_campaign(slug: str) -> Campaign:
    campaign = Campaign.objects.select_related("owner_unit").filter(slug=slug).first()
    if campaign is None:
        raise CommandError(f"No campaign with slug {slug!r}.")
    return campaign


def find_unit(slug: str) -> Unit:
    unit = Unit.objects.filter(slug=slug).first()
    if unit is None:
        raise CommandError(f"No unit with slug {slug!r}.")
    return unit


def progress_bar(disabled: bool, unit: str, desc: str) -> tqdm:
    """A bar on stderr, only for a person watching a terminal."""
    return tqdm(
        unit=unit,
        desc=desc,
        file=sys.stderr,
        disable=disabled or not sys.stderr.isatty(),
        dynamic_ncols=True,
    )


class Command(BaseCommand):
    help = (
        "Export a campaign's rectification ledger to an .xlsx file in the 台账 layout. "
        "The ledger is what the acting user may see: --as USERNAME, or by default the "
        "campaign's office when exactly one person holds the office role at the campaign's "
        "office unit (otherwise --as is required)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--campaign", required=True, help="campaign slug, e.g. sxdpf-2019")
        parser.add_argument("--unit", help="only this unit and its subunits (unit slug)")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument("--as", dest="username", help="act as this user (username)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(
        self,
        *args,
        campaign: str,
        unit: str | None,
        out: str,
        username: str | None,
        no_progress: bool,
        **options,
    ) -> None:
        found = find_campaign(campaign)
        user = acting_user(found, username)
        filters = {}
        if unit:
            filters["unit"] = find_unit(unit).slug
        with progress_bar(no_progress, "problem", "export") as bar:
            try:
                count = ledger_export(
                    user=user, campaign=found, out=out, filters=filters, progress=bar
                )
            except OSError as exc:
                raise CommandError(f"Cannot write {out}: {exc.strerror or exc}") from exc
        self.stdout.write(f"{found.slug}: {count} problems written to {out}.")
