"""Django settings for Veche, read from the environment.

Every deployment knob is an environment variable (DATABASE_URL, REDIS_URL, VECHE_*);
the README lists them.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from veche.config.env import env_bool, env_float, env_int, env_list, secret_key, var_dir

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()

SECRET_KEY = secret_key(VAR_DIR)
DEBUG = env_bool("VECHE_DEBUG", False)
ALLOWED_HOSTS = env_list("VECHE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("VECHE_CSRF_TRUSTED_ORIGINS", [])
# The address the site is reached at, for canonical URLs, feeds and mail links.
VECHE_SITE_URL = os.environ.get("VECHE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "veche.core",
    "veche.accounts",
    "veche.discussion",
    "veche.newsroom",
    "veche.moderation",
    "veche.moderation.classifier",
    "veche.api",
    "veche.importers",
    "django_tasks",
    "django_tasks_db",
]
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "veche.api.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "veche.api.middleware.PopupOpenerMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "veche.core.csp.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "veche.accounts.middleware.RequireStaffMFAMiddleware",
]

ROOT_URLCONF = "veche.config.urls"
WSGI_APPLICATION = "veche.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "veche.core.context_processors.publication",
            ],
        },
    },
    {
        # The comment tree is rendered with Jinja2: a recursive macro over hundreds of
        # comments is an order of magnitude faster than Django includes.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "veche.core.jinja.environment", "autoescape": True},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'veche.sqlite3'}"),
        conn_max_age=env_int("VECHE_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE avoids lock upgrades
    # that would fail with "database is locked" under concurrent posting. synchronous=FULL:
    # every commit is on disk before it is acknowledged (with NORMAL, a power cut or an
    # operating-system crash could take back the last comments posted).
    # Connections persist (VECHE_DB_CONN_MAX_AGE) per thread: opening one costs ~1.4 ms.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("VECHE_TEST_SQLITE_NAME")}
else:
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("VECHE_TEST_DB_NAME")}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a health check that costs no round trip when the
        # connection is plainly fine (core/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "veche.core.postgresql"
    if env_bool("VECHE_DB_PREPARE", True):
        # Parameters bound by the server, and a statement run twice on a connection is
        # kept prepared: planning had been half the SQL time of a post (the author's
        # facts query alone, 1.1 ms planned each time, 0.4 ms prepared). Off behind a
        # pooler in transaction mode that cannot keep prepared statements.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=1
        )

# Background jobs wait in the database (django-tasks-db), so none is lost on a restart;
# `veche db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
VECHE_REDIS_PREFIX = os.environ.get("VECHE_REDIS_PREFIX", "veche")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "veche.core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": VECHE_REDIS_PREFIX,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "veche",
        }
    }
    # Django's database sessions, each request's row read without building a query.
    SESSION_ENGINE = "veche.core.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Russian")]
TIME_ZONE = os.environ.get("VECHE_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if env_bool("VECHE_TESTING")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Mail: the console in development, SMTP when VECHE_EMAIL_HOST is set.
if os.environ.get("VECHE_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["VECHE_EMAIL_HOST"]
    EMAIL_PORT = env_int("VECHE_EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("VECHE_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("VECHE_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("VECHE_EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("VECHE_FROM_EMAIL", "Veche <noreply@localhost>")

# --- Accounts (django-allauth)
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "veche.accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("VECHE_HTTPS") else "http"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Veche"
# Roles whose accounts must have a second factor before they can use their powers.
VECHE_MFA_REQUIRED_GROUPS = ["moderator", "editor", "admin"]
VECHE_MFA_REQUIRED = env_bool("VECHE_MFA_REQUIRED", True)

# --- Security headers. Pages carry no inline script or style, so one cached page can
# be served to every reader under a strict policy (django-csp 4 format).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
if env_bool("VECHE_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("VECHE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Publication
VECHE_PUBLICATION_NAME = os.environ.get("VECHE_PUBLICATION_NAME", "Veche")
VECHE_PUBLICATION_TAGLINE = os.environ.get(
    "VECHE_PUBLICATION_TAGLINE", "News and the readers' discussion"
)

# --- Discussion
VECHE_COMMENT_MAX_LENGTH = env_int("VECHE_COMMENT_MAX_LENGTH", 10_000)
VECHE_EDIT_WINDOW_SECONDS = env_int("VECHE_EDIT_WINDOW_SECONDS", 15 * 60)
VECHE_VISUAL_DEPTH = env_int("VECHE_VISUAL_DEPTH", 6)
VECHE_PAGE_SIZE = env_int("VECHE_PAGE_SIZE", 200)
# How many replies of an oversized root subtree a page shows before "show N more".
VECHE_SUBTREE_PREVIEW = env_int("VECHE_SUBTREE_PREVIEW", 50)
# Full-page cache of anonymous readers' pages (veche.core.pagecache), checked against
# the thread's version on every hit; the time bounds changes nothing else announces.
VECHE_PAGE_CACHE = env_bool("VECHE_PAGE_CACHE", True)
VECHE_PAGE_CACHE_SECONDS = env_int("VECHE_PAGE_CACHE_SECONDS", 300)
# The API's thread pages as anonymous readers get them (veche.api.page_cache), written
# once per thread version; 0 builds every one afresh.
VECHE_API_PAGE_CACHE = env_bool("VECHE_API_PAGE_CACHE", True)
# Bytes of cached pages each worker keeps in its own memory (LRU; Redis is the second level).
VECHE_PAGE_CACHE_LOCAL_BYTES = env_int("VECHE_PAGE_CACHE_LOCAL_BYTES", 64 * 1024 * 1024)
# Bytes of whole-thread JSON documents (GET /t/<id>/comments.json for anonymous readers)
# kept as files in VECHE_VAR_DIR, one per thread version; 0 builds every one afresh.
VECHE_THREAD_JSON_FILES_BYTES = env_int("VECHE_THREAD_JSON_FILES_BYTES", 256 * 1024 * 1024)
# Bytes of rendered comment trees each worker keeps in its own memory in front of a
# shared cache (Redis); 0 without one, whose in-process cache needs no second copy.
VECHE_TREE_CACHE_LOCAL_BYTES = env_int(
    "VECHE_TREE_CACHE_LOCAL_BYTES", 8 * 1024 * 1024 if REDIS_URL else 0
)
# Bytes of page layouts (which top-level comments each page of a thread version shows)
# each worker keeps in its own memory in front of the cache.
VECHE_LAYOUT_CACHE_LOCAL_BYTES = env_int("VECHE_LAYOUT_CACHE_LOCAL_BYTES", 4 * 1024 * 1024)
# When a reader deletes their account, their comments stay under "deleted user"
# ("anonymise") or are deleted and their text erased ("remove").
VECHE_ACCOUNT_DELETION_COMMENTS = os.environ.get("VECHE_ACCOUNT_DELETION_COMMENTS", "anonymise")
VECHE_DELETED_RETENTION_DAYS = env_int("VECHE_DELETED_RETENTION_DAYS", 30)
VECHE_SMILEYS = {
    ":laughing:": "\U0001f606",
    ":smile:": "\U0001f604",
    ":wink:": "\U0001f609",
    ":sad:": "\U0001f61e",
    ":angry:": "\U0001f620",
    ":thumbsup:": "\U0001f44d",
    ":thumbsdown:": "\U0001f44e",
    ":facepalm:": "\U0001f926",
}

# --- Moderation (veche.moderation; docs in its conf.py)
# "post": publish at once, review later; "pre": hold every comment. Sections and
# articles may override it (their threads carry the effective mode).
VECHE_MODERATION_MODE = os.environ.get("VECHE_MODERATION_MODE", "post")
# A new account's first N comments wait for a moderator (0: never).
VECHE_NEW_USER_PREMOD_COUNT = env_int("VECHE_NEW_USER_PREMOD_COUNT", 3)
# More links than this in one comment hold it (trusted readers get a few more).
VECHE_MAX_LINKS = env_int("VECHE_MAX_LINKS", 2)
# "count/seconds" per user (and per IP for posting); past it: 429 with Retry-After.
VECHE_POST_RATE = os.environ.get("VECHE_POST_RATE", "5/60")
VECHE_POST_RATE_IP = os.environ.get("VECHE_POST_RATE_IP", "5/60")
VECHE_EDIT_RATE = os.environ.get("VECHE_EDIT_RATE", "10/60")
VECHE_REPORT_RATE = os.environ.get("VECHE_REPORT_RATE", "10/3600")
VECHE_VOTE_RATE = os.environ.get("VECHE_VOTE_RATE", "60/60")
# Readers whose judged comments are at least this share rejected (and at least
# VECHE_HISTORY_MIN_COMMENTS of them) have new comments held.
VECHE_HISTORY_REJECT_SHARE = float(os.environ.get("VECHE_HISTORY_REJECT_SHARE", "0.5"))
VECHE_HISTORY_MIN_COMMENTS = env_int("VECHE_HISTORY_MIN_COMMENTS", 4)
# Weighted reader reports (weight by the reporter's trust level) that hold a comment.
VECHE_REPORTS_TO_HOLD = float(os.environ.get("VECHE_REPORTS_TO_HOLD", "3"))
# Article discussions close this many days after publication (unset: never).
VECHE_CLOSE_AFTER_DAYS = (
    env_int("VECHE_CLOSE_AFTER_DAYS", 0) if os.environ.get("VECHE_CLOSE_AFTER_DAYS") else None
)
# The abuse classifier's thresholds (scores 0..1; docs in moderation/classifier/conf.py).
# Unset: the shipped model's own per-language thresholds (meta.json).
VECHE_CLASSIFIER_HOLD = env_float("VECHE_CLASSIFIER_HOLD")
VECHE_CLASSIFIER_HOLD_EN = env_float("VECHE_CLASSIFIER_HOLD_EN")
VECHE_CLASSIFIER_HOLD_RU = env_float("VECHE_CLASSIFIER_HOLD_RU")
VECHE_CLASSIFIER_REJECT = env_float("VECHE_CLASSIFIER_REJECT")
VECHE_CLASSIFIER_TIMEOUT = env_float("VECHE_CLASSIFIER_TIMEOUT", 0.15)
VECHE_SCORER_SLICE_MS = env_float("VECHE_SCORER_SLICE_MS", 20.0)
# Rank titles (VECHE_RANKS) and trust thresholds (VECHE_TRUST_THRESHOLDS) default to the
# military ladder and Discourse-like levels in veche/moderation/conf.py; set them here
# to override.
# Sign-up and sign-in limits (django-allauth), stated explicitly.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "confirm_email": "1/180s/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("VECHE_LOG_LEVEL", "INFO")},
}
CSRF_FAILURE_VIEW = "veche.core.csrf.csrf_failure"

if env_bool("VECHE_TESTING"):
    # Password hashing dominates test set-up time; tests check behaviour, not hashing.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The new-account hold and the flood limits would change what every other test
    # expects of a fresh reader posting; tests/moderation switches them on.
    VECHE_NEW_USER_PREMOD_COUNT = 0
    VECHE_POST_RATE = VECHE_POST_RATE_IP = VECHE_EDIT_RATE = VECHE_REPORT_RATE = ""
    VECHE_VOTE_RATE = ""
