"""A recalculation evaluates only the enrollments whose inputs digest no longer matches: nothing
changed means nothing evaluated and only Last Calculated written; any change of what an outcome is
made of (a threshold, a tier, a value, the stored outcome itself) means evaluated again."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners import engine
from partners.models import (
    CriterionResult,
    CriterionThreshold,
    CurrencyRate,
    CustomCriterionStatus,
    PartnerEnrollment,
    ProgressSnapshot,
)
from partners.services import recalculate_program
from partners.services.recalc import _read_progress
from tests.partners.factories import (
    CurrencyRateFactory,
    LeadFactory,
    OpportunityFactory,
    PartnerEnrollmentFactory,
    program_with_criteria,
    tier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(tenant):
    program = program_with_criteria(tenant)
    for i in range(4):
        e = PartnerEnrollmentFactory(program=program, account__name=f"Partner {i}")
        OpportunityFactory(account=e.account, amount=Decimal(30_000 * (i + 1)), close_date=dt.date(2026, 3, 1))
        for _ in range(i * 4):
            LeadFactory(account=e.account)
    recalculate_program(program)
    return program


@pytest.fixture
def evaluated(monkeypatch):
    """The enrollments evaluated (``Evaluator.outcome_of_cells`` calls) by the recalculations that follow."""
    calls = []
    outcome = engine.Evaluator.outcome_of_cells

    def counting(self, current_tier_id, values):
        calls.append(current_tier_id)
        return outcome(self, current_tier_id, values)

    monkeypatch.setattr(engine.Evaluator, "outcome_of_cells", counting)
    return calls


def _state(program):
    enrollments = PartnerEnrollment.objects.filter(program=program).order_by("id")
    results = CriterionResult.objects.filter(enrollment__program=program).order_by("enrollment_id", "criterion_id")
    return (
        list(enrollments.values_list("id", "progress_percent", "next_tier_id", "qualifying_tier_id", "inputs_digest")),
        list(results.values_list("enrollment_id", "criterion_id", "value", "met_tier_ids", "percent", "required")),
    )


def test_nothing_changed_evaluates_nothing_and_writes_only_last_calculated(program, evaluated):
    before = _state(program)
    snapshots = ProgressSnapshot.objects.count()
    later = timezone.now() + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False), CaptureQueriesContext(connection) as ctx:
        assert recalculate_program(program) == 4
    assert evaluated == []
    assert _state(program) == before and ProgressSnapshot.objects.count() == snapshots
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 2, writes  # Last Calculated, and the activity entry
    assert "last_calculated" in writes[0] and "activity" in writes[1]
    assert set(PartnerEnrollment.objects.filter(program=program).values_list("last_calculated", flat=True)) == {later}


def test_a_threshold_edit_evaluates_every_enrollment_again(program, evaluated):
    build = tier(program, "Build")
    CriterionThreshold.objects.filter(tier=build, criterion__name="Annual Partner Revenue").update(
        value=Decimal(50_000)
    )
    recalculate_program(program)
    assert len(evaluated) == 4
    revenue = CriterionResult.objects.filter(enrollment__program=program, criterion__name="Annual Partner Revenue")
    assert sorted(revenue.values_list("percent", flat=True)) == [Decimal("60.0")] + [Decimal("100.0")] * 3


def test_a_new_record_evaluates_only_its_enrollment(program, evaluated):
    enrollment = PartnerEnrollment.objects.filter(program=program).order_by("id").first()
    LeadFactory(account=enrollment.account)
    recalculate_program(program)
    assert len(evaluated) == 1
    assert CriterionResult.objects.get(enrollment=enrollment, criterion__name="Deal Registrations").value == 1


def test_a_tier_change_evaluates_only_its_enrollment(program, evaluated):
    enrollment = PartnerEnrollment.objects.filter(program=program).order_by("id").last()
    PartnerEnrollment.objects.filter(pk=enrollment.pk).update(tier=tier(program, "Build"))
    recalculate_program(program)
    assert evaluated == [tier(program, "Build").id]
    enrollment.refresh_from_db()
    assert enrollment.next_tier == tier(program, "Scale")


def test_a_stored_outcome_changed_behind_the_engines_back_is_corrected(program, evaluated):
    """The digest covers the stored outcome too: a tier deleted under next_tier (SET_NULL), or
    any other write of those columns, does not survive the next recalculation."""
    enrollment = PartnerEnrollment.objects.filter(program=program).order_by("id").first()
    expected = _state(program)
    PartnerEnrollment.objects.filter(pk=enrollment.pk).update(progress_percent=Decimal("1.0"), next_tier=None)
    recalculate_program(program)
    assert len(evaluated) == 1
    assert _state(program) == expected


def test_a_change_of_the_formulas_evaluates_every_enrollment_again(program, evaluated, monkeypatch):
    monkeypatch.setattr(engine, "FORMULAS_VERSION", engine.FORMULAS_VERSION + 1)
    before = _state(program)
    moved = dict(PartnerEnrollment.objects.filter(program=program).values_list("id", "progress_changed_at"))
    snapshots = ProgressSnapshot.objects.count()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        recalculate_program(program)
    assert len(evaluated) == 4
    after = _state(program)
    assert after[1] == before[1]  # the same outcome, under new digests
    assert all(a[4] != b[4] for a, b in zip(after[0], before[0], strict=True))
    # The progress did not move: when it last moved, and its history, stay as they were.
    assert dict(PartnerEnrollment.objects.filter(program=program).values_list("id", "progress_changed_at")) == moved
    assert ProgressSnapshot.objects.count() == snapshots


def test_a_rate_change_evaluates_the_enrollments_with_deals_in_that_currency(program, evaluated):
    enrollment = PartnerEnrollment.objects.filter(program=program).order_by("id").first()
    CurrencyRateFactory(tenant=program.tenant, from_currency="EUR", to_currency="USD", rate=Decimal("1.1"))
    OpportunityFactory(account=enrollment.account, amount=Decimal(1000), currency="EUR")
    recalculate_program(program)
    assert len(evaluated) == 1
    evaluated.clear()
    CurrencyRate.objects.update(rate=Decimal("1.2"))
    recalculate_program(program)
    assert len(evaluated) == 1
    revenue = CriterionResult.objects.get(enrollment=enrollment, criterion__name="Annual Partner Revenue")
    assert revenue.value == Decimal(30_000) + Decimal(1200)


def test_a_custom_status_evaluates_only_its_enrollment(program, evaluated):
    enrollment = PartnerEnrollment.objects.filter(program=program).order_by("id").last()
    plan = program.criteria.get(name="Joint Business Plan")
    CustomCriterionStatus.objects.create(tenant=program.tenant, enrollment=enrollment, criterion=plan, met=True)
    recalculate_program(program)
    assert len(evaluated) == 1
    assert CriterionResult.objects.get(enrollment=enrollment, criterion=plan).value == 1
    evaluated.clear()
    CustomCriterionStatus.objects.filter(enrollment=enrollment).update(met=False)
    recalculate_program(program)
    assert len(evaluated) == 1
    assert CriterionResult.objects.get(enrollment=enrollment, criterion=plan).value == 0


def test_the_digest_tells_every_input_and_stored_column_apart():
    """Each argument, and which criterion a value belongs to, changes the digest; values come
    as the database hands them (no record at all: None)."""
    tiers, criteria = [_Obj(1), _Obj(2), _Obj(3)], [_Obj(10), _Obj(11)]
    evaluator = engine.Evaluator(tiers=tiers, criteria=criteria, thresholds={(10, 2): Decimal(5)})
    base = (1, [5, None], 500, 2, 1)
    variants = [
        (2, [5, None], 500, 2, 1),
        (1, [None, 5], 500, 2, 1),
        (1, [5, 0], 500, 2, 1),
        (1, [6, None], 500, 2, 1),
        (1, [5.5, None], 500, 2, 1),
        (1, None, 500, 2, 1),
        (1, [5, None], 499, 2, 1),
        (1, [5, None], None, 2, 1),
        (1, [5, None], 500, 3, 1),
        (1, [5, None], 500, None, 1),
        (1, [5, None], 500, 2, None),
    ]
    digests = {evaluator.digest(*v) for v in [base, *variants]}
    assert len(digests) == len(variants) + 1
    assert evaluator.digest(*base) == evaluator.digest(1, [5, None], 500, 2, 1)
    other = engine.Evaluator(tiers=tiers, criteria=criteria, thresholds={(10, 2): Decimal(6)})
    assert other.digest(*base) != evaluator.digest(*base)


class _Obj:
    def __init__(self, pk):
        self.id = pk


def test_the_percent_is_read_back_in_tenths_as_it_was_computed(program):
    """The recalculation reads the stored percent as whole tenths in SQL (SQLite hands 96.6 back
    as a float): the same integer as the computed decimal's, for every percent a float would
    not hold exactly, 100 and 100.0 alike."""
    enrollment = PartnerEnrollment.objects.filter(program=program).order_by("id").first()
    inexact = [t for t in range(1001) if float(Decimal(t) / 10) * 10 != t]
    percents = [Decimal(0), Decimal(100), Decimal("100.0"), Decimal("99.9")] + [Decimal(t) / 10 for t in inexact[::9]]
    for percent in percents:
        PartnerEnrollment.objects.filter(pk=enrollment.pk).update(progress_percent=percent)
        [read] = _read_progress(PartnerEnrollment.objects.filter(pk=enrollment.pk))
        assert read.percent_tenths == engine.tenths(percent), percent
        assert read.progress_percent == percent
    PartnerEnrollment.objects.filter(pk=enrollment.pk).update(progress_percent=None)
    assert _read_progress(PartnerEnrollment.objects.filter(pk=enrollment.pk))[0].percent_tenths is None


@pytest.mark.postgres
def test_the_enrollments_table_leaves_room_for_in_place_updates(db):
    """Last Calculated of every enrollment is rewritten on each run: half of each page is kept free
    so the new row versions stay on their page and no index is touched (migration partners 0006)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [PartnerEnrollment._meta.db_table])
        assert cursor.fetchone()[0] == ["fillfactor=50"]
