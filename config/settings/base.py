"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of the embedded default: SQLite file, broker folders, media
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "axes",
    # Shared apps first: every domain app stands on them.
    "common",
    "tenancy",
    "activity",
    "jobs",
    # Domains.
    "plans",
    "enrollments",
    "balances",
    "partners",
    "courses",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "common.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenancy.middleware.TenantMiddleware",
    "common.busy.DatabaseBusyMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (Django's own, django.middleware.csp): scripts, styles and everything
# else from this site only, no inline code and no eval; htmx's indicator styles are in portal.css
# (htmx-config includeIndicatorStyles=false). In every environment, so a template that slips an
# inline script or style in breaks in development and in the browser tests, not in production.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
# Browser features the portal never uses (common.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "usb",
    )
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenancy.context_processors.workspace",
            ],
            "builtins": ["common.templatetags.portal", "common.templatetags.regions"],
        },
    }
]
# Django's form renderer with the select widget drawn in Python (two template includes per
# option were milliseconds of every filtered list page): common/form_renderer.py.
FORM_RENDERER = "common.form_renderer.FormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services are the transaction boundary
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend plus the tenant wall: each statement runs in the role and app.tenant_id of
    # the current tenant scope, under the row-level security policies (tenancy/postgres/).
    DATABASES["default"]["ENGINE"] = "tenancy.postgres"
    # The statements compiled once (common/precompiled.py) are bound on the server, and psycopg
    # prepares one once it ran this many times on a connection: PostgreSQL then skips planning
    # it again. Django turns preparing off for connection poolers: behind PgBouncer in transaction
    # mode (before 1.21's max_prepared_statements) set it to 0, and nothing is prepared.
    _prepare_after = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = _prepare_after or None
# The PostgreSQL role the app switches to inside a tenant scope (and outside any scope): subject to
# the row-level security policies because it owns no table. The login role of DATABASE_URL owns
# the tables (it runs migrate) and is the maintenance role. Empty: no switching (no database wall).
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web process reads. IMMEDIATE takes the write lock at
    # BEGIN, where SQLite waits up to `timeout` seconds for it: a deferred transaction that read
    # first and then writes cannot wait (its snapshot is stale once another writer committed) and
    # fails at once with "database is locked". A wait that still runs out answers 503 (common/busy.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Django's backend with a cheaper placeholder conversion for bulk writes (common/sqlite/).
    DATABASES["default"]["ENGINE"] = "common.sqlite"
# A web request's statement running longer than this is cancelled: 503 "this took too long,
# nothing was changed" (common/statement_timeout.py, applied by config/wsgi.py and asgi.py).
# Workers take WORKER_STATEMENT_TIMEOUT; commands (migrate, seed_demo, bench) none. Seconds, 0: none.
STATEMENT_TIMEOUT = env.float("STATEMENT_TIMEOUT", default=30)
WORKER_STATEMENT_TIMEOUT = env.float("WORKER_STATEMENT_TIMEOUT", default=0)
# A statement that reads every row of a tenant is planned without nested loops on PostgreSQL
# (stale statistics cannot make it quadratic) when the tenant has at least this many members;
# a smaller tenant's keeps its index lookups into the tables all tenants share (common/planner.py).
READS_EVERY_ROW_FROM_MEMBERS = env.int("READS_EVERY_ROW_FROM_MEMBERS", default=1000)
if READS_EVERY_ROW_FROM_MEMBERS < 0:
    raise ImproperlyConfigured("READS_EVERY_ROW_FROM_MEMBERS is a number of members: 0 or more.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (Index.include) serve PostgreSQL; on SQLite the index simply has no included
# column, which is what we want there (plans.Reward's reward_owed).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: a new password lifts a django-axes lockout (the account unlock email's link).
    {"NAME": "courses.account_emails.UnlockAfterPasswordChange"},
]

