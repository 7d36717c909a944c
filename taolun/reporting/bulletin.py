"""The campaign's bulletin (简报): issues the office puts together from adopted briefs.

An issue is a draft while the office picks and orders its items; once issued it is
printed and read by everyone taking part in the campaign, and no longer changed. Each
item prints the text adopted at this office's level: a brief forwarded from a child
campaign carries the text its own office adopted unless this office edited it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.core.audit import audited
from taolun.org.models import User
from taolun.org.predicates import InCampaign
from taolun.reporting.briefs import version_of
from taolun.reporting.models import (
    Brief,
    BriefIssue,
    BriefIssueItem,
    BriefReview,
    IssueState,
    ReviewState,
)

GENERIC_MASTHEAD = "大讨论简报"
RECIPIENT_LINES = 3


# ---------------------------------------------------------------- reading


def can_manage_bulletin(user: User, campaign: Campaign) -> bool:
    return user.has_perm("reporting.manage_bulletin", InCampaign(campaign.owner_unit, campaign))


def issues_for_user(user: User, campaign: Campaign) -> QuerySet[BriefIssue]:
    """Issues of a campaign the user may see (``get_campaign_for_user``): the issued ones,
    and the drafts too for the office."""
    qs = BriefIssue.objects.filter(campaign=campaign)
    if not can_manage_bulletin(user, campaign):
        qs = qs.filter(state=IssueState.ISSUED)
    return qs.order_by("-number")


def get_issue_for_user(user: User, campaign: Campaign, number: int) -> BriefIssue:
    """The issue, or 404 when it does not exist or is a draft the user may not read."""
    issue = issues_for_user(user, campaign).filter(number=number).first()
    if issue is None:
        raise Http404
    return issue


def latest_issued(campaign: Campaign) -> BriefIssue | None:
    return (
        BriefIssue.objects.filter(campaign=campaign, state=IssueState.ISSUED)
        .order_by("-number")
        .first()
    )


def _reviews() -> Prefetch:
    return Prefetch("reviews", queryset=BriefReview.objects.order_by("level"))


def adopted_text(brief: Brief, campaign: Campaign) -> tuple[str, str]:
    """The title and text of ``brief`` as adopted at ``campaign``'s office (its own edit,
    else what it received); the brief's own text where that office has no review of it.
    Reviews are prefetched: no query."""
    reviews = list(brief.reviews.all())
    here = next((r for r in reviews if r.campaign_id == campaign.pk), None)
    if here is None:
        return brief.title, brief.body
    return version_of(here, reviews)


def adoptable_briefs(campaign: Campaign) -> QuerySet[Brief]:
    """Briefs adopted at this campaign's office: its own, and those forwarded to it."""
    return (
        Brief.objects.filter(reviews__campaign=campaign, reviews__state=ReviewState.ADOPTED)
        .select_related("unit")
        .prefetch_related(_reviews())
        .order_by("-submitted_at", "-id")
    )


@dataclass(frozen=True)
class IssueItem:
    brief: Brief
    title: str
    body: str


def issue_items(issue: BriefIssue) -> list[IssueItem]:
    """The issue's items in order, each with the text adopted at the issue's level — as
    it was when the issue went out, once issued (three queries whatever the number)."""
    briefs = Brief.objects.select_related("unit").prefetch_related(_reviews())
    items = (
        BriefIssueItem.objects.filter(issue=issue)
        .prefetch_related(Prefetch("brief", queryset=briefs))
        .order_by("order", "id")
    )
    out = []
    for item in items:
        if issue.state == IssueState.ISSUED:
            title, body = item.title, item.body
        else:
            title, body = adopted_text(item.brief, issue.campaign)
        out.append(IssueItem(item.brief, title, body))
    return out


# ---------------------------------------------------------------- defaults


def next_number(campaign: Campaign) -> int:
    top = BriefIssue.objects.filter(campaign=campaign).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def default_masthead(campaign: Campaign) -> str:
    """ "<name>简报" for a campaign with a short name, else the generic "大讨论简报"."""
    name = campaign.name.strip()
    if name and len(name) <= 16:
        return f"{name}简报"
    return GENERIC_MASTHEAD


def default_editor(campaign: Campaign) -> str:
    """The office that edits it: the campaign's office unit, else the unit running it."""
    unit = campaign.office_unit or campaign.owner_unit
    return unit.name


def default_recipients(campaign: Campaign) -> str:
    """报 the parent campaign's unit, 送 the leading group, 发 the units taking part."""
    lines = []
    if campaign.parent_id:
        lines.append(f"报：{campaign.parent.owner_unit.name}")
    lines.append("送：" + _("members of the leading group"))
    lines.append("发：" + _("all units taking part"))
    return "\n".join(lines)


