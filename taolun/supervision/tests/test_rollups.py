"""Rollups against a brute-force recount over the rows, on random trees (hypothesis)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taolun.campaigns.models import ActionKind, ActionStatus, CellStatus, RecordState
from taolun.campaigns.tests.factories import make_campaign
from taolun.discussion.models import Opinion, Topic
from taolun.org.models import Unit, User
from taolun.org.tests.factories import UserFactory, make_unit
from taolun.rectification.models import LIVE, Problem, ProblemState
from taolun.reporting.models import Brief, BriefReview, ReviewState
from taolun.study.models import Reflection, StudyLog
from taolun.supervision.models import Finding, FindingKind, Inspection
from taolun.supervision.rollups import (
    child_rollups,
    level_rollups,
    rollup,
    unit_figures,
)

TODAY = dt.date(2019, 4, 1)
D0 = dt.date(2019, 3, 1)


def build_tree(fanouts: list[int], prefix: str = "u") -> list[Unit]:
    """A root and, level by level, ``fanouts[i]`` children under each unit of level i
    (the last unit of a level has one child fewer, so fan-out varies)."""
    root = make_unit("根", f"{prefix}0", kind="organisation")
    units, level, n = [root], [root], 1
    for fan in fanouts:
        nxt = []
        for i, parent in enumerate(level):
            for _j in range(fan - (1 if i == len(level) - 1 and fan > 1 else 0)):
                nxt.append(make_unit(f"单位{n}", f"{prefix}{n}", parent))
                n += 1
        level = nxt
        units += nxt
    for unit in units:
        unit.refresh_from_db()
    return units


def scatter(campaign, units: list[Unit], rng: random.Random, per_unit: int = 2) -> None:
    """Random statuses, problems, briefs, study logs, reflections, opinions, findings."""
    author = UserFactory(username=f"writer-{campaign.slug}", unit=units[0])
    rows = list(ActionStatus.objects.filter(campaign=campaign))
    for row in rows:
        row.record_state = rng.choice(list(RecordState.values))
        row.completed_on = (
            D0 + dt.timedelta(days=rng.randint(0, 60))
            if row.record_state == RecordState.ACCEPTED
            else None
        )
        row.due_on = rng.choice([None, D0 + dt.timedelta(days=rng.randint(0, 60))])
    ActionStatus.objects.bulk_update(rows, ["record_state", "completed_on", "due_on"])
    topic = Topic.objects.create(
        campaign=campaign,
        unit=units[0],
        question="问",
        opens_on=D0,
        closes_on=TODAY,
        created_by=author,
    )
    inspection = Inspection.objects.create(
        campaign=campaign, unit=units[0], visited_on=D0, checked="台账", recorded_by=author
    )
    # Offices above review briefs at levels 2 and 3; campaigns without actions.
    reviewers = [campaign] + [
        make_campaign(units[0], f"{campaign.slug}-up{i}", stages=0) for i in (2, 3)
    ]
    finding_no = 0
    for unit in units:
        for _i in range(rng.randint(0, per_unit)):
            UserFactory(unit=unit)
        for i in range(rng.randint(0, per_unit)):
            state = rng.choice(list(ProblemState.values))
            deadline = D0 + dt.timedelta(days=rng.randint(0, 60))
            Problem.objects.create(
                campaign=campaign,
                ledger_number=f"{unit.slug}-{i}",
                description="问题",
                unit=unit,
                created_by=author,
                state=state,
                deadline=deadline,
                completed_on=(
                    D0 + dt.timedelta(days=rng.randint(0, 60))
                    if state in (ProblemState.COMPLETED, ProblemState.VERIFIED)
                    else None
                ),
            )
        for _i in range(rng.randint(0, per_unit)):
            brief = Brief.objects.create(
                campaign=campaign, unit=unit, title="简报", body="x", author=author, phone="1"
            )
            for level in range(1, rng.randint(1, 3) + 1):
                BriefReview.objects.create(
                    brief=brief,
                    campaign=reviewers[level - 1],
                    level=level,
                    state=rng.choice(list(ReviewState.values)),
                    sent_by=author,
                    received_at=dt.datetime(2019, 3, 2, tzinfo=dt.UTC),
                )
        for _i in range(rng.randint(0, per_unit)):
            StudyLog.objects.create(
                campaign=campaign,
                person=author,
                unit=unit,
                other_title="书",
                studied_on=D0,
                minutes=30,
            )
        for _i in range(rng.randint(0, per_unit)):
            Reflection.objects.create(
                campaign=campaign,
                author=author,
                unit=unit,
                title="心得",
                body="x",
                submitted_at=rng.choice([None, dt.datetime(2019, 3, 2, tzinfo=dt.UTC)]),
            )
        for _i in range(rng.randint(0, per_unit)):
            Opinion.objects.create(topic=topic, author=author, unit=unit, body="意见")
        for _i in range(rng.randint(0, per_unit)):
            finding_no += 1
            Finding.objects.create(
                inspection=inspection,
                number=finding_no,
                kind=rng.choice(list(FindingKind.values)),
                text="发现",
                unit=unit,
                deduction=rng.choice([None, Decimal("1.5"), Decimal(3)]),
            )


def recount(campaign, within: str) -> dict:
    """The figures of the subtree at ``within``, counted row by row in Python."""

    def under(unit_id: int) -> bool:
        return paths[unit_id].startswith(within)

    paths = dict(Unit.objects.values_list("id", "path"))
    out: dict = {"cells": {}, "findings": 0, "findings_default": 0, "deduction": Decimal(0)}
    for row in ActionStatus.objects.filter(campaign=campaign).select_related("action", "stage"):
        if under(row.unit_id):
            key = (row.action.kind, row.stage.number, row.status(TODAY))
            out["cells"][key] = out["cells"].get(key, 0) + 1
    problems = [
        p
        for p in Problem.objects.filter(campaign=campaign).exclude(state=ProblemState.DRAFT)
        if under(p.unit_id)
    ]
    out["problems_total"] = len(problems)
    out["problems_open"] = sum(p.state in LIVE for p in problems)
    out["problems_overdue"] = sum(p.state in LIVE and p.light(TODAY) == "red" for p in problems)
    verified = [p for p in problems if p.state == ProblemState.VERIFIED]
    out["problems_verified"] = len(verified)
    out["problems_verified_on_time"] = sum(
        not (p.completed_on and p.deadline and p.completed_on > p.deadline) for p in verified
    )
    out["problems_carried_over"] = sum(p.state == ProblemState.CARRIED_OVER for p in problems)
    here = above = 0
    for brief in Brief.objects.filter(campaign=campaign).prefetch_related("reviews"):
        if not under(brief.unit_id):
            continue
        adopted = [r.level for r in brief.reviews.all() if r.state == ReviewState.ADOPTED]
        here += 1 in adopted
        above += any(level >= 2 for level in adopted)
    out["briefs_adopted_here"], out["briefs_adopted_above"] = here, above
    out["study_logs"] = sum(under(u) for u in StudyLog.objects.values_list("unit_id", flat=True))
    out["reflections"] = sum(
        under(r.unit_id) for r in Reflection.objects.all() if r.submitted_at is not None
    )
    out["opinions"] = sum(under(u) for u in Opinion.objects.values_list("unit_id", flat=True))
    out["members"] = sum(
        u is not None and under(u) for u in User.objects.values_list("unit_id", flat=True)
    )
    for finding in Finding.objects.all():
        if finding.kind == FindingKind.PROBLEM and under(finding.unit_id):
            out["findings"] += 1
            if finding.deduction is None:
                out["findings_default"] += 1
            else:
                out["deduction"] += finding.deduction
    return out


def as_dict(figures) -> dict:
    cells = {}
    for kind in (ActionKind.PRESCRIBED, ActionKind.SELF_SELECTED):
        for stage, counts in figures.kind(kind).by_stage.items():
            for status, n in counts.counts.items():
                if n:
                    cells[(kind.value, stage, status)] = n
    out = {
        name: getattr(figures, name)
        for name in (
            "problems_total",
            "problems_open",
            "problems_overdue",
            "problems_verified",
            "problems_verified_on_time",
            "problems_carried_over",
            "briefs_adopted_here",
            "briefs_adopted_above",
            "study_logs",
            "reflections",
            "opinions",
            "members",
            "findings",
            "findings_default",
        )
    }
    out["cells"] = cells
    out["deduction"] = figures.findings_deduction
    return out


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fanouts=st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=3),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_rollups_match_a_recount(fanouts: list[int], seed: int) -> None:
    try:
        with transaction.atomic():
            units = build_tree(fanouts)
            campaign = make_campaign(units[0], "rand")
            scatter(campaign, units, random.Random(seed))
            for unit in units:
                unit.refresh_from_db()
            for unit in units:
                result = rollup(campaign, unit, TODAY)
                assert as_dict(result.total) == recount(campaign, unit.path)
                assert as_dict(unit_figures(campaign, unit, TODAY)) == recount(campaign, unit.path)
                children = child_rollups(campaign, unit, TODAY)
                assert [c.unit for c in children] == list(
                    Unit.objects.get_children(unit).order_by("path")
                )
                for child in children:
                    assert as_dict(child) == recount(campaign, child.unit.path)
            root = units[0]
            for depth in range(1, len(fanouts) + 1):
                level = level_rollups(campaign, root, depth, TODAY)
                assert [f.unit.depth for f in level] == [root.depth + depth] * len(level)
                for figures in level:
                    assert as_dict(figures) == recount(campaign, figures.unit.path)
            raise _Rollback
    except _Rollback:
        pass


def test_rates_are_none_when_nothing_is_counted() -> None:
    from taolun.supervision.rollups import UnitFigures

    empty = UnitFigures()
    assert empty.completion_rate is None
    assert empty.timeliness is None
    assert empty.rectification_rate is None
    assert empty.participation_per_member is None


@pytest.mark.django_db
def test_child_campaigns_count_with_stages_matched_by_number() -> None:
    units = build_tree([2, 1], prefix="c")
    parent = make_campaign(units[0], "prov")
    child = make_campaign(units[1], "fed", parent=parent)
    ActionStatus.objects.filter(campaign=child).update(record_state=RecordState.ACCEPTED)
    units[0].refresh_from_db()
    figures = unit_figures(parent, units[0], TODAY)
    child_rows = ActionStatus.objects.filter(campaign=child).count()
    assert child_rows > 0
    assert (
        figures.prescribed.stage(1).of(CellStatus.DONE)
        + figures.prescribed.stage(1).of(CellStatus.DONE_LATE)
        >= ActionStatus.objects.filter(campaign=child, stage__number=1).count()
    )
    assert (
        figures.actions.total == ActionStatus.objects.filter(campaign__in=[parent, child]).count()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fanout", [2, 20])
def test_query_count_does_not_grow_with_units(fanout: int) -> None:
    units = build_tree([fanout, 1], prefix=f"q{fanout}")
    campaign = make_campaign(units[0], f"q{fanout}")
    scatter(campaign, units, random.Random(1))
    root = Unit.objects.get(pk=units[0].pk)
    with CaptureQueriesContext(connection) as captured:
        rollup(campaign, root, TODAY)
        level_rollups(campaign, root, 2, TODAY)
    # The family of campaigns (1, kept), then per call the counts (one statement) and
    # the units listed.
    assert len(captured) == 1 + 2 + 2


@pytest.mark.django_db
def test_cells_left_in_the_parent_by_a_child_campaign_count_once() -> None:
    units = build_tree([2, 1], prefix="h")
    parent = make_campaign(units[0], "hprov")
    federation = units[1]
    under = {"unit__path__startswith": federation.path}
    # The federation's units worked in the province's campaign before their own began.
    ActionStatus.objects.filter(campaign=parent, **under).update(
        record_state=RecordState.ACCEPTED, completed_on=D0
    )
    left = ActionStatus.objects.filter(campaign=parent, **under).count()
    child = make_campaign(federation, "hfed", parent=parent)
    assert ActionStatus.objects.filter(campaign=parent, **under).count() == left > 0
    own = ActionStatus.objects.filter(campaign=child).count()
    assert own > 0
    elsewhere = ActionStatus.objects.filter(campaign=parent).exclude(**under).count()
    root = Unit.objects.get(pk=units[0].pk)
    assert unit_figures(parent, root, TODAY).actions.total == elsewhere + own
    federation.refresh_from_db()
    assert rollup(parent, federation, TODAY).total.actions.total == own
    by_child = {f.unit.pk: f.actions.total for f in child_rollups(parent, root, TODAY)}
    assert by_child[federation.pk] == own
