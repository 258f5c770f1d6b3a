"""The PostgreSQL backend with the tenant wall (settings: ``ENGINE = "tenancy.postgres"``).

Before each statement the connection is put in the state the current django-scopes scope asks for:

- inside ``scope(tenant=A)`` (the middleware, every task): the app role (``DATABASE_APP_ROLE``),
  subject to the row-level security policies, with ``app.tenant_id = A``;
- inside ``scopes_disabled()`` (explicitly cross-tenant: migrations, the sweeps' tenant lookups,
  seed_demo, the membership lookup of the middleware): the login role, which owns the tables and
  so is not subject to the policies — the maintenance role;
- outside any scope: the app role with no tenant, which sees no tenant rows at all.

The state is set only when it changes (one ``SELECT set_config(...)``, not one per statement).
Inside a transaction it is set with ``is_local`` (``SET LOCAL``: it ends with the transaction);
in autocommit, where each statement is its own transaction, for the session. Whatever could undo
it (commit of a local setting, rollback, rollback to a savepoint, a new connection) makes the next
statement set it again.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base, operations

from ..data_version import DataVersionMixin
from ..scope import scoped_tenant_id
from .schema import DatabaseSchemaEditor

MAINTENANCE = "none"  # SET ROLE NONE: back to the login role

SYNC_SQL = "SELECT set_config('role', %s, %s), set_config('app.tenant_id', %s, %s)"


def wanted_state(app_role: str) -> tuple[str, str]:
    """(role, tenant id) for the current scope; ``app_role`` empty means no role switching."""
    tenant_id = scoped_tenant_id()
    if tenant_id is None:
        return MAINTENANCE, ""
    return (app_role or MAINTENANCE), tenant_id


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "tenancy.postgres.compiler"


class DatabaseWrapper(DataVersionMixin, base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
    ops_class = DatabaseOperations
    # common.precompiled's statements are bound on the server, where psycopg prepares a statement
    # once it ran five times (``prepare_threshold``); the ORM's are bound by the client, as Django
    # binds them (its SQL is not always preparable as it is: Django ticket #20516).
    prepares_statements = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._binding_on_server = False
        self.tenant_state: tuple[str, str] | None = None  # as last set on this connection; None: unknown
        self.tenant_state_local = False
        if self.alias != NO_DB_ALIAS:  # creating and dropping databases is maintenance
            self.execute_wrappers.insert(0, self._in_tenant_state)

    def _in_tenant_state(self, execute, sql, params, many, context):
        wanted = wanted_state(getattr(settings, "DATABASE_APP_ROLE", ""))
        if wanted != self.tenant_state:
            local = not self.get_autocommit()
            role, tenant_id = wanted
            # A cursor of its own: the statement's may be a server-side (named) one.
            with self.connection.cursor() as cursor:
                cursor.execute(SYNC_SQL, (role, local, tenant_id, local))
            self.tenant_state, self.tenant_state_local = wanted, local
        return execute(sql, params, many, context)

    @contextmanager
    def binding_on_server(self):
        """Cursors created meanwhile bind their parameters on the server (psycopg's ``Cursor``)."""
        was, self._binding_on_server = self._binding_on_server, True
        try:
            yield
        finally:
            self._binding_on_server = was

    def create_cursor(self, name=None):
        if name is None and self._binding_on_server:
            factory = self.connection.cursor_factory
            self.connection.cursor_factory = base.ServerBindingCursor
            try:
                return super().create_cursor(name)
            finally:
                self.connection.cursor_factory = factory
        return super().create_cursor(name)

    def _forget_tenant_state(self) -> None:
        self.tenant_state = None

    def init_connection_state(self):
        self._forget_tenant_state()
        super().init_connection_state()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            if self.tenant_state_local:
                self._forget_tenant_state()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._forget_tenant_state()

    def _savepoint_rollback(self, sid):
        try:
            return super()._savepoint_rollback(sid)
        finally:
            self._forget_tenant_state()

    def _close(self):
        self._forget_tenant_state()
        return super()._close()
