"""Settings › Jobs (every job of the workspace), a job's page, its progress bar (the partial that
htmx polls every second while the job is queued or running), Cancel and the error report."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from common.htmx import render_page
from common.permissions import capability_required, check_capability
from common.views import TenantListView, tenant_url
from tenancy.capabilities import Capability

from . import registry, services
from .filters import JobFilter
from .selectors import access_job, job_list
from .tables import JobTable


class JobListView(TenantListView):
    capability = Capability.MANAGE_SETTINGS
    title = "Jobs"
    selector = staticmethod(job_list)
    table_class = JobTable
    filterset_class = JobFilter
    export_name = "jobs"


def _job_for(request, job_id):
    """The job, if the member may see its kind's work (or runs the workspace's settings)."""
    job = access_job(tenant=request.tenant, job_id=job_id)
    kind = registry.get(job.kind)
    check_capability(request, kind.capability if kind else Capability.MANAGE_SETTINGS, (Capability.MANAGE_SETTINGS,))
    return job, kind


def job_context(request, job, kind=None) -> dict:
    kind = kind or registry.get(job.kind)
    return {
        "job": job,
        "job_kind": kind,
        "back_url": kind.back_url(job) if kind and kind.back_url else "",
    }


@capability_required(None)
def job_detail(request, tenant_slug, job_id):
    """The job's page; htmx polls its ``progress`` partial, which stops polling once it ends."""
    job, kind = _job_for(request, job_id)
    ctx = {**job_context(request, job, kind), "title": str(job)}
    return render_page(request, "jobs/job_detail.html", ctx, partial="progress")


@require_POST
@capability_required(None)
def job_cancel(request, tenant_slug, job_id):
    job, kind = _job_for(request, job_id)
    job = services.cancel_job(job, actor=request.user)
    if not request.htmx:
        messages.info(request, "Cancelled." if job.state == "cancelled" else "Asked the job to stop.")
        return redirect(tenant_url(request, "jobs:job_detail", job_id=job.pk))
    return render_page(request, "jobs/job_detail.html", job_context(request, job, kind), partial="progress")


@capability_required(None)
def job_error_report(request, tenant_slug, job_id):
    job, _ = _job_for(request, job_id)
    if not job.error_report:
        raise Http404("This job has no error report.")
    return FileResponse(job.error_report.open("rb"), as_attachment=True, filename=f"job-{job.pk}-errors.csv")
