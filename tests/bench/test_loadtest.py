"""``make loadtest`` splits the CPU of each page's run between the server and the database."""

import os
import time
from pathlib import Path

import pytest

from bench.loadtest import cpu_seconds

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


def test_the_servers_cpu_is_its_processes_and_their_childrens():
    """Counted for the process itself and its children (gunicorn's workers), nothing else."""
    before = cpu_seconds(os.getpid())
    spent = time.process_time() + 0.05
    while time.process_time() < spent:  # CPU, not sleep: the figure is CPU time
        sum(range(1000))
    after = cpu_seconds(os.getpid())
    assert set(after) == {"server", "database"}
    assert after["server"] - before["server"] >= 0.03  # ticks are 10 ms
    assert cpu_seconds(-1)["server"] == 0.0  # no such server: none of this machine's processes
