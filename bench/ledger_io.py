"""Benchmark: the ledger's Excel import and export against openpyxl alone.

    make bench-ledger                         # 100,000 rows
    make bench-ledger BENCH_ARGS="--rows 10000 --profile import"

Builds a fresh SQLite database in a temporary directory (a campaign over 200 units with
people and six themes), generates a ledger workbook of ``--rows`` rows shaped like an
export (about a third of the problems have two or three measures, whose rows leave the
problem's cells empty as merged cells read), then measures side by side in one run:

(a) openpyxl read-only mode reading every cell of the file (values only), against our
    import of the same file into the empty campaign (read, check, plan, apply);
(b) openpyxl write-only mode writing the same cells, against our export of the
    imported ledger (queries, styles, merges, print setup).

Targets (issue 3): import ≤ 2× (a), export ≤ 2× (b), peak memory < 1 GiB.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2019-05-20"


def setup_django(data_dir: Path) -> None:
    """A database of its own, before Django reads its settings."""
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["DEBUG"] = "1"
    os.environ["TAOLUN_DATA_DIR"] = str(data_dir)
    os.environ["TAOLUN_TODAY"] = TODAY
    os.environ["TAOLUN_LEDGER_IMPORT_MAX_BYTES"] = str(1 << 30)
    os.environ["TAOLUN_LEDGER_IMPORT_MAX_ROWS"] = str(2_000_000)
    # Tasks are queued, not run: the search index's reading of the imported problems is a
    # worker's job after the import commits, not part of the import measured here.
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taolun.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def peak_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- the organisation


def build_org(units: int = 200):
    from taolun.org.models import RoleAssignment, Unit, UnitKind, User
    from taolun.org.roles import Role
    from taolun.org.services import unit_add

    kind_org, _ = UnitKind.objects.get_or_create(code="organisation", defaults={"name": "组织"})
    kind_branch, _ = UnitKind.objects.get_or_create(code="branch", defaults={"name": "党支部"})
    root = unit_add(actor=None, name="省残联", slug="bench-root", kind=kind_org, sync=False)
    departments = 10
    per = units // departments - 1
    for d in range(1, departments + 1):
        dept = unit_add(
            actor=None,
            name=f"第{d}部门",
            slug=f"d{d:02d}",
            kind=kind_branch,
            parent=root,
            sync=False,
        )
        for b in range(1, per + 1):
            unit_add(
                actor=None,
                name=f"第{d}部门第{b}党支部",
                slug=f"d{d:02d}b{b:02d}",
                kind=kind_branch,
                parent=dept,
                sync=False,
            )
    all_units = list(Unit.objects.exclude(pk=root.pk).order_by("path"))
    people = []
    for unit in all_units:
        for role in ("领导", "责任人"):
            people.append(
                User(
                    username=f"{unit.slug}-{role}",
                    name=f"{role}{unit.slug}",
                    unit=unit,
                    password="!",
                )
            )
    office = User(username="office", name="办公室", unit=root, password="!")
    User.objects.bulk_create([*people, office])
    office = User.objects.get(username="office")
    RoleAssignment.objects.create(user=office, unit=root, role=Role.OFFICE)
    return office, all_units


def new_campaign(slug: str):
    """An empty campaign over the whole tree, with the six themes."""
    from taolun.campaigns.models import Theme
    from taolun.campaigns.services import campaign_create
    from taolun.org.models import Unit

    campaign = campaign_create(
        actor=None,
        slug=slug,
        name="基准大讨论",
        owner_unit=Unit.objects.get(slug="bench-root"),
        starts_on=dt.date(2019, 2, 18),
        ends_on=dt.date(2019, 12, 31),
    )
    themes = [
        ("破除思想僵化", "着力解决观念陈旧问题", "坚持解放思想"),
        ("破除安于现状", "着力解决进取意识不强问题", "坚持奋发有为"),
        ("破除作风漂浮", "着力解决落实不力问题", "坚持真抓实干"),
        ("破除能力不足", "着力解决本领恐慌问题", "坚持学以致用"),
        ("破除服务缺位", "着力解决群众满意度不高问题", "坚持以人民为中心"),
        ("破除纪律松弛", "着力解决规矩意识淡薄问题", "坚持从严治党"),
    ]
    for n, (a, b, c) in enumerate(themes, start=1):
        Theme.objects.create(campaign=campaign, number=n, break_with=a, focus_on=b, adhere_to=c)
    return campaign


# ---------------------------------------------------------------- the workbook

FRAGMENTS = [
    "理论学习不够深入",
    "调查研究不够经常",
    "服务残疾人群众意识不强",
    "会议多文件多",
    "制度执行不严",
    "基层联系不紧密",
    "创新意识不足",
    "工作作风不够扎实",
    "办事效率不高",
    "宣传工作不到位",
]
MEASURES = ["制定学习计划", "开展专题调研", "修订管理制度", "精简会议文件", "建立督办台账"]


def ledger_rows(n_rows: int, units, themes: list[str]) -> Iterator[list]:
    """Rows as an export lays them out: the problem's cells on its first row only."""
    from taolun.rectification.ledger_io import COLUMNS, _zh_label
    from taolun.rectification.models import (
        Light,
        ProblemKind,
        ProblemLevel,
        ProblemSource,
        ProblemState,
    )

    rng = random.Random(2019)
    keys = [c.key for c in COLUMNS]
    sources = [_zh_label(c) for c in ProblemSource]
    levels = [_zh_label(c) for c in ProblemLevel]
    states = (
        [ProblemState.DRAFT] * 10
        + [ProblemState.OPEN] * 20
        + [ProblemState.IN_PROGRESS] * 40
        + [ProblemState.COMPLETED] * 18
        + [ProblemState.VERIFIED] * 10
        + [ProblemState.CARRIED_OVER] * 2
    )
    names = [u.name for u in units]
    written = 0
    problem = 0
    while written < n_rows:
        problem += 1
        unit = units[problem % len(units)]
        measures = min(rng.choices((1, 2, 3), weights=(65, 25, 10))[0], n_rows - written)
        state = rng.choice(states)
        long_term = rng.random() < 0.05
        deadline = None if long_term else dt.date(2019, 6, 30)
        progress = (
            "；".join(rng.sample(MEASURES, 2)) + "，已取得阶段性成效"
            if state not in (ProblemState.DRAFT, ProblemState.OPEN)
            else None
        )
        note = {
            ProblemState.VERIFIED: "整改到位，同意销号",
            ProblemState.CARRIED_OVER: "涉及体制调整，转入长期整改",
        }.get(state)
        supporting = (
            "、".join(rng.sample([n for n in names if n != unit.name], rng.choice((1, 2))))
            if rng.random() < 0.3
            else None
        )
        cells = {
            "no": problem,
            "ledger_number": f"BENCH-{unit.slug.upper()}-{problem:06d}",
            "description": "，".join(rng.sample(FRAGMENTS, 2)) + "。",
            "source": rng.choice(sources),
            "theme": rng.choice(themes),
            "level": rng.choice(levels),
            "unit": unit.name,
            "responsible_leader": f"领导{unit.slug}",
            "person_in_charge": f"责任人{unit.slug}",
            "supporting_units": supporting,
            "target": "问题得到根本解决，形成长效机制",
            "deadline": deadline,
            "kind": _zh_label(ProblemKind.LONG_TERM if long_term else ProblemKind.DEADLINE),
            "state": _zh_label(state),
            "progress": progress,
            "extensions": 0,
            "light": _zh_label(Light.GREEN),
            "note": note,
        }
        for m in range(measures):
            row = dict(cells) if m == 0 else {}
            row["measure"] = f"{MEASURES[(problem + m) % len(MEASURES)]}（第{m + 1}项）"
            row["measure_deadline"] = dt.date(2019, 4 + m, 15)
            row["measure_done"] = "是" if state == ProblemState.VERIFIED else "否"
            yield [row.get(k) for k in keys]
        written += measures


