"""The one settings module. Every value comes from a FRONTOFFICE_* variable (see docs/configuration.md)."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from frontoffice.conf import (
    data_dir,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("DEBUG", False)
DEMO = env_bool("DEMO", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The address the outside world reaches us at (used in e-mails and provider webhooks).
PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Our apps first: their templates (sign-in, password reset) win over django.contrib.admin's.
    "frontoffice.core",
    "frontoffice.clients",
    "frontoffice.reception",
    "frontoffice.calls",
    "frontoffice.inquiries",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "frontoffice.core.middleware.SecurityHeadersMiddleware",
    "frontoffice.core.middleware.ApiErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "frontoffice.core.middleware.OTPMiddleware",  # django-otp's, the device read prepared
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "frontoffice.core.middleware.MembershipMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "frontoffice.urls"
WSGI_APPLICATION = "frontoffice.wsgi.application"
AUTH_USER_MODEL = "core.User"

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
                "frontoffice.core.context_processors.shell",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'frontoffice.sqlite3'}")
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"FRONTOFFICE_DATABASE_URL is not a database URL: {exc}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["CONN_MAX_AGE"] = 0 if _database["NAME"] == ":memory:" else _database["CONN_MAX_AGE"]
    _database["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock up front
        # so two writers queue instead of failing with "database is locked" mid-transaction.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _database["TEST"] = {"NAME": env_str("TEST_SQLITE_NAME") or None}
elif _database["ENGINE"] in ("django.db.backends.postgresql",):
    _database.setdefault("OPTIONS", {})
    # Django's cursors bind on the client and are never prepared; core/prepared.py's statements ask for a
    # server-side prepared statement, which psycopg only makes when the connection has a threshold.
    _database["OPTIONS"]["prepare_threshold"] = 5 if env_bool("DB_PREPARE", True) else None
else:
    raise ImproperlyConfigured("FRONTOFFICE_DATABASE_URL must point at SQLite or PostgreSQL")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and sessions ---------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and importlib.util.find_spec("redis") is None:
    raise ImproperlyConfigured("FRONTOFFICE_REDIS_URL needs the redis package: pip install 'frontoffice[redis]'")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered pieces of pages (core/fragments.py): keyed by a change stamp, so safe per process, and never
# shared, so a new release's templates never meet pieces the old one rendered.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments",
                       "OPTIONS": {"MAX_ENTRIES": 5000}}
# A session cached per worker would outlive its sign-out on the other workers, so sessions are cached
# only in a cache every worker shares; without one they are read from the database on every request
# (core/sessions.py: Django's database sessions, the lookup compiled once per process).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "frontoffice.core.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: it refuses locked-out accounts before any password check
    "frontoffice.core.sessions.PreparedModelBackend",  # Django's ModelBackend, the user read prepared
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:login"
PASSWORD_RESET_TIMEOUT = 3 * 3600

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
# Lock the account, not the address: an office signs in from one shared public IP, and one
# person mistyping must not lock out the whole desk. Rotating user agents does not help an attacker.
AXES_LOCKOUT_PARAMETERS = ["username"]
# Our users sign in by e-mail in the form's "username" field; count every spelling of it as one account.
AXES_USERNAME_CALLABLE = "frontoffice.core.views.auth.lockout_username"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("HTTPS", False) else 0

OTP_TOTP_ISSUER = "frontoffice"

# --- internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pl", _("Polish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_time_zone("TIME_ZONE", "Europe/Warsaw")
LANGUAGE_COOKIE_NAME = "frontoffice_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from finders; the folder only has to exist
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_DIR", str(DATA_DIR / "media")))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGE = env_str("STORAGE", "local")
if STORAGE == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE == "s3":
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured("FRONTOFFICE_STORAGE=s3 needs django-storages: pip install 'frontoffice[s3]'")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env_str("S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not env_str("S3_BUCKET"):
        raise ImproperlyConfigured("FRONTOFFICE_STORAGE=s3 needs FRONTOFFICE_S3_BUCKET")
else:
    raise ImproperlyConfigured(f"FRONTOFFICE_STORAGE must be local or s3, not {STORAGE!r}")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- e-mail ---------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL")
if EMAIL_URL:
    if EMAIL_URL.split(":", 1)[0] not in dj_email_url.SCHEMES:
        raise ImproperlyConfigured(
            f"FRONTOFFICE_EMAIL_URL must start with one of {', '.join(sorted(dj_email_url.SCHEMES))}://")
    try:
        _email = dj_email_url.parse(EMAIL_URL)
    except Exception as exc:  # dj_email_url raises bare exceptions for unknown schemes
        raise ImproperlyConfigured(f"FRONTOFFICE_EMAIL_URL is not an e-mail URL: {exc}") from None
    vars().update({key: value for key, value in _email.items() if value is not None})
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "frontoffice <frontoffice@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- security -------------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", False)
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "frontoffice.core.views.shell.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- logging ---
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured("FRONTOFFICE_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
# --- -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- serving ----------------------------------------------------------------------------------
HOST = env_str("HOST", "127.0.0.1")
PORT = env_int("PORT", 8000, minimum=1)
WORKERS = env_int("WORKERS", 0, minimum=0)  # 0: 2 × cores + 1, at most 8
# Addresses whose X-Forwarded-* headers gunicorn trusts: the TLS proxy in front of us.
FORWARDED_ALLOW_IPS = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn's access log: a file, "-" for standard output, empty for none (DEBUG logs to standard output).
ACCESS_LOG = env_str("ACCESS_LOG", "")

# --- background work (core/tasks.py) --------------------------------------------------------
TASKS = env_str("TASKS", "inprocess").lower()
if TASKS not in ("inprocess", "rq"):
    raise ImproperlyConfigured(f"FRONTOFFICE_TASKS must be inprocess or rq, not {TASKS!r}")
if TASKS == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("FRONTOFFICE_TASKS=rq needs FRONTOFFICE_REDIS_URL (redis://host:6379/0)")
PERIODIC = env_bool("PERIODIC", True)  # the scheduler thread of serve/worker (core/periodic.py)

# --- the API --------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
API_TOKEN_TOUCH_SECONDS = 60
