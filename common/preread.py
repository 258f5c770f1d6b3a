"""A list's page read by a statement compiled once (``common.precompiled``).

Building and compiling a list page's statement (its joins, annotations and subqueries) costs a
list page more CPU than running it. Most requests of a list are the list as it opens: no filter,
its own order, the first page. That page of a workspace is read by a statement compiled once per
shape (page size, and what a view says shapes it) with the workspace's values; ``PrereadPage``
hands the rows to the table's paginator for that slice, and anything else (a sort, another page)
goes to the queryset as before.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import prefetch_related_objects
from django_tables2.data import TableListData, TableQuerysetData

from .precompiled import Precompiled, count_query, the_count
from .tables import MAX_PER_PAGE

_STATEMENTS: dict[tuple, Precompiled] = {}
MAX_STATEMENTS = 512  # kinds of page × sizes × shapes; past it, pages are read by their queryset


def _is_range(key, bounds: tuple[int, int]) -> bool:
    """Whether ``key`` is the slice ``start:stop`` of ``bounds`` (the paginator's of a page)."""
    return isinstance(key, slice) and key.step is None and (key.start or 0, key.stop) == bounds


class PrereadPage(TableQuerysetData):
    """A table's queryset with one of its pages read already: the paginator's slice of that page
    answers with those rows; any other slice, or the queryset once the table sorts it otherwise,
    is the queryset's own."""

    def __init__(self, data, *, rows: list, start: int, stop: int, count=None):
        """``count()``: the number of the queryset's rows, when there is a cheaper way to it
        (or None: the queryset counts them)."""
        super().__init__(data)
        self._unsorted, self._rows, self._range, self._count = data, rows, (start, stop), count

    def __len__(self):
        if self._count is not None and self.data.query.order_by == self._unsorted.query.order_by:
            if not hasattr(self, "_length"):
                self._length = self._count()  # None: no statement for it, the queryset counts
            if self._length is not None:
                return self._length
        return super().__len__()

    def __getitem__(self, key):
        # The table re-applies the queryset's own order when it is given no other.
        if _is_range(key, self._range) and self.data.query.order_by == self._unsorted.query.order_by:
            return self._rows
        return super().__getitem__(key)


class PageWindow(TableListData):
    """One page of a longer list, read already, standing for the list without building its
    queryset (building it can cost more than reading the page): ``count`` rows in all, and the
    paginator's slice of that page answers with ``rows``. Anything else (another slice, a sort)
    builds the queryset with ``queryset()`` and is its own."""

    def __init__(self, rows: list, *, count: int, start: int, stop: int, queryset):
        super().__init__(rows)
        self._count, self._range, self._queryset = count, (start, stop), queryset
        self._whole = None  # the list's TableQuerysetData, once something needs more than the page

    def _all(self) -> TableQuerysetData:
        if self._whole is None:
            self._whole = TableQuerysetData(self._queryset())
            self._whole.set_table(self.table)
        return self._whole

    def __len__(self):
        return self._count

    def __getitem__(self, key):
        if self._whole is None and _is_range(key, self._range):
            return self.data
        return self._all()[key]

    def __iter__(self):
        return iter(self._all())

    def order_by(self, aliases):
        self._all().order_by(aliases)


def page_statement(key: tuple, build, *, written: tuple[str, ...] = (), **markers) -> Precompiled | None:
    """The statement of the page ``key`` (its kind, bounds and shape), compiled on first use:
    ``build(**values)`` is the page's sliced queryset (``written``: ``Precompiled``'s). None once
    ``MAX_STATEMENTS`` are kept."""
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) >= MAX_STATEMENTS:
            return None
        statement = _STATEMENTS[key] = Precompiled(build, scoped_by="tenant_id", written=written, **markers)
    return statement


