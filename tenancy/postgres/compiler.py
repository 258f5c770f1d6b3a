"""Django's PostgreSQL compilers, aware of the (id, tenant_id) primary keys.

On PostgreSQL Django groups an aggregate query by the primary key alone (``id``) and lets the
database infer the table's other columns from it. With the primary key ``(id, tenant_id)`` that
inference needs ``tenant_id`` in the GROUP BY too (PostgreSQL: "must appear in the GROUP BY
clause"), so it is added next to every tenant table's ``id``: the grouping stays as small."""

import time

from django.conf import settings
from django.db.backends.postgresql import compiler
from psycopg.pq import TransactionStatus

from common.planner import marked_for_hashing, marked_tenant

from .tables import TENANT_COLUMN, is_tenant_model

# The tenants found large (``READS_EVERY_ROW_FROM_MEMBERS``) in this process: (tenant id,
# threshold) -> when, by ``time.monotonic``. Counting was a round trip before every marked
# statement, two on the plan Beneficiaries tab; a large tenant is taken as large for
# ``RECOUNT_SECONDS`` (shrunk meanwhile, it is only planned without nested loops a little longer).
# A small one is counted every time: right after a bulk load, before ANALYZE, is when it turns
# large and when nested loops over stale statistics cost minutes.
_LARGE_TENANTS: dict[tuple[int, int], float] = {}
RECOUNT_SECONDS = 60
_now = time.monotonic


class SQLCompiler(compiler.SQLCompiler):
    def execute_sql(self, *args, **kwargs):
        """A statement marked ``common.planner.reads_every_row`` for a large tenant is planned
        without nested loops, one marked ``groups_by_hash`` without sorts: the settings are on
        the session for that statement alone (a server-side cursor is planned at its DECLARE,
        so later fetches keep the plan)."""
        before: dict[str, str] = {}  # each setting changed for this statement, with its value before
        try:
            self._apply_marks(before)
            if not before:  # nothing marked, or a small tenant: nothing to restore
                return self._execute(*args, **kwargs)
            # Bound by the client, so never prepared: a prepared statement keeps the plan made
            # with the settings of its preparing, whatever they are when it runs again.
            result = super().execute_sql(*args, **kwargs)
        except BaseException:  # a worker's timeout signal too: the connection outlives the request
            # A failed statement aborts its transaction, whose rollback undoes the SET too; in
            # autocommit, or when nothing reached the database, it is undone here. If that
            # fails as well, the connection is closed rather than kept with the setting off,
            # and the first error is the one raised.
            if before and self.connection.connection.info.transaction_status != TransactionStatus.INERROR:
                try:
                    self._restore(before)
                except Exception:
                    self.connection.close()
            raise
        self._restore(before)
        return result

    def _execute(self, *args, **kwargs):
        """Django's ``execute_sql``; a statement of ``common.precompiled`` run with the session's
        settings on a cursor binding on the server (created at the start of ``execute_sql``: its
        rows fetched later keep it), and so prepared once it ran five times."""
        if not getattr(self, "binds_on_server", False):
            return super().execute_sql(*args, **kwargs)
        with self.connection.binding_on_server():
            return super().execute_sql(*args, **kwargs)

    def _apply_marks(self, before: dict[str, str]) -> None:
        """Apply the marks' settings, recording in ``before`` each one changed as it is (so that
        a failure between two is undone too)."""
        tenant_id = marked_tenant(self.query)
        if tenant_id is not None:
            was, now = self._nested_loops_off_if_large(tenant_id)
            if was != now:
                before["enable_nestloop"] = was
        if marked_for_hashing(self.query):
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', %s)", [self._local()]
                )
                was, now = cursor.fetchone()
            if was != now:
                before["enable_sort"] = was

    def _nested_loops_off_if_large(self, tenant_id: int) -> tuple[str, str]:
        """Turn ``enable_nestloop`` off if the tenant has at least ``READS_EVERY_ROW_FROM_MEMBERS``
        members (counted no further; a large tenant's verdict kept ``RECOUNT_SECONDS``), in one
        round trip; returns the setting's value before and now. Below the threshold nothing is
        set: not even the value it has, which would make a ``SET LOCAL`` of the caller's
        transaction the session's."""
        least = settings.READS_EVERY_ROW_FROM_MEMBERS
        found = _LARGE_TENANTS.get((tenant_id, least))
        with self.connection.cursor() as cursor:
            if found is not None and _now() - found < RECOUNT_SECONDS:
                cursor.execute(
                    "SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', %s)",
                    [self._local()],
                )
                return cursor.fetchone()
            cursor.execute(
                "SELECT current_setting('enable_nestloop'), CASE WHEN large "
                "THEN set_config('enable_nestloop', 'off', %s) ELSE current_setting('enable_nestloop') END, large "
                "FROM (SELECT (SELECT count(*) FROM (SELECT 1 FROM tenancy_membership WHERE tenant_id = %s LIMIT %s) "
                "AS m) >= %s AS large) AS counted",
                [self._local(), tenant_id, least, least],
            )
            was, now, large = cursor.fetchone()
        if large:
            _LARGE_TENANTS[(tenant_id, least)] = _now()
        return was, now

    def _restore(self, values: dict[str, str]) -> None:
        local = self._local()
        calls = ", ".join("set_config(%s, %s, %s)" for _ in values)
        params = [p for name, value in values.items() for p in (name, value, local)]
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT {calls}", params)  # noqa: S608 - placeholders only

    def _local(self) -> bool:
        """In a transaction the setting is the transaction's (``SET LOCAL``): its end undoes it
        whatever happens, and restoring it does not turn a caller's ``SET LOCAL`` into the
        session's value. In autocommit every statement is its own transaction: the session's."""
        return not self.connection.get_autocommit()

    def collapse_group_by(self, expressions, having):
        expressions = super().collapse_group_by(expressions, having)
        if not self.connection.features.allows_group_by_selected_pks:
            return expressions
        added = []
        for expr in expressions:
            target = getattr(expr, "target", None)
            if target is None or not target.primary_key or not is_tenant_model(target.model):
                continue
            tenant = next(f for f in target.model._meta.local_concrete_fields if f.column == TENANT_COLUMN)
            col = tenant.get_col(expr.alias)
            if col not in expressions and col not in added:
                added.append(col)
        return [*expressions, *added]


class SQLInsertCompiler(compiler.SQLInsertCompiler, SQLCompiler):
    pass


class SQLDeleteCompiler(compiler.SQLDeleteCompiler, SQLCompiler):
    pass


class SQLUpdateCompiler(compiler.SQLUpdateCompiler, SQLCompiler):
    pass


class SQLAggregateCompiler(compiler.SQLAggregateCompiler, SQLCompiler):
    pass
