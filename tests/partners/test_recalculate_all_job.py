"""Recalculate all as a job: batch by batch with progress, the same results as in one go."""

from decimal import Decimal

import pytest

from activity.models import ActivityEntry
from jobs.models import Job
from jobs.services import run_job
from partners import services
from partners.jobs import start_recalculate_all
from partners.models import CriterionKind, CriterionResult, PartnerEnrollment
from tests.partners.factories import (
    CriterionFactory,
    OpportunityFactory,
    PartnerEnrollmentFactory,
    PartnerProgramFactory,
    set_thresholds,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(tenant):
    program = PartnerProgramFactory(tenant=tenant)
    revenue = CriterionFactory(program=program, kind=CriterionKind.REVENUE)
    set_thresholds(revenue, [1_000, 5_000, 20_000, 50_000])
    for i in range(7):
        e = PartnerEnrollmentFactory(program=program)
        OpportunityFactory.create_batch(i % 3 + 1, account=e.account, amount=Decimal(2_000 * (i + 1)))
    return program


def _results(program):
    return sorted(
        CriterionResult.objects.filter(enrollment__program=program).values_list(
            "enrollment_id", "criterion_id", "value"
        )
    )


def test_batches_give_the_results_of_one_go_and_report_progress(program, admin_member):
    reports = []
    n = services.recalculate_program_in_batches(
        program, actor=admin_member.user, batch_size=3, progress=lambda *a, **k: reports.append((a, k))
    )
    assert n == 7
    batched = _results(program)
    assert [r[0] for r in reports] == [(0, 7), (3, 7), (6, 7), (7, 7)]
    # Forget what was calculated (results and the digests that vouch for them), then one go.
    CriterionResult.objects.filter(enrollment__program=program).delete()
    PartnerEnrollment.objects.filter(program=program).update(inputs_digest=None)
    services.recalculate_program(program)
    assert _results(program) == batched
    entry = ActivityEntry.objects.get(verb="recalculated progress", actor=admin_member.user)
    assert entry.count == 7


def test_the_job_recalculates_every_enrollment(program, admin_member):
    job, created = start_recalculate_all(program, actor=admin_member.user)
    assert created and start_recalculate_all(program, actor=admin_member.user) == (job, False)
    assert run_job(job.pk) == "succeeded"
    job = Job.objects.get(pk=job.pk)
    assert (job.result, job.done, job.total) == ("Recalculated 7 enrollments.", 7, 7)
    assert not PartnerEnrollment.objects.filter(program=program, last_calculated__isnull=True).exists()


def test_a_deleted_program_fails_the_job_with_the_reason(program, admin_member):
    job, _ = start_recalculate_all(program, actor=admin_member.user)
    PartnerEnrollment.objects.filter(program=program).delete()
    program.delete()
    assert run_job(job.pk) == "failed"
    assert Job.objects.get(pk=job.pk).result == "Failed: the program was deleted"
