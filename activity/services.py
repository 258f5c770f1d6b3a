"""The one way to write to the activity log. Services call ``record`` inside their transaction,
so an action and its log entry commit or roll back together."""

from collections.abc import Iterable

from django.db import models

from .models import Action, ActivityEntry


def _type_of(target) -> str:
    if isinstance(target, models.Model):
        return target.__class__.__name__
    return str(target)


def record(
    *,
    tenant,
    actor,
    action: str,
    target: models.Model | str,
    verb: str = "",
    changes: dict | None = None,
    count: int | None = None,
    object_ids: Iterable | None = None,
    label: str | None = None,
) -> ActivityEntry:
    """Record one create/update/delete.

    ``target`` is the model instance acted on, or for a bulk action the object type's name
    (e.g. ``"PlanEnrollment"``). ``actor`` is a user or ``None`` for the system."""
    if action not in Action.values:
        raise ValueError(f"Unknown action {action!r}")
    is_instance = isinstance(target, models.Model)
    ids = [i for i in (object_ids or [])]
    return ActivityEntry.objects.create(
        tenant=tenant,
        actor=actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None,
        action=action,
        verb=verb or action,
        object_type=_type_of(target),
        object_id=str(target.pk) if is_instance and target.pk is not None else "",
        object_label=(label if label is not None else (str(target) if is_instance else ""))[:255],
        changes=changes or {},
        count=count,
        object_ids=[str(i) if not isinstance(i, int) else i for i in ids],
    )
