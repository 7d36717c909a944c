"""One settings module, configured by environment variables.

DEBUG, SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS, TAOLUN_DATA_DIR, EMAIL_URL-style
settings and TAOLUN_TODAY (pin the clock, for demos) are read here; nothing else
decides how the site behaves.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# pytest (8.2+) sets PYTEST_VERSION: the suite needs no secret of its own, and its test
# client and live server speak plain HTTP.
TESTING = "PYTEST_VERSION" in os.environ
DATA_DIR = Path(os.environ.get("TAOLUN_DATA_DIR", BASE_DIR / "var"))
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Old keys, comma-separated, still accepted for sessions and signed links while a new
# SECRET_KEY takes over; drop them once SESSION_COOKIE_AGE has passed.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for development).")
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Demo accounts and sample data exist only where this is on (make run sets it).
TAOLUN_DEMO = env_bool("TAOLUN_DEMO", DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "rules.apps.AutodiscoverRulesConfig",
    "auditlog",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "taolun.core",
    "taolun.org",
    "taolun.campaigns",
    "taolun.activities",
    "taolun.study",
    "taolun.discussion",
    "taolun.notifications",
    "taolun.rectification",
    "taolun.reporting",
    "taolun.supervision",
    "taolun.targets",
    "taolun.api",
    "taolun.textmine",
    "taolun.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "taolun.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "taolun.org.middleware.IdleTimeoutMiddleware",
    "taolun.org.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
    "taolun.notifications.middleware.ForgetTodoCountOnWrite",
    "taolun.core.middleware.ExportAuditMiddleware",
]

ROOT_URLCONF = "taolun.urls"
WSGI_APPLICATION = "taolun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "taolun" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "taolun.notifications.context_processors.todo_count",
            ],
        },
    }
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'taolun.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles each big rollup anew (about half a second on a province) and buys
    # nothing for queries that run in well under a second: off, unless the URL says.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "taolun.org.backends.ModelBackend",
    # After the backend that loads users: it only answers permission questions.
    "taolun.org.duties.AdminDutyBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "taolun.org.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "taolun.org.passwords.NotUsernameValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "taolun" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "taolun" / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # filled by collectstatic in production
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads are never served by URL: they are streamed by a view that checks scope.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "uploads"))
MEDIA_URL = "/uploads-are-not-served/"

TAOLUN_UPLOAD_MAX_BYTES = int(os.environ.get("TAOLUN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The ledger: days before a deadline at which the light turns yellow; import limits.
TAOLUN_LEDGER_WARNING_DAYS = int(os.environ.get("TAOLUN_LEDGER_WARNING_DAYS", 3))
TAOLUN_LEDGER_IMPORT_MAX_BYTES = int(
    os.environ.get("TAOLUN_LEDGER_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
)
TAOLUN_LEDGER_IMPORT_MAX_ROWS = int(os.environ.get("TAOLUN_LEDGER_IMPORT_MAX_ROWS", 200_000))
# The date the platform believes it is; empty means the real date (see taolun.core.clock).
# Subtrees this big read their dashboard figures from a snapshot computed in the
# background (supervision/snapshots.py); how many seconds a snapshot stays fresh.
TAOLUN_ROLLUP_SNAPSHOT_UNITS = int(os.environ.get("TAOLUN_ROLLUP_SNAPSHOT_UNITS", 2000))
TAOLUN_ROLLUP_SNAPSHOT_SECONDS = int(os.environ.get("TAOLUN_ROLLUP_SNAPSHOT_SECONDS", 600))
TAOLUN_TODAY = os.environ.get("TAOLUN_TODAY", "")
# The header's to-do counter is remembered per user this long (0: counted on every page).
# The user's own changes forget it at once; others' show within this time. The to-do page
# itself is always counted afresh.
TAOLUN_TODO_COUNT_SECONDS = int(os.environ.get("TAOLUN_TODO_COUNT_SECONDS", 60))
# Where it is remembered: a file per user under DATA_DIR/cache, shared by every worker of
# the machine, so the user's own change forgets it whichever worker answers next (a cache
# in each process's memory would keep showing the old count from the others). Several web
# machines share a table in their database instead (docs/deploy.md):
# CACHE_BACKEND=django.core.cache.backends.db.DatabaseCache CACHE_LOCATION=taolun_cache.
CACHES = {
    "default": {
        "BACKEND": os.environ.get(
            "CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"
        ),
        "LOCATION": os.environ.get("CACHE_LOCATION", str(DATA_DIR / "cache")),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# Absolute address of the site, for links in e-mails.
TAOLUN_SITE_URL = os.environ.get("TAOLUN_SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "taolun@localhost")

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        ),
    }
}

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_RESET_ON_SUCCESS = True
# Lock by account: offices share one address behind NAT, so locking by IP would lock them all.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

AUDITLOG_INCLUDE_ALL_MODELS = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
# A session with no request for this many minutes ends (0: never for idleness).
TAOLUN_IDLE_MINUTES = int(os.environ.get("TAOLUN_IDLE_MINUTES", 30))
# On: offices and leaders must sign in with a second factor (a TOTP app); anyone may
# choose one either way.
TAOLUN_TOTP_REQUIRED = env_bool("TAOLUN_TOTP_REQUIRED", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "taolun")
# The back office never shows a device's secret or its QR code (the security
# administrator removes lost devices; nobody copies them).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Audit records are kept at least this many days: prune_audit refuses anything younger.
TAOLUN_AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("TAOLUN_AUDIT_RETENTION_DAYS", 180)))
# Deleted business records stay in the recycle bin this long (purge_recycle_bin).
TAOLUN_RECYCLE_DAYS = int(os.environ.get("TAOLUN_RECYCLE_DAYS", 90))
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Production is HTTPS only: nginx terminates TLS (docs/deploy.md). SECURE_COOKIES=0 is for
    # a plain-HTTP trial, and then nothing may send browsers to an HTTPS that is not there.
    SECURE_COOKIES = env_bool("SECURE_COOKIES", True)
    SESSION_COOKIE_SECURE = SECURE_COOKIES
    CSRF_COOKIE_SECURE = SECURE_COOKIES
    LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_COOKIES and not TESTING)
    # Sent on HTTPS responses only; a year by default, as browsers expect of a site that stays.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading is a request to browser vendors, for public domains only: the operator's call.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # nginx sets X-Forwarded-Proto itself on every request (proxy_set_header), so a client
    # cannot forge it; without a proxy in front (SECURE_PROXY_SSL_HEADER=0) it is ignored.
    if env_bool("SECURE_PROXY_SSL_HEADER", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # security.W021 asks for SECURE_HSTS_PRELOAD; intranet sites cannot be preloaded (above).
    SILENCED_SYSTEM_CHECKS += ["security.W021"]

# The browser runs only what the site serves: no inline script or style, no eval, no CDN
# (offices run on isolated intranets). Data reaches scripts through data- attributes and
# json_script blocks, which are not executed. Bootstrap's icons are data: SVG images;
# ECharts and Bootstrap set styles through the CSSOM, which the policy allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

ADMIN_SITE_HEADER = _("taolun administration")
