"""Statements that read every row of a tenant, planned so that stale statistics cannot make them
quadratic.

Right after a tenant's first big load, before autovacuum analyzes the tables, PostgreSQL's
statistics describe the tables as they were before: a tenant absent from them is estimated at
one row. For a statement that joins every row of that tenant (the All Users page sorted by an
owed balance, Export All: the members LEFT JOINed to their rewards summed per user), one row on
each side makes a nested loop look cheapest, and a nested loop whose inner side is an aggregate
runs the aggregate again for every member: at 100,000 users the bench's page took 156 s
(0.07 s planned with hash joins). Such a statement does not need a nested loop: every row of the
tenant is read anyway, and hash joins cost the same whatever the estimates say. Their price: a
table all tenants share (the users) is then read whole, so a small tenant's statement would grow
with the database (20 members: 2.8 ms -> 10.4 ms with 40,000 users in it). So nested loops are
turned off only for a tenant with at least ``READS_EVERY_ROW_FROM_MEMBERS`` members (counted up
to that many, in the statement that turns them off; a large tenant is taken as large a minute
per process, a small one counted every time, since right after a bulk load is when it grows): a
loop over a small tenant's rows is cheap whatever it repeats, and its statement keeps its index
lookups into the shared tables. A statement run with the setting off is never a prepared one
(``common.precompiled``): a prepared statement keeps the plan of its preparing.

The plan Beneficiaries tab went the same way in the same run (a nested loop around the union of
the plan's direct and team beneficiaries, minutes). ``reads_every_row(queryset, tenant_id=)``
marks a queryset so; on PostgreSQL its statements are planned with ``enable_nestloop`` off when
the tenant is large (``tenancy.postgres.compiler``), the setting restored right after. Other
databases ignore the mark (SQLite plans without table statistics unless asked for them)."""

from django.db.models import QuerySet

MARK = "reads_every_row"
HASH_MARK = "groups_by_hash"


def reads_every_row(queryset: QuerySet, *, tenant_id: int) -> QuerySet:
    """A copy of ``queryset`` whose statements are planned without nested loops (PostgreSQL) when
    the tenant ``tenant_id`` is large. The mark is kept by the copies Django makes of it
    (ordering, slicing, ``values_list``)."""
    return _marked(queryset, MARK, tenant_id)


def marked_tenant(query) -> int | None:
    """The tenant whose every row the query reads, if it is marked or wraps a marked query."""
    return next((tenant_id for q in wrapped_queries(query) if (tenant_id := getattr(q, MARK, None))), None)


def groups_by_hash(queryset: QuerySet) -> QuerySet:
    """A copy of ``queryset`` (a grouped ``values().annotate()``) whose statement groups its rows
    by hashing (PostgreSQL: ``enable_sort`` off for that statement). For a grouping of every
    record of an account into a few groups (a criterion's records by currency and date): right
    after a bulk load the statistics say the account has one record, and the planner sorts them
    to group them; at 100,000 records that sort spilled to disk and took three times the hashed
    grouping (the criterion drill-down page, 0.12 s against 0.05 s). Hashing a few groups costs
    little whatever the number of rows, so it is the one plan."""
    return _marked(queryset, HASH_MARK, True)


def marked_for_hashing(query) -> bool:
    """Whether the query, or one it wraps, is marked ``groups_by_hash``."""
    return any(getattr(q, HASH_MARK, False) for q in wrapped_queries(query))


def _marked(queryset: QuerySet, mark: str, value) -> QuerySet:
    marked = queryset.all()
    setattr(marked.query, mark, value)
    return marked


def wrapped_queries(query):
    """The query and those it wraps: Django counts and aggregates over an annotated queryset
    from an outer query around it (``AggregateQuery.inner_query``)."""
    while query is not None:
        yield query
        query = getattr(query, "inner_query", None)
