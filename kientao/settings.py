"""Settings for Kiến Tạo, read from environment variables only.

Defaults serve development on a laptop: SQLite under ``var/``, jobs in a
database queue, e-mail printed to the console. ``.env.example`` lists every
variable. A malformed value stops start-up with a message naming the variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything but a clear yes or no is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no), not {raw!r}")


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envsecret(name: str, default: str | None) -> str:
    """A secret from the environment, or from the file named by ``<name>_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path!r}: {exc}") from None
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"{name} must be set when KIENTAO_DEBUG is off")
    return value


def envurl(name: str, schemes: set[str]) -> str | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must be a URL starting with one of {allowed}: {raw!r}")
    return raw


DEBUG = envbool("KIENTAO_DEBUG", True)
_DEV_SECRET = "django-insecure-kientao-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = envsecret("KIENTAO_SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "KIENTAO_SECRET_KEY must be a random string of at least 50 characters when "
        "KIENTAO_DEBUG is off"
    )
ALLOWED_HOSTS = envlist("KIENTAO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("KIENTAO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("KIENTAO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
VAR_DIR = Path(os.environ.get("KIENTAO_VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "kientao.core",
    "kientao.challenges",
    "kientao.conversations",
    "kientao.systemmaps",
    "kientao.indices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kientao.core.middleware.PreferredLanguageMiddleware",
    "kientao.core.middleware.CurrentOrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kientao.urls"
WSGI_APPLICATION = "kientao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kientao.core.context_processors.platform",
            ],
        },
    }
]

# Database: SQLite under var/ unless DATABASE_URL names PostgreSQL.
_database_url = envurl("DATABASE_URL", {"sqlite", "postgres", "postgresql"})
if _database_url:
    import dj_database_url

    try:
        _db = dj_database_url.parse(_database_url, conn_max_age=envint("KIENTAO_DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "kientao.sqlite3")}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the web process and a worker share the file.
    _db.setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    if _db["NAME"] != ":memory:":
        # A file (not memory) so that a real worker process sees the test database.
        _db["TEST"] = {"NAME": str(VAR_DIR / "test-kientao.sqlite3")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs: django-tasks with the database queue, or RQ when REDIS_URL is set.
REDIS_URL = envurl("REDIS_URL", {"redis", "rediss", "unix"})
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kientao",
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kientao_cache",
        }
    }
# A job whose worker stopped sending heartbeats for this long is retried or failed.
KIENTAO_JOB_STALE_SECONDS = envint("KIENTAO_JOB_STALE_SECONDS", 60, minimum=2)
KIENTAO_JOB_MAX_ATTEMPTS = envint("KIENTAO_JOB_MAX_ATTEMPTS", 2, minimum=1)

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# Languages: Vietnamese and English; the browser's Accept-Language decides for visitors.
LANGUAGE_CODE = "en"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kientao" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("KIENTAO_TIME_ZONE", "Asia/Ho_Chi_Minh")
FORMAT_MODULE_PATH = ["kientao.formats"]
LANGUAGE_COOKIE_NAME = "kientao_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

FORMS_URLFIELD_ASSUME_HTTPS = True
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("KIENTAO_MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files are private: no MEDIA_URL is served; views check permissions and stream them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("KIENTAO_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024

# E-mail: the console by default; SMTP when KIENTAO_EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("KIENTAO_EMAIL_FROM", "Kiến Tạo <no-reply@kientao.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("KIENTAO_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("KIENTAO_EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = os.environ.get("KIENTAO_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = envsecret("KIENTAO_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = envbool("KIENTAO_EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = envbool("KIENTAO_EMAIL_USE_SSL", False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("KIENTAO_EMAIL_USE_TLS and KIENTAO_EMAIL_USE_SSL exclude each other")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Security: strict by default when debug is off (``manage.py check --deploy`` passes).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("KIENTAO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("KIENTAO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("KIENTAO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("KIENTAO_HSTS_PRELOAD", True)

# Hash salt for rate limiting by address: raw IP addresses are never stored.
KIENTAO_ADDRESS_SALT = envsecret("KIENTAO_ADDRESS_SALT", SECRET_KEY)
# How many reverse proxies stand in front of the web processes (their X-Forwarded-For is trusted).
KIENTAO_TRUSTED_PROXIES = envint("KIENTAO_TRUSTED_PROXIES", 0, minimum=0)
KIENTAO_SIGNUP_OPEN = envbool("KIENTAO_SIGNUP_OPEN", True)

# Citizen conversations: abuse limits and how often the opinion map is recomputed.
KIENTAO_CONVERSATIONS_VOTES_PER_MINUTE = envint("KIENTAO_CONVERSATIONS_VOTES_PER_MINUTE", 60, minimum=1)
KIENTAO_CONVERSATIONS_ADDRESS_VOTES_PER_MINUTE = envint(
    "KIENTAO_CONVERSATIONS_ADDRESS_VOTES_PER_MINUTE", 600, minimum=1
)
KIENTAO_CONVERSATIONS_STATEMENTS_PER_10_MIN = envint(
    "KIENTAO_CONVERSATIONS_STATEMENTS_PER_10_MIN", 5, minimum=1
)
KIENTAO_CONVERSATIONS_ADDRESS_STATEMENTS_PER_10_MIN = envint(
    "KIENTAO_CONVERSATIONS_ADDRESS_STATEMENTS_PER_10_MIN", 30, minimum=1
)
# How often each web process shares its vote counts for the rate limits (milliseconds).
KIENTAO_CONVERSATIONS_RATE_SYNC_MS = envint("KIENTAO_CONVERSATIONS_RATE_SYNC_MS", 1000, minimum=0)
KIENTAO_CONVERSATIONS_RECOMPUTE_SECONDS = envint("KIENTAO_CONVERSATIONS_RECOMPUTE_SECONDS", 30, minimum=0)
# Small-cell suppression: report figures by participant attribute only for at least this many people.
KIENTAO_CONVERSATIONS_MIN_CELL = envint("KIENTAO_CONVERSATIONS_MIN_CELL", 10, minimum=1)
# Importing a Pol.is export (ZIP) on the web: largest upload, and most CSV once unzipped
# (the web server's request body limit should match the first).
KIENTAO_CONVERSATIONS_IMPORT_MAX_BYTES = envint("KIENTAO_CONVERSATIONS_IMPORT_MAX_BYTES", 20 * 2**20, minimum=1)
KIENTAO_CONVERSATIONS_IMPORT_MAX_UNZIPPED_BYTES = envint(
    "KIENTAO_CONVERSATIONS_IMPORT_MAX_UNZIPPED_BYTES", 50 * 2**20, minimum=1
)
# Analyses kept per conversation (the newest; each holds the whole opinion map).
KIENTAO_CONVERSATIONS_KEEP_ANALYSES = envint("KIENTAO_CONVERSATIONS_KEEP_ANALYSES", 5, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KIENTAO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
