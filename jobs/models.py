"""A job: long work (an import, a sync, Recalculate all) that runs in a Celery worker while the
page shows its progress. The row is the truth: the worker writes its state and progress in
batches, the page polls it, and the sweep fails a job whose worker stopped answering."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenancy.models import TenantOwned


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


def upload_path(job: "Job", filename: str) -> str:
    """Uploads live under their tenant, under a name nobody can guess."""
    return f"tenants/{job.tenant_id}/jobs/{uuid.uuid4().hex}.csv"


def report_path(job: "Job", filename: str) -> str:
    return f"tenants/{job.tenant_id}/jobs/{uuid.uuid4().hex}-errors.csv"


class Job(TenantOwned):
    kind = models.CharField(max_length=60, help_text="The registered kind (jobs.registry).")
    # The object it concerns: its type and id (an import's preview, a program, a connection).
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    phrase = models.CharField(max_length=200, blank=True, help_text="What it is doing now.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    params = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to=upload_path, blank=True, max_length=200)
    result = models.TextField(blank=True, help_text="What it did, or why it stopped.")
    result_data = models.JSONField(default=dict, blank=True)
    error_report = models.FileField(upload_to=report_path, blank=True, max_length=200)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One queued or running job of a kind per object: two clicks cannot start two.
            models.UniqueConstraint(
                fields=["tenant", "kind", "target_type", "target_id"],
                condition=Q(state__in=["queued", "running"]),
                name="jobs_one_active_per_object",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=models.F("total")), name="jobs_done_within_total"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="jobs_tenant_time"),
            models.Index(fields=["tenant", "target_type", "target_id", "-created_at"], name="jobs_tenant_target"),
            # The sweep's lookup across tenants: only running jobs, by heartbeat.
            models.Index(fields=["heartbeat_at"], condition=Q(state="running"), name="jobs_running_heartbeat"),
        ]

    def __str__(self) -> str:
        from .registry import label_of

        return f"{label_of(self.kind)} — {self.target_label}" if self.target_label else label_of(self.kind)

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def percent(self) -> int:
        if self.state == JobState.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def duration(self):
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at
