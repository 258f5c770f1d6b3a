"""Fixtures of the browser tests."""

import pytest


@pytest.fixture
def celery_worker(transactional_db, live_server):
    """A real Celery worker (a thread, on the test settings' broker) for pages whose work runs as
    a background job: imports, Recalculate all, Sync now."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30.0) as worker:
        yield worker
