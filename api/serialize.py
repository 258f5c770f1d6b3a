"""JSON for rows from ``QuerySet.values()``, generated from the declarations.

Each property gets a converter to a JSON fragment, built once per request: decimals are written
as exact JSON numbers (never through float), timestamps in UTC with ``Z``, dates as ISO dates.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator

from . import edm

# The C string encoder of the json module (what json.dumps uses, minus its per-call setup).
_encode_string = json.encoder.encode_basestring


def _string(value) -> str:
    return _encode_string(value if isinstance(value, str) else str(value))


def _int(value) -> str:
    return str(int(value))


def _decimal(value) -> str:
    return format(value, "f")


def _double(value) -> str:
    return json.dumps(float(value))


def _bool(value) -> str:
    return "true" if value else "false"


def _datetime(value) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return '"' + value.isoformat() + 'Z"'
        if value.utcoffset():
            value = value.astimezone(dt.UTC)
        return '"' + value.isoformat()[:-6] + 'Z"'  # drop "+00:00"
    return _string(value)


def _date(value) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return f'"{value.isoformat()}"' if isinstance(value, dt.date) else _string(value)


CONVERTERS: dict[str, Callable] = {
    edm.STRING: _string,
    edm.INT64: _int,
    edm.INT32: _int,
    edm.DECIMAL: _decimal,
    edm.DOUBLE: _double,
    edm.BOOLEAN: _bool,
    edm.DATETIME: _datetime,
    edm.DATE: _date,
    edm.GUID: _string,
}


class RowWriter:
    """Turns one ``values()`` row into a JSON object, for the selected properties and expansions."""

    def __init__(self, props: list[edm.Prop], navs: list[edm.Nav]):
        self.fields = [(f'"{p.name}":', p.source, CONVERTERS[p.edm]) for p in props]
        self.navs = []
        for nav in navs:
            target = edm.expandable_props(nav)
            key = edm.get_set(nav.target).key_prop
            self.navs.append(
                (
                    f'"{nav.name}":',
                    f"{nav.source}__{key.source}",
                    [(f'"{p.name}":', f"{nav.source}__{p.source}", CONVERTERS[p.edm]) for p in target],
                )
            )

    @property
    def value_paths(self) -> list[str]:
        paths = [source for _, source, _ in self.fields]
        for _, _, fields in self.navs:
            paths.extend(source for _, source, _ in fields)
        return list(dict.fromkeys(paths))

    @staticmethod
    def _object(fields, row) -> str:
        parts = []
        for label, source, convert in fields:
            value = row[source]
            parts.append(label + ("null" if value is None else convert(value)))
        return ",".join(parts)

    def write(self, row: dict, prefix: str = "") -> str:
        body = prefix + self._object(self.fields, row)
        for label, key_path, fields in self.navs:
            nested = "null" if row[key_path] is None else "{" + self._object(fields, row) + "}"
            body += ("," if body else "") + label + nested
        return "{" + body + "}"


def collection(head: str, rows: Iterable[dict], writer: RowWriter, tail: str) -> Iterator[str]:
    """``{head "value":[row,row,…] tail}`` in chunks, so the response streams."""
    yield "{" + head + '"value":['
    buffer = []
    for i, row in enumerate(rows):
        buffer.append(("," if i else "") + writer.write(row))
        if len(buffer) >= 200:
            yield "".join(buffer)
            buffer = []
    buffer.append("]" + tail + "}")
    yield "".join(buffer)
