"""Jobs with the real services: a Redis broker and a Celery worker run a job started on commit;
on PostgreSQL the progress of work inside the job's transaction is seen from outside it."""

import time

import pytest
from django.db import connections, transaction
from django_scopes import scopes_disabled

from jobs.models import Job
from jobs.services import run_job, start_job
from partners.jobs import start_recalculate_all
from tests.conftest import is_postgres
from tests.partners.factories import CriterionFactory, PartnerEnrollmentFactory, PartnerProgramFactory


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_recalculate_all(tenant, admin_member, celery_redis_worker):
    program = PartnerProgramFactory(tenant=tenant)
    CriterionFactory(program=program)
    PartnerEnrollmentFactory.create_batch(3, program=program)
    job, created = start_recalculate_all(program, actor=admin_member.user)
    assert created
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(0.2)
    assert (job.state, job.result, job.done, job.total) == ("succeeded", "Recalculated 3 enrollments.", 3, 3)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_jobs_transaction_is_seen_from_outside(tenant, admin_member, script, monkeypatch):
    assert is_postgres()
    monkeypatch.setattr("jobs.services._enqueue", lambda pk: None)
    seen = {}

    def work(job, progress):
        with transaction.atomic():
            progress(40, 100, phrase="Saving")
            outside = connections.create_connection("default")
            try:
                with outside.cursor() as cursor:
                    cursor.execute("SELECT done, phrase FROM jobs_job WHERE id = %s", [job.pk])
                    seen["row"] = cursor.fetchone()
            finally:
                outside.close()
        return "ok"

    script.work = work
    job, _ = start_job(tenant=tenant, kind="tests.script", actor=admin_member.user, target_type="T", target_id="1")
    with scopes_disabled():
        assert run_job(job.pk) == "succeeded"
        assert Job.objects.get(pk=job.pk).done == 100
    assert seen["row"] == (40, "Saving")