def requested_page(request, table_class, default_per_page: int) -> tuple[int, int] | None:
    """``(page, per page)`` as django-tables2's ``RequestConfig`` reads them for ``table_class``,
    the page size bounded as ``CountedPaginator`` bounds it; None for a value it would not take."""
    meta = table_class._meta
    try:
        page = int(request.GET.get(meta.page_field, 1))
        per_page = int(request.GET.get(meta.per_page_field, default_per_page))
    except ValueError:
        return None
    return page, min(max(per_page, 1), MAX_PER_PAGE)


class PrereadFirstPage:
    """For a ``TenantListView``: the list as it opens (no filter narrowing it, no sort, the first
    page) is read by a statement compiled once. A view declares ``opening_markers`` (a marker per
    value, ``tenant_id`` among them) and ``opening_queryset(shape, **values)``, the table's
    queryset as the unfiltered list gives it; ``opening_values()`` and ``opening_shape()`` give a
    request's values and anything else its SQL depends on. ``opening_queryset`` is built from
    those alone: an unsaved ``Tenant(pk=tenant_id)`` it passes to a selector carries no other
    attribute (a selector reading the workspace's zone there would compile a wrong constant),
    so a value such as the day is computed by the view and passed. ``opening_count()``: the rows' number
    when the page knows it before the table (the paginator then ends the first page there)."""

    opening_markers: dict = {}

    @classmethod
    def opening_queryset(cls, shape: tuple, **values):
        raise ImproperlyConfigured(f"{cls.__name__} declares opening_markers: it defines opening_queryset() too.")

    def opening_values(self) -> dict:
        return {"tenant_id": self.request.tenant.pk}

    def opening_shape(self) -> tuple:
        return ()

    def opening_count(self) -> int | None:
        return None

    def opens_plain(self) -> bool:
        """No filter narrows the list, no sort, the first page, no parameter keeping a scope."""
        table = self.get_table_class()._meta
        get = self.request.GET
        if get.get(table.order_by_field) or get.get(table.page_field, "1") != "1":
            return False
        return self.lists_every_row()

    def lists_every_row(self) -> bool:
        """No filter narrows the list and no parameter keeps it in a scope: the filtered rows
        are the base queryset's, all of them."""
        if any(self.request.GET.get(name) for name in self.kept_params):
            return False
        filterset = self.filterset
        return not filterset.is_bound or (filterset.is_valid() and not filterset.has_filters())

    def get_table_data(self):
        data = super().get_table_data()
        if not self.opening_markers or not self.opens_plain():
            return data
        requested = requested_page(self.request, self.get_table_class(), self.table_pagination["per_page"])
        if requested is None:
            return data
        per_page = requested[1]
        count = self.opening_count()
        stop = per_page if count is None else min(per_page, count)
        if stop <= 0:
            return data
        cls, shape = type(self), self.opening_shape()
        statement = page_statement(
            (cls, stop, shape), lambda **values: cls.opening_queryset(shape, **values)[:stop], **self.opening_markers
        )
        if statement is None:
            return data
        values = self.opening_values()
        rows = statement(**values)
        self.opening_prefetch(rows, data)
        return PrereadPage(data, rows=rows, start=0, stop=stop, count=self._opening_counter(shape, values, count))

    def _opening_counter(self, shape: tuple, values: dict, known: int | None):
        """How a full first page's paginator counts the rows: by a statement compiled once too
        (building and compiling a list's COUNT cost a twentieth of the page), unless the view
        knows the number already (then the paginator is not asked)."""
        if known is not None:
            return None
        cls = type(self)

        def count() -> int:
            counter = page_statement(
                (cls, "count", shape),
                lambda **values: count_query(cls.opening_queryset(shape, **values)),
                **self.opening_markers,
            )
            return the_count(counter(**values)) if counter is not None else None

        return count

    def opening_prefetch(self, rows: list, data) -> None:
        """The page's prefetches, with this request's querysets (the statement's hold markers);
        a view may read them by statements of its own, giving the rows the same attributes."""
        prefetch_related_objects(rows, *data._prefetch_related_lookups)
