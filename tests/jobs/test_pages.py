"""Settings › Jobs, a job's page and its progress bar (polled by htmx while the job runs),
Cancel and the error report; each tenant sees only its own jobs."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from jobs.models import JobState
from tests.conftest import login
from tests.factories import member
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db


def u(tenant, name, **kwargs):
    return reverse(f"jobs:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_settings_jobs_lists_this_workspace_jobs_with_state_duration_result(
    admin_client, tenant, other_tenant, admin_member, script, django_assert_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    JobFactory.create_batch(
        3,
        tenant=tenant,
        state=JobState.SUCCEEDED,
        started_by=admin_member.user,
        started_at=now - timedelta(seconds=75),
        finished_at=now,
        result="Imported 12 rows.",
    )
    JobFactory(tenant=other_tenant, target_label="Elsewhere", result="Not yours.")
    with django_assert_num_queries(3) as ctx:  # session, membership with its user, page (3 jobs: no COUNT)
        response = admin_client.get(u(tenant, "job_list"))
    html = response.content.decode()
    assert html.count("Imported 12 rows.") == 3 and "1 min 15 s" in html and "Scripted work" in html
    assert "Not yours." not in html
    JobFactory.create_batch(6, tenant=tenant, state=JobState.FAILED, result="Failed: boom")
    with django_assert_num_queries(len(ctx.captured_queries)):
        admin_client.get(u(tenant, "job_list"))
    filtered = admin_client.get(u(tenant, "job_list"), {"state": "failed"}).content.decode()
    assert "Failed: boom" in filtered and "Imported 12 rows." not in filtered


def test_settings_jobs_needs_manage_settings(client, tenant, script):
    login(client, member(tenant, "Partner Program Tiers Access"))
    assert client.get(u(tenant, "job_list")).status_code == 403


def test_a_running_job_polls_every_second_and_a_finished_one_stops(admin_client, tenant, script):
    job = JobFactory(tenant=tenant, state=JobState.RUNNING, done=40, total=160, phrase="Checking rows")
    page = admin_client.get(u(tenant, "job_detail", job_id=job.pk)).content.decode()
    assert 'role="progressbar"' in page and 'aria-valuenow="25"' in page and "40 of 160" in page
    assert 'hx-trigger="every 1s"' in page and "Checking rows" in page
    partial = admin_client.get(u(tenant, "job_detail", job_id=job.pk), headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body and body.strip().startswith('<div class="job-progress')
    job.state, job.done, job.result = JobState.SUCCEEDED, 160, "Checked 160 rows."
    job.save()
    done = admin_client.get(u(tenant, "job_detail", job_id=job.pk), headers={"HX-Request": "true"}).content.decode()
    assert 'aria-valuenow="100"' in done and "Checked 160 rows." in done
    assert "hx-trigger" not in done, "polling stops once the job has ended"


def test_cancel_from_the_bar(admin_client, tenant, script):
    job = JobFactory(tenant=tenant, state=JobState.QUEUED)
    response = admin_client.post(u(tenant, "job_cancel", job_id=job.pk), headers={"HX-Request": "true"})
    assert "Cancelled before it started." in response.content.decode()
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert admin_client.get(u(tenant, "job_cancel", job_id=job.pk)).status_code == 405


def test_error_report_download(admin_client, tenant, script):
    job = JobFactory(tenant=tenant, state=JobState.FAILED)
    assert admin_client.get(u(tenant, "job_error_report", job_id=job.pk)).status_code == 404
    job.error_report.save("errors.csv", ContentFile(b"line,errors\n2,amount: not a number\n"))
    response = admin_client.get(u(tenant, "job_error_report", job_id=job.pk))
    assert response.status_code == 200 and b"not a number" in b"".join(response.streaming_content)
    assert job.error_report.name.startswith(f"tenants/{tenant.pk}/jobs/")


def test_a_job_of_another_workspace_is_a_404(client, tenant, other_tenant, outsider, script):
    job = JobFactory(tenant=tenant)
    login(client, outsider)
    assert client.get(f"/w/{other_tenant.slug}/settings/jobs/{job.pk}/").status_code == 404
