"""The delayed recalculation with the real services: a Redis broker and a Celery worker."""

import datetime as dt
import time
from decimal import Decimal

import pytest
from django_scopes import scope

from partners import services
from partners.models import CriterionKind, PartnerEnrollment
from tests.partners.factories import CriterionFactory, PartnerEnrollmentFactory, PartnerProgramFactory, set_thresholds


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_due_recalculation(tenant, celery_redis_worker, settings):
    settings.PARTNER_RECALC_DELAY_SECONDS = 1
    program = PartnerProgramFactory(tenant=tenant)
    criterion = CriterionFactory(program=program, kind=CriterionKind.REVENUE)
    set_thresholds(criterion, [0, 10_000, 50_000, 100_000])
    enrollment = PartnerEnrollmentFactory(program=program)
    with scope(tenant=tenant):
        # A new deal: marks the enrollment due in 1 s and, on commit, queues the task.
        services.opportunity_create(
            tenant=tenant,
            actor=None,
            data={
                "account": enrollment.account,
                "name": "Live deal",
                "amount": Decimal("5000"),
                "currency": "USD",
                "stage": "closed_won",
                "close_date": dt.date(2026, 4, 1),
            },
        )
    assert PartnerEnrollment.objects.get(pk=enrollment.pk).recalc_due_at is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        enrollment.refresh_from_db()
        if enrollment.last_calculated and enrollment.recalc_due_at is None:
            break
        time.sleep(0.2)
    assert enrollment.last_calculated is not None, "the worker ran the recalculation"
    assert enrollment.recalc_due_at is None
    assert enrollment.progress_percent == Decimal("50.0")  # 5,000 of Build's 10,000
