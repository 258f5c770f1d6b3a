"""``make loadtest`` splits the CPU of each page's run between the server and the database."""

import os
import time
from pathlib import Path

import pytest

from bench.loadtest import cpu_seconds, cpu_spent

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


def test_the_servers_cpu_is_its_processes_and_their_childrens():
    """Counted for the process itself and its children (gunicorn's workers), nothing else."""
    me = os.getpid()
    before = cpu_seconds(me)
    spent = time.process_time() + 0.05
    while time.process_time() < spent:  # CPU, not sleep: the figure is CPU time
        sum(range(1000))
    after = cpu_seconds(me)
    assert after[me][0] == "server"
    assert cpu_spent(before, after)["server"] >= 0.03  # ticks are 10 ms
    assert all(kind == "database" for kind, _ in cpu_seconds(-1).values())  # no such server


def test_a_process_that_ended_or_started_meanwhile_never_makes_a_share_negative():
    before = {1: ("server", 5.0), 2: ("database", 9.0), 3: ("database", 4.0)}
    after = {1: ("server", 5.5), 3: ("database", 4.25), 4: ("database", 0.5)}  # 2 ended, 4 started
    assert cpu_spent(before, after) == {"server": 0.5, "database": 0.75}
    assert cpu_spent(before, {}) == {}
