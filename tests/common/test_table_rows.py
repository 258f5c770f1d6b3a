"""The table rows rendered in Python (common/templatetags/table_rows.py) are the rows the stock
django-tables2 template loop renders: attributes static and callable, escaping, localized
numbers, the empty row."""

import re
from decimal import Decimal

import django_tables2 as tables
import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

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


ROW_ATTRS = [
    {"class": lambda record: "won" if record["stage"] == "Won" else None},  # None: the even/odd class alone
    {"data-id": lambda record: record["amount"], "data-note": None},  # no class: even/odd added last
    {"title": lambda table, record: f'{table.prefix}"{record["name"]}"', "class": "deal"},
    {"data-all": lambda **kwargs: sorted(kwargs), "data-row": lambda bound_row: "never"},  # an unknown argument: None
    {"data-safe": lambda: mark_safe("<b>kept</b>"), "data-lazy": lambda: lambda: "called twice"},
    {"data-x": {"nested": "dict"}},  # left to django-tables2
]


@pytest.mark.parametrize("row_attrs", ROW_ATTRS)
def test_row_attributes_match_the_stock_template(row_attrs):
    rows = [
        {"name": "Acme & Co", "amount": 12, "stage": "Won"},
        {"name": "<script>", "amount": 7, "stage": "Open"},
        {"name": "Third", "amount": 0, "stage": "Won"},
    ]
    # A table numbers its rows as they are rendered (even, odd): a table for each rendering.
    tables_ = [Deals(rows, row_attrs=row_attrs) for _ in range(2)]
    for table in tables_:
        table.paginate(page=1, per_page=25)
    ours = rendered(OURS, tables_[0])
    assert ours == rendered(STOCK, tables_[1])
    assert re.findall(r'class="[^"]*(even|odd)"', ours) == ["even", "odd", "even"]


# The header and page links of templates/components/table.html as they were written in the
# template, before common/templatetags/table_rows.py rendered them: the reference.
STOCK_HEAD = Template(
    "{% load django_tables2 %}{% for column in table.columns %}<th {{ column.attrs.th.as_html }}>"
    "{% if column.orderable %}"
    '<a href="{% querystring_replace table.prefixed_order_by_field=column.order_by_alias.next %}" '
    'hx-get="{% querystring_replace table.prefixed_order_by_field=column.order_by_alias.next %}" '
    'hx-target="closest .htmx-container" hx-swap="outerHTML" hx-push-url="true" '
    'class="sort{% if column.is_ordered %} sorted {% if column.order_by_alias.is_descending %}desc{% else %}asc'
    '{% endif %}{% endif %}">{{ column.header }}</a>'
    "{% elif column.header %}{{ column.header }}"
    '{% else %}<span class="visually-hidden">{{ column.name|capfirst }}</span>{% endif %}</th>{% endfor %}'
)
STOCK_PAGES = Template(
    "{% load django_tables2 %}{% if table.page and table.paginator.num_pages > 1 %}"
    '<nav class="pagination" aria-label="Pages">'
    '<span class="muted">{{ table.page.start_index }}–{{ table.page.end_index }} of {{ table.paginator.count }}</span>'
    '{% if table.page.has_previous %}<a class="btn btn-sm" '
    'href="{% querystring_replace table.prefixed_page_field=table.page.previous_page_number %}" '
    'hx-get="{% querystring_replace table.prefixed_page_field=table.page.previous_page_number %}" '
    'hx-target="closest .htmx-container" hx-swap="outerHTML" hx-push-url="true">‹ Previous</a>{% endif %}'
    "{% for p in table.page|table_page_range:table.paginator %}"
    '{% if p == "..." %}<span class="muted">…</span>'
    '{% elif p == table.page.number %}<span class="btn btn-sm current" aria-current="page">{{ p }}</span>'
    '{% else %}<a class="btn btn-sm" href="{% querystring_replace table.prefixed_page_field=p %}" '
    'hx-get="{% querystring_replace table.prefixed_page_field=p %}" '
    'hx-target="closest .htmx-container" hx-swap="outerHTML" hx-push-url="true">{{ p }}</a>{% endif %}'
    "{% endfor %}"
    '{% if table.page.has_next %}<a class="btn btn-sm" '
    'href="{% querystring_replace table.prefixed_page_field=table.page.next_page_number %}" '
    'hx-get="{% querystring_replace table.prefixed_page_field=table.page.next_page_number %}" '
    'hx-target="closest .htmx-container" hx-swap="outerHTML" hx-push-url="true">Next ›</a>{% endif %}'
    "</nav>{% endif %}"
)
OURS_HEAD = Template("{% load table_rows %}{% table_head table %}")
OURS_PAGES = Template("{% load table_rows %}{% table_pages table %}")


class Sortable(tables.Table):
    name = tables.Column(verbose_name="Name & title")
    amount = tables.Column(attrs={"th": {"class": "num"}})
    select = tables.Column(empty_values=(), orderable=False, verbose_name="")
    note = tables.Column(orderable=False, verbose_name="<Note>")


def rendered_for(template, table, request):
    html = template.render(Context({"table": table, "request": request}))
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


@pytest.mark.parametrize(
    "query",
    ["", "sort=name", "sort=-amount&q=Acme+%26+Co&tag=a&tag=b", "page=3&sort=name", "page=40&q=%3Cscript%3E"],
)
def test_header_and_page_links_match_the_stock_template(rf, query):
    request = rf.get(f"/w/acme/deals/?{query}")
    rows = [{"name": f"Deal {i}", "amount": i, "select": "", "note": ""} for i in range(2000)]
    table = Sortable(rows, order_by=request.GET.get("sort"))
    table.paginate(page=int(request.GET.get("page", 1)), per_page=25)
    head, pages = rendered_for(OURS_HEAD, table, request), rendered_for(OURS_PAGES, table, request)
    assert head == rendered_for(STOCK_HEAD, table, request)
    assert pages == rendered_for(STOCK_PAGES, table, request)
    assert "Name &amp; title" in head and "&lt;Note&gt;" in head
    assert '<span class="visually-hidden">Select</span>' in head
    assert "&lt;script&gt;" not in pages and "<script>" not in pages  # the search stays encoded
    if "sort=-amount" in query:
        assert 'class="sort sorted desc">Amount</a>' in head and "q=Acme+%26+Co&amp;tag=a&amp;tag=b" in head


def test_a_single_page_has_no_page_links(rf):
    request = rf.get("/w/acme/deals/")
    table = Sortable([{"name": "Only", "amount": 1, "select": "", "note": ""}])
    table.paginate(page=1, per_page=25)
    assert rendered_for(OURS_PAGES, table, request) == rendered_for(STOCK_PAGES, table, request) == ""
