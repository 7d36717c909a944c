"""Benchmark: search (taolun.textmine.search) over 200,000 generated reflections.

    make bench-search                                   # SQLite, 200,000 texts
    make bench-search BENCH_ARGS="--n 20000"            # while iterating
    DATABASE_URL=postgres://taolun_bench:taolun_bench@127.0.0.1:5432/taolun_bench \\
        make bench-search                               # the same on PostgreSQL

Builds, once, N reflections of 500–1,500 characters (bench/textgen.py, seeded) written in
40 branches of one campaign, with their search entries bulk-inserted (the full-text index
follows by its triggers on SQLite, its GIN index on PostgreSQL). On SQLite the database is
kept at var/bench/search-N-seed.sqlite3 and reused; on PostgreSQL the rows live under a unit
and campaign of their own (``bench-search-N-seed``), reused too, nothing else touched.
``--fresh`` builds again.

jieba reads about 100,000 characters a second, so segmenting 200 million would take most
of an hour. It cuts each run of Han characters (between punctuation) on its own, so each
clause is segmented once and cached: the tokens are exactly ``words.tokens(text)`` (checked
on a sample at every build) at a tenth of the cost.

Then times ``search(user, query)`` (the first page, hits and snippets built) for 50 queries
picked from the corpus's own words by document frequency — rare, middling and common single
words, and pairs — as the campaign office at the root (every text in its scope), each query
run once to warm up and timed as the median of 3 runs. Target (issue 7): the median under
100 ms; exits 1 if missed. The p95 and the slowest query are printed beside it.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import time
from collections import Counter
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from textgen import ReflectionGenerator  # noqa: E402

TARGET_MS = 100.0
BRANCHES = 40
BATCH = 2000
# jieba's blocks: runs of these characters are segmented independently (jieba.re_han_default).
_BLOCKS = re.compile(r"[^\w+#&._%\-]+")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def setup_django(n: int, seed: int, fresh: bool) -> bool:
    """Point Django at the bench database; True when it must be (re)built."""
    url = os.environ.get("DATABASE_URL", "")
    build = fresh
    if not url.startswith(("postgres://", "postgresql://")):
        path = ROOT / "var" / "bench" / f"search-{n}-{seed}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        build = build or not path.exists()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taolun.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return build


@cache
def _clause_tokens(clause: str) -> str:
    from taolun.textmine import words

    return words.tokens(clause)


def tokens(text: str) -> str:
    """``words.tokens(text)``, one jieba call per distinct clause."""
    return " ".join(t for t in (_clause_tokens(c) for c in _BLOCKS.split(text) if c) if t)


def build(n: int, seed: int, slug: str) -> None:
    """The unit tree, the office, the campaign and N reflections with their search entries."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from taolun.campaigns.models import Campaign
    from taolun.campaigns.tests.factories import make_campaign
    from taolun.org.models import RoleAssignment, Unit, User
    from taolun.org.roles import Role
    from taolun.org.tests.factories import make_unit
    from taolun.study.models import Reflection
    from taolun.textmine import words
    from taolun.textmine.models import SearchEntry

    old = Unit.objects.filter(slug=slug).first()
    if old is not None:  # a build cut short: remove it, children before parents
        SearchEntry.objects.filter(unit__path__startswith=old.path).delete()
        Reflection.objects.filter(unit__path__startswith=old.path).delete()
        for campaign in Campaign.objects.filter(slug=slug):
            campaign.actions.all().delete()
            campaign.stages.all().delete()
            campaign.delete()
        RoleAssignment.objects.filter(unit__path__startswith=old.path).delete()
        User.objects.filter(username__startswith=f"{slug}-").delete()
        old.delete()
    root = make_unit(f"检索基准 {slug}", slug, kind="organisation", sync=False)
    branches = [
        make_unit(f"第{i + 1}党支部", f"{slug}-b{i}", root, sync=False) for i in range(BRANCHES)
    ]
    office = User.objects.create_user(username=f"{slug}-office", name="基准办公室", unit=root)
    RoleAssignment.objects.create(user=office, unit=root, role=Role.OFFICE)
    authors = User.objects.bulk_create(
        User(username=f"{slug}-m{i}", name=f"党员{i}", unit=branches[i % BRANCHES])
        for i in range(BRANCHES * 10)
    )
    campaign = make_campaign(root, slug, stages=1, actions_per_stage=1)
    content_type = ContentType.objects.get_for_model(Reflection)
    gen = ReflectionGenerator(seed=seed)
    rng = random.Random(seed)
    base = timezone.now()
    started = time.perf_counter()
    checked = 0
    for start in range(0, n, BATCH):
        texts = [gen.reflection() for _ in range(min(BATCH, n - start))]
        with transaction.atomic():
            reflections = Reflection.objects.bulk_create(
                Reflection(
                    campaign=campaign,
                    author=(author := rng.choice(authors)),
                    unit_id=author.unit_id,
                    title=text.split("\n", 1)[0][:200],
                    body="",  # search reads the entry's text only; kept small on purpose
                    submitted_at=base,
                )
                for text in texts
            )
            entries = []
            for reflection, text in zip(reflections, texts, strict=True):
                entry_tokens = tokens(text)
                if checked < 20:  # the cache gives jieba's own words
                    assert entry_tokens == words.tokens(text)
                    checked += 1
                entries.append(
                    SearchEntry(
                        content_type=content_type,
                        object_id=reflection.pk,
                        campaign=campaign,
                        unit_id=reflection.unit_id,
                        author_id=reflection.author_id,
                        written_at=base,
                        title=reflection.title,
                        text=text,
                        tokens=entry_tokens,
                    )
                )
            SearchEntry.objects.bulk_create(entries)
        done = start + len(texts)
        rate = done / (time.perf_counter() - started)
        print(f"\r  built {done:,}/{n:,} ({rate:,.0f} texts/s)", end="", flush=True)
    print()


