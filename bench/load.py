"""Load test: 50 people of many units use the main pages and the API for 60 s, on gunicorn.

    make bench-load                                          # gthread: a worker a core × 4 threads
    make bench-load BENCH_ARGS="--workers 5 --threads 1"     # sync workers (2 × cores + 1)
    make bench-load BENCH_ARGS="--users 20 --seconds 20"     # while iterating
    make bench-load BENCH_ARGS="--think 1,5"                 # people pausing 1-5 s, not 1-3 s

Needs DATABASE_URL pointing at a PostgreSQL database of its own (``make bench-load`` starts
the loopback cluster and uses ``taolun_load``). Builds there, once, the demo and a
generated province of 3,000 units (``bench/load_data.py``); on every run gives the
province's offices, contacts and members a password and an API token and finds which pages
each role reaches. Then serves the site with gunicorn on 127.0.0.1 only, DEBUG off, as in
production but over plain http (no secure-only cookies, no redirect to https), with tasks
queued in the database and one ``db_worker`` beside it; warms each worker; runs locust
headless (``bench/locustfile.py``) against it, bounded in time; stops gunicorn; prints, per
request name, the count, failures, median, p95, p99 and max, from every request of the
measured minute; and the slowest requests by gunicorn's own access log.

Target (issue 8): no failure, p99 under 500 ms at 50 users.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
TODAY = "2019-05-20"
TARGET_P99_MS = 500
START_TIMEOUT = 60
# How long the log-ins before the measured window may take, at most.
LOGIN_ALLOWANCE = 240

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def setup_django() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench-load: set DATABASE_URL to a PostgreSQL database (make bench-load does)")
    os.environ.setdefault("DEBUG", "1")
    os.environ["TAOLUN_TODAY"] = TODAY
    # One key for this process and the server: the plan's signed ids must open there.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taolun.settings")
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(port: int) -> dict[str, str]:
    """Production settings, but for plain http on loopback (settings.py reads these)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "PYTEST_VERSION")}
    env.update(
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{port}",
        # Plain http on loopback: cookies must not be https-only, nothing may send to https.
        SECURE_COOKIES="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        TAOLUN_DEMO="0",
        TAOLUN_TODAY=TODAY,
        TAOLUN_DATA_DIR=str(OUT / "load-data"),
        STATIC_ROOT=str(OUT / "load-static"),
        LOG_LEVEL="WARNING",
    )
    return env


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    """Until the log-in page answers 200; a redirect means plain http is refused."""
    deadline = time.monotonic() + START_TIMEOUT
    no_redirect = urllib.request.build_opener(NoRedirect)
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"bench-load: gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            with no_redirect.open(base + "/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                sys.exit(
                    f"bench-load: the log-in page redirects ({exc.code} to "
                    f"{exc.headers.get('Location')}): plain http on loopback is refused; "
                    "which setting turns the redirect to https off?"
                )
            sys.exit(f"bench-load: the log-in page answered {exc.code}")
        except OSError:
            time.sleep(0.3)
    sys.exit(f"bench-load: gunicorn did not answer within {START_TIMEOUT} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def warm(base: str, plan: dict[str, Any], streams: int) -> int:
    """Each page of each role a few times, from as many parallel sessions as the server has
    workers × threads, so that every worker has compiled its templates, loaded its
    translations and its word lists (search) before the minute: a long-running server has.
    Reads only. Returns the number of requests made."""
    by_role = defaultdict(list)
    for account in plan["accounts"]:
        by_role[account["role"]].append(account)
    roles = sorted(plan["plan"])
    jobs = [by_role[roles[i % len(roles)]][i // len(roles)] for i in range(streams)]

    def session(account: dict[str, Any]) -> int:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        opener.open(base + "/accounts/login/").read()
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"username": account["username"], "password": plan["password"]}
            | {"csrfmiddlewaretoken": csrf}
        ).encode()
        request = urllib.request.Request(
            base + "/accounts/login/", data=form, headers={"Referer": base + "/accounts/login/"}
        )
        try:
            opener.open(request)
        except urllib.error.HTTPError as exc:
            if exc.code != 302:
                raise
        done = 0
        for _ in range(2):
            for name in plan["plan"][account["role"]]:
                page = plan["pages"][name]
                if (page["write"] and "/api/" in page["url"]) or (
                    page["needs"] and not account[page["needs"]]
                ):
                    continue
                url = base + urllib.parse.quote(page["url"].format(**account), safe="/?=&")
                headers = {"Authorization": f"Bearer {account['token']}"}
                # The minute counts failures; warming only warms.
                with contextlib.suppress(urllib.error.HTTPError):
                    opener.open(urllib.request.Request(url, headers=headers)).read()
                done += 1
        return done

    with concurrent.futures.ThreadPoolExecutor(streams) as pool:
        return sum(pool.map(session, jobs))


def process_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user and system) each process has used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


