"""The system check (``Tags.database``: ``manage.py check --database default``) that refuses a
tenant table without its row-level security policy on PostgreSQL."""

from django.apps import apps
from django.core import checks
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from .operations import POLICY
from .tables import tenant_models

POLICIES_SQL = """
SELECT c.relname FROM pg_class c
WHERE c.relnamespace = current_schema()::regnamespace AND c.relrowsecurity
  AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s)
"""


@checks.register(checks.Tags.database)
def tenant_tables_have_policies(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            continue  # migrate first: the policies come with the migrations
        with connection.cursor() as cursor:
            cursor.execute(POLICIES_SQL, [POLICY])
            covered = {row[0] for row in cursor.fetchall()}
        errors += [
            checks.Error(
                f"{model._meta.label} has a tenant_id but its table {model._meta.db_table} has no "
                f"row-level security policy {POLICY}.",
                hint="End the migration that creates it with tenancy.postgres.operations.TenantTables().",
                obj=model,
                id="tenancy.E001",
            )
            for model in tenant_models(apps)
            if model._meta.db_table not in covered
        ]
    return errors
