"""The campaign's own documents in 公文 layout: the implementation plan, the leading
group list with duties, an issue of the bulletin (简报), the ledger summary and the
campaign summary.

The caller passes a campaign the user may see (fetched with ``get_campaign_for_user``)
in a :class:`DocumentRequest`; what is read from it goes through the scoping selectors,
so a document the user may not read raises Http404 here, once, for the views and the
command alike. Each builder returns an :class:`OfficialDocument`, which the views save
as .docx or show as a printable page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taolun.campaigns.models import Campaign, LeadingGroupMember, LeadingGroupRole
from taolun.campaigns.selectors import campaign_leading_group, campaign_stages
from taolun.core import clock
from taolun.documents.docx import OfficialDocument, chinese_date, chinese_numeral
from taolun.org.models import User
from taolun.rectification.models import LIVE, Light, ProblemState
from taolun.rectification.selectors import ledger, ledger_counts, problems_for_user
from taolun.reporting import bulletin, summary
from taolun.reporting.models import BriefIssue, CampaignSummary

# An ideographic space: pads a role label so that names line up under it.
IDEOGRAPHIC_SPACE = "\u3000"


def _issue_date(campaign: Campaign):
    return campaign.launched_on or campaign.starts_on


def _new(campaign: Campaign, title: str) -> OfficialDocument:
    return OfficialDocument(
        title=title, issuer=campaign.owner_unit.name, date=_issue_date(campaign)
    )


def plan_document(campaign: Campaign) -> OfficialDocument:
    """实施方案: the four parts of the plan, then its themes and its stages with their
    prescribed actions and dates, so the document is complete even where the plan's text
    does not list them."""
    doc = _new(campaign, _("%(name)s implementation plan") % {"name": campaign.name})
    parts = [
        (_("General requirements"), campaign.general_requirements),
        (_("Main tasks"), campaign.main_tasks),
        (_("Methods and steps"), campaign.methods),
        (_("Organisation and leadership"), campaign.organisation),
    ]
    number = 0
    for title, html in parts:
        if not html.strip():
            continue
        number += 1
        doc.heading(f"{chinese_numeral(number)}、{title}", 1)
        doc.html(html)

    themes = list(campaign.themes.order_by("number"))
    if themes:
        doc.heading(_("Annex: themes"), 1)
        for theme in themes:
            doc.paragraph(
                f"{theme.number}.{theme.break_with}，{theme.focus_on}，{theme.adhere_to}。"
            )

    stages = campaign_stages(campaign)
    if stages:
        doc.heading(_("Annex: stages and prescribed actions"), 1)
        for index, stage in enumerate(stages, 1):
            dates = _("%(start)s to %(end)s") % {
                "start": chinese_date(stage.starts_on),
                "end": chinese_date(stage.ends_on),
            }
            heading = f"（{chinese_numeral(index)}）{stage.name}（{dates}）"
            if stage.directive:
                heading += f"：{stage.directive}"
            doc.heading(heading, 2)
            if stage.description:
                doc.paragraph(stage.description)
            for action in stage.prescribed_actions:
                line = f"{action.label}.{action.name}"
                if action.due_on:
                    line += "（" + _("due %(day)s") % {"day": chinese_date(action.due_on)} + "）"
                doc.paragraph(line)
    doc.signature()
    return doc


def _who(member: LeadingGroupMember) -> str:
    return member.person.name if member.person_id else _("(to be named)")


def leading_group_document(campaign: Campaign) -> OfficialDocument:
    """领导小组成员名单及职责分工: 组长, 副组长 and 成员 with their posts, each member's
    duties, and where the group's office sits and who directs it."""
    group = campaign.leading_group_name or _("%(name)s leading group") % {"name": campaign.name}
    doc = _new(campaign, _("%(group)s: members and division of duties") % {"group": group})
    members = campaign_leading_group(campaign)
    listed = [m for m in members if m.role != LeadingGroupRole.OFFICE_DIRECTOR]
    directors = [m for m in members if m.role == LeadingGroupRole.OFFICE_DIRECTOR]

    number = 0
    if listed:
        number += 1
        part = _("List of members")
        doc.heading(f"{chinese_numeral(number)}、{part}", 1)
        for role in (LeadingGroupRole.HEAD, LeadingGroupRole.DEPUTY, LeadingGroupRole.MEMBER):
            label = f"{role.label}："
            for count, member in enumerate(m for m in listed if m.role == role):
                lead = label if count == 0 else IDEOGRAPHIC_SPACE * len(label)
                posts = f"{IDEOGRAPHIC_SPACE}{member.position}" if member.position else ""
                doc.paragraph(f"{lead}{_who(member)}{posts}")

    with_duties = [m for m in members if m.duties.strip()]
    if with_duties:
        number += 1
        part = _("Division of duties")
        doc.heading(f"{chinese_numeral(number)}、{part}", 1)
        for member in with_duties:
            who = member.person.name if member.person_id else member.position or _who(member)
            doc.paragraph(f"{who}（{member.get_role_display()}）：{member.duties.strip()}")

    if campaign.office_unit_id or directors:
        number += 1
        part = _("The office of the leading group")
        doc.heading(f"{chinese_numeral(number)}、{part}", 1)
        if campaign.office_unit_id:
            doc.paragraph(
                _("The leading group has an office, seated in %(unit)s.")
                % {"unit": campaign.office_unit.name}
            )
        for director in directors:
            posts = f"（{director.position}）" if director.position else ""
            doc.paragraph(
                _("%(name)s%(posts)s directs the office.")
                % {"name": _who(director), "posts": posts}
            )
    doc.signature()
    return doc


