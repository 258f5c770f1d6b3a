"""CSV cells the database writes itself, for exports of tens of thousands of rows: a date as
``MM/DD/YYYY`` text, a yes/no flag, a date-time as UTC text, the whole part of a number. The ORM would otherwise build a
Python date, datetime or bool per cell (on SQLite by parsing text) only for the export to turn
it back into text. Each gives exactly what ``common.export.text_formatters`` would."""

from django.db.models import Case, CharField, Func, IntegerField, Value, When
from django.utils.functional import cached_property


class UsDate(Func):
    """A date as ``MM/DD/YYYY`` (the year without leading zeros, as ``date_text`` prints it),
    ``""`` for none."""

    arity = 1
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite stores a date as YYYY-MM-DD text: cut and glue it.
        sql, params = compiler.compile(self.source_expressions[0])
        month_day = f"substr({sql}, 6, 2) || '/' || substr({sql}, 9, 2)"
        text = f"COALESCE({month_day} || '/' || CAST(substr({sql}, 1, 4) AS INTEGER), '')"
        return text, (*params, *params, *params)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="COALESCE(to_char(%(expressions)s, 'MM/DD/FMYYYY'), '')")


def yes_no(field: str) -> Case:
    """``"Yes"``/``"No"`` for a boolean field (``"No"`` for null too)."""
    return Case(When(**{field: True}, then=Value("Yes")), default=Value("No"), output_field=CharField())


class UtcText(Func):
    """A date-time as UTC text, ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (``None`` for none): what SQLite
    stores, read without the ORM's parsing; ``text_formatters``' ``datetime_text`` shows it in
    the workspace's zone."""

    arity = 1
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Cast, not the bare column: Python's sqlite3 parses a column declared datetime itself
        # (Django registers that converter), an expression it hands back as stored.
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS TEXT)")

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
        )


class WholePart(Func):
    """The whole part of a number, toward zero, as ``int(Decimal)`` gives it (85.7 → 85, -0.5 →
    0), without a Decimal per row."""

    arity = 1
    output_field = IntegerField()

    @cached_property
    def convert_value(self):
        # Both databases hand back an int already: no int() per row (with no converter at all,
        # the ORM skips its per-row conversion pass).
        return self._convert_value_noop

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite's CAST truncates toward zero.
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS INTEGER)")

    def as_postgresql(self, compiler, connection, **extra_context):
        # PostgreSQL's CAST rounds: truncate first.
        return self.as_sql(compiler, connection, template="CAST(TRUNC(%(expressions)s) AS INTEGER)")
