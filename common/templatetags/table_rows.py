"""The rows of a django-tables2 table, rendered in Python.

The stock template loop resolves ``column.attrs.td.as_html`` for every cell, and django-tables2
rebuilds a column's attributes on each call: with the template engine's own per-cell cost, that
was most of a list page's time. The attributes of a column are the same on every row unless one
of them is a callable (of the record or the value), so they are computed once per column; a
column with a callable attribute is computed per cell, as django-tables2 does."""

from django import template
from django.template.base import render_value_in_context
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _has_callable(attrs) -> bool:
    return any(callable(v) or (isinstance(v, dict) and _has_callable(v)) for v in attrs.values())


def _static_td(column) -> str | None:
    """The ``td`` attributes of a column as HTML when they do not depend on the row."""
    if _has_callable(dict(column._table.attrs)) or _has_callable(dict(column.column.attrs)):
        return None
    column.current_record = column.current_value = None
    return column.attrs["td"].as_html()


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    columns = list(table.columns)
    static = [_static_td(column) for column in columns]
    html = []
    for row in table.paginated_rows:
        cells = []
        for column, td in zip(columns, static, strict=True):
            cell = row.get_cell(column.name)
            if td is None:
                column.current_value, column.current_record = cell, row.record
                td = column.attrs["td"].as_html()
            cells.append(f"<td {td}>{render_value_in_context(cell, context)}</td>")
        html.append(f"<tr {row.attrs.as_html()}>\n      {''.join(cells)}\n    </tr>")
    if not html:
        empty = render_value_in_context(table.empty_text, context)
        return format_html('<tr><td colspan="{}" class="empty">{}</td></tr>', len(columns), empty)
    return mark_safe("\n    ".join(html))  # noqa: S308 - every part escaped above (as_html, render_value_in_context)
