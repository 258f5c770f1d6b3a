"""A small benchmark harness: register benchmarks, measure wall time, queries and peak memory,
compare with the floor (the same result by one hand-written SQL statement), print a table.
The query count is the statements sent (transaction control, BEGIN and COMMIT, not counted).

A benchmark module is ``bench/bench_<app>.py`` with functions decorated ``@benchmark("name")``
taking a ``Scale`` and returning a list of ``Result``.
"""

import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class Scale:
    factor: float = 1.0

    def n(self, full: int) -> int:
        """``full`` rows at scale 1, at least 10."""
        return max(10, int(full * self.factor))


@dataclass
class Result:
    operation: str
    rows: int
    seconds: float
    queries: int
    floor_seconds: float | None = None
    peak_mb: float | None = None
    target: str = ""

    @property
    def ratio(self) -> str:
        if not self.floor_seconds:
            return "—"
        return f"{self.seconds / self.floor_seconds:.2f}x"


@dataclass
class Measurement:
    seconds: float = 0.0
    queries: int = 0
    peak_mb: float | None = None
    extra: dict = field(default_factory=dict)


@contextmanager
def measure(*, memory: bool = False):
    """``with measure() as m: ...`` then ``m.seconds``, ``m.queries``, ``m.peak_mb``."""
    m = Measurement()
    if memory:
        tracemalloc.start()
    # Counted by a wrapper, not Django's debug cursor: that one formats every statement with its
    # parameters (on SQLite, quoting each of them in Python), a cost the code never pays in use.
    count = [0]

    def counting(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        start = time.perf_counter()
        yield m
        m.seconds = time.perf_counter() - start
    m.queries = count[0]
    if memory:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        m.peak_mb = peak / 1024 / 1024


def contains(column: str) -> str:
    """Hand-written ``column contains %s``, as Django writes ``icontains`` on this database:
    UPPER on both sides on PostgreSQL (the trigram indexes are on that expression); plain LIKE
    on SQLite, whose LIKE ignores ASCII case already."""
    if connection.vendor == "postgresql":
        return f"UPPER({column}::text) LIKE UPPER(%s)"
    return f"{column} LIKE %s ESCAPE '\\'"


def time_sql(sql: str, params=()) -> float:
    """Wall time of one hand-written SQL statement: the floor a benchmark compares itself to."""
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(sql, params)
        if cursor.description:
            cursor.fetchall()
        return time.perf_counter() - start


def best_of(runs: int, action: Callable[[], object]) -> Measurement:
    """The fastest of ``runs`` measured calls of ``action``: on a shared machine the noise only
    ever adds time, so the minimum is the figure closest to the code's own cost."""
    best = None
    for _ in range(runs):
        with measure() as m:
            action()
        if best is None or m.seconds < best.seconds:
            best = m
    return best


def time_sql_best(runs: int, sql: str, params=()) -> float:
    """The fastest of ``runs`` timings of the floor statement (see ``best_of``)."""
    return min(time_sql(sql, params) for _ in range(runs))


def statistics_states() -> Iterator[str]:
    """Yield "right after the load", then ANALYZE the whole database and yield "after ANALYZE".

    Right after a bulk load the planner has no statistics of the new rows (PostgreSQL's
    autovacuum analyzes them within a minute or so, and is off in the bench database so that it
    cannot do so mid-run; SQLite never analyzes by itself): a page must answer in both states,
    so a benchmark measures its pages in each, the state in the operation's name."""
    yield "right after the load"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    yield "after ANALYZE"


BENCHMARKS: list[tuple[str, Callable]] = []


def benchmark(name: str):
    def decorator(func):
        BENCHMARKS.append((name, func))
        return func

    return decorator


def print_table(results: list[Result], backend: str, out) -> None:
    header = ["operation", "db", "rows", "wall s", "queries", "floor s", "ratio", "peak MB", "target"]
    rows = [
        [
            r.operation,
            backend,
            f"{r.rows:,}",
            f"{r.seconds:.4f}" if r.seconds < 0.1 else f"{r.seconds:.3f}",  # a page's milliseconds show
            str(r.queries),
            f"{r.floor_seconds:.3f}" if r.floor_seconds else "—",
            r.ratio,
            f"{r.peak_mb:.1f}" if r.peak_mb is not None else "—",
            r.target,
        ]
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    out.write(line + "\n")
    out.write("|" + "|".join("-" * (w + 2) for w in widths) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |\n")
