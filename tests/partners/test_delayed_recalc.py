"""The 5-minute delayed recalculation: what marks enrollments due, the debounce, the sweep, and a
change made during a run."""

import datetime as dt
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import models
from django.utils import timezone

from activity.models import ActivityEntry
from common import due
from partners import services
from partners.models import CriterionKind, PartnerEnrollment
from tests.partners.factories import (
    CourseAssignmentFactory,
    CriterionFactory,
    LeadFactory,
    OpportunityFactory,
    PartnerEnrollmentFactory,
    PartnerProgramFactory,
    set_thresholds,
)

pytestmark = pytest.mark.django_db
SCHEDULED = "recalculated progress (scheduled)"


@pytest.fixture
def program(tenant):
    program = PartnerProgramFactory(tenant=tenant)
    c = CriterionFactory(program=program, name="Revenue", kind=CriterionKind.REVENUE)
    set_thresholds(c, [0, 100_000, 500_000, 1_000_000])
    return program


@pytest.fixture
def enrollment(program):
    return PartnerEnrollmentFactory(program=program)


def _due(enrollment):
    enrollment.refresh_from_db()
    return enrollment.recalc_due_at


def _later(seconds=301):
    return timezone.now() + timedelta(seconds=seconds)


def test_three_changes_give_one_recalculation(enrollment, django_capture_on_commit_callbacks, settings):
    settings.PARTNER_RECALC_DELAY_SECONDS = 300
    tenant = enrollment.tenant
    with mock.patch("common.tasks.run_due_work_task.apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            opp = services.opportunity_create(
                tenant=tenant,
                actor=None,
                data={
                    "account": enrollment.account,
                    "name": "Big deal",
                    "amount": Decimal("50000"),
                    "currency": "USD",
                    "stage": "closed_won",
                    "close_date": dt.date(2026, 4, 1),
                },
            )
            first = _due(enrollment)
            services.opportunity_update(opp, actor=None, data={"amount": Decimal("60000")})
            services.opportunity_update(opp, actor=None, data={"amount": Decimal("70000")})
    assert _due(enrollment) == first, "a later change does not push the due time back"
    assert timezone.now() + timedelta(seconds=290) < first <= timezone.now() + timedelta(seconds=300)
    assert apply_async.call_args.kwargs["countdown"] == 300
    assert apply_async.call_args.args[0] == ("partner-recalc", tenant.id)
    assert due.run_due(services.RECALC_WORK, tenant) == 0, "nothing before the due time"
    assert due.run_due(services.RECALC_WORK, tenant, now=_later()) == 1
    assert due.run_due(services.RECALC_WORK, tenant, now=_later()) == 0, "the other queued tasks find nothing"
    enrollment.refresh_from_db()
    assert enrollment.recalc_due_at is None and enrollment.last_calculated is not None
    assert enrollment.results.get().value == Decimal("70000.00")
    assert ActivityEntry.objects.filter(verb=SCHEDULED).count() == 1


def test_a_lost_task_is_run_by_the_sweep(enrollment):
    services.opportunity_create(
        tenant=enrollment.tenant,
        actor=None,
        data={"account": enrollment.account, "name": "Deal", "amount": 1000, "close_date": dt.date(2026, 5, 1)},
    )
    assert _due(enrollment) is not None  # no task was ever delivered: as if the broker lost it
    totals = due.sweep(now=_later())
    assert totals["partner-recalc"] == 1
    enrollment.refresh_from_db()
    assert enrollment.recalc_due_at is None
    assert enrollment.results.get().value == Decimal("1000.00")


def test_a_change_during_a_run_leaves_the_enrollment_due(enrollment):
    services.mark_enrollments_due(PartnerEnrollment.objects.filter(pk=enrollment.pk), delay_seconds=0)
    real = services.RECALC_WORK.handler

    def racing(tenant, pks):
        real(tenant, pks)
        # Someone adds a deal while the recalculation computes.
        services.opportunity_create(
            tenant=tenant,
            actor=None,
            data={"account": enrollment.account, "name": "Late", "amount": 5, "close_date": dt.date(2026, 5, 1)},
        )

    work = due.DueWork(
        name="racing",
        model=PartnerEnrollment,
        handler=racing,
        due_field="recalc_due_at",
        version_field="recalc_version",
    )
    assert due.run_due(work, enrollment.tenant, now=_later(1)) == 0
    assert _due(enrollment) is not None, "the change is not lost"
    assert due.run_due(services.RECALC_WORK, enrollment.tenant, now=_later()) == 1
    assert enrollment.results.get().value == Decimal("5.00")


def test_the_delay_is_a_setting(enrollment, settings):
    settings.PARTNER_RECALC_DELAY_SECONDS = 60
    LeadFactory(account=enrollment.account)
    services.mark_accounts_due(enrollment.tenant, [enrollment.account_id])
    assert _due(enrollment) <= timezone.now() + timedelta(seconds=60)


def test_an_earlier_due_time_is_kept(enrollment):
    services.mark_enrollments_due(PartnerEnrollment.objects.filter(pk=enrollment.pk), delay_seconds=30)
    soon = _due(enrollment)
    services.mark_accounts_due(enrollment.tenant, [enrollment.account_id])
    assert _due(enrollment) == soon


