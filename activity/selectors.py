from django.db.models import QuerySet
from django.http import Http404

from common.loose_scan import distinct_values

from .models import ActivityEntry


def activity_list(*, tenant) -> QuerySet[ActivityEntry]:
    return ActivityEntry.objects.filter(tenant=tenant).select_related("actor").order_by("-created_at", "-id")


def activity_object_types(*, tenant) -> list[str]:
    """The object types of the workspace's entries, in order (the Object type filter's choices):
    through the ``(tenant, object_type, …)`` index, one probe per type, not a pass over the log,
    which only grows (common.loose_scan)."""
    return distinct_values(ActivityEntry, "object_type", tenant_id=tenant.pk)


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
