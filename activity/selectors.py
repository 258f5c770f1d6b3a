from django.db.models import QuerySet
from django.http import Http404

from .models import ActivityEntry


def activity_list(*, tenant) -> QuerySet[ActivityEntry]:
    return ActivityEntry.objects.filter(tenant=tenant).select_related("actor").order_by("-created_at", "-id")


def activity_object_types(*, tenant) -> list[str]:
    return list(
        ActivityEntry.objects.filter(tenant=tenant)
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )


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
