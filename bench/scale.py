"""Benchmark: supervision dashboards on a province of 100,000 units, on PostgreSQL.

    make bench-scale                                   # starts PostgreSQL, generates, measures
    make bench-scale BENCH_ARGS="--units 20000"        # while iterating
    make bench-scale BENCH_ARGS="--explain"            # EXPLAIN ANALYZE of our slowest queries

Needs DATABASE_URL pointing at a PostgreSQL database of its own (``make bench-scale``
starts the loopback cluster and uses ``taolun_bench``). Generates, once, the province
(``gen_province --units 100000 --seed 1 --problems 200000``: 1,000,000 status rows) and a
small one (3,000 units) to compare query counts; later runs reuse them (``--fresh``
regenerates). Then measures, side by side, medians of warm repeated runs:

1. the root dashboard's data, the rollup of each direct child
   (``supervision.rollups.child_rollups``), against ONE hand-written SQL query computing
   the same numbers (actions, problems, adopted briefs, participation, members,
   findings), and our counting statement alone against it (what is left is Python);
2. the root dashboard page and a township's, through Django's test client, logged in as
   the province's office;
3. the query count of both pages on the big and the small province (they must be equal).

Targets (issue 6): data ≤ 1.5× the hand-written query; root page < 300 ms median;
township page < 100 ms median; query counts independent of the number of units.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2019, 5, 20)
BIG_SEED, SMALL_SEED, SMALL_UNITS = 1, 2, 3_000


def setup_django() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench-scale: set DATABASE_URL to a PostgreSQL database (make bench-scale does)")
    os.environ.setdefault("DEBUG", "1")
    os.environ["TAOLUN_TODAY"] = TODAY.isoformat()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taolun.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Not setup_test_environment(): it instruments every template render so that the test
    # client can keep a copy of each context, which costs a dashboard page of 75 rows tens of
    # milliseconds that no real request pays. The client needs only its host allowed.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm: caches, plans, the buffer pool
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def ensure_province(seed: int, units: int, problems: int | None, fresh: bool):
    from django.core.management import call_command

    from taolun.campaigns.models import ActionStatus, Campaign
    from taolun.org.models import Unit, User

    prefix = f"gp{seed}"
    root = Unit.objects.filter(slug=prefix).first()
    if root is not None and fresh:
        Campaign.objects.filter(owner_unit=root).delete()
        User.objects.filter(username__startswith=f"{prefix}-").delete()
        Unit.objects.filter(path__startswith=root.path).delete()
        root = None
    if root is None:
        started = time.monotonic()
        args = ["gen_province", f"--units={units}", f"--seed={seed}"]
        if problems is not None:
            args.append(f"--problems={problems}")
        call_command(*args)
        print(f"generated {prefix} in {time.monotonic() - started:.0f} s", file=sys.stderr)
        root = Unit.objects.get(slug=prefix)
    elif Unit.objects.filter(path__startswith=root.path).count() != units:
        sys.exit(f"{prefix} exists with another size: rerun with --fresh")
    campaign = Campaign.objects.get(slug=f"{prefix}-2019")
    rows = ActionStatus.objects.filter(campaign=campaign).count()
    return root, campaign, rows


# ---------------------------------------------------------------- the hand-written query

_CELL = """CASE
    WHEN s.record_state = 'accepted' AND s.due_on IS NOT NULL AND s.completed_on > s.due_on
        THEN 'done_late'
    WHEN s.record_state = 'accepted' THEN 'done'
    WHEN s.due_on < %(today)s THEN 'overdue'
    WHEN s.record_state = 'submitted' THEN 'awaiting_review'
    WHEN s.record_state = 'working' THEN 'in_progress'
    ELSE 'not_started' END"""

HAND_ACTIONS = f"""
SELECT 'actions' AS part, substr(u.path, 1, %(len)s) AS prefix, a.kind AS k, st.number AS stage,
       {_CELL} AS cell, count(*) AS n1, NULL::bigint AS n2, NULL::bigint AS n3,
       NULL::bigint AS n4, NULL::bigint AS n5, NULL::bigint AS n6