@pytest.mark.parametrize(
    "change",
    [
        "criterion",
        "threshold",
        "filter",
        "rate",
        "opportunity",
        "lead",
        "course",
    ],
)
def test_every_change_that_affects_progress_marks_due(change, enrollment, program):
    tenant = enrollment.tenant
    criterion = program.criteria.get()
    other = PartnerEnrollmentFactory(program__tenant=tenant)  # another program, another account
    thresholds = {t.id: v for t, v in zip(program.tiers.order_by("position"), [0, 1, 2, 3], strict=True)}
    if change == "criterion":
        services.criterion_update(criterion, actor=None, data={"name": "Revenue (renamed)"})
    elif change == "threshold":
        services.criterion_update(criterion, actor=None, data={}, thresholds=thresholds)
    elif change == "filter":
        services.criterion_update(
            criterion, actor=None, data={"conditions": [{"field": "stage", "op": "=", "value": "closed_won"}]}
        )
    elif change == "rate":
        services.currency_rate_create(
            tenant=tenant,
            actor=None,
            data={"date": dt.date(2026, 2, 1), "from_currency": "EUR", "to_currency": "USD", "rate": Decimal("1.1")},
        )
    elif change == "opportunity":
        opp = OpportunityFactory(account=enrollment.account)
        services.opportunity_delete(opp, actor=None)
    elif change == "lead":
        lead = LeadFactory(account=enrollment.account)
        services.lead_update(lead, actor=None, data={"status": "rejected"})
    elif change == "course":
        services.course_assignment_create(
            tenant=tenant,
            actor=None,
            data={"partner_user": enrollment.primary_partner_user, "course_name": "Sales 101"},
        )
    assert _due(enrollment) is not None
    if change != "rate":  # a rate of USD concerns every USD program
        assert _due(other) is None, "only the affected enrollments"


def test_a_course_assignment_moved_to_another_partner_marks_both_accounts(enrollment):
    other = PartnerEnrollmentFactory(program=enrollment.program)
    assignment = CourseAssignmentFactory(partner_user=enrollment.primary_partner_user)
    services.course_assignment_update(assignment, actor=None, data={"partner_user": other.primary_partner_user})
    assert _due(enrollment) is not None and _due(other) is not None


@pytest.mark.parametrize("change", ["enrollment_date", "expiration_date", "primary_user", "tier", "custom"])
def test_an_edit_of_one_enrollment_recomputes_it_at_once(change, enrollment, program):
    """What the Enrollment Details page shows moves with the edit: no delayed run is left."""
    from tests.partners.factories import PartnerUserFactory, tier

    OpportunityFactory(account=enrollment.account, amount=Decimal("50000"), close_date=dt.date(2025, 7, 1))
    if change == "enrollment_date":
        services.update_enrollment(enrollment, actor=None, data={"enrollment_date": dt.date(2025, 6, 1)})
    elif change == "expiration_date":
        services.update_enrollment(enrollment, actor=None, data={"expiration_date": dt.date(2027, 6, 1)})
    elif change == "primary_user":
        pu = PartnerUserFactory(account=enrollment.account)
        services.update_enrollment(enrollment, actor=None, data={"primary_partner_user": pu})
    elif change == "tier":
        services.update_enrollment(enrollment, actor=None, data={"tier": tier(program, "Build")})
    elif change == "custom":
        custom = CriterionFactory(program=program, kind=CriterionKind.CUSTOM, name="Plan")
        services.set_custom_criterion_status(enrollment, criterion=custom, actor=None, met=True, note="ok")
    assert _due(enrollment) is None
    assert enrollment.last_calculated is not None
    if change == "enrollment_date":
        assert enrollment.results.get().value == Decimal("50000.00")
    assert not ActivityEntry.objects.filter(verb=SCHEDULED).exists()


def test_recalculate_clears_the_due_mark_it_covers(enrollment, django_capture_on_commit_callbacks):
    OpportunityFactory(account=enrollment.account, amount=Decimal("2000"))
    services.mark_accounts_due(enrollment.tenant, [enrollment.account_id])
    assert _due(enrollment) is not None
    with mock.patch("common.tasks.run_due_work_task.apply_async"):
        services.recalculate_enrollment(enrollment, actor=None)
    assert _due(enrollment) is None
    # The queued task finds nothing due and records nothing.
    assert due.run_due(services.RECALC_WORK, enrollment.tenant, now=_later()) == 0
    assert not ActivityEntry.objects.filter(verb=SCHEDULED).exists()
    assert enrollment.results.get().value == Decimal("2000.00")


def test_recalculate_leaves_due_a_change_it_did_not_see(enrollment):
    services.mark_accounts_due(enrollment.tenant, [enrollment.account_id])
    real = services.recalc._recalculate

    def racing(**kwargs):
        done = real(**kwargs)
        # A change lands between the computation and the clearing.
        PartnerEnrollment.objects.filter(pk=enrollment.pk).update(recalc_version=models.F("recalc_version") + 1)
        return done

    with mock.patch.object(services.recalc, "_recalculate", racing):
        services.recalculate_enrollment(enrollment, actor=None)
    assert _due(enrollment) is not None
