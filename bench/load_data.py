"""The data of the load test (``bench/load.py``): the database, the accounts, their pages.

Runs inside Django against the load test's own PostgreSQL database. Builds, once, the
demo and a generated province of 3,000 units (``gen_province --units 3000 --seed 5``),
then, on every run, gives the province's offices, unit contacts and members one usable
password (hashed once with the real hasher: logging in costs what it costs in production),
a fresh API token each, and writes what each simulated person will ask for to a JSON file
that ``bench/locustfile.py`` reads.

Every page of the plan is asked for once per role beforehand, through Django's test client:
a page a role cannot reach is left out of that role's plan (and said so), so that the
load test measures the pages each role really uses and counts only real failures.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

UNITS = 3_000
SEED = 5
PREFIX = f"gp{SEED}"
CAMPAIGN = f"{PREFIX}-2019"
TOKEN_NAME = "bench-load"
# What the province's people search for: words of the generated texts and of the demo.
SEARCH_WORDS = ["学习", "心得体会", "整改", "大讨论", "服务"]
# Roles that log in; how many of each is decided by the locust user classes' weights.
ROLES = ("office", "contact", "member")
# Accounts asked for each page beforehand, per role.
PROBES_PER_ROLE = 2


@dataclass(frozen=True)
class Page:
    """A page of the plan: a name for the statistics and how to build its address."""

    name: str
    url: str  # a format string over an account's fields
    needs: str = ""  # an account field that must be set for the page to exist


READS = [
    Page("home", "/"),
    Page("campaign", "/campaigns/{campaign}/"),
    Page("unit", "/units/{unit}/"),
    Page("ledger", "/ledger/{campaign}/"),
    Page("problem", "/ledger/problems/{problem}/", needs="problem"),
    Page("todo", "/todo/"),
    Page("dashboard", "/supervision/{campaign}/units/{unit}/"),
    Page("study", "/study/{campaign}/"),
    Page("study: mine", "/study/{campaign}/me/"),
    Page("study: reflections", "/study/{campaign}/reflections/"),
    Page("discussion", "/discussion/{campaign}/"),
    Page("discussion: topic", "/discussion/topics/{topic}/", needs="topic"),
    Page("search", "/text/search/?q={search}"),
    Page("api: campaigns", "/api/v1/campaigns"),
    Page("api: units", "/api/v1/units"),
    Page("api: matrix", "/api/v1/campaigns/{campaign}/units/{unit}/matrix"),
    Page("api: ledger", "/api/v1/campaigns/{campaign}/problems?unit={unit}"),
]
# The writes: a form's page is read, then posted; the API write is a JSON POST.
WRITES = [
    Page("study log", "/study/{campaign}/log/new/"),
    Page("reflection draft", "/study/{campaign}/reflections/new/"),
    Page("api: progress", "/api/v1/problems/{work_problem}/progress", needs="work_problem"),
]


def ensure_data() -> None:
    """Migrate; load the demo and generate the province unless they are there."""
    from django.core.management import call_command

    from taolun.org.models import Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.filter(slug="sxdpf").exists():
        _timed("load_demo", lambda: call_command("load_demo", verbosity=0))
    if not Unit.objects.filter(slug=PREFIX).exists():
        _timed(
            f"gen_province --units {UNITS} --seed {SEED}",
            lambda: call_command(
                "gen_province", f"--units={UNITS}", f"--seed={SEED}", "--no-progress"
            ),
        )
        # The generator bulk-inserts texts: index them, or search finds none of them.
        _timed("rebuild_texts", lambda: call_command("rebuild_texts", "--no-progress"))
    elif Unit.objects.filter(path__startswith=Unit.objects.get(slug=PREFIX).path).count() != UNITS:
        sys.exit(f"load: {PREFIX} exists with another size; drop the database taolun_load")


def _timed(label: str, run) -> None:
    started = time.monotonic()
    run()
    print(f"load: {label} in {time.monotonic() - started:.0f} s", file=sys.stderr)


def prepare_accounts(password: str) -> list[dict[str, Any]]:
    """Every office, contact and member of the province, with a usable password and a fresh
    API token, and the objects their pages name (their unit, a problem they may read, one
    they may report progress on, the province's discussion topic)."""
    from axes.models import AccessAttempt
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from taolun.api.models import ApiToken
    from taolun.api.tokens import token_create
    from taolun.campaigns.selectors import get_campaign_for_user
    from taolun.core import signed_ids
    from taolun.discussion.selectors import topics_for_user
    from taolun.org.models import RoleAssignment, User
    from taolun.rectification.models import ProblemState
    from taolun.rectification.selectors import problems_for_user

    assignments = (
        RoleAssignment.objects.filter(user__username__startswith=f"{PREFIX}-", role__in=ROLES)
        .select_related("user", "unit")
        .order_by("user__username")
    )
    people = {a.user_id: a for a in assignments}
    # One hash for everyone: the real hasher, run once instead of four hundred times.
    User.objects.filter(pk__in=people).update(
        password=make_password(password),
        must_change_password=False,
        password_changed_at=timezone.now(),
        is_active=True,
    )
    AccessAttempt.objects.filter(username__startswith=f"{PREFIX}-").delete()
    ApiToken.objects.filter(name=TOKEN_NAME).delete()

    accounts = []
    for assignment in people.values():
        user = User.objects.select_related("unit").get(pk=assignment.user_id)
        campaign = get_campaign_for_user(user, CAMPAIGN)
        visible = problems_for_user(user, campaign).order_by("pk")
        mine = visible.filter(unit__path__startswith=assignment.unit.path)
        problem = mine.first() or visible.first()
        working = mine.filter(state__in=[ProblemState.OPEN, ProblemState.IN_PROGRESS]).first()
        topic = topics_for_user(user, campaign).order_by("pk").first()
        _token, secret = token_create(user, TOKEN_NAME)
        accounts.append(
            {
                "username": user.username,
                "role": assignment.role,
                "unit": assignment.unit.slug,
                "campaign": CAMPAIGN,
                # Its page's address carries the signed id (taolun/core/signed_ids.py).
                "problem": signed_ids.sign("problem", problem.pk) if problem else None,
                "work_problem": working.pk if working and assignment.role != "member" else None,
                "topic": topic.pk if topic else None,
                "search": SEARCH_WORDS[len(accounts) % len(SEARCH_WORDS)],
                "token": secret,
            }
        )
    return accounts


def url_of(page: Page, account: dict[str, Any]) -> str | None:
    if page.needs and not account.get(page.needs):
        return None
    return page.url.format(**account)


def probe_pages(accounts: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The pages each role reaches: a page stays in a role's plan when it answers 200 to
    each of the role's first accounts (the API with their token, the rest logged in)."""
    import logging

    from django.conf import settings
    from django.test import Client

    from taolun.org.models import User

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404s are reported below
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    plan: dict[str, list[str]] = {}
    for role in ROLES:
        probes = [a for a in accounts if a["role"] == role][:PROBES_PER_ROLE]
        kept, dropped = [], []
        for page in READS + WRITES:
            answers = []
            for account in probes:
                url = url_of(page, account)
                if url is None:
                    answers.append("none")
                    continue
                client = Client()
                if url.startswith("/api/"):
                    headers = {"Authorization": f"Bearer {account['token']}"}
                    if page in WRITES:  # the API write is probed without writing
                        answers.append(200)
                        continue
                    answers.append(client.get(url, headers=headers).status_code)
                else:
                    client.force_login(User.objects.get(username=account["username"]))
                    answers.append(client.get(url).status_code)
            if probes and all(a == 200 for a in answers):
                kept.append(page.name)
            else:
                dropped.append(f"{page.name} ({', '.join(map(str, answers))})")
        plan[role] = kept
        if dropped:
            print(f"load: not in the {role}'s plan: {'; '.join(dropped)}", file=sys.stderr)
    return plan


def write_plan(path: Path, password: str) -> dict[str, Any]:
    """Prepare the accounts and the plan, and write them where the locustfile reads them."""
    started = time.monotonic()
    accounts = prepare_accounts(password)
    print(f"load: {len(accounts)} accounts in {time.monotonic() - started:.0f} s", file=sys.stderr)
    started = time.monotonic()
    plan = probe_pages(accounts)
    print(f"load: pages probed in {time.monotonic() - started:.0f} s", file=sys.stderr)
    data = {
        "password": password,
        "accounts": accounts,
        "plan": plan,
        "pages": {
            p.name: {"url": p.url, "write": p in WRITES, "needs": p.needs} for p in READS + WRITES
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    return data


def new_password() -> str:
    """A password every validator accepts, new on every run."""
    return "Load-" + secrets.token_urlsafe(12) + "-9a"
