"""Django's SQLite backend, with its placeholders converted by ``str.replace``
(settings: ``ENGINE = "common.sqlite"``, set for every SQLite ``DATABASE_URL``).

Django writes ``%s`` placeholders and its SQLite cursor turns them into ``?`` with a regular
expression that skips ``%%s`` (an escaped percent sign before an ``s``). A bulk write of
thousands of rows per statement has tens of thousands of placeholders: the partner
recalculation's first run spent about 0.04 s of its 0.75 s in that expression. Without ``%%`` in
the statement every ``%s`` is a placeholder, and ``str.replace`` gives the same text in C; a
statement with ``%%`` or named parameters goes to Django's own conversion."""

from django.db.backends.sqlite3 import base

from tenancy.data_version import DataVersionMixin


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None and "%%" not in query:
            return query.replace("%s", "?")
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(DataVersionMixin, base.DatabaseWrapper):
    """Bumps the workspaces' data versions as it writes (tenancy.data_version)."""

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
