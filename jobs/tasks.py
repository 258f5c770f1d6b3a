from celery import shared_task

from . import services


@shared_task(name=services.RUN_JOB_TASK)
def run_job_task(job_id: int) -> str:
    """Queued when a job starts (on commit); runs it. Takes the id and reloads."""
    return services.run_job(job_id)


@shared_task
def fail_stalled_jobs_task() -> int:
    """Every 15 seconds from beat: fail jobs whose worker died; queue again jobs whose message was lost."""
    return services.fail_stalled_jobs()
