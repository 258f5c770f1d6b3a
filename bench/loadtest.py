"""``make loadtest``: the main list pages under 50 concurrent users.

Serves the portal with gunicorn (4 sync workers, the production settings, DEBUG off) on
PostgreSQL with the demo workspace, logs in as the demo administrator, and drives each page with
wrk (50 connections, ``--duration`` seconds each). Prints requests per second and the 50th, 95th
and 99th percentile latencies per page, and the single-user latency (one connection) beside them,
and where the CPU went under load: milliseconds per request of gunicorn's processes and of
PostgreSQL's (read from ``/proc`` on Linux, when the database runs on this machine).
The cache is Redis, as deployed, when one answers on 127.0.0.1:6379 (``CACHE_URL`` overrides).

The database is ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/portal``) with the
suffix ``_loadtest``: created, migrated and seeded on the first run, kept afterwards. wrk is a
small C load generator (Debian's ``wrk``); the Makefile target installs it when it can.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TENANT = "acme"
LOGIN = "admin@acme.test"
TARGET_P95_MS = 300

# wrk reports no 95th percentile by itself: its Lua hook prints the figures as JSON.
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "errors": %d, "p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


def pages() -> list[tuple[str, str]]:
    """(name, path) of the main list pages, in the demo workspace."""
    from django.urls import reverse

    from plans.models import Plan

    plan = Plan.objects.filter(tenant__slug=TENANT).order_by("id").first()
    kw = {"tenant_slug": TENANT}
    return [
        ("Activity", reverse("activity:activity_list", kwargs=kw)),
        ("Client dashboard", reverse("courses:client_dashboard", kwargs=kw)),
        ("All Users (balances)", reverse("balances:user_list", kwargs=kw)),
        ("Partner Enrollments", reverse("partners:enrollment_list", kwargs=kw)),
        ("Plan Beneficiaries", reverse("enrollments:beneficiary_list", kwargs={**kw, "plan_id": plan.pk})),
        ("All Plans", reverse("plans:plan_list", kwargs=kw)),
    ]


def environment(database_url: str, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "loadtest-only-secret-key-not-for-production-0123456789abcdefghij",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "CACHE_URL": os.environ.get("CACHE_URL") or cache_url(),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "memory://"),
        # As deployed (docker compose): tenant work under the row-level security policies.
        "DATABASE_APP_ROLE": os.environ.get("DATABASE_APP_ROLE", "portal_app"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def cache_url() -> str:
    """As deployed, Redis (sessions are read from it) when one answers on this machine; else each
    worker's own memory, and then the production settings read sessions from the database."""
    import redis

    url = "redis://127.0.0.1:6379/3"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return "locmemcache://"
    return url


def ensure_database(database_url: str) -> None:
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """Migrate, seed the demo once, and open a session of the demo administrator: its cookies,
    the session's and the CSRF token's a browser holds after its first page (without it every
    page would make and set a new token)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django_scopes import scopes_disabled

    call_command("migrate", verbosity=0)
    with scopes_disabled():
        user = get_user_model().objects.filter(email=LOGIN).first()
        if user is None:
            call_command("seed_demo", verbosity=0)  # ANALYZEs what it loaded
            user = get_user_model().objects.get(email=LOGIN)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        targets = pages()
        client.get(targets[0][1])
        return "; ".join(f"{name}={client.cookies[name].value}" for name in ("sessionid", "csrftoken")), targets


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer at {url} within {seconds:.0f} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_page(url: str, cookie: str) -> None:
    """A page that redirects to the login (a lost session) would look very fast: refuse it."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - our own server
        response = opener.open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{url} answered {exc.code}, not 200: the load test would measure an error page") from exc
    if response.status != 200:
        raise SystemExit(f"{url} answered {response.status}")


def cpu_seconds(server_pid: int) -> dict[int, tuple[str, float]]:
    """Each process of the server (gunicorn's master and its workers) and of the database
    (PostgreSQL's on this machine): its kind and the CPU seconds it used so far. From ``/proc``,
    so Linux only ({} elsewhere)."""
    found = {}
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, parent = int(entry.name), int(fields[1])
        kind = "server" if server_pid in (pid, parent) else "database" if name.startswith("postgres") else None
        if kind:
            found[pid] = (kind, (int(fields[11]) + int(fields[12])) / ticks)  # utime + stime
    return found


