"""The app role: created by ``migrate`` if missing, and granted the rows of every table after each
``migrate`` (so a new table is covered)."""

from django.conf import settings
from django.db import DatabaseError, connections, transaction


def _role(connection) -> str:
    return getattr(settings, "DATABASE_APP_ROLE", "") if connection.vendor == "postgresql" else ""


def ensure_app_role(using: str = "default") -> None:
    """Create ``DATABASE_APP_ROLE`` if it is missing — NOLOGIN: the login role switches to it, so
    the login role is made a member."""
    connection = connections[using]
    role = _role(connection)
    if not role:
        return
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            try:
                with transaction.atomic(using=using):
                    cursor.execute(f"CREATE ROLE {quoted} NOLOGIN")
            except DatabaseError:
                pass  # another process created it meanwhile; anything else shows just below
        cursor.execute("SELECT current_user, pg_has_role(current_user, %s, 'MEMBER')", [role])
        login, member = cursor.fetchone()
        if not member:
            cursor.execute(f"GRANT {quoted} TO {connection.ops.quote_name(login)}")


def grant_app_role(using: str = "default", **kwargs) -> None:
    """post_migrate: the app role may read and write the rows of every table and use every
    sequence — and nothing on the schema itself, so it cannot alter a table or drop a policy."""
    connection = connections[using]
    role = _role(connection)
    if not role:
        return
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        for statement in (
            f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES ON ALL TABLES IN SCHEMA {schema} TO {quoted}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
        ):
            cursor.execute(statement)
