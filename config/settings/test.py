"""Tests: SQLite in memory unless DATABASE_URL says otherwise; an in-memory broker; fast hashing."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, REGIONS_CACHE, env

DEBUG = False
SECRET_KEY = "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = False
# Jobs run by tests in the test's own thread and transaction: no heartbeat thread (its own
# connection could not see the test's rows).
JOBS_HEARTBEAT_SECONDS = 0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "regions": REGIONS_CACHE}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
if DATABASES["default"]["ENGINE"] == "common.sqlite":
    # A file, with the OPTIONS of `make run` (WAL, IMMEDIATE, the busy timeout): threads and the
    # live server then get real separate connections and real locking, so the races of two clicks
    # are tested as they happen (an in-memory database is one shared connection).
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}
if DATABASES["default"]["ENGINE"] == "tenancy.postgres":
    # The suite runs on PostgreSQL with the row-level security policies on (created by migrate if
    # missing; .ci/run creates it first).
    DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="portal_app")
# Playwright's sync API runs an event loop in the test thread; live_server then needs this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

INSTALLED_APPS = [*INSTALLED_APPS, "tests.dueapp"]  # noqa: F405