FROM campaigns_actionstatus s
JOIN org_unit u ON u.id = s.unit_id
JOIN campaigns_action a ON a.id = s.action_id
JOIN campaigns_stage st ON st.id = s.stage_id
WHERE s.campaign_id = ANY(%(family)s) AND u.path LIKE %(like)s
GROUP BY 2, 3, 4, 5"""

# A problem's red light while it is live: late claimed completion, or past its deadline.
HAND_PROBLEMS = """
SELECT 'problems', substr(u.path, 1, %(len)s), NULL, NULL, NULL,
       count(*),
       count(*) FILTER (WHERE p.state IN ('open', 'in_progress', 'completed')),
       count(*) FILTER (WHERE p.state IN ('open', 'in_progress', 'completed')
           AND p.deadline IS NOT NULL
           AND CASE WHEN p.state = 'completed' THEN coalesce(p.completed_on > p.deadline, false)
                    ELSE p.deadline < %(today)s END),
       count(*) FILTER (WHERE p.state = 'verified'),
       count(*) FILTER (WHERE p.state = 'verified'
           AND NOT coalesce(p.completed_on > p.deadline, false)),
       count(*) FILTER (WHERE p.state = 'carried_over')
FROM rectification_problem p
JOIN org_unit u ON u.id = p.unit_id
WHERE p.campaign_id = ANY(%(family)s) AND p.state <> 'draft' AND u.path LIKE %(like)s
GROUP BY 2"""

HAND_REST = """
SELECT 'briefs', substr(u.path, 1, %(len)s), NULL, NULL, NULL,
       count(DISTINCT r.brief_id) FILTER (WHERE r.level = 1),
       count(DISTINCT r.brief_id) FILTER (WHERE r.level >= 2), NULL, NULL, NULL, NULL
FROM reporting_briefreview r
JOIN reporting_brief b ON b.id = r.brief_id
JOIN org_unit u ON u.id = b.unit_id
WHERE b.campaign_id = ANY(%(family)s) AND r.state = 'adopted' AND u.path LIKE %(like)s
GROUP BY 2
UNION ALL
SELECT 'study_logs', substr(u.path, 1, %(len)s), NULL, NULL, NULL, count(*),
       NULL, NULL, NULL, NULL, NULL
FROM study_studylog x JOIN org_unit u ON u.id = x.unit_id
WHERE x.campaign_id = ANY(%(family)s) AND u.path LIKE %(like)s GROUP BY 2
UNION ALL
SELECT 'reflections', substr(u.path, 1, %(len)s), NULL, NULL, NULL, count(*),
       NULL, NULL, NULL, NULL, NULL
FROM study_reflection x JOIN org_unit u ON u.id = x.unit_id
WHERE x.campaign_id = ANY(%(family)s) AND x.submitted_at IS NOT NULL
  AND u.path LIKE %(like)s GROUP BY 2
UNION ALL
SELECT 'opinions', substr(u.path, 1, %(len)s), NULL, NULL, NULL, count(*),
       NULL, NULL, NULL, NULL, NULL
FROM discussion_opinion x JOIN discussion_topic t ON t.id = x.topic_id
JOIN org_unit u ON u.id = x.unit_id
WHERE t.campaign_id = ANY(%(family)s) AND u.path LIKE %(like)s GROUP BY 2
UNION ALL
SELECT 'members', substr(u.path, 1, %(len)s), NULL, NULL, NULL, count(*),
       NULL, NULL, NULL, NULL, NULL
FROM org_user x JOIN org_unit u ON u.id = x.unit_id
WHERE u.path LIKE %(like)s GROUP BY 2
UNION ALL
SELECT 'findings', substr(u.path, 1, %(len)s), NULL, NULL, NULL, count(*),
       count(*) FILTER (WHERE f.deduction IS NULL), NULL, NULL, NULL, NULL
FROM supervision_finding f JOIN supervision_inspection i ON i.id = f.inspection_id
JOIN org_unit u ON u.id = f.unit_id
WHERE i.campaign_id = ANY(%(family)s) AND f.kind = 'problem' AND u.path LIKE %(like)s
GROUP BY 2"""

HAND_ALL = HAND_ACTIONS + "\nUNION ALL" + HAND_PROBLEMS + "\nUNION ALL" + HAND_REST


def hand(sql: str, campaign, unit) -> list[tuple]:
    from django.db import connection

    from taolun.supervision.rollups import campaign_family

    params = {
        "len": len(unit.path) + 4,
        "like": unit.path + "%",
        "family": campaign_family(campaign),
        "today": TODAY,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _cells(counts: Any, status: str) -> int:
    """Cells of one status, whichever way the rollups' counts are read."""
    return counts.of(status) if hasattr(counts, "of") else counts[status]


