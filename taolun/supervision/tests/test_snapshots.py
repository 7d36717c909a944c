"""Snapshots of big subtrees' rollups: when they are used, refreshed, shown, and who
refreshes them."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import localdate
from django_tasks.signals import task_enqueued

from taolun.campaigns.models import ActionStatus, RecordState
from taolun.campaigns.tests.factories import make_campaign
from taolun.core import clock
from taolun.org.models import Unit
from taolun.org.tests.factories import make_unit
from taolun.supervision.models import RollupSnapshot
from taolun.supervision.rollups import level_rollups, rollup
from taolun.supervision.snapshots import (
    dashboard_rollup,
    figures_from_json,
    figures_to_json,
    level_figures,
)
from taolun.supervision.tests.test_rollups import build_tree, scatter

TODAY = dt.date(2019, 4, 1)


@pytest.fixture
def today(travel):
    return travel(TODAY)


@pytest.fixture
def big(settings):
    """Subtrees of three units or more are big: the root (4 units) and the organ (3)."""
    settings.TAOLUN_ROLLUP_SNAPSHOT_UNITS = 3
    settings.TAOLUN_ROLLUP_SNAPSHOT_SECONDS = 600


def url(name: str, *args) -> str:
    return reverse(f"supervision:{name}", args=args)


def _finish_branch1(org) -> None:
    ActionStatus.objects.filter(unit=org.branch1).update(
        record_state=RecordState.ACCEPTED, completed_on=dt.date(2019, 3, 1)
    )


def _completed(org) -> int:
    return dashboard_rollup(org.campaign, org.root, TODAY).total.actions.completed


def _age(seconds: int) -> None:
    """Make every snapshot ``seconds`` older (the row and the figures' own time)."""
    for snapshot in RollupSnapshot.objects.all():
        then = snapshot.computed_at - dt.timedelta(seconds=seconds)
        snapshot.data["computed_at"] = then.isoformat()
        snapshot.computed_at = then
        snapshot.save()


# ---------------------------------------------------------------- serialising


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_survive_the_round_trip(seed: int) -> None:
    units = build_tree([2, 2], prefix=f"r{seed}")
    campaign = make_campaign(units[0], f"rt{seed}")
    scatter(campaign, units, random.Random(seed), per_unit=3)
    root = Unit.objects.get(pk=units[0].pk)
    result = rollup(campaign, root, TODAY)
    everything = [result.total, result.own, *result.children]
    everything += level_rollups(campaign, root, 2, TODAY)
    assert any(f.findings_deduction for f in everything)
    assert any(f.self_selected.by_stage or f.prescribed.by_stage for f in everything)
    for figures in everything:
        again = figures_from_json(figures_to_json(figures), figures.unit)
        assert again == figures
        assert again.completion_rate == figures.completion_rate
        assert again.participation_per_member == figures.participation_per_member


@pytest.mark.django_db
def test_snapshot_equals_the_live_rollup(org, big, today) -> None:
    _finish_branch1(org)
    live = rollup(org.campaign, org.root, TODAY)
    stored = dashboard_rollup(org.campaign, org.root, TODAY)
    assert stored.as_of is not None
    assert (stored.total, stored.own, stored.children) == (live.total, live.own, live.children)
    level = level_figures(org.campaign, org.root, 2, TODAY)
    assert level.as_of is not None
    assert level.units == level_rollups(org.campaign, org.root, 2, TODAY)


# ---------------------------------------------------------------- when they are used


@pytest.mark.django_db
def test_missing_snapshot_is_computed_and_then_used(
    org, big, today, django_capture_on_commit_callbacks
) -> None:
    assert _completed(org) == 0
    snapshot = RollupSnapshot.objects.get(unit=org.root, depth=1)
    assert snapshot.day == TODAY
    assert snapshot.units_below == 3
    _finish_branch1(org)
    # A write after the snapshot is not seen while it is fresh ...
    assert _completed(org) == 0
    # ... and is once it is older than the TTL: served stale once, refreshed meanwhile.
    _age(601)
    with django_capture_on_commit_callbacks(execute=True):
        assert _completed(org) == 0
    assert _completed(org) == 4


@pytest.mark.django_db
def test_small_subtree_is_live(org, settings, today) -> None:
    settings.TAOLUN_ROLLUP_SNAPSHOT_UNITS = 5
    assert dashboard_rollup(org.campaign, org.root, TODAY).as_of is None
    _finish_branch1(org)
    assert _completed(org) == 4
    assert level_figures(org.campaign, org.root, 2, TODAY).as_of is None
    assert not RollupSnapshot.objects.exists()


@pytest.mark.django_db
def test_stale_snapshot_is_served_and_refreshed_once(
    org, big, today, django_capture_on_commit_callbacks
) -> None:
    dashboard_rollup(org.campaign, org.root, TODAY)
    _finish_branch1(org)
    _age(601)
    queued = []

    def seen(sender, task_result, **kwargs) -> None:
        queued.append(task_result.kwargs)

    task_enqueued.connect(seen)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            # Three pages read it before the worker runs: the stale figures, one task.
            for _i in range(3):
                assert _completed(org) == 0
        assert len(callbacks) == 1
        callbacks[0]()
    finally:
        task_enqueued.disconnect(seen)
    root = org.root
    assert queued == [{"campaign_id": org.campaign.pk, "unit_id": root.pk, "depth": 1}]
    assert _completed(org) == 4


@pytest.mark.django_db
def test_snapshot_of_yesterday_is_refreshed_once(
    org, big, travel, django_capture_on_commit_callbacks
) -> None:
    travel(TODAY)
    dashboard_rollup(org.campaign, org.root, TODAY)
    travel(TODAY + dt.timedelta(days=1))
    tomorrow = TODAY + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stale = dashboard_rollup(org.campaign, org.root, tomorrow)
        dashboard_rollup(org.campaign, org.root, tomorrow)
    assert len(callbacks) == 1
    assert localdate(stale.as_of.computed_at) == TODAY
    assert RollupSnapshot.objects.get(unit=org.root, depth=1).day == tomorrow


# ---------------------------------------------------------------- pages


@pytest.mark.django_db
def test_pages_state_the_time_of_the_figures(client, org, big, today) -> None:
    client.force_login(org.office)
    for path in (
        url("dashboard", "camp"),
        url("lagging", "camp") + "?depth=2",
        url("scores", "camp") + "?depth=2",
    ):
        html = client.get(path).content.decode()
        assert 'data-testid="as-of"' in html, path
        assert "Figures as of" in html and "refreshed every 10 minutes" in html
        assert url("refresh", "camp") in html and "Refresh now" in html
    # A unit's contact reads a small subtree: live figures, no time stated.
    client.force_login(org.contact1)
    html = client.get(url("dashboard", "camp")).content.decode()
    assert 'data-testid="as-of"' not in html


@pytest.mark.django_db
def test_refresh_now_recomputes_at_once(client, org, big, today) -> None:
    client.force_login(org.supervisor)
    page = url("dashboard", "camp")
    client.get(page)
    _finish_branch1(org)
    cells = ActionStatus.objects.filter(unit__path__startswith=org.organ.path).count()
    row = client.get(page).content.decode().split('data-unit="organ"')[1].split("</tr>")[0]
    assert f">0 / {cells}<" in row
    response = client.post(url("refresh", "camp"), {"unit": "root", "depth": 1, "next": page})
    assert response.status_code == 302 and response["Location"] == page
    html = client.get(page).content.decode()
    row = html.split('data-unit="organ"')[1].split("</tr>")[0]
    assert f">4 / {cells}<" in row
    assert "The figures were recomputed just now." in html


@pytest.mark.django_db
def test_refresh_now_refuses_bad_input_and_foreign_redirects(client, org, big, today) -> None:
    client.force_login(org.office)
    response = client.post(url("refresh", "camp"), {"unit": "root", "depth": 9})
    assert response.status_code == 302
    assert response["Location"] == url("dashboard_unit", "camp", "root")
    assert not RollupSnapshot.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "There is no level 9 below this unit." in html
    response = client.post(
        url("refresh", "camp"), {"unit": "root", "depth": 1, "next": "https://evil.example/"}
    )
    assert response["Location"] == url("dashboard_unit", "camp", "root")
    assert RollupSnapshot.objects.filter(unit=org.root, depth=1).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"), [("member1", 404), ("outsider", 404), ("contact1", 403)]
)
def test_refresh_now_is_for_office_leaders_and_supervisors(client, org, big, who, status) -> None:
    client.force_login(getattr(org, who))
    response = client.post(url("refresh", "camp"), {"unit": "branch1", "depth": 1})
    assert response.status_code == status
    assert client.get(url("refresh", "camp")).status_code in (404, 405)
    assert not RollupSnapshot.objects.exists()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_query_counts_from_a_snapshot_do_not_grow_with_units(client, org, big, today) -> None:
    client.force_login(org.office)
    pages = [
        url("dashboard_unit", "camp", "organ"),
        url("lagging", "camp") + "?depth=2",
        url("scores", "camp") + "?depth=2",
    ]
    for page in pages:
        client.get(page)  # computes the snapshots
    before = [_queries(client, p) for p in pages]
    for i in range(18):
        make_unit(f"支部{i}", f"extra{i}", org.organ)
    after = [_queries(client, p) for p in pages]
    assert after == before
    # Read from the snapshot: fewer queries than the live rollup's.
    assert before[0] <= 16
    for page in (pages[0], pages[2]):
        assert client.get(page).content.decode().count('data-unit="extra') == 18


# ---------------------------------------------------------------- the command


@pytest.mark.django_db
def test_refresh_rollups_recomputes_every_big_subtree(org, big, today, settings) -> None:
    other = make_campaign(org.branch2, "other")
    level_figures(org.campaign, org.root, 2, TODAY)
    RollupSnapshot.objects.create(
        campaign=other,
        unit=org.branch2,
        depth=1,
        day=TODAY,
        computed_at=clock.now(),
        units_below=0,
        data={},
    )
    _finish_branch1(org)
    out = io.StringIO()
    call_command("refresh_rollups", stdout=out)
    assert "camp: 3 snapshots" in out.getvalue()
    stored = set(RollupSnapshot.objects.values_list("campaign__slug", "unit__slug", "depth"))
    # The root and the organ are big; the level someone read is kept fresh; the branch
    # alone is small, so its snapshot goes.
    assert stored == {("camp", "root", 1), ("camp", "root", 2), ("camp", "organ", 1)}
    assert _completed(org) == 4
    with pytest.raises(Exception, match="No campaign"):
        call_command("refresh_rollups", campaign="nowhere")
