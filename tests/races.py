"""Two people clicking at the same moment, against the live server, on SQLite and PostgreSQL.

A race is made deterministic instead of hoped for: the first request is held inside its
transaction (after its writes, just before it commits) while the others are sent; they are let go
only once the database makes them wait (SQLite: they are at ``BEGIN IMMEDIATE``; PostgreSQL: they
wait on a row lock). Nothing sleeps: every wait is on an event, bounded by ``WAIT`` as a safety
net against a hung test, never as an assertion.

On SQLite the harness also proves the waiting is real: a contender that gets its transaction
while the first request still holds its own (the deferred mode that answered "database is
locked") is recorded in ``overlaps``.
"""

import threading
from collections.abc import Callable

import requests
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test import Client
from django.utils.crypto import get_random_string

WAIT = 20  # seconds; only a guard against a hung test


class Visitor:
    """A logged-in browser session (real HTTP against the live server)."""

    def __init__(self, live_server, user):
        client = Client()
        client.force_login(user)
        self.base = live_server.url
        self.http = requests.Session()
        self.http.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
        token = get_random_string(32)  # a CSRF secret: 32 alphanumerics
        self.http.cookies.set(settings.CSRF_COOKIE_NAME, token)
        self.http.headers["X-CSRFToken"] = token

    def post(self, path: str, data: dict | None = None) -> requests.Response:
        return self.http.post(self.base + path, data=data or {}, timeout=WAIT * 2)

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=WAIT)


class Race:
    """Hold the first call of ``module.attr`` (a function each request calls inside its
    transaction) until every contender waits for the database, then let everything run."""

    def __init__(self, monkeypatch, module, attr: str):
        self.holding = threading.Event()
        self.release = threading.Event()
        self.arrived = threading.Semaphore(0)
        self.overlaps: list[str] = []
        self._holder: int | None = None
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.responses: dict[str, requests.Response | BaseException] = {}
        original = getattr(module, attr)

        def held(*args, **kwargs):
            result = original(*args, **kwargs)
            with self._lock:
                first = self._holder is None
                if first:
                    self._holder = threading.get_ident()
            if first:
                self.holding.set()
                self.release.wait(WAIT)
            return result

        monkeypatch.setattr(module, attr, held)
        if connection.vendor == "sqlite":
            begin = SQLiteWrapper._start_transaction_under_autocommit

            def watched_begin(wrapper):
                contender = self.holding.is_set() and not self.release.is_set()
                contender = contender and threading.get_ident() != self._holder
                if contender:
                    self.arrived.release()
                begin(wrapper)  # BEGIN IMMEDIATE: waits here while the holder writes
                if contender and not self.release.is_set():
                    self.overlaps.append("a second write transaction began while the first was open")

            monkeypatch.setattr(SQLiteWrapper, "_start_transaction_under_autocommit", watched_begin)

    def send(self, name: str, call: Callable[[], requests.Response]) -> None:
        def run():
            try:
                self.responses[name] = call()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.responses[name] = exc

        thread = threading.Thread(target=run, name=name)
        thread.start()
        self._threads.append(thread)

    def first(self, name: str, call: Callable[[], requests.Response]) -> None:
        """Send the request that will hold the database, and wait until it does."""
        self.send(name, call)
        assert self.holding.wait(WAIT), f"{name} never reached its write"

    def run(self, contenders: dict[str, Callable[[], requests.Response]], *, waiting: int | None = None) -> None:
        """Send the contenders, wait until ``waiting`` of them (all by default) wait for the
        database, release the first request and wait for every response."""
        for name, call in contenders.items():
            self.send(name, call)
        needed = len(contenders) if waiting is None else waiting
        if connection.vendor == "sqlite":
            for _ in range(needed):
                assert self.arrived.acquire(timeout=WAIT), "a contender never reached the database"
        else:
            _wait_for_lock_waiters(needed)
        self.release.set()
        for thread in self._threads:
            thread.join(WAIT * 2)
        assert not any(t.is_alive() for t in self._threads), "a request never answered"
        assert not self.overlaps, self.overlaps

    def response(self, name: str) -> requests.Response:
        response = self.responses[name]
        if isinstance(response, BaseException):
            raise response
        return response


def _wait_for_lock_waiters(n: int) -> None:
    """PostgreSQL: until ``n`` other sessions wait on a lock (pg_stat_activity)."""
    gate = threading.Event()
    for _ in range(WAIT * 100):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= n:
                return
        gate.wait(0.01)
    raise AssertionError(f"{n} request(s) never waited on a lock")