def check_same_numbers(rows: list[tuple], children) -> list[str]:
    """Our figures per child equal the hand-written query's (a benchmark of wrong numbers
    would prove nothing)."""
    from collections import defaultdict

    want: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for part, prefix, _kind, _stage, cell, n1, n2, n3, n4, n5, n6 in rows:
        w = want[prefix]
        if part == "actions":
            w[f"cell:{cell}"] += n1
        elif part == "problems":
            w.update(
                problems_total=n1,
                problems_open=n2,
                problems_overdue=n3,
                problems_verified=n4,
                problems_verified_on_time=n5,
                problems_carried_over=n6,
            )
        elif part == "briefs":
            w.update(briefs_adopted_here=n1, briefs_adopted_above=n2)
        elif part == "findings":
            w.update(findings=n1, findings_default=n2)
        else:
            w[part] = n1
    mismatches: list[str] = []
    for figures in children:
        w = want.get(figures.unit.path, {})
        for name, expected in w.items():
            if name.startswith("cell:"):
                got = _cells(figures.prescribed.overall, name[5:]) + _cells(
                    figures.self_selected.overall, name[5:]
                )
            else:
                got = getattr(figures, name)
            if got != expected:
                mismatches.append(f"{figures.unit.slug} {name}: ours {got}, hand {expected}")
    return mismatches


# ---------------------------------------------------------------- pages


def page(client, url: str) -> Callable[[], Any]:
    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")

    return get


