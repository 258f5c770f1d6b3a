"""The table rows rendered in Python (common/templatetags/table_rows.py) are the rows the stock
django-tables2 template loop renders: attributes static and callable, escaping, localized
numbers, the empty row."""

import re
from decimal import Decimal

import django_tables2 as tables
import pytest
from django.template import Context, Template

STOCK = Template(
    "{% for row in table.paginated_rows %}<tr {{ row.attrs.as_html }}>"
    "{% for column, cell in row.items %}<td {{ column.attrs.td.as_html }}>{{ cell }}</td>{% endfor %}</tr>"
    '{% empty %}<tr><td colspan="{{ table.columns|length }}" class="empty">{{ table.empty_text }}</td></tr>'
    "{% endfor %}"
)
OURS = Template("{% load table_rows %}{% table_rows table %}")


class Deals(tables.Table):
    name = tables.Column()
    amount = tables.Column(attrs={"td": {"class": "num"}})
    stage = tables.Column(attrs={"td": {"data-stage": lambda value: value.lower()}})
    note = tables.Column(empty_values=(), orderable=False)

    class Meta:
        row_attrs = {"class": lambda record: "won" if record["stage"] == "Won" else ""}
        empty_text = "No deals <yet>"

    def render_note(self, record):
        return f"<b>{record['name']}</b>"  # a plain string: escaped like any value


def rendered(template, table):
    return re.sub(r"\s+", " ", template.render(Context({"table": table}))).replace("> <", "><").strip()


@pytest.mark.parametrize(
    "rows",
    [
        [
            {"name": "Acme & Co", "amount": Decimal("1234.50"), "stage": "Won"},
            {"name": "<script>", "amount": 7, "stage": "Open"},
        ],
        [],
    ],
)
def test_rows_match_the_stock_template(rows):
    table = Deals(rows)
    table.paginate(page=1, per_page=25)
    ours = rendered(OURS, table)
    assert ours == rendered(STOCK, table)
    if rows:
        assert 'class="won even"' in ours and 'data-stage="open"' in ours and 'class="num"' in ours
        assert "&lt;script&gt;" in ours and "&lt;b&gt;&lt;script&gt;&lt;/b&gt;" in ours
    else:
        assert "No deals &lt;yet&gt;" in ours
