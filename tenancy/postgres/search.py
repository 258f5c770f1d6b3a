"""``TrigramSearchIndexes(table, columns)``: the migration operation that lets PostgreSQL answer
the portal's searches (``icontains``: "name or email contains …") from an index instead of
reading every row. PostgreSQL only; a no-op elsewhere, as SQLite has no such index.

Django writes ``x__icontains=v`` as ``UPPER(x::text) LIKE UPPER('%v%')``; a pg_trgm GIN index
on that same expression serves it for any term of three characters or more (shorter ones match
too much for an index to help, and PostgreSQL reads the table as before). At 100,000 users a
search's count went from 63 ms to 3.5 ms.

The indexes are built CONCURRENTLY, so a large table keeps taking writes while they build: the
migration that uses this operation must be ``atomic = False`` (the operation refuses to run in a
transaction). pg_trgm is a trusted extension (PostgreSQL 13+): a role with CREATE on the
database, its owner for one, may create it. The indexes are not in the models' state
(SQLite could not build them), so Django's autodetector never proposes to drop them.
"""

from django.db import DatabaseError, NotSupportedError, migrations

# PostgreSQL cuts longer identifiers to 63 bytes: two long names could then collide.
MAX_NAME = 63


def index_name(table: str, column: str) -> str:
    name = f"{table}_{column}_trgm"
    if len(name.encode()) > MAX_NAME:
        raise ValueError(f"The index name {name} is longer than PostgreSQL's {MAX_NAME} bytes.")
    return name


def _validity(schema_editor, name: str) -> bool | None:
    """True for a valid index, False for one a failed build left behind, None for none."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [name],
        )
        row = cursor.fetchone()
    return row[0] if row else None


class TrigramSearchIndexes(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = False

    def __init__(self, table: str, columns: list[str]):
        self.table, self.columns = table, list(columns)

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"table": self.table, "columns": self.columns}

    def state_forwards(self, app_label, state):
        pass  # the schema changes; the models do not

    def _refuse_a_transaction(self, schema_editor):
        if schema_editor.connection.in_atomic_block:
            raise NotSupportedError(
                "TrigramSearchIndexes builds its indexes CONCURRENTLY, which PostgreSQL refuses in a "
                "transaction: set atomic = False on the migration."
            )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        self._refuse_a_transaction(schema_editor)
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        quote = schema_editor.quote_name
        for column in self.columns:
            name = index_name(self.table, column)
            validity = _validity(schema_editor, name)
            if validity:
                continue
            if validity is False:
                # A concurrent build that failed (cancelled, a deadlock) leaves its index behind,
                # invalid and never used. IF NOT EXISTS would keep it, so it is read first and
                # built again; IF NOT EXISTS is not used on a valid one either (on some
                # PostgreSQL derivatives it marks an existing index invalid).
                schema_editor.execute(f"DROP INDEX CONCURRENTLY {quote(name)}")
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY {quote(name)} "
                f"ON {quote(self.table)} USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
            )
            if not _validity(schema_editor, name):
                raise DatabaseError(f"The index {name} was built but PostgreSQL marked it invalid.")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        self._refuse_a_transaction(schema_editor)
        for column in self.columns:
            name = schema_editor.quote_name(index_name(self.table, column))
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")

    def describe(self):
        return f"Trigram indexes for searching {self.table} by {', '.join(self.columns)} (PostgreSQL)"

    @property
    def migration_name_fragment(self):
        return f"{self.table}_search"
