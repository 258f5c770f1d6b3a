"""django-tables2 asks ``inspect.signature`` for every cell it renders or exports (to pass each
``render_*``/``value_*`` method only the arguments it declares). That is ~0.4 ms a call: most of
the time of a list page and nearly all of a 100,000-row export. A function's signature never
changes, so we remember it per function (bound methods share their function's entry).

Its ``TemplateColumn`` (and so ``DateColumn`` and ``DateTimeColumn``, which are template columns
of ``{{ value|date:"…" }}``) compiles its ``template_code`` again for every cell: about 0.4 ms a
cell, 10 ms of a 25-row page with one date column. A compiled template holds no per-render state
(Django's cached loader shares them the same way), so we compile each distinct code once. A
``DateColumn`` or ``DateTimeColumn`` of django-tables2's own template (``{{ value|date:"…"|default:
default }}``, no extra context) still cost about 20 µs a cell to render it (a context pushed, the
filters looked up and called through the engine): it calls the same two filters directly, as the
engine does (the value in the current time zone, the text escaped).

Its ``BooleanColumn`` looks the model field up by the accessor for every cell (to map a choice's
label back to its value) and builds the same ``<span>`` again: about 20 µs a cell, half a
millisecond of a page with an Active column. Whether the field has choices depends on the
record's class and the accessor only, and the column draws one of two spans: both are worked out
once. A field with choices keeps django-tables2's own rendering."""

import re
from collections import OrderedDict
from functools import lru_cache

from django.template import Template
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import default as default_filter
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django_tables2 import utils
from django_tables2.columns import BooleanColumn, DateColumn, DateTimeColumn, TemplateColumn, templatecolumn
from django_tables2.utils import AttributeDict

_original_signature = utils.signature
_cache: OrderedDict = OrderedDict()
_MAX_ENTRIES = 4096  # lambdas made per call must not grow this without bound


def cached_signature(fn):
    func = getattr(fn, "__func__", None)
    key = (func, True) if func is not None else (fn, False)
    try:
        result = _cache[key]
    except (KeyError, TypeError):  # TypeError: an unhashable callable; compute it every time
        result = _original_signature(fn)
        try:
            _cache[key] = result
            if len(_cache) > _MAX_ENTRIES:
                _cache.popitem(last=False)
        except TypeError:
            pass
    return result


@lru_cache(maxsize=256)
def compiled_template(template_code: str) -> Template:
    return Template(template_code)


_original_boolean_render = BooleanColumn.render
_has_choices: dict[tuple[type, str], bool] = {}  # (model, accessor): a finite set


def boolean_render(self, value, record, bound_column):
    if hasattr(record, "_meta"):
        key = (type(record), str(bound_column.accessor))
        choices = _has_choices.get(key)
        if choices is None:
            field = bound_column.accessor.get_field(record)
            choices = _has_choices[key] = bool(getattr(field, "choices", None))
        if choices:
            return _original_boolean_render(self, value, record, bound_column)
    spans = self.__dict__.get("_spans")
    if spans is None:  # (false, true), as django-tables2 draws them
        spans = self.__dict__["_spans"] = tuple(
            format_html(
                "<span {}>{}</span>",
                AttributeDict({"class": str(shown).lower(), **self.attrs.get("span", {})}).as_html(),
                escape(self.yesno[int(not shown)]),
            )
            for shown in (False, True)
        )
    return spans[bool(value)]


_DATE_TEMPLATE = re.compile(r'\{\{ value\|date:"([^"]*)"\|default:default \}\}')
_NOT_PLAIN = object()  # a date column whose template or context is not django-tables2's own


def _date_format(column) -> str | object:
    """The ``date`` filter's format of a date column drawn by django-tables2's own template."""
    found = column.__dict__.get("_date_format")
    if found is None:
        match = _DATE_TEMPLATE.fullmatch(column.template_code or "")
        plain = (
            match is not None
            and not column.extra_context
            and type(column).get_context_data is TemplateColumn.get_context_data
        )
        found = column.__dict__["_date_format"] = match.group(1) if plain else _NOT_PLAIN
    return found


def date_render(self, record, table, value, bound_column, **kwargs):
    fmt = _date_format(self)
    context = getattr(table, "context", None)
    if fmt is _NOT_PLAIN or context is None:
        return TemplateColumn.render(self, record=record, table=table, value=value, bound_column=bound_column, **kwargs)
    # As the engine renders {{ value|date:fmt|default:default }}: the date filter expects the
    # value in the current time zone; the text is localized and escaped as any variable's.
    shown = default_filter(date_filter(template_localtime(value, context.use_tz), fmt), bound_column.default)
    return mark_safe(render_value_in_context(shown, context))  # noqa: S308 - escaped there, as the engine does


def install() -> None:
    utils.signature = cached_signature
    templatecolumn.Template = compiled_template
    BooleanColumn.render = boolean_render
    DateColumn.render = date_render
    DateTimeColumn.render = date_render
