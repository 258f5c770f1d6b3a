"""Production: PostgreSQL, Redis, HTTPS. SECRET_KEY, ALLOWED_HOSTS and PORTAL_BASE_URL come from the environment."""

from .base import *  # noqa: F403
from .base import REGIONS_CACHE, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: refuse to start without one
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Links in emails sent by background jobs (no request to take the host from): no default.
PORTAL_BASE_URL = env("PORTAL_BASE_URL")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env("EMAIL_HOST", default="localhost"),
            "port": env.int("EMAIL_PORT", default=587),
            "username": env("EMAIL_HOST_USER", default=""),
            "password": env("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=True),
        },
    }
}
CACHES = {"default": env.cache("CACHE_URL", default="redis://127.0.0.1:6379/1"), "regions": REGIONS_CACHE}

# Keep each worker's database connection between requests: a new PostgreSQL connection forks a
# backend and warms its catalog caches, several milliseconds of every page. Checked before reuse,
# so a connection the server dropped is replaced rather than failing the request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
# Sessions read from the cache (Redis), written through to the database: one query less a page.
# Only with a cache every process shares: with one each process keeps to itself (CACHE_URL=
# locmemcache://, as `make loadtest` runs without Redis), a session signed out in one worker would
# still be read from the others' memory until it expired; those read the database instead.
_SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith((".LocMemCache", ".DummyCache"))
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if _SHARED_CACHE else "db")
