"""What PostgreSQL itself says about the keys of the current schema (pg_constraint, pg_index)."""

from dataclasses import dataclass

from django.db import connection

KEYS_SQL = """
SELECT rel.relname, c.contype,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
       ref.relname,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i),
       c.condeferrable AND c.condeferred
FROM pg_constraint c
JOIN pg_class rel ON rel.oid = c.conrelid
LEFT JOIN pg_class ref ON ref.oid = c.confrelid
WHERE rel.relnamespace = current_schema()::regnamespace AND c.contype IN ('p', 'u', 'f')
UNION ALL
SELECT t.relname, 'i',
       ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o),
       NULL, NULL, NULL
FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relnamespace = current_schema()::regnamespace AND x.indisunique
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
"""


@dataclass(frozen=True)
class Key:
    table: str
    kind: str  # p: primary key, u: unique constraint, i: unique index, f: foreign key
    columns: tuple[str, ...]
    to_table: str | None
    to_columns: tuple[str, ...]
    deferred: bool | None


def keys() -> list[Key]:
    with connection.cursor() as cursor:
        cursor.execute(KEYS_SQL)
        return [Key(t, k, tuple(c), rt, tuple(rc or ()), d) for t, k, c, rt, rc, d in cursor.fetchall()]


def tables_with_tenant_id() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'tenant_id'"
        )
        return {row[0] for row in cursor.fetchall()}
