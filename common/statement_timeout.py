"""No web request holds the database for minutes.

A statement of a web request that runs longer than ``STATEMENT_TIMEOUT`` seconds (a setting,
default 30) is cancelled: the service's transaction rolls back as a whole and the user gets 503
"this took too long, nothing was changed" (``common.busy``). The web entry points (config/wsgi.py,
asgi.py) call ``use`` with it; Celery workers with ``WORKER_STATEMENT_TIMEOUT`` (default 0: no
limit), since long work belongs there (``config.celery``); commands such as migrate keep none.

PostgreSQL enforces the limit itself: ``statement_timeout`` goes into the connection's startup
options, so it costs no query. SQLite has no such setting; a progress handler, which SQLite calls
every few thousand steps of a statement, interrupts one that has run too long, so ``make run``
keeps the same promise.
"""

import time

# SQLite calls the progress handler every this many virtual-machine instructions (microseconds).
SQLITE_STEPS = 20_000

_seconds: float = 0.0  # this process's limit (0: none) as ``use`` set it


def current() -> float:
    return _seconds


def use(seconds: float) -> None:
    """This process's limit from now on (0: none). PostgreSQL connections take it at their next
    connect (open ones are closed); SQLite reads it at each statement."""
    from django.db import connections

    global _seconds
    _seconds = seconds
    for conn in connections.all():
        if conn.vendor == "postgresql":
            options = conn.settings_dict.setdefault("OPTIONS", {})
            options["options"] = postgres_options(options.get("options", ""), seconds)
            conn.close()


def postgres_options(existing: str, seconds: float) -> str:
    """libpq's ``options`` string with ``statement_timeout`` set to ``seconds`` (0: none); the
    other options are kept as they are."""
    tokens, kept = existing.split(), []
    i = 0
    while i < len(tokens):
        if tokens[i] == "-c" and i + 1 < len(tokens):
            if not tokens[i + 1].startswith("statement_timeout="):
                kept += tokens[i : i + 2]
            i += 2
            continue
        if not tokens[i].startswith("-cstatement_timeout="):
            kept.append(tokens[i])
        i += 1
    return " ".join([*kept, f"-c statement_timeout={int(seconds * 1000)}"])


def on_connection_created(sender, connection, **kwargs) -> None:
    """The ``connection_created`` signal: SQLite connections get the progress handler."""
    if connection.vendor != "sqlite":
        return
    connection.connection.set_progress_handler(lambda: _late(connection), SQLITE_STEPS)
    if not getattr(connection, "statement_timeout_installed", False):
        connection.execute_wrappers.insert(0, _timed)
        connection.statement_timeout_installed = True


def _late(connection) -> int:
    deadline = getattr(connection, "statement_deadline", None)
    return 1 if deadline is not None and time.perf_counter() > deadline else 0


def _timed(execute, sql, params, many, context):
    connection = context["connection"]
    seconds = current()
    connection.statement_deadline = time.perf_counter() + seconds if seconds else None
    try:
        return execute(sql, params, many, context)
    finally:
        connection.statement_deadline = None
