"""Statements that read every row of a tenant, planned so that stale statistics cannot make them
quadratic.

Right after a tenant's first big load, before autovacuum analyzes the tables, PostgreSQL's
statistics describe the tables as they were before: a tenant absent from them is estimated at
one row. For a statement that joins every row of that tenant (the All Users page sorted by an
owed balance, Export All: the members LEFT JOINed to their rewards summed per user), one row on
each side makes a nested loop look cheapest, and a nested loop whose inner side is an aggregate
runs the aggregate again for every member: at 100,000 users the bench's page took 156 s
(0.07 s planned with hash joins). Such a statement does not need a nested loop: every row of the
tenant is read anyway, and hash joins cost the same whatever the estimates say. The price: a
table all tenants share (the users) is then read whole, so a small tenant's marked statement
grows with the database (20 members: 2.8 ms -> 10.4 ms with 40,000 users in it).

The plan Beneficiaries tab went the same way in the same run (a nested loop around the union of
the plan's direct and team beneficiaries, minutes). ``reads_every_row(queryset)`` marks a
queryset so; on PostgreSQL its statements are planned with
``enable_nestloop`` off (``tenancy.postgres.compiler``), the setting restored right after. Other
databases ignore the mark (SQLite plans without table statistics unless asked for them)."""

from django.db.models import QuerySet

MARK = "reads_every_row"


def reads_every_row(queryset: QuerySet) -> QuerySet:
    """A copy of ``queryset`` whose statements are planned without nested loops (PostgreSQL).
    The mark is kept by the copies Django makes of it (ordering, slicing, ``values_list``)."""
    marked = queryset.all()
    setattr(marked.query, MARK, True)
    return marked


def is_marked(query) -> bool:
    """The query is marked, or wraps one that is: Django counts and aggregates over an
    annotated queryset from an outer query around it (``AggregateQuery.inner_query``)."""
    while query is not None:
        if getattr(query, MARK, False):
            return True
        query = getattr(query, "inner_query", None)
    return False
