"""Settings of the django-comments-xtd peer: a plain Django site configured the way the
django-comments-xtd tutorial configures one, with its database in the bench work dir.

Runs only under bench/.xtd-venv (see bench/peers/xtd/requirements.txt), never under Veche.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
# A throwaway key for a throwaway loopback server.
SECRET_KEY = "xtd-bench-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    # The tutorial's order: xtd before django_comments, so its templates win.
    "django_comments_xtd",
    "django_comments",
    "rest_framework",
    "xtdbench",
]
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "xtdbench.urls"
WSGI_APPLICATION = "xtdbench.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        # Always in the bench work dir (bench/run.py sets it), never in the checkout.
        "NAME": os.environ["XTD_DB"],
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
STATIC_URL = "/static/"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "bench@example.org"

COMMENTS_APP = "django_comments_xtd"
# Veche's generated threads go eight levels deep (depth 0..7); one spare level.
COMMENTS_XTD_MAX_THREAD_LEVEL = 8
# Veche publishes a reader's post at once; xtd would otherwise hold anonymous posts
# until an e-mailed link is followed.
COMMENTS_XTD_CONFIRM_EMAIL = False
