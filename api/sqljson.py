"""Rows of a collection page written as JSON by the database: one text per row, byte for byte
what ``serialize.RowWriter`` writes from ``values()`` (tests/api/test_sql_json.py compares both
on awkward values), without building a Python object per cell.

Only model columns of the plain field classes below are written this way, and only in minimal or
no metadata; anything else (annotations, Double, Guid, full metadata) goes through RowWriter.
On SQLite the values are stored as text or numbers: the common shapes are formatted in SQL and
anything else (a timestamp written by SQL, a decimal beyond 15 digits) by the same Python
conversion the ORM applies, registered as SQL functions on each connection.
"""

import datetime as dt
import decimal

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import Expression, F, TextField
from django.utils.dateparse import parse_date, parse_datetime

from . import edm
from .serialize import IEEE754_TYPES, _date, _datetime, _decimal

_FIELD_TYPES = {
    edm.STRING: (models.CharField, models.TextField),
    edm.INT64: (models.IntegerField, models.AutoField, models.BigAutoField),
    edm.INT32: (models.IntegerField, models.AutoField, models.BigAutoField),
    edm.DECIMAL: (models.DecimalField,),
    edm.BOOLEAN: (models.BooleanField,),
    edm.DATETIME: (models.DateTimeField,),
    edm.DATE: (models.DateField,),
}


def _column(entity_set, prop: edm.Prop):
    """The model field behind ``prop`` if the database can write its JSON, else None."""
    if not prop.is_model_path or prop.edm not in _FIELD_TYPES:
        return None
    field, _ = edm._walk(entity_set.model, prop.source)
    if field.is_relation:
        field = field.target_field
    if not isinstance(field, _FIELD_TYPES[prop.edm]) or hasattr(field, "from_db_value"):
        return None  # a custom field converts its values in Python
    if prop.edm == edm.DATE and isinstance(field, models.DateTimeField):
        return None
    return field


class JsonValue(Expression):
    """One column's value for a row's JSON: on PostgreSQL its JSON text as
    ``serialize.CONVERTERS`` writes it, on SQLite an argument of ``json_object()`` that comes
    out as that text; NULL for NULL."""

    output_field = TextField()

    def __init__(self, expression, kind: str, field, *, ieee754: bool):
        super().__init__()
        self.source, self.model_field = expression, field
        self.kind = edm.INT64 if kind == edm.INT32 else kind
        self.quoted = ieee754 and self.kind in IEEE754_TYPES  # Int64 and Decimal as strings

    def get_source_expressions(self):
        return [self.source]

    def set_source_expressions(self, exprs):
        (self.source,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.source)
        if params:  # a model column has none; the SQL below repeats the column
            raise ValueError(f"{sql} is not a plain column")
        if connection.vendor == "postgresql":
            text = _POSTGRESQL[self.kind](sql, self.model_field)
            return (f"""('"' || {text} || '"')""" if self.quoted else text), ()
        return _SQLITE[self.kind](sql, self.model_field, self.quoted), ()


def _pg_datetime(x, field):
    utc = f"({x} AT TIME ZONE 'UTC')"
    return (
        f"""('"' || to_char({utc}, CASE WHEN {utc} = date_trunc('second', {utc}) """
        f"""THEN 'YYYY-MM-DD"T"HH24:MI:SS' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US' END) || 'Z"')"""
    )


# PostgreSQL: the SQL of a column's JSON text (NULL for NULL). A literal % would be written %%.
_POSTGRESQL = {
    edm.STRING: lambda x, f: f"to_json(({x})::text)::text",
    edm.INT64: lambda x, f: f"(({x})::bigint)::text",
    # A numeric column holds its declared scale: its text is format(Decimal, "f").
    edm.DECIMAL: lambda x, f: f"(({x})::numeric)::text",
    edm.BOOLEAN: lambda x, f: f"(CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END)",
    edm.DATETIME: _pg_datetime,
    edm.DATE: lambda x, f: f"""('"' || to_char({x}, 'YYYY-MM-DD') || '"')""",
}


def _sqlite_decimal(x, field, quoted):
    scale, digits = field.decimal_places, field.max_digits
    # The ORM rounds the stored double to 15 significant digits, then to the field's scale. When
    # it holds at most 15 digits and lies within a quarter unit of the scale's last digit, both
    # roundings and printf() land on the same digits; anything else is converted in Python.
    units = f"({x} * 1e{scale})"
    text = (
        f"CASE WHEN typeof({x}) IN ('integer', 'real') AND abs({x}) < 1e{15 - scale} "
        f"AND abs({units} - round({units})) < 0.25 THEN printf('%%.{scale}f', {x}) "
        f"ELSE odata_json_decimal({x}, {scale}, {digits}) END"
    )
    return f"(CASE WHEN {x} IS NULL THEN NULL ELSE {text if quoted else f'json({text})'} END)"


