"""Near-copy scans: who may ask for one, running it, and reading its groups.

A scan compares the stored signatures (``TextSignature``) of one campaign's texts written
under one unit, never the texts themselves: the texts are read only for the pairs whose
estimated similarity lies near the threshold, to decide them exactly, and for the one group
a page shows side by side. Only texts that have left their author's hands are compared
(``TextSource.handed_in``): the scan is kept and read by every office and supervisor over
that unit, so it holds what any of them may open, whoever asked for it.

Offices and supervisors read scans: the office finds the copies among what its units hand
in, the supervisors check for the box-ticking the campaign warns against. A role counts
over the campaign's tree (held above the campaign's owner it reaches the whole campaign),
as on the supervision pages.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from taolun.campaigns.models import Campaign
from taolun.core import clock
from taolun.core.audit import audited
from taolun.org.models import Unit, User
from taolun.org.roles import Role
from taolun.org.selectors import _collapse, scope_for, subtree_q
from taolun.textmine import copies, originals
from taolun.textmine.models import CopyMatch, CopyScan, ScanState, SearchEntry, TextSignature
from taolun.textmine.sources import TextSource, copy_sources

logger = logging.getLogger(__name__)

SCANNING_ROLES: tuple[str, ...] = (Role.OFFICE, Role.SUPERVISOR)
DEFAULT_THRESHOLD = 0.8
GROUPS_PER_PAGE = 20
PENDING_FOR = dt.timedelta(hours=1)
"""A queued or running scan younger than this is waited for rather than asked again; an
older one is taken for lost (its worker stopped) and a new request goes ahead."""

# ---------------------------------------------------------------- who reads scans


def scan_paths(user: User, campaign: Campaign) -> list[str]:
    """Topmost paths of the campaign's tree whose copies ``user`` may scan and read."""
    owner = campaign.owner_unit.path
    scope = scope_for(user)
    if scope.is_everything:
        return [owner]
    kept = []
    for path in scope.paths_for(SCANNING_ROLES):
        if path.startswith(owner):
            kept.append(path)
        elif owner.startswith(path):
            kept.append(owner)
    return list(_collapse(kept))


def may_scan(user: User, campaign: Campaign, unit: Unit) -> bool:
    return any(unit.path.startswith(p) for p in scan_paths(user, campaign))