def count_queries(fn: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def township_of(root):
    from taolun.org.models import Unit

    return (
        Unit.objects.filter(path__startswith=root.path, kind__code="township")
        .order_by("path")
        .first()
    )


def explain(campaign, root, limit: int = 3) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from taolun.supervision.rollups import child_rollups

    with CaptureQueriesContext(connection) as ctx:
        child_rollups(campaign, root, TODAY)
    slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:limit]
    with connection.cursor() as cursor:
        for q in slowest:
            print(f"\n-- {q['time']} s\n{q['sql'][:600]}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            print("\n".join(r[0] for r in cursor.fetchall()))


def machine() -> str:
    from django.db import connection

    cores = os.cpu_count()
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) // (1024 * 1024)
    version = connection.cursor().connection.info.server_version
    pg = f"{version // 10000}.{version % 10000}"
    try:
        model = subprocess.run(
            ["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        model = platform.processor()
    py = platform.python_version()
    return f"{cores} cores ({model}), {mem} GiB RAM, PostgreSQL {pg}, Python {py}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--problems", type=int, help="default: two per unit (200,000 at 100,000)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="regenerate the provinces")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE our slowest queries"
    )
    args = parser.parse_args()
    setup_django()

    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import reverse

    from taolun.org.models import Unit, User
    from taolun.org.roles import Role
    from taolun.supervision.rollups import child_rollups

    problems = args.problems if args.problems is not None else 2 * args.units
    root, campaign, rows = ensure_province(BIG_SEED, args.units, problems, args.fresh)
    small_root, small_campaign, _small_rows = ensure_province(
        SMALL_SEED, SMALL_UNITS, None, args.fresh
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes"
            " WHERE tablename = 'org_unit' AND indexdef LIKE '%%path%%'"
        )
        print("indexes on org_unit.path:", *(r[0] for r in cursor.fetchall()), sep="\n  ")
    n_problems = campaign.problems.count()
    children = child_rollups(campaign, root, TODAY)
    mismatches = check_same_numbers(hand(HAND_ALL, campaign, root), children)
    print(
        f"province {root.slug}: {rows:,} status rows, {n_problems:,} problems, "
        f"{len(children)} children of the root; "
        + (
            "our figures equal the hand-written query's"
            if not mismatches
            else "MISMATCHES with the hand-written query:\n  " + "\n  ".join(mismatches[:20])
        )
    )

    results: list[tuple[str, float, float | None, str]] = []
    ours = median_ms(lambda: child_rollups(campaign, root, TODAY), args.repeat)
    ref = median_ms(lambda: hand(HAND_ALL, campaign, root), args.repeat)
    results.append(("root data: child_rollups vs one hand query", ours, ref, "≤ 1.5×"))
    # Our counting statement run alone: what is left is building the figures in Python.
    from taolun.supervision.rollups import _statement

    sql, params = _statement(campaign, root.path, len(root.path) + Unit.steplen, TODAY, None)

    def statement_alone() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    results.append(
        ("  our statement alone vs hand", median_ms(statement_alone, args.repeat), ref, "")
    )

    office = User.objects.get(username=f"gp{BIG_SEED}-office")
    small_office = User.objects.get(username=f"gp{SMALL_SEED}-office")
    client, small_client = Client(), Client()
    client.force_login(office)
    small_client.force_login(small_office)
    township, small_township = township_of(root), township_of(small_root)

    def urls(c, t) -> tuple[str, str]:
        return (
            reverse("supervision:dashboard", kwargs={"slug": c.slug}),
            reverse("supervision:dashboard_unit", kwargs={"slug": c.slug, "unit_slug": t.slug}),
        )

    root_url, township_url = urls(campaign, township)
    small_root_url, small_township_url = urls(small_campaign, small_township)
    results.append(
        ("root dashboard page", median_ms(page(client, root_url), args.repeat), None, "< 300 ms")
    )
    results.append(
        (
            "township dashboard page",
            median_ms(page(client, township_url), args.repeat),
            None,
            "< 100 ms",
        )
    )
    # The same page as its county's office reads it: the header's to-do counts then cover a
    # county, not the whole province (the province office above waits on 30,000 problems).
    county = Unit.objects.get(path=township.path[: -Unit.steplen])
    county_office = User.objects.filter(roles__unit=county, roles__role=Role.OFFICE).first()
    county_client = Client()
    county_client.force_login(county_office)
    results.append(
        (
            "  the same, as the county's office",
            median_ms(page(county_client, township_url), args.repeat),
            None,
            "< 100 ms",
        )
    )
    # The header's to-do counter is remembered per user for a minute (the pages above read
    # it remembered, as a user moving from page to page does); counted on every view:
    with override_settings(TAOLUN_TODO_COUNT_SECONDS=0):
        results.append(
            (
                "  the same, the to-do counter counted afresh",
                median_ms(page(county_client, township_url), args.repeat),
                None,
                "(the first view a minute)",
            )
        )
    for warm in (page(small_client, small_root_url), page(small_client, small_township_url)):
        warm()  # like the big province's pages above: snapshots stored, caches filled
    counts_afresh = override_settings(TAOLUN_TODO_COUNT_SECONDS=0)
    counts_afresh.enable()  # every query a page can run, the counter's included
    counts = {
        "root page": (
            count_queries(page(client, root_url)),
            count_queries(page(small_client, small_root_url)),
        ),
        "township page": (
            count_queries(page(client, township_url)),
            count_queries(page(small_client, small_township_url)),
        ),
    }

    counts_afresh.disable()
    print(f"\n{'measure':48} {'ours ms':>9} {'hand ms':>9} {'ratio':>7}  target")
    for name, mine, theirs, target in results:
        ratio = f"{mine / theirs:.2f}×" if theirs else ""
        theirs_s = f"{theirs:9.1f}" if theirs else " " * 9
        print(f"{name:48} {mine:9.1f} {theirs_s} {ratio:>7}  {target}")
    print(f"\n{'queries':20} {args.units:>9,} units {SMALL_UNITS:>7,} units")
    for name, (big, small) in counts.items():
        print(f"{name:20} {big:>15} {small:>13}")
    print(f"\nmachine: {machine()}; {dt.date.today()}")
    if args.explain:
        explain(campaign, root)
    if mismatches:
        sys.exit("our figures differ from the hand-written query's")
    if any(big != small for big, small in counts.values()):
        sys.exit("query counts grow with the number of units")


if __name__ == "__main__":
    main()
