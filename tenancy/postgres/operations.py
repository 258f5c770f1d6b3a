"""``TenantTables()``: the migration operation that makes every tenant table the database's last
tenant wall and the shape a distributed PostgreSQL accepts. PostgreSQL only; a no-op elsewhere.

For every tenant table in the migration's state (``tables.tenant_models``) it

- enables row-level security with the policy ``tenant_isolation``:
  ``tenant_id = current_setting('app.tenant_id')::bigint`` (no tenant set: no rows), for reading
  and writing. Not FORCEd: the table owner — the role that runs ``migrate``, the maintenance role —
  is not subject to it; the app switches to ``DATABASE_APP_ROLE``, which owns nothing
  (``tenancy.postgres.base``);
- makes the primary key ``(id, tenant_id)``: it includes the distribution column, as Citus
  requires of every primary key, and still leads with ``id``, so Django's ``WHERE id = …`` (save,
  delete, refresh) uses it as before and no second index is needed ((tenant_id, id) would need
  one on ``id`` on every table, one more index to maintain in every mass update); lookups by
  tenant keep the indexes that lead with ``tenant_id``;
- makes every foreign key to another tenant table composite,
  ``(tenant_id, x_id) REFERENCES target (tenant_id, id)`` (PostgreSQL matches it to the primary
  key whatever the column order), DEFERRABLE INITIALLY DEFERRED like Django's own, with the same
  ON DELETE.

It reads the database before it writes, so it is idempotent: a later migration that adds a tenant
model or a foreign key between tenant tables ends with ``TenantTables()`` again. Django keeps ``id``
as the primary key of its models; model fields are not touched.
"""

from django.db import migrations

from .tables import TENANT_COLUMN, tenant_foreign_keys, tenant_models

POLICY = "tenant_isolation"
TENANT_SETTING = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"


def on_delete(action: str, column: str) -> str:
    """pg_constraint.confdeltype as SQL; SET NULL / SET DEFAULT name the column, so a composite key
    never touches tenant_id."""
    return {
        "r": " ON DELETE RESTRICT",
        "c": " ON DELETE CASCADE",
        "n": f' ON DELETE SET NULL ("{column}")',
        "d": f' ON DELETE SET DEFAULT ("{column}")',
    }.get(action, "")


DEFERRABLE = " DEFERRABLE INITIALLY DEFERRED"

CONSTRAINTS_SQL = """
SELECT rel.relname, c.conname, c.contype,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
       ref.relname,
       ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i),
       c.confdeltype
FROM pg_constraint c
JOIN pg_class rel ON rel.oid = c.conrelid
LEFT JOIN pg_class ref ON ref.oid = c.confrelid
WHERE rel.relnamespace = current_schema()::regnamespace AND c.contype IN ('p', 'u', 'f')
"""


def policy_sql(table: str) -> list[str]:
    condition = f"{TENANT_COLUMN} = {TENANT_SETTING}"
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING ({condition}) WITH CHECK ({condition})',
    ]


class _Schema:
    """The constraints of the current schema, read once."""

    def __init__(self, cursor):
        cursor.execute(CONSTRAINTS_SQL)
        self.constraints = cursor.fetchall()

    def of(self, table: str, kind: str):
        return [row for row in self.constraints if row[0] == table and row[2] == kind]


def _foreign_keys(schema: _Schema, table: str, columns: list[str], target: str):
    """(name, ON DELETE action) of the foreign keys of ``table`` on ``columns`` to ``target``."""
    return [
        (name, d) for _, name, _, cols, ref, _, d in schema.of(table, "f") if list(cols) == columns and ref == target
    ]


def forwards_sql(schema_editor, models, schema: _Schema) -> list[str]:
    q = schema_editor.quote_name
    drop_fks, keys, add_fks, policies = [], [], [], []
    for model in models:
        table, pk = model._meta.db_table, model._meta.pk.column
        for field in tenant_foreign_keys(model):
            target, to_column = field.related_model._meta.db_table, field.target_field.column
            single = _foreign_keys(schema, table, [field.column], target)
            drop_fks += [f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}" for name, _ in single]
            if not _foreign_keys(schema, table, [TENANT_COLUMN, field.column], target):
                action = on_delete(single[0][1], field.column) if single else ""
                name = schema_editor._create_index_name(table, [TENANT_COLUMN, field.column], suffix="_tfk")
                add_fks.append(
                    f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} FOREIGN KEY ({TENANT_COLUMN}, {q(field.column)}) "
                    f"REFERENCES {q(target)} ({TENANT_COLUMN}, {q(to_column)}){action}{DEFERRABLE}"
                )
        for _, name, _, cols, _, _, _ in schema.of(table, "p"):
            if list(cols) != [pk, TENANT_COLUMN]:
                keys += [
                    f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}",
                    f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} PRIMARY KEY ({q(pk)}, {TENANT_COLUMN})",
                ]
        policies += policy_sql(table)
    # The old foreign keys hang on the old primary keys: drop them first, add the new ones last.
    return drop_fks + keys + add_fks + policies


def backwards_sql(schema_editor, models, schema: _Schema) -> list[str]:
    q = schema_editor.quote_name
    drop_fks, keys, add_fks, policies = [], [], [], []
    for model in models:
        table, pk = model._meta.db_table, model._meta.pk.column
        policies += [
            f"DROP POLICY IF EXISTS {POLICY} ON {q(table)}",
            f"ALTER TABLE {q(table)} DISABLE ROW LEVEL SECURITY",
        ]
        for field in tenant_foreign_keys(model):
            target, to_column = field.related_model._meta.db_table, field.target_field.column
            for name, action in _foreign_keys(schema, table, [TENANT_COLUMN, field.column], target):
                drop_fks.append(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
                fk = schema_editor._create_index_name(table, [field.column], suffix=f"_fk_{target}_{to_column}")
                add_fks.append(
                    f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(fk)} FOREIGN KEY ({q(field.column)}) "
                    f"REFERENCES {q(target)} ({q(to_column)}){on_delete(action, field.column)}{DEFERRABLE}"
                )
        for _, name, _, cols, _, _, _ in schema.of(table, "p"):
            if list(cols) != [pk]:
                keys += [
                    f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}",
                    f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} PRIMARY KEY ({q(pk)})",
                ]
    return policies + drop_fks + keys + add_fks


class TenantTables(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = False

    def state_forwards(self, app_label, state):
        pass  # the schema changes; the models do not

    def _run(self, build, schema_editor, state):
        if schema_editor.connection.vendor != "postgresql":
            return
        models = tenant_models(state.apps)
        with schema_editor.connection.cursor() as cursor:
            schema = _Schema(cursor)
        for statement in build(schema_editor, models, schema):
            schema_editor.execute(statement)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(forwards_sql, schema_editor, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(backwards_sql, schema_editor, from_state)

    def describe(self):
        return "Row-level security and (id, tenant_id) keys on every tenant table (PostgreSQL)"

    @property
    def migration_name_fragment(self):
        return "tenant_tables"
