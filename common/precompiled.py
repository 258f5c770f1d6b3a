"""A fixed-shape statement of the ORM compiled once per process, then run with new values.

For a small statement, building the queryset and compiling its SQL costs more than running it:
the workspace middleware's lookup of the membership with its workspace, role and user (on every
page) took about 0.55 ms of CPU to build and compile and 0.1 ms to run; the plan Beneficiaries
tab's count of enrolled beneficiaries 1.8 ms. Such a statement is built with a marker value for
each parameter, compiled, and its SQL reused with each call's values in the markers' places (as
SQLAlchemy caches compiled statements). The rows come through the queryset's own iterable
(Django's ``ModelIterable`` with ``select_related``, or ``values_list``'s), with the fields'
converters, so a call returns what the queryset would.

Which parameters are the values is not guessed from equal numbers: the statement is built and
compiled twice, with two different markers per value, and must give the same SQL; the
parameters that differ are the values' places, each holding its own marker in both. A constant
of the statement that happens to equal a marker does not differ, so it is never replaced; a
value that changes the SQL itself (``None`` making ``IS NULL``) is refused at the first call.

Values are ``str``, ``int``, ``date`` and aware ``datetime`` that the fields bind unchanged or
through the database's date adapters (SQLite binds them as text): no other normalising
``get_prep_value``; an integer lookup's out-of-range check, which empties the queryset, is not
made (a key lookup such as ``user_id`` has none; a caller passing ids from outside checks them).

On PostgreSQL the statement is bound on the server and so prepared by psycopg once it has run
five times on a connection (planning a list page's statement cost PostgreSQL more than running
it: the plan Beneficiaries tab's count 1.0 ms planned, 1.4 ms run). The tenant's id (``scoped_by``)
and the values named in ``written`` (integers) are written into the statement's text, not bound:
a workspace's statement is prepared and planned for that workspace alone, from its own
statistics, never with a plan another workspace's values chose (the plans part 1 of the scale
work made depend on them). Every other value is a parameter: PostgreSQL plans it for each run
at first, and keeps a generic plan only when its estimated cost is no worse. A statement that
``common.planner`` runs with a planner setting changed (a large workspace's) is bound by the
client instead, never prepared: a prepared plan keeps the settings of its preparing.

Tenant scoping (django-scopes): compiled outside any scope, so no scoped manager compiles a
tenant of its own into the SQL. A statement declared ``scoped_by="tenant_id"`` filters by that
value itself (it must be bound) and may run inside a scope only when that value is the scope's
tenant; one without it runs outside any scope only.
"""

import copy
import datetime
import re
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models import QuerySet
from django_scopes import get_scope, scopes_disabled

from common.planner import MARK, wrapped_queries

# Markers for the common values: a tenant's id and an object's id (never an id of a row).
TENANT_MARKER = -7_351_900
ID_MARKER = -7_351_800


Value = str | int | datetime.date | datetime.datetime
VALUE_TYPES = (str, int, datetime.date, datetime.datetime)


def _other(marker: Value) -> Value:
    """A second marker of the same type, different from the first."""
    if isinstance(marker, str):
        return marker + "~"
    if isinstance(marker, datetime.datetime):
        return marker + datetime.timedelta(seconds=1)
    if isinstance(marker, datetime.date):
        return marker + datetime.timedelta(days=1)
    return marker - 1


def _as_is(value):
    return value


def _binders(ops, marker: Value) -> tuple[Callable, ...]:
    """The ways a value of the marker's type reaches the parameters: as it is, or through the
    database's adapter of its type (a date or date-time is text on SQLite)."""
    if type(marker) is datetime.datetime:
        return (_as_is, ops.adapt_datetimefield_value)
    if type(marker) is datetime.date:
        return (_as_is, ops.adapt_datefield_value)
    return (_as_is,)


_PLACEHOLDER = re.compile(r"(%%|%s)")


def _literal(value: int) -> str:
    return str(value) if value >= 0 else f"({value})"  # never "--": a comment


