"""Each workspace's data version (tenancy.data_version): bumped by every committed write to what its
pages show, and by nothing else."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import OperationalError as DjangoOperationalError
from django.db import connection, connections, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from plans.models import Plan
from tenancy.data_version import EVERY_WORKSPACE, is_write, written_workspace
from tenancy.models import WorkspaceDataVersion
from tests.factories import TenantFactory, UserFactory
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db(transaction=True)  # commits for real: the bump is at COMMIT


def versions(*tenants) -> list[int]:
    found = dict(WorkspaceDataVersion.objects.values_list("workspace_id", "version"))
    return [found.get(t.pk, 0) for t in tenants]


@pytest.fixture
def two():
    return TenantFactory(slug="one"), TenantFactory(slug="two")


def test_a_write_in_a_workspace_bumps_that_workspace_alone_when_it_commits(two):
    one, other = two
    before = versions(one, other)
    with scope(tenant=one), transaction.atomic():
        PlanFactory(tenant=one)
        Plan.objects.filter(tenant=one).update(name="Renamed")  # a bulk write, no signal sent
        assert connection.pending_writes()
        assert versions(one, other) == before  # not before COMMIT: readers see both or neither
    assert not connection.pending_writes()
    assert versions(one, other) == [before[0] + 1, before[1]]  # one bump per transaction


def test_a_write_in_autocommit_bumps_at_once(two):
    one, other = two
    before = versions(one, other)
    with scope(tenant=one):
        PlanFactory(tenant=one)
    assert versions(one, other) == [before[0] + 1, before[1]]
    with scope(tenant=one), connection.cursor() as cursor:  # raw SQL is noted as well
        cursor.execute("UPDATE plans_plan SET name = %s WHERE tenant_id = %s", ["Raw", one.pk])
    assert versions(one, other) == [before[0] + 2, before[1]]


def test_a_rolled_back_write_bumps_nothing(two):
    one, other = two
    before = versions(one, other)
    with pytest.raises(RuntimeError), scope(tenant=one), transaction.atomic():
        PlanFactory(tenant=one)
        raise RuntimeError("changed my mind")
    assert not connection.pending_writes()
    assert versions(one, other) == before


def test_reads_bump_nothing(two):
    one, other = two
    PlanFactory(tenant=one)
    before = versions(one, other)
    with scope(tenant=one), transaction.atomic():
        list(Plan.objects.select_for_update())
        assert not connection.pending_writes()
    assert versions(one, other) == before


def test_a_shared_table_or_a_write_outside_any_workspace_bumps_every_workspace(two):
    one, other = two
    before = versions(one, other)
    with scope(tenant=one):
        UserFactory(full_name="Shown in every workspace she belongs to")
    after_user = versions(one, other)
    assert after_user[0] > before[0] and after_user[1] > before[1]
    with scopes_disabled():
        PlanFactory(tenant=one)  # maintenance: whose data it is, is not known from the scope
    after_maintenance = versions(one, other)
    assert after_maintenance[0] > after_user[0] and after_maintenance[1] > after_user[1]


def test_sessions_and_the_login_time_bump_nothing(two):
    one, other = two
    user = UserFactory()
    before = versions(one, other)
    Session.objects.create(session_key="k" * 32, session_data="", expire_date=timezone.now())
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])  # what django.contrib.auth does at each login
    assert versions(one, other) == before
    get_user_model().objects.filter(pk=user.pk).update(full_name="Renamed")
    assert versions(one, other) != before


@pytest.mark.parametrize(
    ("sql", "write"),
    [
        ('INSERT INTO "plans_plan" ("name") VALUES (%s)', True),
        ('  update "plans_plan" SET "name" = %s', True),
        ('DELETE FROM "plans_plan" WHERE "id" = %s', True),
        ('WITH gone AS (DELETE FROM "plans_plan" RETURNING id) SELECT count(*) FROM gone', True),
        ('WITH RECURSIVE walk AS (SELECT 1) SELECT * FROM walk WHERE "updated_at" > now()', False),
        ('SELECT "id" FROM "plans_plan" FOR UPDATE', False),
        ("SELECT set_config('role', %s, false)", False),
    ],
)
def test_which_statements_are_writes(sql, write):
    assert is_write(sql) is write


def test_whose_data_a_write_changes(two):
    one, _ = two
    with scope(tenant=one):
        assert written_workspace('UPDATE "plans_plan" SET "name" = %s') == str(one.pk)
        assert written_workspace('UPDATE "tenancy_user" SET "full_name" = %s') == EVERY_WORKSPACE
        assert written_workspace('INSERT INTO "django_session" VALUES (%s)') is None
        assert written_workspace('INSERT INTO "axes_accessattempt" VALUES (%s)') is None
    with scopes_disabled():
        assert written_workspace('UPDATE "plans_plan" SET "name" = %s') == EVERY_WORKSPACE


def test_a_write_in_autocommit_whose_bump_fails(two, monkeypatch):
    """On PostgreSQL the write and its bump are one transaction: a bump that fails takes the write
    back with it. SQLite cannot commit before the statement's rows are read: the write stands,
    and the workspace stays noted, so the connection keeps nothing and its next commit bumps."""
    one, other = two
    with scope(tenant=one):
        plan = PlanFactory(tenant=one, name="Before")
    before = versions(one, other)

    def failing(self, written):
        raise connections["default"].Database.OperationalError("database is locked")  # the driver's

    monkeypatch.setattr(type(connections["default"]), "_run_bump", failing)
    with pytest.raises(DjangoOperationalError), scope(tenant=one):
        Plan.objects.filter(pk=plan.pk).update(name="After")
    monkeypatch.undo()
    with scope(tenant=one):
        name = Plan.objects.get(pk=plan.pk).name
    if connection.vendor == "sqlite":
        assert name == "After" and connection.pending_writes()
        with scope(tenant=one):
            PlanFactory(tenant=one)  # the next write's commit bumps
        assert not connection.pending_writes()
        assert versions(one, other)[0] > before[0]
    else:
        assert name == "Before" and not connection.pending_writes()
        assert versions(one, other) == before


def test_a_failed_migrate_leaves_the_bumps_on(monkeypatch):
    from django.core.management.commands.migrate import Command as DjangoMigrate

    from tenancy import data_version

    def failing(self, *args, **options):
        data_version._stop_tracking()  # as pre_migrate does
        raise RuntimeError("a migration failed")

    monkeypatch.setattr(DjangoMigrate, "execute", failing)
    with pytest.raises(RuntimeError):
        call_command("migrate", verbosity=0)
    assert data_version._tracking["on"]


@pytest.mark.parametrize(
    ("sql", "whose"),
    [
        ('UPDATE "jobs_job" SET "heartbeat_at" = %s WHERE "id" = %s', None),  # every few seconds, no page shows it
        ('UPDATE "api_apikey" SET "last_used_at" = %s WHERE "id" = %s', None),
        ('INSERT OR IGNORE INTO "plans_plan" ("name") VALUES (%s)', "scope"),
        ('INSERT OR IGNORE INTO "tenancy_user" ("email") VALUES (%s)', EVERY_WORKSPACE),
        ('WITH gone AS (DELETE FROM "plans_plan" RETURNING id) SELECT count(*) FROM gone', "scope"),
        ('WITH gone AS (DELETE FROM "tenancy_user" RETURNING id) SELECT count(*) FROM gone', EVERY_WORKSPACE),
        ('WITH x AS (SELECT 1 FROM "plans_plan" FOR UPDATE) DELETE FROM "plans_plan"', "scope"),
        ("COPY plans_plan FROM STDIN", EVERY_WORKSPACE),  # not parsed: every workspace, to be safe
    ],
)
def test_whose_data_each_kind_of_write_changes(two, sql, whose):
    one, _ = two
    with scope(tenant=one):
        assert written_workspace(sql) == (str(one.pk) if whose == "scope" else whose)
