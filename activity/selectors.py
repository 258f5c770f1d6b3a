from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from .models import ActivityEntry


def activity_list(*, tenant) -> QuerySet[ActivityEntry]:
    return ActivityEntry.objects.filter(tenant=tenant).select_related("actor").order_by("-created_at", "-id")


def activity_object_types(*, tenant) -> list[str]:
    """The object types of the workspace's entries, in order (the Object type filter's choices).

    ``SELECT DISTINCT`` reads every entry of the workspace (neither PostgreSQL before 18 nor
    SQLite skips through an index), on every load of the activity page; the log only grows. This
    walks the ``(tenant, object_type, …)`` index instead, one probe per type: each step asks for
    the smallest type greater than the last (a "loose index scan"), so the cost follows the
    handful of types, not the entries."""
    table = connection.ops.quote_name(ActivityEntry._meta.db_table)
    tenant_col, type_col = (
        connection.ops.quote_name(ActivityEntry._meta.get_field(f).column) for f in ("tenant", "object_type")
    )
    sql = (
        f"WITH RECURSIVE types(name) AS ("  # noqa: S608 - names from the model's metadata
        f"SELECT MIN({type_col}) FROM {table} WHERE {tenant_col} = %s "
        f"UNION ALL SELECT (SELECT MIN({type_col}) FROM {table} WHERE {tenant_col} = %s AND {type_col} > types.name) "
        "FROM types WHERE types.name IS NOT NULL"
        ") SELECT name FROM types WHERE name IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant.pk, tenant.pk])
        return [name for (name,) in cursor.fetchall()]


def activity_for_object(*, tenant, object_type: str, object_id) -> QuerySet[ActivityEntry]:
    return activity_list(tenant=tenant).filter(object_type=object_type, object_id=str(object_id))


def access_entry(*, tenant, entry_id) -> ActivityEntry:
    entry = activity_list(tenant=tenant).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such activity entry.")
    return entry


def touched_ids(entry, *, limit: int) -> list:
    """The first ``limit`` ids a mass action recorded (the entry keeps them all)."""
    return list(entry.object_ids or [])[:limit]
