"""Writes of the jobs app: start a job (or find the one already running for that object),
cancel it, run it (what the Celery task does), and the sweep that fails jobs whose worker died.
Each job gets one activity entry when it ends, in the name of whoever started it."""

import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from activity.models import Action
from activity.services import record

from . import registry
from .models import ACTIVE_STATES, Job, JobState
from .progress import Heartbeat, JobCancelled, Progress

logger = logging.getLogger(__name__)

# The registered name of the task that runs a job (jobs.tasks builds on this module).
RUN_JOB_TASK = "jobs.tasks.run_job_task"


def _enqueue(job_id: int) -> None:
    current_app.signature(RUN_JOB_TASK).apply_async((job_id,))


def active_job(*, tenant, kind: str, target_type: str, target_id: str) -> Job | None:
    return (
        Job.objects.filter(
            tenant=tenant, kind=kind, target_type=target_type, target_id=target_id, state__in=ACTIVE_STATES
        )
        .select_related("started_by")
        .first()
    )


@transaction.atomic
def start_job(
    *,
    tenant,
    kind: str,
    target: models.Model | None = None,
    actor,
    target_type: str = "",
    target_id: str = "",
    label: str = "",
    params: dict | None = None,
    input_file=None,
) -> tuple[Job, bool]:
    """Queue a job of ``kind`` about ``target`` and run it in a worker once this commits.

    If one of that kind is already queued or running for the same object, that one is returned
    (``created`` False) and nothing new starts: the partial unique constraint makes a second
    click wait for the first and then find its job, on SQLite and PostgreSQL alike."""
    if registry.get(kind) is None:
        raise ValueError(f"Unknown kind of job {kind!r}")
    if target is not None:
        target_type = target_type or target.__class__.__name__
        target_id = target_id or str(target.pk)
        label = label or str(target)
    key = {"tenant": tenant, "kind": kind, "target_type": target_type, "target_id": target_id}
    if existing := active_job(**key):
        return existing, False
    job = Job(
        **key,
        target_label=label[:255],
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
        params=params or {},
    )
    if input_file is not None:
        job.input_file = input_file
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        if existing := active_job(**key):
            return existing, False
        raise
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job, True


def _record_end(job: Job, state: str, message: str) -> None:
    record(
        tenant=job.tenant,
        actor=job.started_by,
        action=Action.UPDATE,
        target=job,
        verb=f"job {state}",
        label=str(job),
        changes={"state": [JobState.RUNNING.value, state], "result": [None, message[:500]]},
    )


@transaction.atomic
def cancel_job(job: Job, *, actor) -> Job:
    """Cancel a queued job at once; ask a running one to stop (it stops at its next batch and
    rolls back what it had not committed). A finished job is left as it is."""
    now = timezone.now()
    if job.state == JobState.QUEUED:
        message = "Cancelled before it started."
        if Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
            state=JobState.CANCELLED, finished_at=now, result=message, cancel_requested=True
        ):
            job.refresh_from_db()
            record(
                tenant=job.tenant,
                actor=actor,
                action=Action.UPDATE,
                target=job,
                verb="job cancelled",
                label=str(job),
                changes={"state": [JobState.QUEUED.value, JobState.CANCELLED.value], "result": [None, message]},
            )
            return job
    if job.state == JobState.RUNNING:
        Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(cancel_requested=True, phrase="Cancelling…")
    job.refresh_from_db()
    return job


@transaction.atomic
def _finish(job: Job, state: str, message: str) -> None:
    values = {"state": state, "finished_at": timezone.now(), "result": message, "heartbeat_at": timezone.now()}
    if state == JobState.SUCCEEDED:
        values["phrase"] = ""
        if job.total is not None:
            values["done"] = job.total
    # The worker knows best: even if the sweep took it for dead meanwhile, this is how it ended.
    Job.objects.filter(pk=job.pk).exclude(state__in=[JobState.SUCCEEDED, JobState.CANCELLED]).update(**values)
    _record_end(job, state, message)


def run_job(job_id: int) -> str:
    """Run a queued job (the Celery task calls this). Claims it first, so a repeated message,
    or a job cancelled while queued, runs nothing. Returns the state it ended in."""
    with scopes_disabled():
        job = Job.objects.select_related("tenant", "started_by").filter(pk=job_id).first()
        if job is None:
            return ""
        now = timezone.now()
        if not Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
            state=JobState.RUNNING, started_at=now, heartbeat_at=now
        ):
            return Job.objects.filter(pk=job.pk).values_list("state", flat=True).first() or ""
    job.state, job.started_at, job.heartbeat_at = JobState.RUNNING, now, now
    kind = registry.get(job.kind)
    progress = Progress(job)
    heartbeat = Heartbeat(job.pk) if settings.JOBS_HEARTBEAT_SECONDS else None
    if heartbeat:
        heartbeat.start()
    try:
        with scope(tenant=job.tenant):
            if kind is None:
                raise LookupError(f"No worker knows jobs of kind {job.kind!r}.")
            message = kind.run(job, progress)
    except JobCancelled as exc:
        state, message = JobState.CANCELLED, exc.message
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        state, message = JobState.FAILED, f"Failed: {exc}" if str(exc) else f"Failed: {exc.__class__.__name__}."
    else:
        state = JobState.SUCCEEDED
    finally:
        progress.close()
        if heartbeat:
            heartbeat.stop()
    job.total = progress.total
    with scope(tenant=job.tenant):
        _finish(job, state, message)
    return state


def fail_stalled_jobs(*, now=None) -> int:
    """The sweep (beat, every 15 s): a running job whose heartbeat is older than
    ``JOBS_STALE_SECONDS`` lost its worker; mark it failed with the reason. A job still queued
    after as long is queued again (a lost message); the claim makes a repeat harmless."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_STALE_SECONDS)
    failed = 0
    with scopes_disabled():
        stalled = list(
            Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=cutoff).select_related("tenant", "started_by")
        )
        for job in stalled:
            heard = timezone.localtime(job.heartbeat_at, job.tenant.zone).strftime("%H:%M:%S")
            message = (
                f"Failed: the worker running it stopped (last heard from at {heard}). "
                "What it had not committed was rolled back; start it again."
            )
            with transaction.atomic():
                if Job.objects.filter(pk=job.pk, state=JobState.RUNNING, heartbeat_at__lt=cutoff).update(
                    state=JobState.FAILED, finished_at=now, result=message
                ):
                    _record_end(job, JobState.FAILED, message)
                    failed += 1
        # Sent again at most once per JOBS_STALE_SECONDS (heartbeat_at of a queued job: last sent),
        # so a job waiting behind busy workers does not pile up copies of its message.
        lost = list(
            Job.objects.filter(state=JobState.QUEUED, created_at__lt=cutoff)
            .filter(models.Q(heartbeat_at__isnull=True) | models.Q(heartbeat_at__lt=cutoff))
            .values_list("pk", flat=True)
        )
        Job.objects.filter(pk__in=lost, state=JobState.QUEUED).update(heartbeat_at=now)
    for pk in lost:
        _enqueue(pk)
    return failed
