"""Write helpers shared by every app's services."""

from typing import Any

from django.db import models


def model_update(*, instance: models.Model, fields: list[str], data: dict[str, Any]) -> tuple[models.Model, bool, dict]:
    """Set ``fields`` from ``data`` when they differ, validate, save only what changed.

    Returns ``(instance, has_updated, changes)`` where ``changes`` maps each changed field to
    ``[old, new]`` (JSON-friendly) for the activity log. An unchanged object gets no save and
    no activity row (after HackSoft's ``model_update``)."""
    changes: dict[str, list] = {}
    for field in fields:
        if field not in data:
            continue
        old = getattr(instance, field)
        new = data[field]
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
            setattr(instance, field, new)
    if not changes:
        return instance, False, {}
    instance.full_clean()
    update_fields = [instance._meta.get_field(f).attname for f in changes]
    instance.save(update_fields=update_fields)
    return instance, True, changes


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