class Precompiled:
    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        scoped_by: str | None = None,
        written: tuple[str, ...] = (),
        **markers: Value,
    ):
        """``build(**values)`` returns the queryset; ``markers`` gives each value's name a marker
        of the values' type. ``scoped_by``: the name of the value that is the tenant's id.
        ``written``: integer values written into the statement on PostgreSQL (the tenant's id
        is), each its own prepared statement and plan."""
        for name, marker in markers.items():
            if type(marker) not in VALUE_TYPES:
                raise ImproperlyConfigured(
                    f"Precompiled marker {name!r}: only str, int, date and datetime are bound as they are."
                )
            if type(marker) is datetime.datetime and marker.tzinfo is None:
                raise ImproperlyConfigured(f"Precompiled marker {name!r}: a datetime marker is aware.")
        if scoped_by is not None and scoped_by not in markers:
            raise ImproperlyConfigured(f"Precompiled scoped_by={scoped_by!r} names no value.")
        written = {*written, *([scoped_by] if scoped_by else [])}
        if any(type(markers.get(name)) is not int for name in written):
            raise ImproperlyConfigured("Precompiled written values: integers among the markers only.")
        pairs = {(type(m), m, _other(m)) for m in markers.values()}
        if len(pairs) != len(markers):  # two values would be told apart by nothing
            raise ImproperlyConfigured("Precompiled markers: each value needs a marker of its own.")
        self._build = build
        self._markers = markers
        self._scoped_by = scoped_by
        self._written = written
        self._compiled = None  # (queryset, compiler, sql, params, slots, pieces), on the first call

    def _compile_with(self, markers: dict):
        with scopes_disabled():  # no scoped manager adds a tenant of its own
            queryset = self._build(**markers)
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
        return queryset, compiler, sql, tuple(params)

    def _compile(self):
        queryset, compiler, sql, params = self._compile_with(self._markers)
        others = {name: _other(marker) for name, marker in self._markers.items()}
        _, _, other_sql, other_params = self._compile_with(others)
        if other_sql != sql or len(other_params) != len(params):
            raise ImproperlyConfigured("Precompiled statement: the values change its SQL, not only its parameters")
        ops = connections[queryset.db].ops
        places = {}  # each marker pair as bound: (value's name, how it was bound)
        for name, marker in self._markers.items():
            for bind in _binders(ops, marker):
                first, second = bind(marker), bind(others[name])
                places.setdefault((type(first), first, type(second), second), (name, bind))
        slots: dict[int, tuple[str, Callable]] = {}
        for i, (first, second) in enumerate(zip(params, other_params, strict=True)):
            if first != second or type(first) is not type(second):
                # ``True == 1``: a boolean parameter is never taken for an integer marker.
                place = places.get((type(first), first, type(second), second))
                if place is None:
                    raise ImproperlyConfigured(f"Precompiled statement: parameter {i} changes but holds no marker.")
                slots[i] = place
        unbound = set(self._markers) - {name for name, _ in slots.values()}
        if unbound:
            raise ImproperlyConfigured(f"Precompiled marker(s) {sorted(unbound)} bound nowhere in the statement.")
        return queryset, compiler, sql, params, slots, self._pieces(queryset, sql, params, slots)

    def _pieces(self, queryset, sql: str, params: tuple, slots: dict) -> list | None:
        """For a database that prepares statements: the SQL as its text between placeholders, and
        for each placeholder the value's name to write there (None: a parameter); None where
        statements are not prepared, or the placeholders cannot be told apart."""
        if not getattr(connections[queryset.db], "prepares_statements", False):
            return None
        pieces, text = [], []
        for part in _PLACEHOLDER.split(sql):
            if part == "%s":
                pieces.append("".join(text))
                text = []
            else:
                text.append(part)
        if len(pieces) != len(params):
            return None
        written = [slots[i][0] if i in slots and slots[i][0] in self._written else None for i in range(len(params))]
        return [*zip(pieces, written, strict=True), ("".join(text), None)]

    @staticmethod
    def _written_sql(pieces: list, bound: list) -> tuple[str, list]:
        """The SQL with the written values in their places, and the parameters left."""
        sql, params = [], []
        for i, (text, written) in enumerate(pieces[:-1]):
            sql.append(text)
            if written is None:
                sql.append("%s")
                params.append(bound[i])
            else:
                sql.append(_literal(bound[i]))
        sql.append(pieces[-1][0])
        return "".join(sql), params

    def _check_scope(self, values: dict) -> None:
        current = get_scope()
        if not current.get("_enabled", True):
            return
        if self._scoped_by is None:
            raise ImproperlyConfigured("A precompiled statement runs outside any scope (in scopes_disabled()).")
        tenant = current.get("tenant")
        if getattr(tenant, "pk", tenant) != values[self._scoped_by]:
            raise ImproperlyConfigured(f"A precompiled statement runs inside a scope for its {self._scoped_by} only.")

    def __call__(self, **values) -> list:
        if values.keys() != self._markers.keys():
            raise TypeError(f"Precompiled statement takes {sorted(self._markers)}, got {sorted(values)}.")
        for name, value in values.items():
            if type(value) is not type(self._markers[name]):
                raise TypeError(f"{name}: {type(value).__name__}, not {type(self._markers[name]).__name__}.")
            if type(value) is datetime.datetime and value.tzinfo is None:
                raise TypeError(f"{name}: a naive datetime.")
        self._check_scope(values)
        if self._compiled is None:
            self._compiled = self._compile()
        queryset, compiled, sql, params, slots, pieces = self._compiled
        bound = list(params)
        for slot, (name, bind) in slots.items():
            bound[slot] = bind(values[name])
        if pieces is not None:
            sql, bound = self._written_sql(pieces, bound)
        run = queryset._chain()
        # The planner's mark (``common.planner.reads_every_row``) names the tenant by its value.
        by_marker = {marker: values[name] for name, marker in self._markers.items()}
        for query in wrapped_queries(run.query):
            marked = getattr(query, MARK, None)
            if marked is not None and marked in by_marker:
                setattr(query, MARK, by_marker[marked])
        # A copy per call, answering with the SQL compiled once (its select list and related
        # classes are the first compile's), on this thread's connection (a threaded server's
        # threads each have theirs), for this call's query (its marks).
        compiler = copy.copy(compiled)
        compiler.connection = connections[queryset.db]
        compiler.query = run.query
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(bound))
        compiler.binds_on_server = pieces is not None  # tenancy.postgres.compiler
        run.query.get_compiler = lambda *args, **kwargs: compiler
        return list(run._iterable_class(run))


