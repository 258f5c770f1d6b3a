"""What a running job reports: progress in batches (at most about a hundred writes per job, never
one per row), a heartbeat, and whether someone pressed Cancel.

Progress written inside the job's own transaction would stay invisible until it commits, so
there it goes through a second connection on PostgreSQL; SQLite has one writer at a time (the
job holds it), so there it is written in the job's transaction and the bar moves at the commit
(the phrase says what is happening)."""

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import Job, JobState

logger = logging.getLogger(__name__)

WRITES_PER_JOB = 100


class JobCancelled(Exception):  # noqa: N818 - it is a signal, not an error
    """Raised inside a job when someone asked to cancel it; the job's transaction rolls back."""

    def __init__(self, message: str = "Cancelled."):
        super().__init__(message)
        self.message = message


class Progress:
    def __init__(self, job: Job):
        self.job = job
        self.done = job.done
        self.total = job.total
        self.phrase = job.phrase
        self._written = -1
        self._side = None
        # Transactions open when the job started are not the job's (a test's own, for one).
        self._base_depth = len(connection.atomic_blocks)

    def _in_job_transaction(self) -> bool:
        return len(connection.atomic_blocks) > self._base_depth

    def __call__(self, done: int, total: int | None = None, phrase: str | None = None) -> None:
        """Report ``done`` of ``total``; writes when the phrase changed or another 1% is done,
        and then raises ``JobCancelled`` if Cancel was pressed."""
        self.done = done
        self.total = total if total is not None else self.total
        if self.total is not None:
            self.done = min(self.done, self.total)
        changed = phrase is not None and phrase != self.phrase
        if phrase is not None:
            self.phrase = phrase[:200]
        step = max(1, (self.total or 0) // WRITES_PER_JOB)
        if changed or self._written < 0 or self.done - self._written >= step or self.done == self.total:
            self._write()

    def _write(self) -> None:
        self._written = self.done
        values = {"done": self.done, "total": self.total, "phrase": self.phrase, "heartbeat_at": timezone.now()}
        if not self._in_job_transaction():
            with scopes_disabled():
                Job.objects.filter(pk=self.job.pk, state=JobState.RUNNING).update(**values)
                cancel = Job.objects.filter(pk=self.job.pk).values_list("cancel_requested", flat=True).first()
        elif connection.vendor == "postgresql":
            cancel = self._write_aside(values)
        else:
            # SQLite: one writer, the job. Written in its own transaction, the progress and the
            # heartbeat show when it commits: so a sweep that waited for the database meanwhile
            # finds a fresh heartbeat, and a worker that dies rolls them back with the rows.
            with scopes_disabled():
                Job.objects.filter(pk=self.job.pk, state=JobState.RUNNING).update(**values)
                cancel = Job.objects.filter(pk=self.job.pk).values_list("cancel_requested", flat=True).first()
        if cancel:
            raise JobCancelled()

    def _write_aside(self, values: dict) -> bool:
        if self._side is None:
            self._side = connections.create_connection("default")
        table = Job._meta.db_table
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET done = %s, total = %s, phrase = %s, heartbeat_at = %s "  # noqa: S608 - our table
                f"WHERE id = %s AND state = %s RETURNING cancel_requested",
                [values["done"], values["total"], values["phrase"], values["heartbeat_at"], self.job.pk, "running"],
            )
            row = cursor.fetchone()
        if row is None:  # the job's row is not committed where the side connection looks (a test's transaction)
            with scopes_disabled():
                return bool(Job.objects.filter(pk=self.job.pk).values_list("cancel_requested", flat=True).first())
        return bool(row[0])

    def check_cancelled(self) -> None:
        """Between steps that write nothing: raise ``JobCancelled`` if Cancel was pressed."""
        if self._in_job_transaction() and connection.vendor == "postgresql":
            values = {"done": self.done, "total": self.total, "phrase": self.phrase, "heartbeat_at": timezone.now()}
            if self._write_aside(values):
                raise JobCancelled()
            return
        with scopes_disabled():
            if Job.objects.filter(pk=self.job.pk).values_list("cancel_requested", flat=True).first():
                raise JobCancelled()

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


class Heartbeat(threading.Thread):
    """Keeps ``heartbeat_at`` fresh while one long step runs (a big query, a commit), from its own
    connection. A worker that dies stops it, and the sweep then fails the job."""

    def __init__(self, job_id: int, every: float | None = None):
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.job_id = job_id
        self.every = every if every is not None else settings.JOBS_HEARTBEAT_SECONDS
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.every):
                try:
                    with scopes_disabled():
                        Job.objects.filter(pk=self.job_id, state=JobState.RUNNING).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:  # SQLite busy while the job commits: the next beat tries again
                    logger.warning("Job %s heartbeat not written: %s", self.job_id, exc)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)
