import importlib
import os
import pkgutil
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django_scopes import scopes_disabled

from tests import clock
from tests.factories import TenantFactory, member

IN_CI = os.environ.get("CI") == "true"
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"

# Every tests/<app>/isolation.py registers the URL keywords its views need.
for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if info.ispkg and (Path(__file__).parent / info.name / "isolation.py").exists():
        importlib.import_module(f"tests.{info.name}.isolation")


_session_clock = clock.travel()


def pytest_configure(config):
    """Freeze the clock before anything is collected, so even import-time reads see FROZEN_AT."""
    _session_clock.start()


def pytest_unconfigure(config):
    _session_clock.stop()


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Every test starts at the same instant (tests/clock.py), whatever the day the suite runs."""
    with clock.travel():
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache, and every test starts at the same instant: without
    this, one test's attempts would count against the next one's. The regions kept
    (common.regions) too: a workspace's id and data version recur from test to test."""
    cache.clear()
    caches["regions"].clear()
    yield


def _missing(reason: str) -> None:
    """A test whose service is missing skips locally, and fails under CI=true."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] in ("django.db.backends.postgresql", "tenancy.postgres")


def redis_broker_url() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        return None
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None
    return url


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    )


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and not is_postgres():
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if item.get_closest_marker("redis") and not redis_broker_url():
        _missing("needs a Redis broker: set CELERY_BROKER_URL=redis://… to a running Redis")
    if item.get_closest_marker("e2e") and not chromium_path():
        _missing("needs Chromium at /usr/bin/chromium (apt-get install chromium)")


def pytest_collection_modifyitems(items):
    """Tests marked ``slow`` (minutes each: the browser sweep's walks) run first, in their own
    order, longest first. Under `pytest -n 2` (pyproject.toml: one test at a time to the free
    worker) each worker starts on one of them and the short tests fill in around them; collected
    last, they started when everything else was done, and one worker sat idle for minutes."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_terminal_summary(terminalreporter):
    """Print the lines tests left with ``record_property("summary", (title, [(key, line), …]))``,
    under their title, in the order of their keys: the output of a worker of `pytest -n` never
    reaches the terminal, its reports do."""
    sections: dict[str, list] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if name == "summary":
                    title, lines = value
                    sections.setdefault(title, []).extend(lines)
    for title, lines in sections.items():
        terminalreporter.write_line("")
        terminalreporter.write_line(title)
        for _key, line in sorted(lines):
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _no_workspace_guesses():
    """The middleware's guesses of which workspace a slug names (tenancy.middleware) are the
    process's: a test's workspaces start unguessed, whatever ids an earlier test's had."""
    from tenancy import middleware

    middleware._WORKSPACE_IDS.clear()
    yield


@pytest.fixture(autouse=True)
def _tenants_not_yet_counted():
    """A tenant found large is taken as large a minute per process (tenancy/postgres/compiler.py):
    a test's tenants are counted afresh, whatever an earlier test's with the same ids were."""
    from tenancy.postgres import compiler

    compiler._LARGE_TENANTS.clear()
    yield


@pytest.fixture(autouse=True)
def _no_scope():
    """Tests set up data across tenants freely; views re-enter the tenant scope themselves
    (the middleware), and so do tasks."""
    with scopes_disabled():
        yield


@pytest.fixture
def tenant(db):
    return TenantFactory(name="Acme Test", slug="acme-test")


@pytest.fixture
def other_tenant(db):
    return TenantFactory(name="Lear Corp", slug="lear-corp", time_zone="Europe/London", default_currency="GBP")


@pytest.fixture
def admin_member(tenant):
    return member(tenant, "Administrator")


@pytest.fixture
def outsider(other_tenant):
    """An Administrator of the other tenant: everything there, nothing here."""
    return member(other_tenant, "Administrator")


@pytest.fixture
def admin_client(client, admin_member):
    client.force_login(admin_member.user)
    return client


def login(client, membership):
    client.force_login(membership.user)
    return client


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium (browser downloads are not possible here)."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": [
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def screenshot_dir():
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def celery_redis_worker(request):
    """A real Celery worker (a thread of this process) consuming from Redis.

    Use with ``@pytest.mark.redis`` and ``@pytest.mark.django_db(transaction=True)`` (the worker
    uses its own database connection, so it must see committed rows). Each test process gets its
    own queue, so parallel runs never steal each other's tasks."""
    import uuid

    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    url = redis_broker_url()
    if url is None:
        _missing("needs a Redis broker: set CELERY_BROKER_URL=redis://… to a running Redis")
    saved = {k: app.conf.get(k) for k in ("broker_url", "task_default_queue", "broker_transport_options")}
    queue = f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    app.conf.update(broker_url=url, task_default_queue=queue, broker_transport_options={})
    app._pool = None  # drop connections made to the in-memory broker
    try:
        with start_worker(app, perform_ping_check=False, queues=[queue], shutdown_timeout=10.0) as worker:
            yield worker
    finally:
        app.conf.update(saved)
        app._pool = None
