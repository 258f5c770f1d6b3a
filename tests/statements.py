"""The SQL statements a block of code sends, recorded by a wrapper around the connection's
execute (Django's debug cursor log, which ``CaptureQueriesContext`` reads, is capped and can
come back empty in a long test run)."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def recorded_statements():
    """``with recorded_statements() as statements: ...``: the SQL of each statement, in order."""
    statements: list[str] = []

    def recording(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(recording):
        yield statements


def prepared_statements(like: str) -> int:
    """How many statements this PostgreSQL connection holds prepared whose text is ``LIKE`` the
    pattern (psycopg prepares a statement bound on the server once it ran five times)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [like])
        return cursor.fetchone()[0]
