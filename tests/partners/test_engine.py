"""The progress engine: the seed's worked examples, visibility, the enrollment period, currency
conversion, filters, custom criteria, and a query count independent of the number of records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.models import ActivityEntry
from partners import services
from partners.models import (
    CriterionKind,
    CriterionResult,
    LeadStatus,
    OpportunityStage,
    PartnerEnrollment,
    ProgressSnapshot,
)
from tests.partners.factories import (
    CourseAssignmentFactory,
    CriterionFactory,
    CurrencyRateFactory,
    LeadFactory,
    OpportunityFactory,
    PartnerEnrollmentFactory,
    PartnerProgramFactory,
    PartnerUserFactory,
    set_thresholds,
    tier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(tenant):
    return PartnerProgramFactory(tenant=tenant, name="Global Partner Program")


@pytest.fixture
def revenue(program):
    c = CriterionFactory(program=program, name="Annual Partner Revenue", kind=CriterionKind.REVENUE)
    set_thresholds(c, [25_000, 100_000, 500_000, 1_000_000])
    return c


@pytest.fixture
def registrations(program):
    c = CriterionFactory(program=program, name="Deal Registrations", kind=CriterionKind.APPROVED_REGISTRATIONS)
    set_thresholds(c, [3, 10, 25, 50])
    return c


@pytest.fixture
def certifications(program):
    c = CriterionFactory(program=program, name="Sales Certifications Held", kind=CriterionKind.CERTIFICATIONS)
    set_thresholds(c, [1, 3, 5, 8])
    return c


def result(enrollment, criterion) -> CriterionResult:
    return CriterionResult.objects.get(enrollment=enrollment, criterion=criterion)


def test_seed_revenue_125000_is_25_percent_toward_scale(program, revenue):
    enrollment = PartnerEnrollmentFactory(program=program, tier=tier(program, "Build"))
    for amount in ("100000", "20000", "5000"):
        OpportunityFactory(account=enrollment.account, amount=Decimal(amount))
    services.recalculate_enrollment(enrollment)
    r = result(enrollment, revenue)
    assert r.value == Decimal("125000.00")
    assert r.met_tier_ids == [tier(program, "Launch").id, tier(program, "Build").id]
    assert r.percent == Decimal("25.0")
    assert enrollment.next_tier == tier(program, "Scale")
    assert enrollment.progress_label == "25% to Scale"


def test_seed_15_registrations_is_60_percent_toward_scale(program, registrations):
    enrollment = PartnerEnrollmentFactory(program=program, tier=tier(program, "Build"))
    LeadFactory.create_batch(15, account=enrollment.account)
    services.recalculate_enrollment(enrollment)
    r = result(enrollment, registrations)
    assert r.value == 15
    assert r.percent == Decimal("60.0")
    assert set(r.met_tier_ids) == {tier(program, "Launch").id, tier(program, "Build").id}


def test_seed_both_criteria_give_the_mean_toward_scale(program, revenue, registrations):
    enrollment = PartnerEnrollmentFactory(program=program, tier=tier(program, "Build"))
    OpportunityFactory(account=enrollment.account, amount=Decimal("125000"))
    LeadFactory.create_batch(15, account=enrollment.account)
    services.recalculate_enrollment(enrollment)
    enrollment.refresh_from_db()
    assert enrollment.progress_percent == Decimal("42.5")  # (25 + 60) / 2
    assert enrollment.qualifying_tier == tier(program, "Build")


def test_seed_one_registration_short_does_not_qualify_for_build(program, revenue, registrations, certifications):
    enrollment = PartnerEnrollmentFactory(program=program)  # at Launch, toward Build
    OpportunityFactory(account=enrollment.account, amount=Decimal("100000"))
    LeadFactory.create_batch(9, account=enrollment.account)
    CourseAssignmentFactory.create_batch(3, partner_user=enrollment.primary_partner_user)
    services.recalculate_enrollment(enrollment)
    enrollment.refresh_from_db()
    assert [result(enrollment, c).percent for c in (revenue, registrations, certifications)] == [
        Decimal("100.0"),
        Decimal("90.0"),
        Decimal("100.0"),
    ]
    assert tier(program, "Build").id not in result(enrollment, registrations).met_tier_ids
    assert enrollment.qualifying_tier == tier(program, "Launch"), "all criteria must meet Build"
    assert enrollment.progress_percent == Decimal("96.6")  # floored: never shows 100 unless all met
    assert enrollment.progress_label == "96% to Build"
    assert enrollment.tier == tier(program, "Launch"), "never advanced automatically"


def test_seed_92_percent_to_build(program, revenue, certifications):
    enrollment = PartnerEnrollmentFactory(program=program)
    OpportunityFactory(account=enrollment.account, amount=Decimal("84000"))  # 84% of Build
    CourseAssignmentFactory.create_batch(3, partner_user=enrollment.primary_partner_user)  # 100%
    services.recalculate_enrollment(enrollment)
    assert enrollment.progress_label == "92% to Build"


def test_meeting_every_criterion_is_100_percent_and_qualifies(program, revenue, registrations):
    enrollment = PartnerEnrollmentFactory(program=program)
    OpportunityFactory(account=enrollment.account, amount=Decimal("600000"))
    LeadFactory.create_batch(30, account=enrollment.account)
    services.recalculate_enrollment(enrollment)
    assert enrollment.progress_percent == Decimal("100.0")
    assert enrollment.qualifying_tier == tier(program, "Scale")


def test_top_tier_has_no_next_tier(program, revenue):
    enrollment = PartnerEnrollmentFactory(program=program, tier=tier(program, "Elevate"))
    services.recalculate_enrollment(enrollment)
    assert enrollment.next_tier is None and enrollment.progress_percent is None
    assert enrollment.progress_label == "Top tier"
    assert result(enrollment, revenue).percent is None


def test_visibility_follows_the_primary_partner_user(program, revenue):
    enrollment = PartnerEnrollmentFactory(program=program, primary_partner_user__is_partner_admin=False)
    mine = enrollment.primary_partner_user
    colleague = PartnerUserFactory(account=enrollment.account)
    OpportunityFactory(account=enrollment.account, owner=mine.user, amount=Decimal("10000"))
    OpportunityFactory(account=enrollment.account, owner=colleague.user, amount=Decimal("30000"))
    OpportunityFactory(amount=Decimal("999999"), account__tenant=program.tenant)  # another partner's
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, revenue).value == Decimal("10000.00"), "only what the primary user owns"

    services.partner_user_update(mine, actor=None, data={"is_partner_admin": True})
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, revenue).value == Decimal("40000.00"), "a partner admin sees the account's records"

    services.update_enrollment(enrollment, actor=None, data={"primary_partner_user": colleague})
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, revenue).value == Decimal("30000.00"), "changing the primary user changes the result"


def test_course_assignments_count_for_their_owner_or_a_partner_admin(program, certifications):
    enrollment = PartnerEnrollmentFactory(program=program, primary_partner_user__is_partner_admin=False)
    colleague = PartnerUserFactory(account=enrollment.account)
    CourseAssignmentFactory(partner_user=enrollment.primary_partner_user)
    CourseAssignmentFactory.create_batch(2, partner_user=colleague)
    CourseAssignmentFactory(partner_user=enrollment.primary_partner_user, completed_date=None)  # not completed
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, certifications).value == 1
    services.partner_user_update(enrollment.primary_partner_user, actor=None, data={"is_partner_admin": True})
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, certifications).value == 3


def test_only_the_enrollment_period_counts_by_the_attainment_date_field(program, revenue):
    enrollment = PartnerEnrollmentFactory(
        program=program, enrollment_date=dt.date(2026, 1, 1), expiration_date=dt.date(2026, 6, 30)
    )
    account = enrollment.account
    OpportunityFactory(account=account, amount=1, close_date=dt.date(2026, 1, 1), created_date=dt.date(2025, 12, 1))
    OpportunityFactory(account=account, amount=10, close_date=dt.date(2026, 6, 30), created_date=dt.date(2026, 6, 1))
    OpportunityFactory(account=account, amount=100, close_date=dt.date(2025, 12, 31), created_date=dt.date(2026, 2, 1))
    OpportunityFactory(account=account, amount=1000, close_date=dt.date(2026, 7, 1), created_date=dt.date(2026, 3, 1))
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, revenue).value == Decimal("11.00"), "both ends of the period are inclusive"

    services.criterion_update(revenue, actor=None, data={"attainment_date_field": "created_date"})
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, revenue).value == Decimal("1110.00")

    services.update_enrollment(enrollment, actor=None, data={"expiration_date": dt.date(2026, 12, 31)})
    services.criterion_update(revenue, actor=None, data={"attainment_date_field": "close_date"})
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, revenue).value == Decimal("1011.00")


def test_revenue_is_converted_at_the_rate_of_the_records_date(program, revenue):
    tenant = program.tenant
    CurrencyRateFactory(tenant=tenant, date=dt.date(2026, 1, 1), from_currency="EUR", rate=Decimal("1.10"))
    CurrencyRateFactory(tenant=tenant, date=dt.date(2026, 5, 1), from_currency="EUR", rate=Decimal("1.20"))
    enrollment = PartnerEnrollmentFactory(program=program)
    account = enrollment.account
    OpportunityFactory(account=account, amount=1000, currency="EUR", close_date=dt.date(2026, 3, 1))  # 1100
    OpportunityFactory(account=account, amount=1000, currency="EUR", close_date=dt.date(2026, 5, 1))  # 1200
    OpportunityFactory(account=account, amount=500, currency="USD", close_date=dt.date(2026, 5, 1))  # 500
    OpportunityFactory(account=account, amount=700, currency="JPY", close_date=dt.date(2026, 5, 1))  # no rate: left out
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, revenue).value == Decimal("2800.00")


def test_expected_revenue_as_rollup_field_and_filter_conditions(program, revenue):
    enrollment = PartnerEnrollmentFactory(program=program)
    account = enrollment.account
    OpportunityFactory(account=account, amount=1000, expected_revenue=400, stage=OpportunityStage.CLOSED_WON)
    OpportunityFactory(account=account, amount=2000, expected_revenue=900, stage=OpportunityStage.NEGOTIATION)
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, revenue).value == Decimal("3000.00"), "no filter: every stage"

    services.criterion_update(
        revenue, actor=None, data={"conditions": [{"field": "stage", "op": "=", "value": "Closed Won"}]}
    )
    revenue.refresh_from_db()
    assert revenue.conditions == [{"field": "stage", "op": "=", "value": "closed_won"}], "stored normalized"
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, revenue).value == Decimal("1000.00")

    services.criterion_update(
        revenue,
        actor=None,
        data={"rollup_field": "expected_revenue", "conditions": [{"field": "amount", "op": ">", "value": "500"}]},
    )
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, revenue).value == Decimal("1300.00")


def test_the_other_count_kinds(program):
    closed = CriterionFactory(program=program, kind=CriterionKind.CLOSED_DEALS, name="Closed deals")
    registered = CriterionFactory(program=program, kind=CriterionKind.REGISTERED_DEALS, name="Registered")
    approved = CriterionFactory(program=program, kind=CriterionKind.APPROVED_REGISTRATIONS, name="Approved")
    for c in (closed, registered, approved):
        set_thresholds(c, [1, 2, 3, 4])
    enrollment = PartnerEnrollmentFactory(program=program)
    account = enrollment.account
    OpportunityFactory.create_batch(2, account=account, stage=OpportunityStage.CLOSED_WON)
    OpportunityFactory(account=account, stage=OpportunityStage.CLOSED_LOST)
    LeadFactory.create_batch(2, account=account, status=LeadStatus.APPROVED)
    LeadFactory(account=account, status=LeadStatus.SUBMITTED, approval_date=None)
    services.recalculate_enrollment(enrollment)
    assert [result(enrollment, c).value for c in (closed, registered, approved)] == [2, 3, 2]


def test_custom_criterion_is_met_by_hand(program, revenue, admin_member):
    custom = CriterionFactory(program=program, kind=CriterionKind.CUSTOM, name="Joint business plan")
    set_thresholds(custom, [0, 1, 1, 1])
    enrollment = PartnerEnrollmentFactory(program=program)
    OpportunityFactory(account=enrollment.account, amount=Decimal("100000"))
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, custom).percent == Decimal("0.0")
    assert enrollment.progress_percent == Decimal("50.0")

    status = services.set_custom_criterion_status(
        enrollment, criterion=custom, actor=admin_member.user, met=True, note="Signed plan on file"
    )
    assert status.verified_by == admin_member.user and status.note == "Signed plan on file"
    services.recalculate_enrollment(enrollment)
    assert result(enrollment, custom).value == 1
    assert enrollment.progress_percent == Decimal("100.0")
    assert enrollment.qualifying_tier == tier(program, "Build")


def test_results_of_a_deleted_criterion_go_away(program, revenue, registrations):
    enrollment = PartnerEnrollmentFactory(program=program)
    services.recalculate_enrollment(enrollment)
    assert CriterionResult.objects.filter(enrollment=enrollment).count() == 2
    services.criterion_delete(registrations, actor=None)
    services.recalculate_enrollment(enrollment)
    assert list(CriterionResult.objects.filter(enrollment=enrollment).values_list("criterion", flat=True)) == [
        revenue.id
    ]


def test_recalculate_enrollment_records_activity_and_history(program, revenue, admin_member):
    enrollment = PartnerEnrollmentFactory(program=program)
    OpportunityFactory(account=enrollment.account, amount=Decimal("50000"))
    services.recalculate_enrollment(enrollment, actor=admin_member.user)
    assert enrollment.last_calculated is not None
    entry = ActivityEntry.objects.get(verb="recalculated progress")
    assert entry.actor == admin_member.user and entry.object_id == str(enrollment.pk)
    services.recalculate_enrollment(enrollment)
    assert ProgressSnapshot.objects.filter(enrollment=enrollment).count() == 1, "unchanged progress: no new row"
    OpportunityFactory(account=enrollment.account, amount=Decimal("10000"))
    services.recalculate_enrollment(enrollment)
    assert ProgressSnapshot.objects.filter(enrollment=enrollment).count() == 2


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_recalculate_enrollment_query_count_does_not_depend_on_record_counts(
    program, revenue, registrations, certifications
):
    custom = CriterionFactory(program=program, kind=CriterionKind.CUSTOM, name="Plan")
    set_thresholds(custom, [0, 1, 1, 1])
    counts = []
    for n in (5, 15):
        enrollment = PartnerEnrollmentFactory(program=program)
        OpportunityFactory.create_batch(n, account=enrollment.account)
        LeadFactory.create_batch(n, account=enrollment.account)
        CourseAssignmentFactory.create_batch(n, partner_user=enrollment.primary_partner_user)
        counts.append(_queries(lambda e=enrollment: services.recalculate_enrollment(e)))
    assert counts[0] == counts[1]
    assert counts[0] <= 18


def test_recalculate_program_matches_one_by_one_and_is_set_based(program, revenue, registrations):
    def build(n):
        out = []
        for i in range(n):
            e = PartnerEnrollmentFactory(program=program, primary_partner_user__is_partner_admin=bool(i % 2))
            OpportunityFactory.create_batch(i % 4 + 1, account=e.account, amount=Decimal(1000 * (i + 1)))
            LeadFactory.create_batch(i % 3, account=e.account, owner=e.primary_partner_user.user)
            out.append(e)
        return out

    first = build(4)
    q_small = _queries(lambda: services.recalculate_program(program))
    build(12)
    # Every enrollment evaluated in both runs (a run that evaluates only some adds the UPDATE of
    # Last Calculated for the others): the same statements for 4 as for 16.
    PartnerEnrollment.objects.filter(program=program).update(inputs_digest=None)
    q_large = _queries(lambda: services.recalculate_program(program))
    assert q_small == q_large
    stored = {
        (r.enrollment_id, r.criterion_id): r.value for r in CriterionResult.objects.filter(enrollment__program=program)
    }
    for e in first:
        services.recalculate_enrollment(e)
    again = {
        (r.enrollment_id, r.criterion_id): r.value for r in CriterionResult.objects.filter(enrollment__program=program)
    }
    assert stored == again
    assert ActivityEntry.objects.filter(verb="recalculated progress", count=16).exists()


def test_an_unchanged_recalculation_writes_only_last_calculated(program, revenue, registrations):
    enrollment = PartnerEnrollmentFactory(program=program)
    OpportunityFactory(account=enrollment.account, amount=Decimal("5000"))
    services.recalculate_enrollment(enrollment)
    first = enrollment.last_calculated
    with CaptureQueriesContext(connection) as ctx:
        services.recalculate_enrollment(enrollment)
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert [w.split()[:2] for w in writes] == [
        ["UPDATE", '"partners_partnerenrollment"'],
        ["INSERT", "INTO"],
    ]
    assert '"activity_activityentry"' in writes[1]
    enrollment.refresh_from_db()
    assert enrollment.last_calculated > first
