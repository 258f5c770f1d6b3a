"""JSON for rows from ``QuerySet.values()``, generated from the declarations.

Each property gets a converter to a JSON fragment, built once per request: decimals are written
as exact JSON numbers (never through float), timestamps in UTC with ``Z``, dates as ISO dates.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from . import edm

# The C string encoder of the json module (what json.dumps uses, minus its per-call setup).
_encode_string = json.encoder.encode_basestring


def _string(value) -> str:
    return _encode_string(value if isinstance(value, str) else str(value))


def _int(value) -> str:
    return str(value) if value.__class__ is int else str(int(value))


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
        if value.tzinfo is not dt.UTC and value.utcoffset():
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
# With IEEE754Compatible=true, Int64 and Decimal travel as strings (a JavaScript number holds
# neither exactly).
IEEE754_TYPES = (edm.INT64, edm.DECIMAL)
# In full metadata, the types a client cannot tell from the JSON value are written out.
TYPES_NOT_IMPLIED = (edm.INT64, edm.DECIMAL, edm.DATE, edm.DATETIME, edm.GUID)


def converter(edm_type: str, *, ieee754: bool = False) -> Callable:
    convert = CONVERTERS[edm_type]
    if ieee754 and edm_type in IEEE754_TYPES:
        return lambda value: '"' + convert(value) + '"'
    return convert


def raw_value(edm_type: str, value) -> str:
    """A primitive value as ``$value`` sends it: text, no JSON quoting."""
    if isinstance(value, str):
        return value
    text = CONVERTERS[edm_type](value)
    return text[1:-1] if text.startswith('"') else text


def key_literal(entity_set: edm.EntitySet, value) -> str:
    """The key as it stands in a URL: ``Users(42)``, ``RecoverableBalances('7-EUR')``."""
    if entity_set.key_prop.edm in (edm.STRING, edm.GUID):
        return "'" + quote(str(value).replace("'", "''"), safe="") + "'"
    return str(value)


@dataclass(frozen=True)
class Links:
    """What full metadata adds to each entity: its type, id (absolute URL), edit link and the
    links of its navigation properties. ``root`` is the service root URL."""

    root: str

    def fields(self, entity_set: edm.EntitySet, key_path: str):
        type_label = '"@odata.type":' + json.dumps(f"#{edm.NAMESPACE}.{entity_set.type_name}")
        navs = [n.name for n in edm.active_navs(entity_set)]
        root, name = self.root, entity_set.name

        def head(row) -> str:
            path = f"{name}({key_literal(entity_set, row[key_path])})"
            return f'{type_label},"@odata.id":{json.dumps(root + path)},"@odata.editLink":{json.dumps(path)},'

        def tail(row) -> str:
            path = f"{name}({key_literal(entity_set, row[key_path])})"
            return "".join(f',"{nav}@odata.navigationLink":{json.dumps(f"{path}/{nav}")}' for nav in navs)

        return head, tail


class _Shape:
    """The fields of one kind of object in a row: labels, value paths, converters."""

    def __init__(self, entity_set, props, prefix: str, *, ieee754: bool, links: Links | None):
        self.fields = []
        for p in props:
            label = f'"{p.name}":'
            if links is not None and p.edm in TYPES_NOT_IMPLIED:
                label = f'"{p.name}@odata.type":"#{p.edm.removeprefix("Edm.")}",' + label
            self.fields.append((label, prefix + p.source, converter(p.edm, ieee754=ieee754)))
        self.key_path = prefix + entity_set.key_prop.source
        self.head = self.tail = None
        if links is not None:
            self.head, self.tail = links.fields(entity_set, self.key_path)

    def write(self, row) -> str:
        # One comprehension, not a loop of appends: this runs for every field of 100,000 rows.
        body = ",".join(
            [
                label + ("null" if (value := row[source]) is None else convert(value))
                for label, source, convert in self.fields
            ]
        )
        if self.head is not None:
            body = self.head(row) + body + self.tail(row)
        return body


class RowWriter:
    """Turns one ``values()`` row into a JSON object, for the selected properties and expansions,
    with Int64/Decimal as strings when ``ieee754``, and the control information of full metadata
    when ``links`` is given."""

    def __init__(self, entity_set, props: list[edm.Prop], navs: list[edm.Nav], *, ieee754=False, links=None):
        self.shape = _Shape(entity_set, props, "", ieee754=ieee754, links=links)
        self.navs = []
        for nav in navs:
            target = edm.get_set(nav.target)
            shape = _Shape(target, edm.expandable_props(nav), f"{nav.source}__", ieee754=ieee754, links=links)
            self.navs.append((f'"{nav.name}":', shape))
        self.key_path = self.shape.key_path

    @property
    def value_paths(self) -> list[str]:
        paths = [source for _, source, _ in self.shape.fields]
        if self.shape.head is not None:
            paths.append(self.shape.key_path)
        for _, shape in self.navs:
            paths.extend(source for _, source, _ in shape.fields)
            paths.append(shape.key_path)
        return list(dict.fromkeys(paths))

    def write(self, row: dict, prefix: str = "") -> str:
        body = prefix + self.shape.write(row)
        for label, shape in self.navs:
            nested = "null" if row[shape.key_path] is None else "{" + shape.write(row) + "}"
            body += ("," if body else "") + label + nested
        return "{" + body + "}"


# Rows per chunk of a streamed collection: a chunk is one write to the client. Each is joined in
# C (``str.join`` over ``map``), so the per-row cost in Python is the writer's alone, nothing when
# the database wrote the row's JSON; a thousand rows of about 250 bytes make writes of a quarter
# of a megabyte, large enough that the number of writes does not matter.
CHUNK_ROWS = 1000


def collection(head: str, rows: Sequence, write: Callable[..., str], tail: str) -> Iterator[str]:
    """``{head "value":[row,row,…] tail}`` in chunks, so the response streams; ``write`` turns a
    row into its JSON object."""
    yield "{" + head + '"value":['
    for start in range(0, len(rows), CHUNK_ROWS):
        yield ("," if start else "") + ",".join(map(write, rows[start : start + CHUNK_ROWS]))
    yield "]" + tail + "}"