def scan_units(user: User, campaign: Campaign) -> list[Unit]:
    """The units a user may pick on the copies page: the topmost ones they read and the
    children of those (deeper units are reached by their code), in tree order."""
    paths = scan_paths(user, campaign)
    if not paths:
        return []
    steplen = Unit.steplen
    near = Q()
    for path in paths:
        near |= Q(path__startswith=path, depth__lte=len(path) // steplen + 1)
    return list(Unit.objects.filter(near).order_by("path"))


def get_scan_unit_for_user(user: User, campaign: Campaign, slug: str | None) -> Unit:
    """The unit named by ``slug`` (the user's topmost one without it), or 404 outside what
    the user may scan in this campaign."""
    paths = scan_paths(user, campaign)
    if not paths:
        raise Http404
    if not slug:
        return Unit.objects.get(path=paths[0])
    unit = Unit.objects.filter(slug=slug).first()
    if unit is None or not any(unit.path.startswith(p) for p in paths):
        raise Http404
    return unit


def get_scan_for_user(user: User, campaign: Campaign, pk: int) -> CopyScan:
    """The scan, or 404: missing, of another campaign, or over a unit out of the user's reach."""
    scan = (
        CopyScan.objects.filter(pk=pk, campaign=campaign)
        .select_related("campaign__owner_unit", "unit", "requested_by")
        .first()
    )
    if scan is None or not may_scan(user, campaign, scan.unit):
        raise Http404
    return scan


# ---------------------------------------------------------------- asking for a scan


def pending_scan(campaign: Campaign, unit: Unit) -> CopyScan | None:
    """A scan of this unit still queued or running (and not given up for lost)."""
    return (
        CopyScan.objects.filter(
            campaign=campaign,
            unit=unit,
            state__in=[ScanState.QUEUED, ScanState.RUNNING],
            created_at__gte=clock.now() - PENDING_FOR,
        )
        .select_related("requested_by")
        .first()
    )


def start_scan(
    *,
    actor: User | None,
    campaign: Campaign,
    unit: Unit,
    threshold: float = DEFAULT_THRESHOLD,
    queue: bool = True,
) -> CopyScan:
    """Ask for a scan of ``campaign``'s texts under ``unit``; it runs as a task after commit.

    A scan of the same unit still pending is returned instead of queueing a second one.
    ``actor`` None is a command run by the site's administrator; ``queue`` False leaves the
    running to the caller (the command runs it in its own process)."""
    if actor is not None and not may_scan(actor, campaign, unit):
        raise PermissionDenied
    if not 0.0 < threshold <= 1.0:
        raise ValidationError(
            {"threshold": _("The similarity threshold must be above 0 and at most 1.")}
        )
    if not unit.path.startswith(campaign.owner_unit.path):
        raise ValidationError({"unit": _("This unit does not take part in this campaign.")})
    with transaction.atomic(), audited(actor):
        if queue:
            # One request at a time per campaign: a double click finds the first one queued.
            Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
            waiting = pending_scan(campaign, unit)
            if waiting is not None:
                return waiting
        scan = CopyScan.objects.create(
            campaign=campaign, unit=unit, threshold=threshold, requested_by=actor
        )
        if queue:
            from taolun.textmine.tasks import run_copy_scan

            transaction.on_commit(lambda: run_copy_scan.enqueue(scan.pk))
    return scan


# ---------------------------------------------------------------- running it


def _handed_in(source: TextSource, scan: CopyScan) -> QuerySet[TextSignature]:
    """Signed texts of one kind in the scan's campaign and subtree that left their authors'
    hands: one query, the kind's own rule applied in a subquery."""
    handed_in = source.model._default_manager.filter(source.handed_in()).values("pk")
    return TextSignature.objects.filter(
        subtree_q("unit", scan.unit.path, unit_index_first=True),
        campaign=scan.campaign_id,
        content_type=source.content_type(),
        signature__isnull=False,
        object_id__in=handed_in,
    )


@dataclass
class _Texts:
    """The texts of a scan, read from the search entries only when a pair needs them."""

    where: dict[int, tuple[int, int]] = field(default_factory=dict)
    cache: dict[int, str] = field(default_factory=dict)

    def __call__(self, pk: int) -> str:
        if pk not in self.cache:
            content_type_id, object_id = self.where[pk]
            text = (
                SearchEntry.objects.filter(content_type_id=content_type_id, object_id=object_id)
                .values_list("text", flat=True)
                .first()
            )
            self.cache[pk] = text or ""
        return self.cache[pk]


def _verifier(
    signatures: dict[int, bytes], texts: _Texts, threshold: float
) -> Callable[[int, int], float]:
    """Exact Jaccard for a pair whose estimate lies near the threshold; a pair estimated
    well above it keeps its estimate (the estimate errs by 0.025 there, and reading both
    texts of every copy in a province would cost the scan its speed)."""

    def verify(left: int, right: int) -> float:
        estimate = copies.estimated_similarity(signatures[left], signatures[right])
        if estimate >= threshold + copies.VERIFY_MARGIN:
            return estimate
        return copies.jaccard(texts(left), texts(right))

    return verify


def run_scan(scan: CopyScan) -> CopyScan:
    """Compare the scan's texts and store its groups; a failure is stored on the scan."""
    scan.state = ScanState.RUNNING
    scan.save(update_fields=["state"])
    try:
        rows: list[tuple[dt.datetime, int, bytes]] = []
        texts = _Texts()
        for source in copy_sources():
            for pk, signature, written_at, ct, oid in _handed_in(source, scan).values_list(
                "pk", "signature", "written_at", "content_type_id", "object_id"
            ):
                rows.append((written_at, pk, bytes(signature)))
                texts.where[pk] = (ct, oid)
        rows.sort()  # oldest first: each group's first member wrote first
        signatures = {pk: signature for _written, pk, signature in rows}
        groups = copies.find_groups(
            ((pk, signature) for _written, pk, signature in rows),
            threshold=scan.threshold,
            verify=_verifier(signatures, texts, scan.threshold),
        )
        matches = []
        for number, group in enumerate(groups, start=1):
            first = group.members[0]
            paired = {}
            for left, right, similarity in group.pairs:
                if first in (left, right):
                    paired[right if left == first else left] = similarity
            matches.append(
                CopyMatch(scan=scan, group=number, text_id=first, first=True, similarity=1.0)
            )
            for member in group.members[1:]:
                similarity = paired.get(member)
                if similarity is None:
                    similarity = copies.estimated_similarity(signatures[first], signatures[member])
                matches.append(
                    CopyMatch(scan=scan, group=number, text_id=member, similarity=similarity)
                )
        with transaction.atomic():
            CopyMatch.objects.filter(scan=scan).delete()
            CopyMatch.objects.bulk_create(matches, batch_size=1000)
            scan.texts = len(rows)
            scan.groups = len(groups)
            scan.state = ScanState.DONE
            scan.error = ""
            scan.finished_at = clock.now()
            scan.save(update_fields=["texts", "groups", "state", "error", "finished_at"])
    except Exception as exc:  # a scan that fails says so on the page; the worker goes on
        logger.exception("copy scan %s failed", scan.pk)
        scan.state = ScanState.FAILED
        scan.error = f"{type(exc).__name__}: {exc}"
        scan.finished_at = clock.now()
        scan.save(update_fields=["state", "error", "finished_at"])
    return scan


# ---------------------------------------------------------------- reading it


def latest_scan(campaign: Campaign, unit: Unit) -> CopyScan | None:
    """The last scan of ``unit`` that finished (done or failed)."""
    return (
        CopyScan.objects.filter(
            campaign=campaign, unit=unit, state__in=[ScanState.DONE, ScanState.FAILED]
        )
        .select_related("requested_by")
        .order_by("-finished_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Member:
    """One text of a group as a page shows it."""

    match_id: int
    text_id: int
    content_type_id: int
    object_id: int
    source: str  # the model's label, "study.Reflection"
    kind: str  # its name, in the reader's language
    title: str
    unit: str
    author: str
    written_at: dt.datetime
    chars: int
    similarity: float
    first: bool

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)


@dataclass(frozen=True)
class GroupView:
    number: int
    members: list[Member]

    @property
    def first(self) -> Member | None:
        return next((m for m in self.members if m.first), None)

    @property
    def units(self) -> int:
        return len({m.unit for m in self.members if m.unit})


def _members(matches: QuerySet[CopyMatch]) -> dict[int, list[Member]]:
    """Members per group in one query (texts, units, authors, kinds and titles joined)."""
    titles = SearchEntry.objects.filter(
        content_type=OuterRef("text__content_type"), object_id=OuterRef("text__object_id")
    ).values("title")[:1]
    rows = matches.select_related("text__content_type", "text__unit", "text__author").annotate(
        title=Subquery(titles)
    )
    # Anonymous opinions are never compared (``sources``): every text here has a name.
    unknown = _("unknown")
    groups: dict[int, list[Member]] = {}
    for match in rows:
        text = match.text
        model = text.content_type.model_class()
        groups.setdefault(match.group, []).append(
            Member(
                match_id=match.pk,
                text_id=text.pk,
                content_type_id=text.content_type_id,
                object_id=text.object_id,
                source=model._meta.label,
                kind=str(model._meta.verbose_name),
                title=match.title or "",
                unit="" if text.unit is None else text.unit.display_name,
                author=str(text.author) if text.author else unknown,
                written_at=text.written_at,
                chars=text.chars,
                similarity=match.similarity,
                first=match.first,
            )
        )
    return groups


@dataclass(frozen=True)
class GroupPage:
    page: Page
    groups: list[GroupView]


def scan_groups(scan: CopyScan, page: int | str | None = 1) -> GroupPage:
    """One page of the scan's groups, most similar first, each with its members (one query
    for the members, whatever the page holds)."""
    paginated = Paginator(range(1, scan.groups + 1), GROUPS_PER_PAGE).get_page(page)
    numbers = list(paginated.object_list)
    if not numbers:
        return GroupPage(paginated, [])
    members = _members(
        CopyMatch.objects.filter(scan=scan, group__gte=numbers[0], group__lte=numbers[-1])
    )
    groups = [GroupView(n, members[n]) for n in numbers if len(members.get(n, [])) > 1]
    return GroupPage(paginated, groups)


def scan_group(scan: CopyScan, number: int) -> GroupView:
    """One group of the scan, or 404 (no such group, or its texts deleted since)."""
    members = _members(CopyMatch.objects.filter(scan=scan, group=number)).get(number, [])
    if len(members) < 2:
        raise Http404
    return GroupView(number, members)


# ---------------------------------------------------------------- one group side by side

GROUP_TEXTS_SHOWN = 12
"""Texts of one group shown side by side; a bigger group (a template copied by dozens)
shows its first texts, and the table on the scan's page lists them all."""


Run = tuple[str, bool]
"""A piece of a text and whether it is shared with the group's first text."""


def _runs(text: str, spans: list[tuple[int, int]]) -> list[list[Run]]:
    """``text`` cut into paragraphs (at line breaks) of runs, the ``spans`` (which may
    overlap) marked; blank paragraphs dropped."""
    marked = [False] * len(text)
    for start, end in spans:
        marked[start:end] = [True] * (end - start)
    paragraphs: list[list[Run]] = [[]]
    piece: list[str] = []
    state = False

    def flush() -> None:
        if piece:
            paragraphs[-1].append(("".join(piece), state))
            piece.clear()

    for char, mark in zip(text, marked, strict=True):
        if char == "\n":
            flush()
            paragraphs.append([])
            continue
        if mark != state:
            flush()
            state = mark
        piece.append(char)
    flush()
    return [p for p in paragraphs if any(run.strip() for run, _marked in p)]


@dataclass(frozen=True)
class SideText:
    member: Member
    paragraphs: list[list[Run]]
    url: str | None
    shared_chars: int


def group_texts(user: User, scan: CopyScan, group: GroupView) -> list[SideText]:
    """The group's texts (the first, then the others), each marked where it shares a
    passage with the first; links where ``user`` may open the original. Queries: one for
    the texts, one per kind present for the links."""
    members = group.members[:GROUP_TEXTS_SHOWN]
    by_type: dict[int, list[int]] = {}
    for member in members:
        by_type.setdefault(member.content_type_id, []).append(member.object_id)
    wanted = Q(pk__in=[])
    for content_type_id, ids in by_type.items():
        wanted |= Q(content_type_id=content_type_id, object_id__in=ids)
    texts = {
        (ct, oid): text
        for ct, oid, text in SearchEntry.objects.filter(wanted).values_list(
            "content_type_id", "object_id", "text"
        )
    }
    links: dict[tuple[int, int], str] = {}
    for content_type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        label = model._meta.label
        for pk, url in originals.urls(label, ids, originals.readable(label, user)).items():
            links[(content_type_id, pk)] = url

    first = next((m for m in members if m.first), members[0])
    first_text = texts.get((first.content_type_id, first.object_id), "")
    first_spans: list[tuple[int, int]] = []
    others = []
    for member in members:
        if member is first:
            continue
        text = texts.get((member.content_type_id, member.object_id), "")
        passages = copies.shared_passages(first_text, text)
        first_spans += [(a, b) for a, b, _c, _d in passages]
        spans = [(c, d) for _a, _b, c, d in passages]
        others.append((member, text, spans))

    def side(member: Member, text: str, spans: list[tuple[int, int]]) -> SideText:
        return SideText(
            member=member,
            paragraphs=_runs(text, spans),
            url=links.get((member.content_type_id, member.object_id)),
            shared_chars=sum(end - start for start, end in _merged(spans)),
        )

    return [side(first, first_text, first_spans)] + [side(*other) for other in others]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
