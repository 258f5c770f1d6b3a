"""Each workspace's data version: a number that grows whenever anything its pages show may have
changed, so that what was rendered from its data can be kept until then (``common.regions``).

Both database backends note every write statement (an execute wrapper, so the ORM's writes, bulk
ones and raw SQL alike) and bump the workspace's ``WorkspaceDataVersion``:

- a write inside a workspace's scope (the middleware's, every task's) bumps that workspace's;
- a write to a shared table (users, workspaces) or outside any workspace (maintenance, seeding)
  bumps every workspace's: a user's name shows in every workspace they belong to;
- a write to a table no page shows (sessions, lockout records, Django's bookkeeping) and the
  login's ``last_login`` bump nothing.

The bump is the last statement before COMMIT, so the new number becomes visible with the data it
stands for (a reader sees either both or neither) and the number's row is locked only for the
instant of the commit; a write in autocommit is made a transaction of its own for that (on
SQLite, which cannot commit before a statement's rows are read, the bump follows at once). On
PostgreSQL the deferred constraints are checked just before the bump, not at COMMIT after it: a
check waiting on a row another transaction holds while that one waits for the number would be a
deadlock. ``pending_writes()`` tells whether the connection holds writes not yet committed: what
it reads then is kept nowhere.

The bump runs on the driver's own cursor: it is bookkeeping, not one of the page's statements
(query counts in tests do not see it), and it must not be noted as a write itself.
"""

import re

from django.db import transaction
from django.db.models.signals import post_migrate, pre_migrate

from .scope import scoped_tenant_id

EVERY_WORKSPACE = "*"

_WRITE = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY)\b", re.IGNORECASE)
# Each table a statement writes: its first word's, or in a WITH statement every data-modifying
# part's (``FOR UPDATE`` is a lock, not a write).
_WRITTEN = (
    r"(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|(?<!FOR\s)UPDATE(?:\s+ONLY)?|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?)"
    r'\s+"?(\w+)"?'
)
_TABLE = re.compile(r"\s*" + _WRITTEN, re.IGNORECASE)
_CTE_TABLES = re.compile(r"\b" + _WRITTEN, re.IGNORECASE)
_LAST_LOGIN = re.compile(r'\s*UPDATE\s+"tenancy_user"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE', re.IGNORECASE)
# Tables no page keeping its regions shows (a page that shows them must not keep its regions):
# sessions, django-axes' lockout records, Django's own; the jobs' heartbeats and progress and an
# API key's last use, written outside any workspace's scope every few seconds (each would
# otherwise make every workspace's pages render again).
UNSHOWN_PREFIXES = (
    "django_session",
    "django_migrations",
    "django_content_type",
    "auth_",
    "axes_",
    "django_celery",
    "tenancy_dataversion",
    "jobs_job",
    "api_apikey",
)

# Upserts: a workspace has no row until its data is first written. From the workspace's row, so a
# workspace this transaction cannot see (deleted meanwhile) gets none, rather than failing the
# commit. (``WHERE true``: SQLite reads ON CONFLICT after a bare SELECT ... FROM as a join's.)
_BUMP = (
    "INSERT INTO tenancy_dataversion (workspace_id, version) SELECT id, 1 FROM tenancy_tenant WHERE {} "
    "ON CONFLICT (workspace_id) DO UPDATE SET version = tenancy_dataversion.version + 1"
)
_BUMP_ONE = _BUMP.format("id = %s")
_BUMP_EVERY = _BUMP.format("true ORDER BY id")  # the order _BUMP_ONE's are taken in: no deadlock

_tracking = {"on": True}  # off while ``migrate`` runs: the table may not exist yet


def is_write(sql: str) -> bool:
    if _WRITE.match(sql):
        return True
    return sql.lstrip()[:4].upper() == "WITH" and _CTE_TABLES.search(sql) is not None


