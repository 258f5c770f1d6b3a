"""Django's PostgreSQL schema editor, aware of the (id, tenant_id) keys: a foreign key that a later
migration adds between two tenant tables comes out composite, ``(tenant_id, x_id) -> (tenant_id,
id)``, once its target's primary key is ``(id, tenant_id)`` (Django's single-column one would be
refused: ``id`` alone is no longer a key)."""

from django.db.backends.ddl_references import Columns
from django.db.backends.postgresql.schema import DatabaseSchemaEditor as PostgresSchemaEditor

from .tables import TENANT_COLUMN, is_tenant_model

TENANT_KEY_SQL = """
SELECT 1 FROM pg_constraint c
WHERE c.conrelid = to_regclass(%s) AND c.contype = 'p'
  AND ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) = %s
"""


class DatabaseSchemaEditor(PostgresSchemaEditor):
    def _composite(self, model, field) -> bool:
        target = field.target_field.model
        return (
            is_tenant_model(model)
            and is_tenant_model(target)
            and field.target_field.primary_key
            and self._has_tenant_key(target)
        )

    def add_field(self, model, field):
        if (field.many_to_one or field.one_to_one) and field.db_constraint and self._composite(model, field):
            # Not inline in ADD COLUMN (single-column only): through _create_fk_sql, deferred.
            self.sql_create_column_inline_fk = None
            try:
                return super().add_field(model, field)
            finally:
                del self.sql_create_column_inline_fk
        return super().add_field(model, field)

    def _has_tenant_key(self, model) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(
                TENANT_KEY_SQL, [self.quote_name(model._meta.db_table), [model._meta.pk.column, TENANT_COLUMN]]
            )
            return cursor.fetchone() is not None

    def _create_fk_sql(self, model, field, suffix):
        statement = super()._create_fk_sql(model, field, suffix)
        target = field.target_field.model
        if not self._composite(model, field):
            return statement
        table = model._meta.db_table
        statement.parts["column"] = Columns(table, [TENANT_COLUMN, field.column], self.quote_name)
        statement.parts["to_column"] = Columns(
            target._meta.db_table, [TENANT_COLUMN, field.target_field.column], self.quote_name
        )
        on_delete = str(statement.parts.get("on_delete_db") or "")
        if on_delete.rstrip().endswith(("SET NULL", "SET DEFAULT")):  # never touch tenant_id
            statement.parts["on_delete_db"] = f"{on_delete} ({self.quote_name(field.column)})"
        return statement
