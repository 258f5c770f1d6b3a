"""The scale-out plan: the Citus statements that distribute this schema, generated from the models
(``python manage.py citus_plan``).

Tenant tables are distributed by ``tenant_id``, all colocated with the first one, so a request —
one tenant — runs on one node and every join between tenant tables stays on it; so is a table of
one row per tenant (the data versions) by its key, so a tenant's commit bumping it stays there
too. Every other table (users, tenants, Django's own) becomes a reference table, copied to every
node. Each table comes
after the tables its foreign keys point at, as Citus requires."""

from graphlib import TopologicalSorter

from django.db.migrations.recorder import MigrationRecorder

from .tables import TENANT_COLUMN, reference_models, tenant_models, workspace_keyed_models


def _in_dependency_order(models) -> list[str]:
    """Table names, each after the tables it references (ties alphabetical)."""
    tables = {m._meta.db_table: m for m in models}
    graph = {
        table: {
            f.related_model._meta.db_table
            for f in model._meta.local_concrete_fields
            if f.is_relation and f.related_model._meta.db_table in tables and f.related_model._meta.db_table != table
        }
        for table, model in tables.items()
    }
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    order = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return order


def citus_plan(apps) -> list[str]:
    reference = [MigrationRecorder.Migration._meta.db_table, *_in_dependency_order(reference_models(apps))]
    distributed = _in_dependency_order(tenant_models(apps))
    statements = [f"SELECT create_reference_table('{table}');" for table in reference]
    if distributed:
        anchor = distributed[0]
        statements.append(f"SELECT create_distributed_table('{anchor}', '{TENANT_COLUMN}');")
        statements += [
            f"SELECT create_distributed_table('{table}', '{TENANT_COLUMN}', colocate_with => '{anchor}');"
            for table in distributed[1:]
        ]
        for model in workspace_keyed_models(apps):
            table, column = model._meta.db_table, model._meta.pk.column
            statements.append(f"SELECT create_distributed_table('{table}', '{column}', colocate_with => '{anchor}');")
    return statements