def pick_queries(seed: int, sample: int = 3000) -> list[str]:
    """50 queries from the corpus's words: 15 rare, 15 middling, 10 common, 10 pairs."""
    from taolun.textmine.models import SearchEntry

    df: Counter[str] = Counter()
    rows = SearchEntry.objects.order_by("pk").values_list("tokens", flat=True)[:sample]
    for row in rows:
        df.update(set(row.split()))
    ranked = [w for w, _ in sorted(df.items(), key=lambda kv: (kv[1], kv[0])) if len(w) > 1]
    rng = random.Random(seed)
    third = len(ranked) // 3
    rare = rng.sample(ranked[:third], 15)
    middle = rng.sample(ranked[third : 2 * third], 15)
    common = rng.sample(ranked[-60:], 10)
    pairs = [
        f"{a} {b}"
        for a, b in zip(rng.sample(ranked[third:], 10), rng.sample(ranked[-200:], 10), strict=True)
    ]
    return rare + middle + common + pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="build the texts again")
    args = parser.parse_args()

    must_build = setup_django(args.n, args.seed, args.fresh)
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from taolun.org.models import User
    from taolun.study.models import Reflection
    from taolun.textmine import search
    from taolun.textmine.models import SearchEntry

    slug = f"bench-search-{args.n}-{args.seed}"
    have = SearchEntry.objects.filter(
        campaign__slug=slug, content_type=ContentType.objects.get_for_model(Reflection)
    ).count()
    if must_build or have != args.n:
        print(f"building {args.n:,} texts (seed {args.seed}) …")
        started = time.perf_counter()
        build(args.n, args.seed, slug)
        print(
            f"  built in {time.perf_counter() - started:,.0f} s; jieba calls cached per clause "
            f"({_clause_tokens.cache_info().currsize:,} distinct clauses)"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE textmine_searchentry")
    else:
        print(f"reusing {args.n:,} texts (seed {args.seed}) built earlier (--fresh to rebuild)")

    queries = pick_queries(args.seed)
    office_pk = User.objects.get(username=f"{slug}-office").pk
    rows = []
    for query in queries:
        # A fresh user object per run, as a request would have (its scope is read again).
        search.search(User.objects.get(pk=office_pk), query)
        times, page = [], None
        for _ in range(3):
            user = User.objects.get(pk=office_pk)
            started = time.perf_counter()
            page = search.search(user, query)
            times.append((time.perf_counter() - started) * 1000)
        total = f">{page.total}" if page.more else str(page.total)
        rows.append((query, total, statistics.median(times)))

    print()
    print(f"{'query':<24} {'hits':>7} {'ms':>8}")
    for query, total, ms in rows:
        print(f"{query:<24} {total:>7} {ms:>8.1f}")
    times = sorted(ms for _, _, ms in rows)
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    vendor = connection.vendor
    if vendor == "sqlite":
        import sqlite3

        db = f"SQLite {sqlite3.sqlite_version} (FTS5)"
    else:
        version = connection.cursor().connection.info.server_version
        db = f"PostgreSQL {version // 10000}.{version % 10000} (GIN, ts_rank)"
    print()
    print(f"machine   {os.cpu_count()} × {cpu_model()}, Python {platform.python_version()}")
    print(f"database  {db}")
    print(f"texts     {args.n:,} reflections, searched as the office at the root")
    print(f"queries   {len(rows)} (15 rare, 15 middling, 10 common words, 10 pairs)")
    print(f"median    {median:8.1f} ms   (target < {TARGET_MS:.0f})")
    print(f"p95       {p95:8.1f} ms")
    print(f"slowest   {times[-1]:8.1f} ms")
    if median >= TARGET_MS:
        print("TARGET MISSED")
        sys.exit(1)
    print("target met")


if __name__ == "__main__":
    main()
