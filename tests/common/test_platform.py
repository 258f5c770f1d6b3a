import os
import subprocess
import sys

import pytest
from django.conf import settings
from django_scopes import ScopeError, scope

from tenancy.models import Membership, Role


@pytest.mark.django_db
def test_a_query_outside_any_tenant_scope_raises(tenant):
    from django_scopes.state import state

    token = state.set({"_enabled": True})
    try:
        with pytest.raises(ScopeError):
            list(Role.objects.all())
    finally:
        state.reset(token)


@pytest.mark.django_db
def test_inside_a_scope_queries_see_only_that_tenant(tenant, other_tenant, admin_member, outsider):
    with scope(tenant=tenant):
        assert list(Membership.objects.values_list("pk", flat=True)) == [admin_member.pk]
    with scope(tenant=other_tenant):
        assert list(Membership.objects.values_list("pk", flat=True)) == [outsider.pk]


def test_tenant_first_check_passes_for_every_model():
    from common.checks import tenant_first_in_constraints

    errors = tenant_first_in_constraints()
    assert errors == []


def test_check_deploy_with_production_settings_is_clean():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set for tests only
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x7!kq2#pz9-production-like-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "portal.example.com",
        "PORTAL_BASE_URL": "https://portal.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
        "CACHE_URL": "locmemcache://",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_the_beat_schedule_names_registered_tasks():
    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