# ---------------------------------------------------------------- the bulletin


def brief_document(issue: BriefIssue, copies: int | None = None) -> OfficialDocument:
    """简报: the red masthead, 第N期, editor and date over a red rule, the items each with
    its title, text and contributing unit, then the distribution at the foot."""
    doc = OfficialDocument(
        title=f"{issue.masthead}第{issue.number}期",
        issuer=issue.editor,
        date=issue.issued_on,
        with_title=False,
    )
    doc.masthead(issue.masthead, f"第{issue.number}期", issue.editor, issue.issued_on)
    for item in bulletin.issue_items(issue):
        doc.item_title(item.title)
        doc.html(item.body)
        doc.paragraph(_("(Contributed by %(unit)s)") % {"unit": item.brief.unit.name})
    doc.distribution(issue.recipients.splitlines(), copies)
    return doc


def _issue(request: DocumentRequest) -> BriefIssue:
    """The issue asked for (drafts for the office only), else the latest issued one."""
    if request.issue is not None:
        return bulletin.get_issue_for_user(request.user, request.campaign, request.issue)
    latest = bulletin.latest_issued(request.campaign)
    if latest is None:
        raise Http404
    return latest


# ---------------------------------------------------------------- the ledger

_SPACES = re.compile(r"\s+")
PROBLEM_TEXT_LENGTH = 80


def _plain(value: str, length: int = PROBLEM_TEXT_LENGTH) -> str:
    """Stored HTML as one line of plain text, cut at ``length`` characters."""
    text = _SPACES.sub(" ", unescape(strip_tags(value.replace("</p>", "</p> ")))).strip()
    return text if len(text) <= length else text[: length - 1] + "…"


