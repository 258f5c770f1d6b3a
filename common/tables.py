import django_tables2 as tables
from django.core.paginator import Paginator


class PortalTable(tables.Table):
    """Base for every table: our template (htmx sorting and paging), sensible defaults."""

    class Meta:
        template_name = "components/table.html"
        attrs = {"class": "table"}
        empty_text = "Nothing matches these filters."


class CountedPaginator(Paginator):
    """A paginator told the number of rows by a count the page makes anyway (e.g. "N of M
    enrolled"), so the list's own COUNT over the same rows is not run a second time."""

    def __init__(self, object_list, per_page, *args, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property