def write_plain(path: Path, rows: Iterator[list], header: list[str]) -> None:
    """openpyxl write-only, values only: the baseline of the export."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["基准大讨论 问题整改台账"])
    sheet.append(["单位：省残联"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def read_plain(path: Path) -> int:
    """openpyxl read-only, every cell's value: the baseline of the import."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        cells += len(row)
    workbook.close()
    return cells


# ---------------------------------------------------------------- the run


def timed(label: str, profile: bool, func, *args, **kwargs):
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    result = func(*args, **kwargs)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:8.2f} s   peak {peak_mib():7.0f} MiB", flush=True)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return seconds, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the ledger")
    parser.add_argument("--units", type=int, default=200, help="units of the campaign")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the best counts")
    parser.add_argument("--profile", choices=("import", "export"), help="cProfile one stage")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="taolun-bench-ledger-"))
    try:
        setup_django(data_dir)
        from django.utils import translation

        from taolun.rectification.ledger_io import COLUMNS, ledger_export, ledger_import_run
        from taolun.rectification.models import Measure, Problem

        translation.activate("zh-hans")
        office, units = build_org(args.units)
        campaigns = [new_campaign(f"bench{i}") for i in range(args.repeat)]
        themes = [str(t) for t in campaigns[0].themes.order_by("number")]
        header = [c.zh for c in COLUMNS]
        source = data_dir / "ledger.xlsx"
        print(f"ledger benchmark: {args.rows:,} rows, {len(units) + 1} units, {data_dir}")
        start = time.perf_counter()
        write_plain(source, ledger_rows(args.rows, units, themes), header)
        size = source.stat().st_size
        print(
            f"  generated {source.name}: {size / 2**20:.1f} MiB in "
            f"{time.perf_counter() - start:.1f} s; best of {args.repeat} runs below"
        )

        print("(a) import")
        reads, imports = [], []
        for campaign in campaigns:  # each run imports into an empty campaign of its own
            reads.append(timed("openpyxl read-only, all cells", False, read_plain, source)[0])
            seconds, plan = timed(
                "our import (read, check, plan, apply)",
                args.profile == "import",
                ledger_import_run,
                actor=office,
                campaign=campaign,
                unit=campaign.owner_unit,
                source=source,
            )
            imports.append(seconds)
            if not plan.ok:
                for error in plan.errors[:20]:
                    print("   ", error)
                raise SystemExit(f"the import found {plan.error_count} errors")
        campaign = campaigns[0]
        cells = read_plain(source)
        problems = Problem.objects.filter(campaign=campaign).count()
        measures = Measure.objects.filter(problem__campaign=campaign).count()
        print(f"  imported {problems:,} problems, {measures:,} measures ({cells:,} cells read)")

        print("(b) export")
        writes, exports = [], []
        for _run in range(args.repeat):
            writes.append(
                timed(
                    "openpyxl write-only, same cells",
                    False,
                    write_plain,
                    data_dir / "plain.xlsx",
                    ledger_rows(args.rows, units, themes),
                    header,
                )[0]
            )
            seconds, count = timed(
                "our export (queries, styles, merges)",
                args.profile == "export",
                ledger_export,
                user=office,
                campaign=campaign,
                out=data_dir / "export.xlsx",
            )
            exports.append(seconds)
            assert count == problems, (count, problems)
        t_read, t_import, t_write, t_export = map(min, (reads, imports, writes, exports))

        peak = peak_mib()
        print()
        print("| measure | openpyxl alone | taolun | ratio | target |")
        print("| ------- | -------------- | ------ | ----- | ------ |")
        print(
            f"| import {args.rows:,} rows | {t_read:.1f} s | {t_import:.1f} s | "
            f"{t_import / t_read:.2f}× | ≤ 2× |"
        )
        print(
            f"| export {args.rows:,} rows | {t_write:.1f} s | {t_export:.1f} s | "
            f"{t_export / t_write:.2f}× | ≤ 2× |"
        )
        print(f"| peak memory (whole run) | | {peak:.0f} MiB | | < 1024 MiB |")
        ok = t_import <= 2 * t_read and t_export <= 2 * t_write and peak < 1024
        print("targets met" if ok else "TARGETS MISSED")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