def _sqlite_datetime(x, field, quoted):
    # As Django stores them: "YYYY-MM-DD HH:MM:SS", with ".ffffff" unless the microseconds are 0.
    utc = f"substr({x}, 1, 10) || 'T' || substr({x}, 12) || 'Z'"
    return (
        f"(CASE WHEN {x} IS NULL THEN NULL ELSE CASE length({x}) WHEN 19 THEN {utc} "
        f"WHEN 26 THEN CASE WHEN {x} NOT LIKE '%%.000000' THEN {utc} ELSE odata_json_datetime({x}) END "
        f"ELSE odata_json_datetime({x}) END END)"
    )


# SQLite: an argument of json_object() giving the column's JSON (text is quoted and escaped as
# the json module does; json() marks text as JSON). A literal % is written %%.
_SQLITE = {
    edm.STRING: lambda x, f, q: f"CAST({x} AS TEXT)",
    edm.INT64: lambda x, f, q: f"CAST({x} AS {'TEXT' if q else 'INTEGER'})",
    edm.DECIMAL: _sqlite_decimal,
    edm.BOOLEAN: lambda x, f, q: f"(CASE WHEN {x} THEN json('true') WHEN NOT {x} THEN json('false') END)",
    edm.DATETIME: _sqlite_datetime,
    edm.DATE: lambda x, f, q: f"(CASE WHEN {x} IS NULL OR length({x}) = 10 THEN {x} ELSE odata_json_date({x}) END)",
}


class JsonObject(Expression):
    """A row's (or an expanded navigation's) JSON object from ``(name, JsonValue)`` pairs:
    ``'{"Id":' || … || '}'`` on PostgreSQL, ``json_object('Id', …)`` on SQLite."""

    output_field = TextField()

    def __init__(self, names, values, key=None):
        super().__init__()
        self.names, self.values, self.key = tuple(names), list(values), key

    def get_source_expressions(self):
        return [*self.values, self.key]

    def set_source_expressions(self, exprs):
        *self.values, self.key = exprs

    def as_sql(self, compiler, connection):
        compiled = [compiler.compile(value) for value in self.values]
        params = []
        if connection.vendor == "postgresql":
            pieces = ["'{'"]
            for i, (name, (sql, value_params)) in enumerate(zip(self.names, compiled, strict=True)):
                pieces += ["%s", f"COALESCE({sql}, 'null')"]
                params += [("," if i else "") + f'"{name}":', *value_params]
            body, empty = "(" + " || ".join([*pieces, "'}'"]) + ")", "'null'"
        else:
            pieces = []
            for name, (sql, value_params) in zip(self.names, compiled, strict=True):
                pieces += ["%s", sql]
                params += [name, *value_params]
            body, empty = "json_object(" + ", ".join(pieces) + ")", "NULL"
        if self.key is None:
            return body, params
        # An expanded navigation: null when its key is null.
        key_sql, key_params = compiler.compile(self.key)
        return f"(CASE WHEN {key_sql} IS NULL THEN {empty} ELSE {body} END)", (*key_params, *params)


def _values(entity_set, props, prefix: str, *, ieee754: bool) -> list | None:
    values = []
    for prop in props:
        field = _column(entity_set, prop)
        if field is None:
            return None
        values.append(JsonValue(F(prefix + prop.source), prop.edm, field, ieee754=ieee754))
    return values


def row_json(entity_set, props, navs, *, ieee754: bool) -> Expression | None:
    """The expression of a row's JSON object, or None when a property needs RowWriter."""
    names, values = [p.name for p in props], _values(entity_set, props, "", ieee754=ieee754)
    if values is None:
        return None
    for nav in navs:
        target = edm.get_set(nav.target)
        nav_props = edm.expandable_props(nav)
        nested = _values(target, nav_props, f"{nav.source}__", ieee754=ieee754)
        if nested is None:
            return None
        key = F(f"{nav.source}__{target.key_prop.source}")
        names.append(nav.name)
        values.append(JsonObject([p.name for p in nav_props], nested, key))
    return JsonObject(names, values)


# SQLite: the values the SQL above does not format, converted as the ORM converts them; texts
# are returned unquoted (json_object quotes them).
def _json_decimal(value, scale, digits):
    if value is None:
        return None
    number = decimal.Context(prec=15).create_decimal_from_float(value)
    return _decimal(number.quantize(decimal.Decimal(1).scaleb(-scale), context=decimal.Context(prec=digits)))


def _json_datetime(value):
    if value is None:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return _datetime(parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC))[1:-1]


def _json_date(value):
    if value is None:
        return None
    parsed = parse_date(value) if isinstance(value, str) else None
    return None if parsed is None else _date(parsed)[1:-1]


def register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    create = connection.connection.create_function
    create("odata_json_decimal", 3, _json_decimal, deterministic=True)
    create("odata_json_datetime", 1, _json_datetime, deterministic=True)
    create("odata_json_date", 1, _json_date, deterministic=True)


connection_created.connect(register_sqlite_functions)
