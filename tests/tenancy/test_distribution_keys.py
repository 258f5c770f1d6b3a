"""The schema is the shape a distributed PostgreSQL (Citus) accepts, read from pg_constraint: every
tenant table's primary key, unique constraints and foreign keys to other tenant tables include
tenant_id (tenancy/postgres/operations.py), later schema changes keep it so, and ``citus_plan``
covers every table in an order and colocation those keys allow."""

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models

from plans.models import Plan, PlanBeneficiary, PlanDocument
from tenancy.postgres.tables import tenant_models
from tests.tenancy.pg_schema import keys, tables_with_tenant_id

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_every_tenant_key_includes_tenant_id(db):
    tenant_tables = {m._meta.db_table for m in tenant_models(apps)}
    assert tenant_tables == tables_with_tenant_id()
    found = [k for k in keys() if k.table in tenant_tables]
    wrong = [k for k in found if k.kind == "p" and k.columns != ("id", "tenant_id")]
    wrong += [k for k in found if k.kind in "ui" and "tenant_id" not in k.columns]
    between_tenant_tables = [k for k in found if k.kind == "f" and k.to_table in tenant_tables]
    wrong += [
        k
        for k in between_tenant_tables
        if k.columns[0] != "tenant_id" or k.to_columns[:1] != ("tenant_id",) or not k.deferred
    ]
    assert wrong == []
    assert {k.table for k in found if k.kind == "p"} == tenant_tables
    # Each model's foreign keys to tenant tables (those with a constraint) are there, composite.
    expected = {
        (m._meta.db_table, f.column)
        for m in tenant_models(apps)
        for f in m._meta.local_concrete_fields
        if f.is_relation and f.db_constraint and f.related_model._meta.db_table in tenant_tables
    }
    assert {(k.table, k.columns[1]) for k in between_tenant_tables} == expected


def test_no_shared_table_points_at_a_tenant_table(db):
    tenant_tables = tables_with_tenant_id()
    assert [k for k in keys() if k.kind == "f" and k.table not in tenant_tables and k.to_table in tenant_tables] == []


def _composite_fks(table: str, column: str) -> list:
    return [k for k in keys() if k.kind == "f" and k.table == table and column in k.columns]


def test_a_later_alter_field_on_a_tenant_foreign_key_keeps_it_composite(db):
    """An AlterField on a tenant foreign key (here: dropping its index) neither fails nor loses
    the composite key; the change happens in the test's transaction and is rolled back."""
    old = PlanBeneficiary._meta.get_field("plan")
    new = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="beneficiaries", db_index=False)
    new.set_attributes_from_name("plan")
    new.model = PlanBeneficiary
    with connection.schema_editor(atomic=True) as editor:
        editor.alter_field(PlanBeneficiary, old, new)
    assert [k.columns for k in _composite_fks("plans_planbeneficiary", "plan_id")] == [("tenant_id", "plan_id")]


def test_a_later_foreign_key_between_tenant_tables_is_created_composite(db):
    field = models.ForeignKey(Plan, null=True, on_delete=models.SET_NULL)
    field.set_attributes_from_name("previous_plan")
    with connection.schema_editor(atomic=True) as editor:
        editor.add_field(PlanDocument, field)
    [key] = _composite_fks("plans_plandocument", "previous_plan_id")
    assert (key.columns, key.to_table, key.to_columns, key.deferred) == (
        ("tenant_id", "previous_plan_id"),
        "plans_plan",
        ("tenant_id", "id"),
        True,
    )


PLAN_LINE = re.compile(
    r"^SELECT create_(reference|distributed)_table\('(\w+)'(?:, '(?:tenant_id|workspace_id)')?"
    r"(?:, colocate_with => '(\w+)')?\);$"
)


def test_the_citus_plan_covers_every_table_and_respects_the_keys(db):
    out = io.StringIO()
    call_command("citus_plan", stdout=out)
    plan = {}  # table -> (kind, colocation group, position)
    for position, line in enumerate(out.getvalue().splitlines()):
        kind, table, colocate = PLAN_LINE.match(line).groups()
        assert table not in plan
        group = (colocate or table) if kind == "distributed" else None
        plan[table] = (kind, group, position)
    assert set(plan) == set(connection.introspection.table_names())
    tenant_tables = tables_with_tenant_id()
    # The tenant tables, and the data versions by their key, the tenant's (a commit stays on its node).
    assert {t for t, (kind, _, _) in plan.items() if kind == "distributed"} == tenant_tables | {"tenancy_dataversion"}
    assert len({group for kind, group, _ in plan.values() if kind == "distributed"}) == 1
    for key in keys():
        if key.table not in tenant_tables:
            continue
        assert key.kind == "f" or "tenant_id" in key.columns, key  # Citus: the distribution column in every key
        if key.kind == "f":
            assert plan[key.to_table][2] <= plan[key.table][2], key  # the referenced table first (or itself)
            if key.to_table in tenant_tables:
                assert key.columns[0] == key.to_columns[0] == "tenant_id", key
    for key in keys():
        if key.kind == "f" and key.table not in tenant_tables:
            assert key.to_table not in tenant_tables, key  # a reference table cannot point at a shard
            assert plan[key.to_table][2] < plan[key.table][2], key