def server_pids(master: int, database: str) -> dict[str, list[int]]:
    """gunicorn's master and workers, and the PostgreSQL backends of our database (they
    outlive the window: connections are kept, CONN_MAX_AGE)."""
    found: dict[str, list[int]] = {"gunicorn": [master], "postgres": []}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            found["gunicorn"].append(int(entry.name))
        elif cmdline.startswith("postgres:") and f" {database} " in cmdline:
            found["postgres"].append(int(entry.name))
    return found


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Sampler(threading.Thread):
    """CPU seconds of the server's processes and of locust, twice a second, so that the
    window's share can be taken afterwards (the log-ins before it are not the minute's).
    Per process: a PostgreSQL backend may end in the window (connections live 60 s) and
    keeps the CPU it was last seen with."""

    def __init__(self, groups: Callable[[], dict[str, list[int]]]) -> None:
        super().__init__(daemon=True)
        self.groups = groups
        self.samples: list[tuple[float, dict[str, dict[int, float]], tuple[int, int]]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            used = {name: process_cpu(pids) for name, pids in self.groups().items()}
            self.samples.append((time.time(), used, cpu_times()))
            self.done.wait(0.5)

    def stop(self) -> None:
        self.done.set()
        self.join()

    def between(self, start: float, end: float) -> tuple[dict[str, float], float]:
        """CPU seconds each group used from ``start`` to ``end``, and how busy all cores were."""
        first = max((s for s in self.samples if s[0] <= start), default=self.samples[0])
        last = min((s for s in self.samples if s[0] >= end), default=self.samples[-1])
        span = [s for s in self.samples if first[0] <= s[0] <= last[0]]
        used = {}
        for name in last[1]:
            seen: dict[int, float] = {}
            for sample in span:
                seen.update(sample[1].get(name, {}))
            used[name] = sum(cpu - first[1][name].get(pid, 0.0) for pid, cpu in seen.items())
        busy = (last[2][0] - first[2][0]) / max(1, last[2][1] - first[2][1])
        return used, busy


# ---------------------------------------------------------------- figures


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest time at least q% of the requests took."""
    if not sorted_ms:
        return 0.0
    rank = max(1, -(-len(sorted_ms) * q // 100))
    return sorted_ms[int(rank) - 1]


def summarise(samples: list[list[Any]]) -> list[tuple[str, int, int, float, float, float, float]]:
    groups: dict[str, list[list[Any]]] = defaultdict(list)
    for sample in samples:
        groups[f"{sample[0]} {sample[1]}"].append(sample)
    rows = []
    for name in [*sorted(groups), "all requests"]:
        group = samples if name == "all requests" else groups[name]
        times = sorted(s[2] for s in group)
        failures = sum(1 for s in group if s[3] is not None)
        rows.append(
            (
                name,
                len(group),
                failures,
                statistics.median(times) if times else 0.0,
                percentile(times, 95),
                percentile(times, 99),
                times[-1] if times else 0.0,
            )
        )
    return rows


def table(rows) -> str:
    lines = [
        "| request | count | failures | median ms | p95 ms | p99 ms | max ms |",
        "| ------- | ----: | -------: | --------: | -----: | -----: | -----: |",
    ]
    for name, count, failures, median, p95, p99, top in rows:
        label = f"**{name}**" if name == "all requests" else f"`{name}`"
        lines.append(
            f"| {label} | {count} | {failures} | {median:.0f} | {p95:.0f} | {p99:.0f} | {top:.0f} |"
        )
    return "\n".join(lines)


ACCESS = re.compile(r'^\[(?P<t>[^\]]+)\] "(?P<r>[^"]*)" (?P<s>\d+) \S+ (?P<ms>\d+)$')


def window_requests(access_log: Path, started_at: float, ended_at: float) -> list[tuple]:
    """(ms, status, request line) of the window as gunicorn timed them (no client, no
    network), log-ins left out; gunicorn stamps a line, to the second, when it answers."""
    rows = []
    for line in access_log.read_text().splitlines():
        match = ACCESS.match(line.strip())
        if not match or " /accounts/login/" in match["r"]:
            continue
        when = dt.datetime.strptime(match["t"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
        if started_at <= when + 1 and when <= ended_at + 1:
            rows.append((int(match["ms"]), match["s"], match["r"]))
    return rows


def server_side(rows: list[tuple], n: int = 12) -> list[str]:
    times = sorted(ms for ms, _status, _request in rows)
    if not times:
        return ["no request in the access log"]
    return [
        f"server side (gunicorn access log, the window, log-ins left out): {len(times)} "
        f"requests, median {statistics.median(times):.0f} ms, p95 {percentile(times, 95):.0f} "
        f"ms, p99 {percentile(times, 99):.0f} ms, max {times[-1]} ms; the slowest:",
        *(f"    {ms:>5} ms  {status}  {request}" for ms, status, request in sorted(rows)[::-1][:n]),
    ]


def machine(locust: str) -> str:
    import django
    from django.db import connection

    cores = os.cpu_count()
    with open("/proc/meminfo") as f:
        mem = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if "model name" in line), "")
    version = connection.cursor().connection.info.server_version
    gunicorn = (
        subprocess.run(
            [str(Path(sys.executable).with_name("gunicorn")), "--version"],
            capture_output=True,
            text=True,
        )
        .stdout.split("version")[-1]
        .strip(" )\n")
    )
    locust_version = subprocess.run(
        [locust, "--version"], capture_output=True, text=True
    ).stdout.split()[1]
    return (
        f"{cores} cores ({model}), {mem // (1024 * 1024)} GiB RAM, "
        f"PostgreSQL {version // 10000}.{version % 10000} (same machine), "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"gunicorn {gunicorn}, locust {locust_version} (same machine)"
    )


# ---------------------------------------------------------------- main


def find_locust(given: str | None) -> str:
    for candidate in (given, str(OUT / "locust" / "bin" / "locust"), shutil.which("locust")):
        if candidate and Path(candidate).exists():
            return str(Path(candidate).resolve())
    sys.exit("bench-load: no locust; `make bench-load` installs it into var/bench/locust/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    cores = os.cpu_count() or 1
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="the measured window")
    parser.add_argument("--spawn-rate", type=float, default=25, help="people started a second")
    # gthread served more than 2 × cores + 1 sync workers here (docs/benchmarks.md).
    parser.add_argument("--workers", type=int, default=cores)
    parser.add_argument("--threads", type=int, default=4, help="1: sync workers")
    parser.add_argument("--no-warm", action="store_true", help="measure cold workers")
    parser.add_argument("--no-db-worker", action="store_true", help="tasks stay queued")
    parser.add_argument("--locust", help="the locust program (default: var/bench/locust/)")
    parser.add_argument(
        "--think",
        default="1,3",
        help="each person's pause between two requests, MIN,MAX seconds (uniform)",
    )
    args = parser.parse_args()
    think = tuple(float(x) for x in args.think.split(","))
    if len(think) != 2 or not 0 <= think[0] <= think[1]:
        parser.error("--think takes MIN,MAX seconds, e.g. 1,3")
    locust = find_locust(args.locust)
    load_at_start = os.getloadavg()

    setup_django()
    from django.db import connection
    from load_data import CAMPAIGN, ensure_data, new_password, write_plan

    ensure_data()
    plan_path = OUT / "load-plan.json"
    plan = write_plan(plan_path, new_password())
    counts = defaultdict(int)
    for account in plan["accounts"]:
        counts[account["role"]] += 1
    units = len({a["unit"] for a in plan["accounts"]})
    print(
        f"accounts: {len(plan['accounts'])} ({', '.join(f'{n} {r}' for r, n in counts.items())})"
        f" of {units} units; campaign {CAMPAIGN}"
    )
    for role, pages in plan["plan"].items():
        print(f"  {role}: {', '.join(pages)}")
    about = machine(locust)
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(port)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    access_log = OUT / "load-access.log"
    access_log.unlink(missing_ok=True)
    server_cmd = [
        str(Path(sys.executable).with_name("gunicorn")),
        "taolun.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--timeout",
        "60",
        "--no-control-socket",  # one per user by default: other gunicorns here would clash
        "--access-logfile",
        str(access_log),
        "--access-logformat",
        '%(t)s "%(r)s" %(s)s %(b)s %(M)s',
    ]
    if args.threads > 1:
        # Idle connections are kept longer than the longest think time, as nginx keeps its
        # clients': with gunicorn's 2 s a client reuses a connection the server is closing.
        server_cmd += ["--worker-class", "gthread", "--threads", str(args.threads)]
        server_cmd += ["--keep-alive", str(int(think[1]) + 2)]
    kind = (
        f"{args.workers} gthread workers × {args.threads} threads"
        if args.threads > 1
        else f"{args.workers} sync workers"
    )
    raw_path = OUT / "load-raw.json"
    raw_path.unlink(missing_ok=True)
    server = worker = client = sampler = None
    try:
        server = start(server_cmd, env, OUT / "load-gunicorn.log")
        if not args.no_db_worker:
            worker = start(
                [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"],
                env,
                OUT / "load-db-worker.log",
            )
        wait_until_up(base, server, OUT / "load-gunicorn.log")
        if not args.no_warm:
            started = time.monotonic()
            n = warm(base, plan, args.workers * args.threads)
            print(f"warmed {kind}: {n} requests in {time.monotonic() - started:.0f} s")
        print(
            f"load average before the run: {load_at_start[0]:.2f} "
            f"(now {os.getloadavg()[0]:.2f}); {args.users} users against {kind} on {base}"
        )
        database = connection.settings_dict["NAME"]
        client = subprocess.Popen(
            [
                locust,
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.seconds + LOGIN_ALLOWANCE}s",
                "--reset-stats",
                "--host",
                base,
                "--csv",
                str(OUT / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "5",
            ],
            cwd=ROOT / "bench",
            env={
                **os.environ,
                "LOAD_PLAN": str(plan_path),
                "LOAD_RAW": str(raw_path),
                "LOAD_USERS": str(args.users),
                "LOAD_SECONDS": str(args.seconds),
                "LOAD_TODAY": TODAY,
                "LOAD_THINK": f"{think[0]},{think[1]}",
            },
            stdout=(OUT / "load-locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        tasks = [worker.pid] if worker is not None else []
        sampler = Sampler(
            lambda: {**server_pids(server.pid, database), "tasks": tasks, "locust": [client.pid]}
        )
        sampler.start()
        client.wait()
        sampler.stop()
    finally:
        if client is not None and client.poll() is None:
            client.terminate()
            client.wait()
        if sampler is not None and sampler.is_alive():
            sampler.stop()
        stop(server)
        stop(worker)
    if not raw_path.exists():
        sys.exit(
            "bench-load: the measured window never opened (log-ins did not finish in "
            f"{LOGIN_ALLOWANCE} s?); see var/bench/load-locust.log"
        )
    raw = json.loads(raw_path.read_text())
    report(raw, args, kind, about, load_at_start, sampler, access_log)


def cpu_line(used: dict[str, float], served: int) -> str:
    """CPU seconds per request of the server (gunicorn and its PostgreSQL backends) in the
    window: what the site costs whoever else shares the cores, and so what it can serve."""
    server = used["gunicorn"] + used["postgres"]
    per = server / served * 1000 if served else 0.0
    cores = os.cpu_count() or 1
    return (
        f"CPU used in the window: gunicorn {used['gunicorn']:.1f} s, "
        f"PostgreSQL {used['postgres']:.1f} s, the task worker {used.get('tasks', 0):.1f} s, "
        f"locust {used['locust']:.1f} s, for {served} "
        f"requests: {per:.0f} ms of server CPU a request, so at most "
        f"{cores / per * 1000 if per else 0:.0f} requests a second on {cores} cores"
    )


def report(raw, args, kind, about, load_at_start, sampler: Sampler, access_log: Path) -> None:
    rows = summarise(raw["samples"])
    served = window_requests(access_log, raw["started_at"], raw["ended_at"])
    used, busy = sampler.between(raw["started_at"], raw["ended_at"])
    window = raw["ended_at"] - raw["started_at"]
    logins = sorted(ms for _user, ms, _ok in raw["logins"])
    refused = sum(1 for *_x, ok in raw["logins"] if not ok)
    overall = rows[-1]
    lines = [
        f"{args.users} users, think time {args.think.replace(',', '-')} s, {kind}, measured "
        f"window {window:.0f} s (after all log-ins); {overall[1] / window:.1f} requests a second",
        table(rows),
        f"log-ins before the window: {len(logins)}, {refused} refused, median "
        f"{statistics.median(logins):.0f} ms, max {logins[-1]:.0f} ms (form and post)",
        f"CPU busy during the window (all cores, all processes): {busy:.0%}; "
        f"load average before the run: {load_at_start[0]:.2f}",
        cpu_line(used, len(served)),
        *server_side(served),
        f"machine: {about}",
        f"date: {dt.date.today().isoformat()}",
    ]
    failures = defaultdict(int)
    for method, name, _ms, error in raw["samples"]:
        if error is not None:
            failures[f"{method} {name}: {error}"] += 1
    if failures:
        lines.append("failures:")
        lines += [f"    {n} × {what}" for what, n in sorted(failures.items(), key=lambda x: -x[1])]
    met = overall[2] == 0 and overall[5] < TARGET_P99_MS
    lines.append(
        f"target (no failure, p99 < {TARGET_P99_MS} ms): "
        + ("met" if met else f"MISSED ({overall[2]} failures, p99 {overall[5]:.0f} ms)")
    )
    text = "\n".join(lines)
    print(text)
    (OUT / "load-report.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
