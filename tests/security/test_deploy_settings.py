"""Production settings, as a server started from the environment gets them.

The suite itself runs with test settings (pytest-django, PYTEST_VERSION), so each check here
starts a fresh Python with only the environment an operator writes (docs/deploy.md) and
reads what taolun.settings made of it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
YEAR = 365 * 24 * 3600

READ_SETTINGS = """
import json
from django.conf import settings
names = [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SECURE_REFERRER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "MIDDLEWARE", "CONTENT_SECURITY_POLICY",
]
print(json.dumps({name: getattr(settings, name, None) for name in names}))
"""


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """What /etc/taolun/env holds, and nothing of this test process (no PYTEST_VERSION)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "taolun.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "taolun.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://taolun.example.gov.cn",
        "TAOLUN_DATA_DIR": str(tmp_path / "var"),
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def settings_under(env: dict[str, str]) -> dict:
    done = run(["-c", "import django; django.setup()\n" + READ_SETTINGS], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_check_deploy_is_clean_in_production(tmp_path):
    done = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output


def test_check_deploy_warns_where_production_would_be_unsafe(tmp_path):
    """The clean result above means something: a weak key and plain HTTP are reported."""
    env = production_env(tmp_path, SECRET_KEY="short", SECURE_COOKIES="0")
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    for check in ("security.W009", "security.W012", "security.W016", "security.W008"):
        assert check in output, (check, output)


def test_production_settings_are_secure_by_default(tmp_path):
    values = settings_under(production_env(tmp_path))
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["LANGUAGE_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == YEAR
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    # nginx terminates TLS and says so in X-Forwarded-Proto (docs/deploy.md).
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert "csp.middleware.CSPMiddleware" in values["MIDDLEWARE"]
    policy = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert policy["script-src"] == policy["style-src"] == ["'self'"]


def test_operators_can_tune_hsts_and_the_proxy_header(tmp_path):
    env = production_env(
        tmp_path,
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_PROXY_SSL_HEADER="0",
    )
    values = settings_under(env)
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_SSL_REDIRECT"] is True


def test_a_plain_http_trial_neither_redirects_nor_marks_cookies_secure(tmp_path):
    values = settings_under(production_env(tmp_path, SECURE_COOKIES="0"))
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False


def test_make_run_serves_plain_http(tmp_path):
    """`make run`: DEBUG on, http://127.0.0.1, no secret needed, nothing sent to HTTPS."""
    values = settings_under(production_env(tmp_path, DEBUG="1", SECRET_KEY=None))
    assert values["DEBUG"] is True
    assert not values["SECURE_SSL_REDIRECT"]
    assert not values["SESSION_COOKIE_SECURE"]
    assert not values["SECURE_HSTS_SECONDS"]


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    done = run(["-c", "import django; django.setup()"], production_env(tmp_path, SECRET_KEY=None))
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "SECRET_KEY" in done.stderr


def test_the_suite_is_not_redirected_to_https(client, settings):
    """The suite's client and live server speak plain http:// (browsers treat localhost as
    secure, so secure cookies still work there)."""
    assert settings.SECURE_SSL_REDIRECT is False
    assert client.get("/accounts/login/").status_code == 200
