"""``make bench`` (``python -m bench``): seed data at scale, run the benchmarks, print a table.

Runs on a fresh SQLite file (var/bench.sqlite3) unless DATABASE_URL points elsewhere (then on a
fresh database of that name with the suffix ``_bench``). ``--scale 0.1`` for a quick run,
``--only plans`` to run the benchmarks whose name contains a word (``--exact``: whose name is it).
"""

import argparse
import importlib
import os
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--only", default="")
    parser.add_argument("--exact", action="store_true", help="--only names one benchmark, not a word of several")
    args = parser.parse_args()

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, _, name = url.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/{name or 'portal'}_bench"
        _recreate_postgres(os.environ["DATABASE_URL"])
    else:
        path = root / "var" / "bench.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # As deployed: with DEBUG on, every statement goes through Django's debug cursor, which keeps
    # its text and, on SQLite, quotes its parameters by one more SQL statement: a cost production
    # never pays, and one that grows with the statements a code path sends, not with its work.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    # Every bench measures pages as they render (their statements' plans, before and after
    # ANALYZE): not the regions a page keeps (common.regions), which the pages bench adds.
    os.environ.setdefault("PORTAL_KEEP_REGIONS", "false")
    os.environ["ALLOWED_HOSTS"] = "localhost,127.0.0.1,testserver"  # the Django test client

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    from bench.harness import BENCHMARKS, Scale, print_table

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        _without_autovacuum(connection)
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("bench_"):
            importlib.import_module(f"bench.{info.name}")

    results = []
    scale = Scale(args.scale)
    for name, func in BENCHMARKS:
        if args.only and (name != args.only if args.exact else args.only not in name):
            continue
        sys.stderr.write(f"running {name} …\n")
        with scopes_disabled():
            results.extend(func(scale))
    print_table(results, connection.vendor, sys.stdout)
    return 0


def _without_autovacuum(connection) -> None:
    """No autovacuum on the bench database's tables: it would ANALYZE a freshly loaded table at
    any moment of the run, so a page measured "right after the load" (bench.harness
    ``statistics_states``) might already have statistics. Only here: a deployed database keeps it."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    raise SystemExit(main())
