"""``manage.py make_document``: write one of a campaign's official documents as .docx."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from taolun.campaigns.selectors import get_campaign_for_user
from taolun.documents.campaign_docs import CAMPAIGN_DOCUMENTS, DocumentRequest
from taolun.rectification.management.commands.export_ledger import acting_user, find_campaign


class Command(BaseCommand):
    help = (
        "Write a campaign's official document (GB/T 9704-2012 layout) to a .docx file, "
        "as the acting user sees the campaign: --as USERNAME, or by default the campaign's "
        "office when exactly one person holds the office role at the campaign's office unit."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=list(CAMPAIGN_DOCUMENTS))
        parser.add_argument("--campaign", required=True, help="campaign slug, e.g. sxdpf-2019")
        parser.add_argument("--out", required=True, help="the .docx file to write")
        parser.add_argument("--as", dest="username", help="act as this user (username)")
        parser.add_argument(
            "--issue", type=int, help="brief: the bulletin issue number (default: latest issued)"
        )
        parser.add_argument("--copies", type=int, help="brief: print 共印N份 at the foot")

    def handle(
        self,
        *args,
        kind: str,
        campaign: str,
        out: str,
        username: str | None,
        issue: int | None = None,
        copies: int | None = None,
        **options,
    ) -> None:
        for name, value in (("--issue", issue), ("--copies", copies)):
            if value is not None and value < 1:
                raise CommandError(f"{name} takes a number from 1 up, not {value}.")
        found = find_campaign(campaign)
        user = acting_user(found, username)
        try:
            visible = get_campaign_for_user(user, found.slug)
        except Http404 as exc:
            raise CommandError(f"{user.username} may not see the campaign {found.slug!r}.") from exc
        asked = DocumentRequest(user=user, campaign=visible, issue=issue, copies=copies)
        try:
            document = CAMPAIGN_DOCUMENTS[kind].build(asked)
        except Http404 as exc:
            raise CommandError(_missing(kind, found.slug, user.username, issue)) from exc
        try:
            document.save(out)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror or exc}") from exc
        self.stdout.write(f"{found.slug}: {document.title} written to {out}.")


def _missing(kind: str, campaign: str, username: str, issue: int | None) -> str:
    """Why there is nothing to write, in the words of the document asked for."""
    if kind == "brief":
        if issue is None:
            return f"The campaign {campaign!r} has no issued bulletin yet."
        return f"{username} cannot read issue {issue} of the bulletin of {campaign!r}."
    if kind == "summary":
        return f"{username} cannot read a summary of {campaign!r} (none yet, or still a draft)."
    return f"{username} cannot read the {kind} document of {campaign!r}."