# Lockout after repeated failed logins (the courses' "account unlock" email builds on it).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=8)
AXES_COOLOFF_TIME = 1  # hours
# Lock the pair (this username from this address), not each alone: behind a reverse proxy every
# user shares one address, and locking the address would lock out the whole office.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, the peer is the
# client). Lockouts, rate limits and plan acceptances all read the address through this.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
RATELIMIT_IP_META_KEY = "common.client_ip.client_ip"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Django 6.1 configures mail with MAILERS (the EMAIL_* settings are deprecated).
_EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": (
            {
                "host": env("EMAIL_HOST", default="localhost"),
                "port": env.int("EMAIL_PORT", default=25),
                "username": env("EMAIL_HOST_USER", default=""),
                "password": env("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=False),
            }
            if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Incentives Portal <no-reply@portal.test>")

# Regions of pages kept per workspace data version (common.regions): each process's own memory,
# no round trip; about 20 kB a region, so at most about 20 MB a process.
REGIONS_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "regions",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://"), "regions": REGIONS_CACHE}
# Off: every page renders every time (the bench measures rendering so, and an operator may).
PORTAL_KEEP_REGIONS = env.bool("PORTAL_KEEP_REGIONS", default=True)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_AGE = 60 * 60 * 12

# --- Celery -----------------------------------------------------------------------------------
# Default broker needs no server: kombu's filesystem transport in var/broker. Set
# CELERY_BROKER_URL=redis://... in production.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The beat schedule lives here (not django-celery-beat, which does not support Django 6.1).
# Apps add their periodic tasks to this dict in their settings section below.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "tenancy.tasks.clear_expired_sessions_task", "schedule": 3600.0},
    "sweep-due-work": {"task": "common.tasks.sweep_due_work_task", "schedule": 60.0},
    # Jobs whose worker died are failed within a minute (heartbeat older than JOBS_STALE_SECONDS).
    "fail-stalled-jobs": {"task": "jobs.tasks.fail_stalled_jobs_task", "schedule": 15.0},
    # Courses: access follows expiry at read time; the sweep writes the X every 15 minutes.
    "expire-course-enrollments": {"task": "courses.tasks.expire_due_enrollments_task", "schedule": 900.0},
    "sync-netsuite-sales-orders": {"task": "courses.tasks.sync_sales_orders_task", "schedule": 900.0},
    # Course emails: Item Unlocked (items whose unlock date has come) and Inactive Status Trigger.
    "course-item-unlocked": {"task": "courses.notification_tasks.notify_unlocked_items_task", "schedule": 3600.0},
    # Notices before access ends (courses and partner enrollments): once per enrollment and date.
    "course-expiry-notices": {"task": "courses.tasks.send_expiry_notices_task", "schedule": 3600.0},
    "partner-expiry-notices": {"task": "partners.tasks.send_partner_expiry_notices_task", "schedule": 3600.0},
    "course-inactive-learners": {
        "task": "courses.notification_tasks.notify_inactive_learners_task",
        "schedule": 6 * 3600.0,
    },
}

# --- Domain settings ----------------------------------------------------------------------------
PORTAL_PAGE_SIZE = 25
EXPORT_CHUNK_SIZE = 2000
# Absolute links in emails (the portal's public address).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://localhost:8000")
# Inactive Status Trigger: a learner with no module started or completed for this many days.
COURSE_INACTIVE_DAYS = env.int("COURSE_INACTIVE_DAYS", default=14)
# Background jobs: a running job's worker writes a heartbeat this often; the sweep fails a job
# not heard from for JOBS_STALE_SECONDS. Uploads for an import are refused above this size.
JOBS_HEARTBEAT_SECONDS = env.int("JOBS_HEARTBEAT_SECONDS", default=10)
JOBS_STALE_SECONDS = env.int("JOBS_STALE_SECONDS", default=45)
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=50)
PARTNER_RECALC_DELAY_SECONDS = env.int("PARTNER_RECALC_DELAY_SECONDS", default=300)
# OData API: rows per page (a larger $top is served in pages via @odata.nextLink; a client asks for
# smaller pages with "Prefer: odata.maxpagesize=N") and requests per minute per API key (counted
# in the cache: use a shared one, e.g. Redis, in production). 5,000 rows a page as Dataverse
# serves by default (Business Central: up to 20,000): a page of rewards is about 1.2 MB, and a
# full read takes a fifth of the requests, and of the rate limit, that pages of 1,000 did.
ODATA_PAGE_SIZE = env.int("ODATA_PAGE_SIZE", default=5000)
ODATA_RATE_LIMIT_PER_MINUTE = env.int("ODATA_RATE_LIMIT_PER_MINUTE", default=600)
# Requests without a valid API key, per client address (then 429): enough for a typo'd key
# retried by a client, not for trying keys or flooding the key lookup.
ODATA_UNAUTHORIZED_RATE = env("ODATA_UNAUTHORIZED_RATE", default="60/m")
# Password-reset emails per email address and per client address (over it, nothing is sent and
# the page answers as usual).
PASSWORD_RESET_RATE_PER_ADDRESS = env("PASSWORD_RESET_RATE_PER_ADDRESS", default="5/h")
PASSWORD_RESET_RATE_PER_IP = env("PASSWORD_RESET_RATE_PER_IP", default="20/h")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # odata-query logs each property whose type it does not guess; our declarations type them.
        "odata_query": {"level": "ERROR"},
    },
}
