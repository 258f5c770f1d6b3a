"""Reads of the jobs app."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Job


def job_list(*, tenant) -> QuerySet[Job]:
    return Job.objects.filter(tenant=tenant).select_related("started_by").order_by("-created_at", "-id")


def access_job(*, tenant, job_id) -> Job:
    job = Job.objects.filter(tenant=tenant, pk=job_id).select_related("started_by", "tenant").first()
    if job is None:
        raise Http404("No such job.")
    return job


def recent_jobs(*, tenant, kinds, target_type: str = "", target_id: str = "", limit: int = 5) -> list[Job]:
    """The last few jobs of these kinds (about one object, when given): the "Recent jobs" panel."""
    qs = Job.objects.filter(tenant=tenant, kind__in=list(kinds))
    if target_type:
        qs = qs.filter(target_type=target_type, target_id=str(target_id))
    return list(qs.select_related("started_by").order_by("-created_at", "-id")[:limit])