# ---------------------------------------------------------------- writing


def _authorise(actor: User, campaign: Campaign) -> None:
    if not can_manage_bulletin(actor, campaign):
        raise PermissionDenied


def _refuse_issued(issue: BriefIssue) -> None:
    if issue.state == IssueState.ISSUED:
        raise ValidationError(_("This issue has been issued and is no longer changed."))


def _check_fields(
    campaign: Campaign,
    *,
    masthead: str,
    editor: str,
    issued_on: dt.date | None,
    number: int,
    exclude: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if not masthead.strip():
        errors["masthead"] = _("Give the masthead.")
    if not editor.strip():
        errors["editor"] = _("Name who edits the issue.")
    if issued_on is None:
        errors["issued_on"] = _("Give the date of the issue.")
    if number < 1:
        errors["number"] = _("Issue numbers start at 1.")
    elif BriefIssue.objects.filter(campaign=campaign, number=number).exclude(pk=exclude).exists():
        errors["number"] = _("Issue %(number)d exists already.") % {"number": number}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def issue_create(
    *,
    actor: User,
    campaign: Campaign,
    masthead: str = "",
    editor: str = "",
    issued_on: dt.date | None = None,
    recipients: str | None = None,
    number: int | None = None,
) -> BriefIssue:
    """A new draft issue, numbered next for the campaign unless told; what is left empty
    takes the campaign's defaults."""
    _authorise(actor, campaign)
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one number at a time
    masthead = masthead.strip() or default_masthead(campaign)
    editor = editor.strip() or default_editor(campaign)
    issued_on = issued_on or clock.today()
    number = number or next_number(campaign)
    recipients = default_recipients(campaign) if recipients is None else recipients.strip()
    _check_fields(campaign, masthead=masthead, editor=editor, issued_on=issued_on, number=number)
    with audited(actor):
        return BriefIssue.objects.create(
            campaign=campaign,
            masthead=masthead[:60],
            number=number,
            editor=editor[:120],
            issued_on=issued_on,
            recipients=recipients,
            created_by=actor,
        )


@transaction.atomic
def issue_update(
    *,
    actor: User,
    issue: BriefIssue,
    masthead: str,
    editor: str,
    issued_on: dt.date | None,
    recipients: str,
    number: int,
) -> BriefIssue:
    """Change a draft issue's masthead, number, editor, date and distribution."""
    _authorise(actor, issue.campaign)
    Campaign.objects.select_for_update().filter(pk=issue.campaign_id).first()  # numbers
    issue = BriefIssue.objects.select_for_update().get(pk=issue.pk)
    _refuse_issued(issue)
    _check_fields(
        issue.campaign,
        masthead=masthead,
        editor=editor,
        issued_on=issued_on,
        number=number,
        exclude=issue.pk,
    )
    with audited(actor):
        issue.masthead = masthead.strip()[:60]
        issue.editor = editor.strip()[:120]
        issue.issued_on = issued_on
        issue.recipients = recipients.strip()
        issue.number = number
        issue.save()
    return issue


@transaction.atomic
def issue_set_items(*, actor: User, issue: BriefIssue, brief_ids: Sequence[int]) -> BriefIssue:
    """Make ``brief_ids`` the issue's items, in that order; each must be adopted at the
    issue's office."""
    _authorise(actor, issue.campaign)
    issue = BriefIssue.objects.select_for_update().select_related("campaign").get(pk=issue.pk)
    _refuse_issued(issue)
    wanted = list(dict.fromkeys(brief_ids))
    allowed = set(
        adoptable_briefs(issue.campaign).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if set(wanted) - allowed:
        raise ValidationError(
            _("Only briefs adopted by this office can go into its bulletin."), code="not_adopted"
        )
    with audited(actor):
        BriefIssueItem.objects.filter(issue=issue).delete()
        for order, pk in enumerate(wanted, 1):
            BriefIssueItem.objects.create(issue=issue, brief_id=pk, order=order)
    return issue


@transaction.atomic
def issue_publish(*, actor: User, issue: BriefIssue) -> BriefIssue:
    """Issue it: everyone taking part reads it from now on, and it is no longer changed."""
    _authorise(actor, issue.campaign)
    issue = BriefIssue.objects.select_for_update().get(pk=issue.pk)
    _refuse_issued(issue)
    if not BriefIssueItem.objects.filter(issue=issue).exists():
        raise ValidationError(_("Put at least one brief into the issue before issuing it."))
    with audited(actor):
        for printed in issue_items(issue):
            BriefIssueItem.objects.filter(issue=issue, brief=printed.brief).update(
                title=printed.title, body=printed.body
            )
        issue.state = IssueState.ISSUED
        issue.save(update_fields=["state"])
    return issue
