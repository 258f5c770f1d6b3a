"""The page of a CSV import (each app's import URL renders it with its own template): upload →
the preview job's bar, then its sample and Confirm → the import job's bar, then its result.
The job's id is in the URL (``?job=``), so a reload or a later visit finds it again."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect

from common.htmx import render_page

from .forms import UploadForm
from .imports import ImportKind, start_import_confirm, start_import_preview
from .selectors import access_job, recent_jobs


def _job_of(request, kind: ImportKind, job_id: str):
    if not str(job_id).isdigit():
        raise Http404("No such job.")
    job = access_job(tenant=request.tenant, job_id=int(job_id))
    if job.kind not in (kind.preview, kind.confirm):
        raise Http404("No such import.")
    return job


def import_page(request, kind: ImportKind, *, template: str, context: dict):
    if request.method == "POST" and "confirm" in request.POST:
        preview = _job_of(request, kind, request.POST["confirm"])
        try:
            job = start_import_confirm(kind, preview, actor=request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
            job = preview
        return redirect(f"{request.path}?job={job.pk}")
    form = UploadForm(request.POST or None, request.FILES or None, columns=kind.columns, required=kind.required)
    if request.method == "POST" and form.is_valid():
        job = start_import_preview(kind, tenant=request.tenant, actor=request.user, upload=form.cleaned_data["file"])
        return redirect(f"{request.path}?job={job.pk}")
    job = _job_of(request, kind, request.GET["job"]) if request.GET.get("job") else None
    ctx = {
        **context,
        "form": form,
        "job": job,
        "columns": ",".join(kind.columns),
        # The job on show has its bar; the panel lists the others.
        "recent_imports": [
            j for j in recent_jobs(tenant=request.tenant, kinds=[kind.preview, kind.confirm], limit=6) if j != job
        ][:5],
    }
    return render_page(request, template, ctx)
