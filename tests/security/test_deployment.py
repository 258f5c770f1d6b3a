"""Safe deployment defaults (issue 18, item 5): the production settings send the security headers
(a CSP with no inline code among them), the image runs them by default, compose needs a secret,
and no template carries inline scripts or styles."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x7!kq2#pz9-production-like-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "portal.example.com",
    "PORTAL_BASE_URL": "https://portal.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
    "CACHE_URL": "locmemcache://",
}
FETCH = """
import json, django
django.setup()
from django.test import Client
r = Client().get("/accounts/login/", secure=True, headers={"host": "portal.example.com"})
print(json.dumps({"status": r.status_code, "headers": dict(r.headers)}))
"""


def production_response(script: str = FETCH, **extra_env: str):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | PRODUCTION_ENV | extra_env
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=BASE, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_send_the_security_headers():
    response = production_response()
    assert response["status"] == 200
    headers = response["headers"]
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"  # no 'unsafe-inline', no eval
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


SETTINGS = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({"age": db["CONN_MAX_AGE"], "checks": db["CONN_HEALTH_CHECKS"], "sessions": settings.SESSION_ENGINE}))
"""


def test_production_keeps_each_workers_connection_and_reads_sessions_from_the_cache():
    """A connection per request forked a PostgreSQL backend with cold catalog caches for every
    page; the session row was one more query of every page."""
    assert production_response(SETTINGS, CACHE_URL="redis://127.0.0.1:6379/1") == {
        "age": 60,
        "checks": True,
        "sessions": "django.contrib.sessions.backends.cached_db",
    }
    assert production_response(SETTINGS, CONN_MAX_AGE="0")["age"] == 0  # closed after every request


def test_sessions_are_read_from_the_cache_only_when_every_worker_shares_it():
    """With a cache each process keeps to itself, a session signed out in one worker would live on
    in the others' memory until it expired: those settings read sessions from the database."""
    for url in ("locmemcache://", "dummycache://"):
        assert production_response(SETTINGS, CACHE_URL=url)["sessions"] == "django.contrib.sessions.backends.db"
    shared = production_response(SETTINGS, CACHE_URL="rediscache://127.0.0.1:6379/1")
    assert shared["sessions"] == "django.contrib.sessions.backends.cached_db"


def test_the_image_runs_production_settings_and_compose_needs_a_secret():
    dockerfile = (BASE / "Dockerfile").read_text()
    assert re.search(r"^ENV .*DJANGO_SETTINGS_MODULE=config\.settings\.production", dockerfile, re.M)
    compose = (BASE / "docker-compose.yml").read_text()
    assert "SECRET_KEY: ${SECRET_KEY:?" in compose
    assert not re.search(r"SECRET_KEY: \$\{SECRET_KEY:-", compose)


def test_no_template_has_inline_scripts_or_styles():
    offenders = []
    for path in (BASE / "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"<style\b|\sstyle=[\"']", text):
            offenders.append(str(path.relative_to(BASE)))
        if re.search(r"\son[a-z]+=[\"']|hx-on|javascript:", text):
            offenders.append(str(path.relative_to(BASE)))
    assert offenders == []


def test_no_python_code_writes_an_inline_style():
    """The Content-Security-Policy refuses inline styles, and HTML built in Python (a table's
    progress bar, a widget's attrs) escapes the template search: look there too."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for app in ("activity", "api", "balances", "common", "courses", "enrollments", "partners", "plans", "tenancy")
        for path in (root / app).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"""style=|["']style["']\s*:""", line)
    ]
    assert offenders == []
