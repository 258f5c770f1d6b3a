import django_tables2 as tables
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class PortalTable(tables.Table):
    """Base for every table: our template (htmx sorting and paging), sensible defaults."""

    class Meta:
        template_name = "components/table.html"
        attrs = {"class": "table"}
        empty_text = "Nothing matches these filters."


MAX_PER_PAGE = 500


class CountedPaginator(Paginator):
    """A paginator that counts the rows only when it must.

    Told the number of rows by a count the page makes anyway (e.g. "N of M enrolled"), it does
    not run the list's own COUNT over the same rows a second time. Otherwise, on the first page,
    it reads the page's rows first: fewer than a page's worth are all the rows there are (a short
    list, a narrow search), and no COUNT is run at all; a full first page is counted as before.
    ``count_from``: a cheaper queryset of the same number of rows to COUNT when one is needed
    (the list without the sums joined to its rows, say)."""

    def __init__(self, object_list, per_page, *args, count: int | None = None, count_from=None, **kwargs):
        # django-tables2 takes ``?per_page=`` from the address: bounded, so a hand-made -1 is not
        # a server error and 10000000 does not read a whole table into one page.
        per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
        super().__init__(object_list, per_page, *args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property
        self.count_from = count_from

    @cached_property
    def count(self) -> int:
        if self.count_from is not None:
            return self.count_from.count()
        return super().count

    def page(self, number):
        if number in (1, "1") and "count" not in self.__dict__ and not self.orphans and self.allow_empty_first_page:
            rows = self.object_list[: self.per_page]
            read = len(rows)  # reads the page's rows (a queryset keeps them for the page)
            if read < self.per_page:
                self.__dict__["count"] = read
            return self._get_page(rows, 1, self)
        return super().page(number)