class PrecompiledIn:
    """A statement over a list of ids (``… IN (…)``), compiled once per size of list: the list
    is padded to the next of ``SIZES`` by repeating its last id (an id listed twice matches the
    same rows), so a few statements serve every page's list. ``build(ids=[…], **values)``
    returns the queryset; ``markers`` and ``scoped_by`` are ``Precompiled``'s for the other
    values. A list longer than the largest size, or empty, gets its queryset built as usual
    (``build`` with the values themselves)."""

    SIZES = (1, 4, 8, 16, 32, 64, 128)

    def __init__(self, build: Callable[..., QuerySet], *, scoped_by: str | None = None, **markers: Value):
        if "ids" in markers:
            raise ImproperlyConfigured("PrecompiledIn: the ids are its own, not a marker.")
        self._build, self._scoped_by, self._markers = build, scoped_by, markers
        self._statements: dict[int, Precompiled] = {}

    def _statement(self, size: int) -> Precompiled:
        statement = self._statements.get(size)
        if statement is None:
            names = [f"id{i}" for i in range(size)]

            def build(**values):
                return self._build(ids=[values.pop(name) for name in names], **values)

            # Markers two apart (each id's second marker, one less, is no other id's first),
            # below every integer marker of the other values.
            lowest = min([ID_MARKER, *(m for m in self._markers.values() if type(m) is int)])
            id_markers = {name: lowest - 10 - 2 * i for i, name in enumerate(names)}
            statement = Precompiled(build, scoped_by=self._scoped_by, **self._markers, **id_markers)
            self._statements[size] = statement
        return statement

    def __call__(self, *, ids, **values) -> list:
        ids = list(dict.fromkeys(ids))  # each once, in order
        size = next((size for size in self.SIZES if size >= len(ids)), None)
        if not ids or size is None:
            return list(self._build(ids=ids, **values))
        padded = ids + [ids[-1]] * (size - len(ids))
        return self._statement(size)(**values, **{f"id{i}": value for i, value in enumerate(padded)})


def aggregate_query(queryset: QuerySet, **aggregates) -> QuerySet:
    """``queryset.aggregate(**aggregates)`` as a queryset of one row, a tuple in the aggregates'
    order: grouped by a constant (which Django leaves out of the GROUP BY, so there is a row over
    no rows too), it can be compiled once, where ``aggregate()`` runs at once."""
    return (
        queryset.prefetch_related(None)
        .order_by()  # a default order is no grouping's
        .annotate(every=models.Value(1))
        .values("every")
        .annotate(**aggregates)
        .values_list(*aggregates)
    )


def count_query(queryset: QuerySet) -> QuerySet:
    """``queryset``'s number of rows as an ``aggregate_query``: read it with ``the_count``."""
    return aggregate_query(queryset, n=models.Count("pk"))


def the_count(rows: list) -> int:
    [(count,)] = rows
    return count
