import django_tables2 as tables


class PortalTable(tables.Table):
    """Base for every table: our template (htmx sorting and paging), sensible defaults."""

    class Meta:
        template_name = "components/table.html"
        attrs = {"class": "table"}
        empty_text = "Nothing matches these filters."
