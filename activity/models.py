from django.conf import settings
from django.db import models
from django.utils import timezone

from tenancy.models import TenantOwned


class Action(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"


class ActivityEntry(TenantOwned):
    """One create, update or delete made through the portal, an API, a task or a command.

    ``actor`` is null when the system did it (a task, a sweep, a command without a user).
    Bulk actions write one entry with ``count`` and the affected ids in ``object_ids``.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    verb = models.CharField(max_length=80, blank=True, help_text="What was done, e.g. 'reset enrollments'.")
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    object_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activity entries"
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="activity_tenant_time"),
            models.Index(fields=["tenant", "object_type", "object_id"], name="activity_tenant_object"),
            models.Index(fields=["tenant", "actor", "-created_at"], name="activity_tenant_actor"),
        ]
        # On PostgreSQL, object_label and verb also have trigram indexes for the page's search
        # (migration 0004, tenancy/postgres/search.py): not declared here, as SQLite cannot build them.

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb or self.action} {self.object_type} {self.object_label}"

    @property
    def actor_label(self) -> str:
        return str(self.actor) if self.actor_id else "system"