def cpu_spent(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per kind between two ``cpu_seconds``: each process counts what it used since
    (one started meanwhile, all of it); one gone from ``after`` is not counted."""
    spent = {"server": 0.0, "database": 0.0}
    for pid, (kind, seconds) in after.items():
        was = before.get(pid)
        spent[kind] += seconds - (was[1] if was is not None and was[0] == kind else 0.0)
    return spent if after else {}


def wrk(url: str, cookie: str, script: str, *, connections: int, seconds: int, server_pid: int = 0) -> dict:
    """wrk's report on ``url``; with ``server_pid``, the CPU per request of the server and the
    database too (``cpu_ms``), the processes read every quarter second while wrk runs: a
    database connection closed meanwhile (``CONN_MAX_AGE``) takes its CPU with it when it ends."""
    command = [shutil.which("wrk"), f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", "10s", "-H", f"Cookie: {cookie}", "-s", script, url]
    with tempfile.TemporaryFile("w+") as output:
        seen = before = cpu_seconds(server_pid) if server_pid else {}
        process = subprocess.Popen(command, stdout=output, text=True)  # noqa: S603
        while process.poll() is None:
            time.sleep(0.25)
            if server_pid:
                seen = {**seen, **cpu_seconds(server_pid)}
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, command)
        output.seek(0)
        report = json.loads(output.read().strip().splitlines()[-1])
    report["rps"] = report["requests"] / report["seconds"] if report["seconds"] else 0.0
    spent = cpu_spent(before, seen)
    report["cpu_ms"] = {kind: 1000 * cpu / max(report["requests"], 1) for kind, cpu in spent.items()}
    return report


def main() -> int:
    parser = argparse.ArgumentParser(prog="make loadtest")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=30, help="seconds of load on each page")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    if not shutil.which("wrk"):
        sys.stderr.write("make loadtest needs wrk: apt-get install wrk (Debian/Ubuntu) or brew install wrk.\n")
        return 2
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    if not url.startswith("postgres"):
        sys.stderr.write("make loadtest runs on PostgreSQL: set DATABASE_URL=postgres://…\n")
        return 2
    base, _, name = url.rpartition("/")
    database_url = f"{base}/{name or 'portal'}_loadtest"
    ensure_database(database_url)
    env = environment(database_url, args.port)
    cookie, targets = prepare(env)

    origin = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(f"{origin}/accounts/login/")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_REPORT)
        rows = []
        for label, path in targets:
            check_page(origin + path, cookie)
            sys.stderr.write(f"loading {label} …\n")
            single = wrk(origin + path, cookie, script.name, connections=1, seconds=5)
            loaded = wrk(
                origin + path, cookie, script.name, connections=args.users, seconds=args.duration, server_pid=server.pid
            )
            rows.append((label, single, loaded))
    finally:
        server.terminate()
        server.wait(timeout=30)
        Path(script.name).unlink(missing_ok=True)

    cache = "Redis" if env["CACHE_URL"].startswith("redis") else "no shared cache (sessions from the database)"
    print(
        f"\n{args.users} users, {args.duration} s per page, gunicorn {args.workers} workers, PostgreSQL, {cache}, "
        "the demo\n"
    )
    print(
        "| page | 1 user p50 ms | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| CPU ms/request: gunicorn + PostgreSQL | p95 target |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, single, loaded in rows:
        verdict = "met" if loaded["p95"] < TARGET_P95_MS and not loaded["errors"] else "MISSED"
        cpu = loaded["cpu_ms"]
        split = f"{cpu['server']:.1f} + {cpu['database']:.1f}" if cpu else "—"
        print(
            f"| {label} | {single['p50']:.1f} | {loaded['rps']:.0f} | {loaded['p50']:.0f} | {loaded['p95']:.0f} "
            f"| {loaded['p99']:.0f} | {loaded['errors']} | {split} | < {TARGET_P95_MS} ms: {verdict} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
