"""The header, rows and page links of a django-tables2 table, rendered in Python.

The stock template loop resolves ``column.attrs.td.as_html`` for every cell, and django-tables2
rebuilds a column's attributes on each call: with the template engine's own per-cell cost, that
was most of a list page's time. The attributes of a column are the same on every row unless one
of them is a callable (of the record or the value), so they are computed once per column; a
column with a callable attribute is computed per cell, as django-tables2 does.

A row's attributes (``row.attrs``) are built the same way once per table: which of them are
callables and which arguments each takes, where django-tables2 inspects every callable's
signature for every row and renders the attributes through ``format_html_join``.

The header and the page links each carry an address twice (``href`` and ``hx-get``) built from
the request's query string: built once per link here from one copy of the query string, where
the template's ``querystring_replace`` copied and encoded it for every use."""

from html import escape as escape_text
from urllib.parse import urlencode

from django import template
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django_tables2 import utils
from django_tables2.templatetags.django_tables2 import table_page_range

from common.table_cells import cell_renderers

register = template.Library()

HTMX_LINK = 'hx-target="closest .htmx-container" hx-swap="outerHTML" hx-push-url="true"'


def _has_callable(attrs) -> bool:
    return any(callable(v) or (isinstance(v, dict) and _has_callable(v)) for v in attrs.values())


def _static_td(column) -> str | None:
    """The ``td`` attributes of a column as HTML when they do not depend on the row."""
    if _has_callable(dict(column._table.attrs)) or _has_callable(dict(column.column.attrs)):
        return None
    column.current_record = column.current_value = None
    return column.attrs["td"].as_html()


def _shown(value, context) -> str:
    """``render_value_in_context``: the text of a cell, escaped. Most cells are plain strings, for
    which its localisation, time-zone and lazy-string steps do nothing: those are escaped alone,
    as ``conditional_escape`` would (a fifth of its cost)."""
    if type(value) is str and context.autoescape:
        return escape_text(value)
    return render_value_in_context(value, context)


def _attribute(value) -> str:
    """``conditional_escape`` of an attribute's value, the common types without its lazy-string
    check (``str`` is escaped as ``escape`` would)."""
    if type(value) is str:
        return escape_text(value)
    if type(value) is int:
        return str(value)
    return conditional_escape(value)


class _RowAttrs:
    """``row.attrs.as_html()``: the table's ``row_attrs`` computed for the row (a callable given
    the arguments it names among ``record`` and ``table``, as ``call_with_appropriate`` would; one
    naming another gives None), the row's ``even``/``odd`` class added to ``class``, attributes
    whose value is None left out. A table with a nested dictionary among them is left to
    django-tables2."""

    NAMES = ("record", "table")

    def __init__(self, table):
        self.table = table
        self.stock = False
        self.attributes = []  # (name, value, arguments): arguments None for a plain value
        for name, value in table.row_attrs.items():
            arguments = None
            if callable(value):
                args, kwargs_name = utils.signature(value)
                arguments = self.NAMES if kwargs_name else tuple(args)
            self.stock = self.stock or isinstance(value, dict)
            self.attributes.append((name, value, arguments))

    def __call__(self, row) -> str:
        if self.stock:
            return row.attrs.as_html()
        given = {"record": row.record, "table": self.table}
        even_odd = row.get_even_odd_css_class()
        parts, has_class = [], False
        for name, value, arguments in self.attributes:
            if arguments is not None:
                value = value(**{a: given[a] for a in arguments}) if set(arguments) <= given.keys() else None
            if callable(value):  # as ``AttributeDict`` renders it
                value = value()
            if name == "class":
                has_class = True
                value = f"{value} {even_odd}" if value else even_odd
            if value is not None and name not in utils.AttributeDict.blacklist:
                parts.append(f'{_attribute(name)}="{_attribute(value)}"')
        if not has_class:
            parts.append(f'class="{even_odd}"')
        return " ".join(parts)


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    columns = list(table.columns)
    static = [_static_td(column) for column in columns]
    renderers = cell_renderers(table)
    row_attrs = _RowAttrs(table)
    html = []
    for row in table.paginated_rows:
        cells = []
        for column, td, render in zip(columns, static, renderers, strict=True):
            cell = render(row)
            if td is None:
                column.current_value, column.current_record = cell, row.record
                td = column.attrs["td"].as_html()
            cells.append(f"<td {td}>{_shown(cell, context)}</td>")
        html.append(f"<tr {row_attrs(row)}>\n      {''.join(cells)}\n    </tr>")
    if not html:
        empty = render_value_in_context(table.empty_text, context)
        return format_html('<tr><td colspan="{}" class="empty">{}</td></tr>', len(columns), empty)
    return mark_safe("\n    ".join(html))  # noqa: S308 - every part escaped above (as_html, render_value_in_context)


class _Query:
    """The request's query string with one parameter replaced, as ``querystring_replace`` gives
    it (the other parameters kept, in their order), escaped for an attribute."""

    def __init__(self, context):
        self.params = dict(context["request"].GET)

    def with_(self, key, value) -> str:
        return escape("?" + urlencode({**self.params, key: value}, doseq=True))


def _link(address: str, css: str, text) -> str:
    return f'<a class="{css}" href="{address}" hx-get="{address}" {HTMX_LINK}>{text}</a>'


@register.simple_tag(takes_context=True)
def table_head(context, table):
    query = _Query(context)
    key = table.prefixed_order_by_field
    cells = []
    for column in table.columns:
        if column.orderable:
            address = query.with_(key, column.order_by_alias.next)
            css = "sort"
            if column.is_ordered:
                css += f" sorted {'desc' if column.order_by_alias.is_descending else 'asc'}"
            header = render_value_in_context(column.header, context)
            inner = f'<a href="{address}" hx-get="{address}" {HTMX_LINK} class="{css}">{header}</a>'
        elif column.header:
            inner = render_value_in_context(column.header, context)
        else:
            inner = f'<span class="visually-hidden">{conditional_escape(capfirst(column.name))}</span>'
        cells.append(f"<th {column.attrs['th'].as_html()}>{inner}</th>")
    return mark_safe("\n    ".join(cells))  # noqa: S308 - every part escaped above


@register.simple_tag(takes_context=True)
def table_pages(context, table):
    page, paginator = getattr(table, "page", None), getattr(table, "paginator", None)
    if not page or paginator.num_pages <= 1:
        return ""
    query = _Query(context)
    key = table.prefixed_page_field
    shown = [render_value_in_context(n, context) for n in (page.start_index(), page.end_index(), paginator.count)]
    parts = [f'<span class="muted">{shown[0]}–{shown[1]} of {shown[2]}</span>']
    if page.has_previous():
        parts.append(_link(query.with_(key, page.previous_page_number()), "btn btn-sm", "‹ Previous"))
    for number in table_page_range(page, paginator):
        if number == "...":
            parts.append('<span class="muted">…</span>')
        elif number == page.number:
            shown_number = render_value_in_context(number, context)
            parts.append(f'<span class="btn btn-sm current" aria-current="page">{shown_number}</span>')
        else:
            parts.append(_link(query.with_(key, number), "btn btn-sm", render_value_in_context(number, context)))
    if page.has_next():
        parts.append(_link(query.with_(key, page.next_page_number()), "btn btn-sm", "Next ›"))
    body = "\n  ".join(parts)
    return mark_safe(f'<nav class="pagination" aria-label="Pages">\n  {body}\n</nav>')  # noqa: S308 - escaped above
