"""Scale-out: two gunicorn processes against one PostgreSQL share every piece of state.

Web processes keep nothing of their own (sessions live in the database), so a log-in
through one process is valid on the other, and a log-out through one ends it on both.
Runs on PostgreSQL only: SQLite is one file on one machine, not a scale-out setup.

The servers must see what the test writes, so it writes outside any test transaction and
deletes afterwards what it and the servers wrote: no flush, so the rows the migrations made
(meeting kinds, channels) stay for the tests that run after it in the same process.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_TIMEOUT = 30
STOP_TIMEOUT = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    """The test database pytest-django created, as the processes must reach it."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = urllib.parse.quote(db["PASSWORD"] or "")
    return (
        f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


class Server:
    def __init__(self, port: int, process: subprocess.Popen) -> None:
        self.port = port
        self.process = process
        self.url = f"http://127.0.0.1:{port}"


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            out = (
                server.process.stdout.read().decode(errors="replace")
                if server.process.stdout
                else ""
            )
            pytest.fail(f"gunicorn on {server.port} exited:\n{out[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn on {server.port} did not answer within {START_TIMEOUT} s")


@pytest.fixture(scope="module")
def two_servers(django_db_setup, tmp_path_factory) -> Iterator[tuple[Server, Server]]:
    """Two processes for the module (starting them is the slow part): the tests only
    need the test database's name, which pytest-django has set by then."""
    if connection.vendor != "postgresql":
        pytest.skip("scale-out needs PostgreSQL: run `make test-postgres`")
    if not GUNICORN.exists():
        pytest.fail(f"{GUNICORN} is missing: gunicorn is a dependency (make install)")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECRET_KEY": "two-processes-share-this-secret-" + "x" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "TAOLUN_DATA_DIR": str(tmp_path_factory.mktemp("gunicorn")),
        "TAOLUN_DEMO": "0",
    }
    env.pop("PYTEST_VERSION", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    servers = []
    try:
        for _ in range(2):
            port = _free_port()
            process = subprocess.Popen(
                [str(GUNICORN), "taolun.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            servers.append(Server(port, process))
        for server in servers:
            _wait_until_up(server)
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            try:
                server.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=STOP_TIMEOUT)


class Browser:
    """A cookie jar shared between requests to either server, like one user's browser
    behind a load balancer that sends each request wherever it likes."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, url: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body)
        if data is not None:
            req.add_header("Referer", url)
        try:
            with self.opener.open(req, timeout=20) as response:
                return (
                    response.status,
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode(errors="replace")

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)


def _person(username: str, name: str, password: str):
    """Someone who can log in on the servers: the suite's fast MD5 hasher is a setting of
    the test process only, so the password is hashed as production hashes it."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from taolun.org.tests.factories import UserFactory

    person = UserFactory(username=username, name=name)
    hasher = PBKDF2PasswordHasher()
    person.password = hasher.encode(password, hasher.salt(), iterations=1000)
    person.save()
    return person


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Database access in autocommit; afterwards the people, sessions, audit entries and
    log-in records of the test are deleted."""
    from auditlog.models import LogEntry
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from taolun.core.models import AuditEvent

    logs = (LogEntry, AuditEvent, AccessAttempt, AccessFailureLog, AccessLog)
    with django_db_blocker.unblock():
        marks = {
            m: m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for m in logs
        }
        try:
            yield
        finally:
            for model, mark in marks.items():
                # Audit records refuse the ORM's delete(); the base QuerySet's raw delete
                # is the way prune_audit removes them too.
                rows = model.objects.filter(pk__gt=mark)
                rows._raw_delete(rows.db)
            Session.objects.all().delete()  # only the servers commit sessions
            get_user_model().objects.filter(username__startswith="scaleout").delete()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_session_from_one_process_works_on_the_other(two_servers, committed):
    a, b = two_servers
    _person("scaleout", "扩容测试", "a-long-password-1")

    browser = Browser()
    status, _, page = browser.request(f"{a.url}/accounts/login/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, location, _ = browser.request(
        f"{a.url}/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "scaleout", "password": "a-long-password-1"},
    )
    assert status == 302 and "/accounts/login/" not in location

    # Cookies of 127.0.0.1 go to either port: B receives the session A issued.
    status, _, page = browser.request(f"{b.url}/")
    assert status == 200
    assert "扩容测试" in page

    # Log out through B: the session row is gone, so A no longer knows the user.
    token = browser.cookie("csrftoken")
    status, _, _ = browser.request(f"{b.url}/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert status == 302
    status, location, _ = browser.request(f"{a.url}/")
    assert status == 302 and "/accounts/login/" in location


def test_a_write_through_one_process_is_read_through_the_other(two_servers, committed):
    """A change made through A (a new password) decides the log-in on B at once."""
    a, b = two_servers
    _person("scaleout2", "扩容测试二", "first-password-123")

    browser = Browser()
    _, _, page = browser.request(f"{a.url}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    browser.request(
        f"{a.url}/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "scaleout2", "password": "first-password-123"},
    )
    _, _, page = browser.request(f"{a.url}/accounts/password_change/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, _ = browser.request(
        f"{a.url}/accounts/password_change/",
        {
            "csrfmiddlewaretoken": token,
            "old_password": "first-password-123",
            "new_password1": "second-password-456",
            "new_password2": "second-password-456",
        },
    )
    assert status == 302

    other = Browser()
    _, _, page = other.request(f"{b.url}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, _ = other.request(
        f"{b.url}/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "scaleout2", "password": "first-password-123"},
    )
    assert status == 200  # the form again: the old password no longer works on B
    status, location, _ = other.request(
        f"{b.url}/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "scaleout2", "password": "second-password-456"},
    )
    assert status == 302 and "/accounts/login/" not in location
