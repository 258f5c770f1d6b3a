"""Clear against concurrent writers on PostgreSQL, with real separate connections (threads).

A reward created while Clear runs is never lost or half-cleared: Clear's one UPDATE … RETURNING
changes and reports exactly the rows it locked, so a newcomer stays recoverable (owed). Two Clears
at once clear each reward once: the second waits for the first's row locks, then finds nothing left."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection, connections
from django_scopes import scope

from activity.models import ActivityEntry
from balances import services
from plans.models import Reward
from tests.balances.factories import RecoverableRewardFactory
from tests.factories import member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 20  # seconds: only a safety net against a hung test, never an assertion


def _in_thread(tenant, func, results, key):
    def run():
        try:
            with scope(tenant=tenant):
                results[key] = func()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _paused_lock(monkeypatch, locked: threading.Event, go: threading.Event):
    """Make the first Clear pause while it holds the locks (its rewards updated, the transaction
    still open), until the test says go."""
    update = services._clear_returning
    first = threading.Lock()

    def update_and_wait(**kwargs):
        rows = update(**kwargs)
        if first.acquire(blocking=False):
            locked.set()
            go.wait(WAIT)
        return rows

    monkeypatch.setattr(services, "_clear_returning", update_and_wait)


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def setup(tenant):
    admin = member(tenant, "Administrator")
    rep = member(tenant, "Sales Rep")
    rewards = [RecoverableRewardFactory(member=rep, amount=Decimal("10.00")) for _ in range(5)]
    return admin, rep, rewards


def test_reward_created_during_clear_stays_recoverable(tenant, setup, monkeypatch):
    admin, rep, rewards = setup
    locked, go, results = threading.Event(), threading.Event(), {}
    _paused_lock(monkeypatch, locked, go)
    clearer = _in_thread(
        tenant, lambda: services.clear_balance(rep.user, tenant=tenant, actor=admin.user), results, "a"
    )
    assert locked.wait(WAIT)
    newcomer = RecoverableRewardFactory(member=rep, amount=Decimal("7.00"))  # committed while Clear holds its locks
    go.set()
    clearer.join(WAIT)
    close_old_connections()

    result = results["a"]
    assert not isinstance(result, BaseException), result
    assert sorted(result.reward_ids) == sorted(r.pk for r in rewards)
    newcomer.refresh_from_db()
    assert newcomer.recoverable is True and newcomer.cleared_at is None
    assert Reward.objects.filter(pk__in=[r.pk for r in rewards], recoverable=True).count() == 0
    entry = ActivityEntry.objects.get(tenant=tenant, verb="clear balance")
    assert sorted(entry.object_ids) == sorted(r.pk for r in rewards)


def test_two_clears_at_once_clear_each_reward_once(tenant, setup, monkeypatch):
    admin, rep, rewards = setup
    locked, go, results = threading.Event(), threading.Event(), {}
    _paused_lock(monkeypatch, locked, go)

    def clear():
        return services.clear_balance(rep.user, tenant=tenant, actor=admin.user)

    first = _in_thread(tenant, clear, results, "first")
    assert locked.wait(WAIT)
    second = _in_thread(tenant, clear, results, "second")
    deadline = time.monotonic() + WAIT
    while not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)  # poll until the second Clear is blocked on the first one's row locks
    assert _waiting_on_a_lock()
    go.set()
    first.join(WAIT)
    second.join(WAIT)
    close_old_connections()

    assert results["first"].count == 5
    assert results["second"].count == 0
    assert ActivityEntry.objects.filter(tenant=tenant, verb="clear balance").count() == 1
    assert not Reward.objects.filter(tenant=tenant, recoverable=True).exists()
