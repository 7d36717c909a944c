"""The campaign's own documents in 公文 layout: the implementation plan and the leading
group list with duties.

The caller passes a campaign the user may see (fetched with ``get_campaign_for_user``);
what is read from it goes through the campaign selectors. Each builder returns an
:class:`OfficialDocument`, which the views save as .docx or show as a printable page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taolun.campaigns.models import Campaign, LeadingGroupMember, LeadingGroupRole
from taolun.campaigns.selectors import campaign_leading_group, campaign_stages
from taolun.documents.docx import OfficialDocument, chinese_date, chinese_numeral

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


@dataclass(frozen=True)
class DocumentKind:
    """A document the platform makes from a campaign, with the name its links show."""

    slug: str
    label: str
    build: Callable[[Campaign], OfficialDocument]


CAMPAIGN_DOCUMENTS: dict[str, DocumentKind] = {
    kind.slug: kind
    for kind in (
        DocumentKind("plan", gettext_lazy("Implementation plan"), plan_document),
        DocumentKind(
            "leading_group",
            gettext_lazy("Leading group: members and division of duties"),
            leading_group_document,
        ),
    )
}
# Documents of the issue still to come (the brief, the ledger summary, the campaign summary).
PLANNED_DOCUMENTS = ("brief", "ledger", "summary")
