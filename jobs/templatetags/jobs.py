"""``{% load jobs %}``: ``{% job_progress job %}`` shows a job's live progress bar anywhere (the
page where the work started, the job's own page); ``{% recent_jobs jobs %}`` the panel of the
last few."""

from django import template

from .. import registry

register = template.Library()


@register.filter
def duration_text(value) -> str:
    """A timedelta as "42 s" or "3 min 5 s"; "—" when the job has not started."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


@register.inclusion_tag("jobs/_progress.html", takes_context=True)
def job_progress(context, job):
    kind = registry.get(job.kind)
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "job": job,
        "job_kind": kind,
        "back_url": kind.back_url(job) if kind and kind.back_url else "",
    }


@register.inclusion_tag("jobs/_recent.html", takes_context=True)
def recent_jobs(context, jobs, title="Recent jobs"):
    return {"request": context["request"], "jobs": jobs, "title": title}