def ledger_document(campaign: Campaign, user: User) -> OfficialDocument:
    """问题整改台账汇总: counts by state and light, by unit, then every problem on the
    ledger (drafts are not on it yet) as a small-type table that fits portrait A4.

    Scoped like the ledger page: a unit's contact prints the problems of their units."""
    today = clock.today()
    doc = _new(
        campaign, _("%(name)s: summary of the rectification ledger") % {"name": campaign.name}
    )
    problems = problems_for_user(user, campaign).exclude(state=ProblemState.DRAFT)
    counts = ledger_counts(problems, today)
    doc.paragraph(
        _("As of %(day)s, %(total)d problems are on the ledger.")
        % {"day": chinese_date(today), "total": counts.total}
    )
    part = _("By state and light")
    doc.heading(f"{chinese_numeral(1)}、{part}", 1)
    doc.table(
        (_("State"), _("Problems")),
        [(s.label, counts.by_state[s.value]) for s in ProblemState if s != ProblemState.DRAFT],
        caption=_("Problems by state"),
    )
    doc.table(
        (_("Light"), _("Problems")),
        [(light.label, counts.by_light[light.value]) for light in Light],
        caption=_("Problems by light"),
    )
    part = _("By unit")
    doc.heading(f"{chinese_numeral(2)}、{part}", 1)
    by_unit = (
        problems.order_by()
        .values("unit__name", "unit__path")
        .annotate(
            total=Count("id"),
            live=Count("id", filter=Q(state__in=LIVE)),
            verified=Count("id", filter=Q(state=ProblemState.VERIFIED)),
        )
        .order_by("unit__path")
    )
    doc.table(
        (_("Unit"), _("Problems"), _("Open"), _("Verified")),
        [(row["unit__name"], row["total"], row["live"], row["verified"]) for row in by_unit],
        caption=_("Problems by unit"),
    )
    part = _("The problems")
    doc.heading(f"{chinese_numeral(3)}、{part}", 1)
    rows = ledger(problems, today=today, ordering="number")
    doc.table(
        (_("No."), _("Problem"), _("Unit"), _("Deadline"), _("State"), _("Light")),
        [
            (
                p.ledger_number,
                _plain(p.description),
                p.unit.name,
                p.deadline.isoformat() if p.deadline else "",
                p.get_state_display(),
                Light(p.lamp).label,
            )
            for p in rows
        ],
        caption=_("The problems on the ledger"),
        small=True,
    )
    doc.signature(date=today)
    return doc


# ---------------------------------------------------------------- the summary


def summary_document(campaign: Campaign, found: CampaignSummary) -> OfficialDocument:
    """The campaign summary's text as a 公文, signed by the campaign's unit on the day it
    was finalised (a draft: the day it is printed)."""
    day = timezone.localdate(found.finalised_at) if found.finalised_at else clock.today()
    doc = OfficialDocument(title=found.title, issuer=campaign.owner_unit.name, date=day)
    doc.html(found.body)
    doc.signature()
    return doc


def _summary(request: DocumentRequest) -> CampaignSummary:
    found = summary.summary_for_user(request.user, request.campaign)
    if found is None:
        raise Http404
    return found


# ---------------------------------------------------------------- the kinds


@dataclass(frozen=True)
class DocumentRequest:
    """Who asks for which campaign's document; ``issue`` picks a bulletin issue and
    ``copies`` prints 共印N份 under it."""

    user: User
    campaign: Campaign
    issue: int | None = None
    copies: int | None = None


@dataclass(frozen=True)
class DocumentKind:
    """A document the platform makes from a campaign, with the name its links show."""

    slug: str
    label: str
    build: Callable[[DocumentRequest], OfficialDocument]


CAMPAIGN_DOCUMENTS: dict[str, DocumentKind] = {
    kind.slug: kind
    for kind in (
        DocumentKind(
            "plan", gettext_lazy("Implementation plan"), lambda r: plan_document(r.campaign)
        ),
        DocumentKind(
            "leading_group",
            gettext_lazy("Leading group: members and division of duties"),
            lambda r: leading_group_document(r.campaign),
        ),
        DocumentKind(
            "brief",
            gettext_lazy("Bulletin"),
            lambda r: brief_document(_issue(r), r.copies),
        ),
        DocumentKind(
            "ledger",
            gettext_lazy("Summary of the rectification ledger"),
            lambda r: ledger_document(r.campaign, r.user),
        ),
        DocumentKind(
            "summary",
            gettext_lazy("Campaign summary"),
            lambda r: summary_document(r.campaign, _summary(r)),
        ),
    )
}
