"""Jobs: start (one per object), progress in batches, success, failure, cancel, the dead-worker
sweep and the activity entry each job leaves."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from activity.models import ActivityEntry
from jobs import services
from jobs.models import Job, JobState
from jobs.progress import JobCancelled
from tenancy.models import Tenant
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued():
    with mock.patch("jobs.services._enqueue") as enqueue:
        yield enqueue


def start(tenant, member, target_id="7"):
    return services.start_job(
        tenant=tenant, kind="tests.script", actor=member.user, target_type="Thing", target_id=target_id, label="Thing 7"
    )


def test_start_queues_the_job_on_commit_and_a_second_start_finds_it(
    tenant, admin_member, script, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job, created = start(tenant, admin_member)
    assert created and job.state == JobState.QUEUED and job.started_by == admin_member.user
    enqueued.assert_called_once_with(job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        again, created_again = start(tenant, admin_member)
    assert (again.pk, created_again) == (job.pk, False)
    assert enqueued.call_count == 1, "nothing new was queued"
    other, created_other = start(tenant, admin_member, target_id="8")
    assert created_other and other.pk != job.pk, "another object gets its own job"


def test_the_database_refuses_two_active_jobs_for_one_object(tenant, script):
    JobFactory(tenant=tenant, target_id="1", state=JobState.RUNNING)
    JobFactory(tenant=tenant, target_id="1", state=JobState.SUCCEEDED)  # finished ones do not count
    with pytest.raises(IntegrityError), transaction.atomic():
        JobFactory(tenant=tenant, target_id="1", state=JobState.QUEUED)


def test_a_finished_job_lets_the_next_one_start(tenant, admin_member, script, enqueued):
    job, _ = start(tenant, admin_member)
    services.run_job(job.pk)
    second, created = start(tenant, admin_member)
    assert created and second.pk != job.pk


def test_run_reports_progress_in_batches_and_succeeds(tenant, admin_member, script, enqueued):
    def work(job, progress):
        for done in range(0, 5001):
            progress(done, 5000, phrase="Counting")
        return "Counted 5000."

    script.work = work
    job, _ = start(tenant, admin_member)
    with CaptureQueriesContext(connection) as queries:
        assert services.run_job(job.pk) == JobState.SUCCEEDED
    updates = [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "jobs_job"')]
    assert 50 <= len(updates) <= 110, "about one write per 1%, never one per row"
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.percent, job.result) == ("succeeded", 5000, 5000, 100, "Counted 5000.")
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    entry = ActivityEntry.objects.get(tenant=tenant, object_type="Job")
    assert (entry.verb, entry.actor, entry.object_id) == ("job succeeded", admin_member.user, str(job.pk))


def test_progress_is_visible_while_it_runs(tenant, admin_member, script, enqueued):
    seen = {}

    def work(job, progress):
        progress(250, 1000, phrase="Reading rows")
        seen["row"] = Job.objects.values("state", "done", "total", "phrase").get(pk=job.pk)
        return "ok"

    script.work = work
    job, _ = start(tenant, admin_member)
    services.run_job(job.pk)
    assert seen["row"] == {"state": "running", "done": 250, "total": 1000, "phrase": "Reading rows"}


def test_a_failing_job_is_marked_failed_with_the_reason(tenant, admin_member, script, enqueued):
    def work(job, progress):
        progress(10, 100)
        raise ValueError("the file has no rows")

    script.work = work
    job, _ = start(tenant, admin_member)
    assert services.run_job(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert job.state == "failed" and job.result == "Failed: the file has no rows" and job.finished_at
    assert ActivityEntry.objects.filter(tenant=tenant, verb="job failed", actor=admin_member.user).count() == 1


def test_a_repeated_message_runs_nothing(tenant, admin_member, script, enqueued):
    calls = []
    script.work = lambda job, progress: calls.append(job.pk) or "ok"
    job, _ = start(tenant, admin_member)
    services.run_job(job.pk)
    assert services.run_job(job.pk) == JobState.SUCCEEDED
    assert calls == [job.pk]
    assert ActivityEntry.objects.filter(object_type="Job").count() == 1


def test_cancel_a_queued_job_means_it_never_runs(tenant, admin_member, script, enqueued):
    calls = []
    script.work = lambda job, progress: calls.append(1) or "ok"
    job, _ = start(tenant, admin_member)
    job = services.cancel_job(job, actor=admin_member.user)
    assert job.state == JobState.CANCELLED and job.result == "Cancelled before it started."
    assert services.run_job(job.pk) == JobState.CANCELLED
    assert calls == []
    assert ActivityEntry.objects.get(object_type="Job").verb == "job cancelled"


def test_cancel_a_running_job_rolls_back_what_it_had_not_committed(tenant, admin_member, script, enqueued):
    def work(job, progress):
        with transaction.atomic():
            Tenant.objects.create(slug="half-written", name="Half written")
            services.cancel_job(Job.objects.get(pk=job.pk), actor=admin_member.user)  # the click, meanwhile
            progress.check_cancelled()
        return "not reached"

    script.work = work
    job, _ = start(tenant, admin_member)
    assert services.run_job(job.pk) == JobState.CANCELLED
    assert not Tenant.objects.filter(slug="half-written").exists(), "nothing half-written"
    job.refresh_from_db()
    assert job.state == "cancelled" and job.result == "Cancelled."
    assert ActivityEntry.objects.filter(object_type="Job", verb="job cancelled").count() == 1


def test_progress_raises_when_cancel_was_pressed(tenant, admin_member, script, enqueued):
    def work(job, progress):
        progress(1, 10)
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)
        progress(5, 10, phrase="next batch")
        return "not reached"

    script.work = work
    job, _ = start(tenant, admin_member)
    assert services.run_job(job.pk) == JobState.CANCELLED


def test_a_job_whose_worker_died_is_failed_by_the_sweep_within_a_minute(tenant, admin_member, script, enqueued):
    dead = JobFactory(
        tenant=tenant,
        state=JobState.RUNNING,
        started_by=admin_member.user,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    alive = JobFactory(
        tenant=tenant,
        state=JobState.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now() + timedelta(seconds=40),
    )
    with time_machine.travel(timezone.now() + timedelta(seconds=50), tick=False):
        assert services.fail_stalled_jobs() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.state == "failed" and "the worker running it stopped" in dead.result and dead.finished_at
    assert alive.state == "running"
    entry = ActivityEntry.objects.get(object_type="Job")
    assert (entry.verb, entry.actor, entry.object_id) == ("job failed", admin_member.user, str(dead.pk))
    with time_machine.travel(timezone.now() + timedelta(seconds=120), tick=False):
        assert services.fail_stalled_jobs() == 1, "the other one, once it falls silent too"
        assert services.fail_stalled_jobs() == 0


def test_the_sweep_queues_again_a_job_whose_message_was_lost(tenant, script, enqueued):
    lost = JobFactory(tenant=tenant, state=JobState.QUEUED, created_at=timezone.now() - timedelta(minutes=2))
    JobFactory(tenant=tenant, state=JobState.QUEUED)  # just queued: its message is on its way
    services.fail_stalled_jobs()
    enqueued.assert_called_once_with(lost.pk)
    services.fail_stalled_jobs()
    assert enqueued.call_count == 1, "not again until another JOBS_STALE_SECONDS have passed"
    with time_machine.travel(timezone.now() + timedelta(seconds=46), tick=False):
        services.fail_stalled_jobs()
    assert enqueued.call_count == 3, "then both (the other one is now old enough too)"


def test_an_unknown_kind_cannot_start(tenant, admin_member):
    with pytest.raises(ValueError, match="Unknown kind"):
        services.start_job(tenant=tenant, kind="nope", actor=admin_member.user, target_type="X", target_id="1")


def test_progress_never_passes_the_total(tenant, admin_member, script, enqueued):
    script.work = lambda job, progress: progress(12, 10) or "ok"
    job, _ = start(tenant, admin_member)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert (job.done, job.total) == (10, 10)


def test_job_cancelled_carries_its_message():
    assert JobCancelled("Stopped; nothing saved.").message == "Stopped; nothing saved."


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_start_one_job(tenant, admin_member, script, enqueued):
    """Two requests in two threads with their own connections: the database makes one wait for
    the other (SQLite: BEGIN IMMEDIATE; PostgreSQL: the partial unique index), so one job."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(2)
    results = []

    def click():
        try:
            barrier.wait(timeout=10)
            with scopes_disabled():
                job, created = start(tenant, admin_member)
            results.append((job.pk, created))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 2
    assert {pk for pk, _ in results} == {Job.objects.get().pk}
    assert sorted(created for _, created in results) == [False, True]
