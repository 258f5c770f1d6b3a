"""Tests run jobs where a worker would: a job starts on commit, which a test's transaction never
reaches, so a test runs what is queued itself, in its own thread."""

from jobs.models import Job, JobState
from jobs.services import run_job


def run_queued() -> list[str]:
    return [run_job(pk) for pk in Job.objects.filter(state=JobState.QUEUED).order_by("pk").values_list("pk", flat=True)]
