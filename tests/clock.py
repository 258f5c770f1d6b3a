"""The suite's clock: every test runs at the same instant, whatever day the suite runs.

time-machine holds every clock Python code reads (``timezone.now()``, ``date.today()``,
``time.time()``, the tenant-zone "today" derived from them) at ``FROZEN_AT`` when each test
starts, and lets it tick from there, so timestamps written one after another stay ordered. It
patches the process, so the live server's threads and the in-process Celery worker read the same
clock. The code reads no database clock (no ``Now()``, no SQL ``CURRENT_TIMESTAMP``), so there
is nothing else to freeze. A test that needs another instant travels there itself
(``time_machine.travel(...)`` or the ``time_machine`` fixture), relative to ``FROZEN_AT``.

Monotonic clocks are not patched: timeouts, SQLite's busy wait and Celery's timers keep real time.
"""

import datetime as dt

import time_machine

# Noon in New York, 17:00 in London and UTC: no tenant zone of the tests is near a day boundary.
FROZEN_AT = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC)
TODAY = FROZEN_AT.date()
YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)


def travel(destination: dt.datetime = FROZEN_AT) -> time_machine.travel:
    """A ticking trip to ``destination`` (the suite's instant by default)."""
    return time_machine.travel(destination, tick=True)
