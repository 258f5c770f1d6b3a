"""Tests that need the real services: PostgreSQL and a Redis-backed Celery worker."""

import time

import pytest
from django.db import connection
from django_scopes import scope

from common import due
from tests.dueapp.models import Widget

from .test_due import WORK  # noqa: F401  (registers the widget due work)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_due_work_queued_on_commit(tenant, celery_redis_worker):
    widget = Widget.objects.create(tenant=tenant, name="live")
    with scope(tenant=tenant):
        due.mark_due(due.registered()["test-widgets"], Widget.objects.filter(pk=widget.pk), delay_seconds=1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        widget.refresh_from_db()
        if widget.runs:
            break
        time.sleep(0.2)
    assert widget.runs == 1
    assert widget.due_at is None


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_constraints_start_with_tenant(tenant):
    """On PostgreSQL the composite unique indexes really lead with tenant_id (shardable by tenant)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname IN "
            "('membership_unique_user_per_tenant', 'role_unique_name_per_tenant')"
        )
        defs = [row[0] for row in cursor.fetchall()]
    assert len(defs) == 2
    assert all("(tenant_id," in d for d in defs)
