"""The database as the third tenant wall (PostgreSQL row-level security, tenancy/postgres/).

Inside a tenant's request and inside a Celery task, raw SQL with no tenant filter — a count and an
UPDATE on every tenant table, walked from the models so a new model is covered — sees and touches
only that tenant's rows; the app runs as a role the policies apply to; and the system check refuses
a tenant table without its policy."""

import io

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django_scopes import scope

from plans.models import Plan
from tenancy.models import Membership, Tenant
from tenancy.postgres.checks import tenant_tables_have_policies
from tenancy.postgres.tables import tenant_models
from tests.conftest import login
from tests.tenancy.rls_urls import probe

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def demo():
    """Both demo workspaces: acme with a lot in many tables, globex with little."""
    call_command("seed_demo", stdout=io.StringIO())
    return Tenant.objects.get(slug="acme"), Tenant.objects.get(slug="globex")


def rows_per_table(tenant) -> dict[str, int]:
    """Counted as the maintenance role (the tests run outside any tenant scope), filtered by hand."""
    counts = {}
    with connection.cursor() as cursor:
        for model in tenant_models(apps):
            table = model._meta.db_table
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)} WHERE tenant_id = %s", [tenant.pk])  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def assert_only_own_rows(result, tenant, other):
    own, foreign = rows_per_table(tenant), rows_per_table(other)
    # The test can fail: the other workspace has rows in many tables.
    assert sum(1 for n in foreign.values() if n) >= 5
    assert result["role"] == settings.DATABASE_APP_ROLE
    assert result["seen"] == own
    assert result["updated"] == own


def test_raw_sql_in_a_request_sees_and_updates_only_the_tenants_rows(client, demo, settings):
    settings.ROOT_URLCONF = "tests.tenancy.rls_urls"
    for tenant, other in (demo, demo[::-1]):
        admin = Membership.objects.filter(tenant=tenant, role__name="Administrator").first()
        response = login(client, admin).get(f"/w/{tenant.slug}/rls-probe/")
        assert response.status_code == 200
        assert_only_own_rows(response.json(), tenant, other)


def test_raw_sql_in_a_celery_task_sees_and_updates_only_the_tenants_rows(demo, monkeypatch):
    from courses import tasks

    results = {}
    monkeypatch.setattr(tasks, "expire_due_enrollments", lambda *, tenant, now: results.setdefault(tenant.pk, probe()))
    for tenant, other in (demo, demo[::-1]):
        tasks.expire_due_enrollments_task.apply(args=(tenant.pk,)).get()
        assert_only_own_rows(results[tenant.pk], tenant, other)


def test_a_tenant_cannot_write_a_row_of_another_tenant(demo):
    acme, globex = demo
    with scope(tenant=acme), pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        Plan.objects.create(tenant=globex, name="Smuggled", period_start="2026-01-01", period_end="2026-12-31")


def test_outside_any_scope_the_app_role_sees_no_tenant_rows(demo):
    from django_scopes.state import state

    token = state.set(None)  # neither a tenant's scope nor the explicit scopes_disabled()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, count(*) FROM plans_plan")
            assert cursor.fetchone() == (settings.DATABASE_APP_ROLE, 0)
    finally:
        state.reset(token)


def test_the_app_role_owns_nothing_and_cannot_bypass_the_policies(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, (SELECT count(*) FROM pg_class WHERE relowner = r.oid) "
            "FROM pg_roles r WHERE rolname = %s",
            [settings.DATABASE_APP_ROLE],
        )
        assert cursor.fetchone() == (False, False, 0)


def test_the_system_check_refuses_a_tenant_table_without_its_policy(db):
    assert tenant_tables_have_policies(databases=["default"]) == []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP POLICY tenant_isolation ON plans_plan")
        errors = tenant_tables_have_policies(databases=["default"])
        transaction.set_rollback(True)
    assert [(e.id, e.obj) for e in errors] == [("tenancy.E001", Plan)]


def test_every_tenant_model_is_covered(db):
    """The walk is not empty, and every TenantOwned model is in it."""
    from tenancy.models import TenantOwned

    owned = {m for m in apps.get_models() if issubclass(m, TenantOwned)}
    assert owned and owned <= set(tenant_models(apps))


def states_of_a_page(client, path, *, start=None) -> list:
    """The database states a page ran its statements in, the connection's state before first
    (``start``: set by hand, as another workspace's request on this connection would leave it)."""
    if start is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('role', %s, false), set_config('app.tenant_id', %s, false)", start)
        connection.tenant_state = start
    states = [connection.tenant_state]

    def observe(execute, sql, params, many, context):  # runs after the switch, if any
        if connection.tenant_state != states[-1]:
            states.append(connection.tenant_state)
        return execute(sql, params, many, context)

    from django_scopes.state import state

    token = state.set(None)  # as a request begins in production: no scope at all
    try:
        with connection.execute_wrapper(observe):
            assert client.get(path).status_code == 200
    finally:
        state.reset(token)
    return states


@pytest.mark.parametrize("engine", ["cached_db", "db"])
def test_a_workspace_page_switches_the_database_state_at_most_once(client, demo, settings, engine):
    """A role switch is a round trip. The membership is looked up inside the workspace its slug
    named before (tenancy.middleware): a connection kept from a request of that workspace runs
    the whole page with no switch; one left in another workspace's state, one switch. Reading the
    session from the database (sessions not cached) runs outside any workspace: one more."""
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{engine}"
    acme, globex = demo[0], demo[1]
    admin = Membership.objects.filter(tenant=acme, role__name="Administrator").first()
    login(client, admin)
    path = f"/w/{acme.slug}/plans/"
    assert client.get(path).status_code == 200  # leaves the tenant's state behind
    app = (settings.DATABASE_APP_ROLE, str(acme.pk))
    maintenance = ("none", "")
    elsewhere = (settings.DATABASE_APP_ROLE, str(globex.pk))
    if engine == "cached_db":  # as deployed: the session comes from the cache
        assert states_of_a_page(client, path) == [app]
        assert states_of_a_page(client, path, start=elsewhere) == [elsewhere, app]
        assert states_of_a_page(client, path, start=maintenance) == [maintenance, app]
    else:
        assert states_of_a_page(client, path) == [app, maintenance, app]
