"""A table's cells as django-tables2's ``BoundRow.get_cell`` gives them, with the per-column work
done once per table instead of once per cell.

For every cell django-tables2 resolves the accessor twice (once for the "penultimate" object to
look for a ``get_FOO_display``, then for the value), tries each step as a dictionary key first (a
model raises and catches a ``TypeError`` there), looks the model field up by name to see whether
it has choices, and builds six keyword arguments to pass the render method the ones it declares.
On a 25-row page that was about a third of the time. What depends only on the column and the
record's class (the field's choices, which arguments the render method takes, whether the column
renders its value as is) is decided once here; the value is read attribute by attribute, as the
accessor would on a model instance. Anything else (dictionary records, a step that fails, links,
many-to-many columns) goes to django-tables2's own ``get_cell``, so the output is the same."""

from django.db import models
from django_tables2 import Column, ManyToManyColumn, utils

_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")


class _Fallback(Exception):
    """The fast path does not apply to this cell: django-tables2 renders it."""


class _Failed(Exception):
    """A step of the accessor raised: django-tables2 then renders the cell with no value (a
    column that renders from the record alone, like a status badge, has no such attribute)."""


def _walk(bits, record):
    """``Accessor.resolve`` on a model instance, attribute by attribute: ``_Fallback`` where the
    accessor would try a dictionary or list step, ``_Failed`` where a step raises (a missing
    attribute, an error, a method that alters data)."""
    current = record
    for bit in bits:
        # The accessor tries ``current[bit]`` first: a model without ``__getitem__`` raises there.
        if not isinstance(current, models.Model) or hasattr(type(current), "__getitem__"):
            raise _Fallback
        try:
            current = getattr(current, bit)
            if callable(current):
                if getattr(current, "alters_data", False):
                    raise _Fallback
                if not getattr(current, "do_not_call_in_templates", False):
                    current = current()
        except Exception:
            raise _Failed from None
        if current is None:
            break
    return current


class CellRenderer:
    """Renders one column's cell for a row, as ``row.get_cell(name)``."""

    def __init__(self, bound_column):
        self.bound_column = bound_column
        self.name = bound_column.name
        column = bound_column.column
        self.column = column
        accessor = bound_column.accessor
        self.accessor = accessor
        path, _, self.remainder = accessor.rpartition(accessor.SEPARATOR)
        self.bits = tuple(accessor.bits)
        self.path_bits = tuple(path.split(accessor.SEPARATOR)) if path else ()
        self.has_choices: dict[type, bool] = {}
        self.empty_values = column.empty_values
        render = bound_column.render
        self.as_is = getattr(render, "__func__", None) is Column.render
        args, kwargs_name = utils.signature(render)
        self.render = render
        self.arguments = _ARGUMENTS if kwargs_name else tuple(args)
        self.stock = bool(
            bound_column.link
            or isinstance(column, ManyToManyColumn)
            or accessor.callable_args
            or accessor.callable_kwargs
            or (not kwargs_name and any(a not in _ARGUMENTS for a in args))
        )

    def __call__(self, row):
        record = row.record
        if self.stock or not isinstance(record, models.Model):
            return row.get_cell(self.name)
        try:
            value = self._value(record)
        except _Fallback:
            return row.get_cell(self.name)
        if value in self.empty_values:
            return self.bound_column.default
        if self.as_is:
            return value
        given = {"value": value, "record": record, "column": self.column}
        given.update(bound_column=self.bound_column, bound_row=row, table=row.table)
        return self.render(**{name: given[name] for name in self.arguments})

    def _value(self, record):
        cls = type(record)
        has_choices = self.has_choices.get(cls)
        if has_choices is None:
            field = self.accessor.get_field(record)
            has_choices = self.has_choices[cls] = bool(getattr(field, "choices", ()))
        if has_choices:
            try:
                penultimate = _walk(self.path_bits, record)
            except _Failed:
                penultimate = None  # the accessor resolves it quietly: no display method then
            if isinstance(penultimate, models.Model):
                display = getattr(penultimate, f"get_{self.remainder}_display", None)
                if display:
                    return display()
        if not self.remainder:
            return None
        try:
            return _walk(self.bits, record)
        except _Failed:
            return None


def cell_renderers(table) -> list[CellRenderer]:
    return [CellRenderer(column) for column in table.columns]
