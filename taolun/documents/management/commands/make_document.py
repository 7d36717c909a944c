"""``manage.py make_document``: write one of a campaign's official documents as .docx."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.documents.campaign_docs import CAMPAIGN_DOCUMENTS, PLANNED_DOCUMENTS
from taolun.rectification.management.commands.export_ledger import acting_user, find_campaign


class Command(BaseCommand):
    help = (
        "Write a campaign's official document (GB/T 9704-2012 layout) to a .docx file, "
        "as the acting user sees the campaign: --as USERNAME, or by default the campaign's "
        "office when exactly one person holds the office role at the campaign's office unit."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=[*CAMPAIGN_DOCUMENTS, *PLANNED_DOCUMENTS])
        parser.add_argument("--campaign", required=True, help="campaign slug, e.g. sxdpf-2019")
        parser.add_argument("--out", required=True, help="the .docx file to write")
        parser.add_argument("--as", dest="username", help="act as this user (username)")

    def handle(
        self, *args, kind: str, campaign: str, out: str, username: str | None, **options
    ) -> None:
        if kind not in CAMPAIGN_DOCUMENTS:
            raise CommandError(
                f"The {kind} document is not yet available; "
                f"available now: {', '.join(CAMPAIGN_DOCUMENTS)}."
            )
        found = find_campaign(campaign)
        user = acting_user(found, username)
        try:
            visible = get_campaign_for_user(user, found.slug)
        except Http404 as exc:
            raise CommandError(f"{user.username} may not see the campaign {found.slug!r}.") from exc
        document = CAMPAIGN_DOCUMENTS[kind].build(visible)
        try:
            document.save(out)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror or exc}") from exc
        self.stdout.write(f"{found.slug}: {document.title} written to {out}.")
