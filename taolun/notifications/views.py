"""The personal to-do page: what is waiting for the signed-in user."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise, lazy
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from taolun.activities.models import RecordStatus
from taolun.notifications.selectors import (
    TODO_KINDS,
    TODO_PAGE_SIZE,
    Todo,
    Waiting,
    remember_todo_count,
    todo_for,
    todo_kind_for_user,
)
from taolun.rectification.models import ProblemState

# A heading is translated text the page prints as it is (an apostrophe stays one).
_trusted = lazy(mark_safe, SafeString)

# Each kind's heading and the id its section is labelled by; opinions and briefs to review
# are one line per campaign, so they show no count of items.
HEADINGS: dict[str, tuple[str, Promise]] = {
    "to_review": ("review", _trusted(_("Records to review"))),
    "returned": ("returned", _trusted(_("Records returned to you"))),
    "to_approve": ("approve", _trusted(_("Self-selected actions to approve"))),
    "to_verify": ("verify", _trusted(_("Problems to verify"))),
    "extensions": ("extensions", _trusted(_("Extension requests to decide"))),
    "flagged": ("flagged", _trusted(_("Verified problems most members find unsatisfactory"))),
    "sent_back": ("sent-back", _trusted(_("Problems sent back or reopened to your units"))),
    "to_evaluate": ("evaluate", _trusted(_("Fixes waiting for your evaluation"))),
    "to_study": ("study", _trusted(_("Required study due"))),
    "to_check": ("check", _trusted(_("Comparison-and-check materials to write"))),
    "to_answer": ("answer", _trusted(_("Opinions waiting for an answer"))),
    "briefs_to_sign": ("brief-sign", _trusted(_("Briefs awaiting your sign-off"))),
    "briefs_to_review": ("brief-review", _trusted(_("Briefs awaiting your office's review"))),
    "briefs_returned": ("brief-returned", _trusted(_("Briefs returned to you"))),
}
PER_CAMPAIGN = frozenset({"to_answer", "briefs_to_review"})


@dataclass(frozen=True)
class Section:
    """One kind of item as the page shows it, with the links to its full list when cut."""

    kind: str
    anchor: str
    heading: Promise
    items: list
    waiting: Waiting
    per_campaign: bool
    elsewhere: list[tuple[str, str]] = field(default_factory=list)

    @property
    def testid(self) -> str:
        return self.kind.replace("_", "-")

    @property
    def all_url(self) -> str:
        return f"{reverse('notifications:todo')}?{urlencode({'all': self.kind})}"


def _elsewhere(kind: str, items: list) -> list[tuple[str, str]]:
    """Other lists that hold the same items, filtered to them (label, address): the records
    list by status, each shown campaign's ledger by state. Kinds without such a filter
    (flagged, sent back, extensions, evaluations…) are listed in full on this page only."""
    records = reverse("activities:list")
    if kind == "to_review":
        return [(gettext("Submitted records"), f"{records}?status={RecordStatus.SUBMITTED}")]
    if kind == "returned":
        return [(gettext("Returned records"), f"{records}?status={RecordStatus.RETURNED}")]
    if kind == "to_verify":
        campaigns = {p.campaign.slug: p.campaign.name for p in items}
        return [
            (
                gettext("Completed problems in the ledger of %(campaign)s") % {"campaign": name},
                f"{reverse('rectification:ledger', args=[slug])}?state={ProblemState.COMPLETED}",
            )
            for slug, name in sorted(campaigns.items(), key=lambda pair: pair[1])
        ]
    return []


def _sections(todo: Todo) -> list[Section]:
    sections = []
    for kind in TODO_KINDS:
        items = getattr(todo, kind)
        if not items:
            continue
        anchor, heading = HEADINGS[kind]
        waiting = todo.waiting.get(kind) or Waiting(shown=len(items), found=len(items))
        sections.append(
            Section(
                kind=kind,
                anchor=anchor,
                heading=heading,
                items=items,
                waiting=waiting,
                per_campaign=kind in PER_CAMPAIGN,
                elsewhere=_elsewhere(kind, items) if waiting.cut else [],
            )
        )
    return sections


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("all")
    if kind is not None:
        return _todo_all(request, kind)
    items = todo_for(request.user)
    remember_todo_count(request.user, items.total)
    # The lists were read far enough to count what waits as the header does (exactly up
    # to its "99+"), so the counter costs no further queries here.
    return render(
        request,
        "notifications/todo.html",
        {"todo": items, "sections": _sections(items), "todo_count": items.total},
    )


def _todo_all(request: HttpRequest, kind: str) -> HttpResponse:
    """One kind in full, a page at a time: the paginator slices the kind's queryset."""
    if kind not in HEADINGS:
        raise Http404("No such to-do list")
    page = Paginator(todo_kind_for_user(request.user, kind), TODO_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    anchor, heading = HEADINGS[kind]
    return render(
        request,
        "notifications/todo_all.html",
        {
            "kind": kind,
            "anchor": anchor,
            "heading": heading,
            "page_obj": page,
            "per_campaign": kind in PER_CAMPAIGN,
        },
    )