def written_workspace(sql: str) -> str | None:
    """Whose data a write statement changes: a workspace's id (as text), ``EVERY_WORKSPACE``, or
    None for tables no page shows."""
    if _LAST_LOGIN.match(sql):
        return None
    match = _TABLE.match(sql)
    tables = {match.group(1).lower()} if match else {t.lower() for t in _CTE_TABLES.findall(sql)}
    tables = {t for t in tables if not t.startswith(UNSHOWN_PREFIXES)} if tables else {""}
    if not tables:
        return None
    if not tables <= _tenant_tables():
        return EVERY_WORKSPACE  # a shared table, or a statement whose tables are not parsed
    return scoped_tenant_id() or EVERY_WORKSPACE  # maintenance, or no single workspace in scope


_TENANT_TABLES: set[str] = set()


def _tenant_tables() -> set[str]:
    if not _TENANT_TABLES:
        from django.apps import apps

        from .postgres.tables import tenant_models

        _TENANT_TABLES.update(m._meta.db_table.lower() for m in tenant_models(apps))
    return _TENANT_TABLES


class DataVersionMixin:
    """For a ``DatabaseWrapper``: notes the workspaces its writes change and bumps their data
    version (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.written_workspaces: set[str] = set()
        self.execute_wrappers.append(self._note_writes)

    def pending_writes(self) -> bool:
        return bool(self.written_workspaces)

    def _note_writes(self, execute, sql, params, many, context):
        workspace = written_workspace(sql) if _tracking["on"] and is_write(sql) else None
        if workspace is None:
            return execute(sql, params, many, context)
        if self.get_autocommit() and self.vendor != "sqlite":
            # The write and its bump in one transaction: a bump failing after the write had
            # committed would leave the pages kept from before it.
            with transaction.atomic(using=self.alias):
                result = execute(sql, params, many, context)
                self.written_workspaces.add(workspace)
            return result
        result = execute(sql, params, many, context)
        self.written_workspaces.add(workspace)
        if self.get_autocommit():
            # SQLite cannot commit while a statement's rows (RETURNING) are unread: the bump
            # follows the write's own commit. Should it fail, the workspace stays noted, so this
            # connection keeps nothing and its next commit bumps.
            try:
                self._bump_data_versions()
            except Exception:
                self.written_workspaces.add(workspace)
                raise
        return result

    def _bump_data_versions(self) -> None:
        written, self.written_workspaces = self.written_workspaces, set()
        if not written:
            return
        # The driver's cursor, its errors made Django's (an atomic block rolls back on those).
        with self.wrap_database_errors:
            self._run_bump(written)

    def _run_bump(self, written: set[str]) -> None:
        cursor = self.connection.cursor()  # sqlite3's is no context manager
        try:
            if self.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if EVERY_WORKSPACE in written:
                cursor.execute(_BUMP_EVERY)
            else:
                bump = _BUMP_ONE.replace("%s", "?") if self.vendor == "sqlite" else _BUMP_ONE
                for workspace in sorted(written, key=int):  # one order: no deadlock between two commits
                    cursor.execute(bump, (int(workspace),))
        finally:
            cursor.close()

    def _commit(self):
        if self.written_workspaces and self.connection is not None:
            self._bump_data_versions()
        return super()._commit()

    def _rollback(self):
        self.written_workspaces = set()
        return super()._rollback()

    def _close(self):
        self.written_workspaces = set()
        return super()._close()


def _stop_tracking(**kwargs) -> None:
    _tracking["on"] = False


def resume_tracking(using: str = "default", **kwargs) -> None:
    """After ``migrate`` (its post_migrate, or its end if it failed): anything may have changed,
    every workspace's version moves on."""
    from django.db import connections

    if not _tracking["on"]:
        _tracking["on"] = True
        connection = connections[using]
        if "tenancy_dataversion" in connection.introspection.table_names():
            with connection.cursor() as cursor:
                cursor.execute(_BUMP_EVERY)


def connect_signals() -> None:
    pre_migrate.connect(_stop_tracking, dispatch_uid="tenancy.data_version.stop")
    post_migrate.connect(resume_tracking, dispatch_uid="tenancy.data_version.resume")
