"""A test-only URL conf: one workspace page that runs raw SQL on every tenant table (tests/tenancy/test_rls.py)."""

from django.apps import apps
from django.db import connection
from django.http import JsonResponse
from django.urls import path

from tenancy.postgres.tables import tenant_models


def probe() -> dict:
    """Raw SQL with no tenant filter at all: what the database itself lets through."""
    seen, updated = {}, {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
        for model in tenant_models(apps):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names from the models
            seen[model._meta.db_table] = cursor.fetchone()[0]
            cursor.execute(f"UPDATE {table} SET id = id")  # noqa: S608
            updated[model._meta.db_table] = cursor.rowcount
    return {"role": role, "seen": seen, "updated": updated}


def probe_view(request, tenant_slug):
    return JsonResponse(probe())


urlpatterns = [path("w/<slug:tenant_slug>/rls-probe/", probe_view, name="rls_probe")]
