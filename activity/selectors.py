from django.db.models import QuerySet

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
