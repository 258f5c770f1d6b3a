"""partners.services.enrollment_edit: the Edit dialog's service."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from activity.models import ActivityEntry
from partners.selectors import tier_history
from partners.services.enrollment_edit import CustomVerification, edit_enrollment, unmet_criteria
from tests.partners.factories import (
    PartnerProgramFactory,
    enrolled_partner,
    manager,
    program_with_criteria,
    tier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(tenant):
    return enrolled_partner(program_with_criteria(tenant))


def test_unmet_criteria_follow_the_last_calculation_and_custom_verification(enrollment):
    program = enrollment.program
    assert unmet_criteria(enrollment, tier(program, "Launch")) == []
    assert unmet_criteria(enrollment, tier(program, "Build")) == ["Joint Business Plan"]
    joint = program.criteria.get(name="Joint Business Plan")
    assert unmet_criteria(enrollment, tier(program, "Build"), custom={joint.pk: True}) == []
    assert unmet_criteria(enrollment, tier(program, "Scale")) == [
        "Annual Partner Revenue",
        "Deal Registrations",
        "Joint Business Plan",
    ]


def test_tier_change_to_unmet_tier_needs_confirmation(tenant, enrollment):
    actor = manager(tenant).user
    scale = tier(enrollment.program, "Scale")
    with pytest.raises(ValidationError) as exc:
        edit_enrollment(enrollment, actor=actor, data={"tier": scale}, reason="Strategic")
    assert "does not meet every criterion of Scale" in str(exc.value.message_dict["tier"])
    enrollment.refresh_from_db()
    assert enrollment.tier.name == "Launch" and not ActivityEntry.objects.filter(verb="changed tier").exists()
    outcome = edit_enrollment(enrollment, actor=actor, data={"tier": scale}, reason="Strategic", confirm_unmet=True)
    assert outcome.tier_changed and outcome.recalculated and outcome.changed == ["tier"]
    [entry] = tier_history(enrollment=outcome.enrollment)
    assert entry.actor == actor and entry.changes == {"tier": ["Launch", "Scale"], "reason": "Strategic"}
    # Idempotent: the same save again changes and records nothing.
    again = edit_enrollment(outcome.enrollment, actor=actor, data={"tier": scale}, reason="Strategic")
    assert again.changed == [] and not again.tier_changed
    assert ActivityEntry.objects.filter(verb="changed tier").count() == 1


def test_a_tier_of_another_program_is_refused(tenant, enrollment):
    foreign = tier(PartnerProgramFactory(tenant=tenant), "Build")
    with pytest.raises(ValidationError) as exc:
        edit_enrollment(enrollment, actor=None, data={"tier": foreign}, confirm_unmet=True)
    assert "tier" in exc.value.message_dict


def test_program_and_account_are_fixed(tenant, enrollment):
    other = PartnerProgramFactory(tenant=tenant)
    with pytest.raises(ValidationError):
        edit_enrollment(enrollment, actor=None, data={"program": other})


def test_dates_change_records_one_entry_and_recalculates_at_once(tenant, enrollment):
    actor = manager(tenant).user
    outcome = edit_enrollment(
        enrollment,
        actor=actor,
        data={"enrollment_date": dt.date(2025, 7, 1), "expiration_date": dt.date(2027, 6, 30)},
    )
    assert outcome.changed == ["enrollment_date", "expiration_date"] and outcome.recalculated
    entry = ActivityEntry.objects.get(object_id=str(enrollment.pk), verb="update")
    assert entry.changes == {
        "enrollment_date": ["2026-01-01", "2025-07-01"],
        "expiration_date": ["2026-12-31", "2027-06-30"],
    }
    with pytest.raises(ValidationError):
        edit_enrollment(outcome.enrollment, actor=actor, data={"expiration_date": dt.date(2025, 1, 1)})


def test_custom_verification_is_saved_once(tenant, enrollment):
    joint = enrollment.program.criteria.get(name="Joint Business Plan")
    verification = [CustomVerification(criterion=joint, met=True, note="Signed")]
    outcome = edit_enrollment(enrollment, actor=None, data={}, custom=verification)
    assert outcome.changed == ["Joint Business Plan"] and outcome.recalculated
    # Recomputed at once: the row says met, never "Verified met … Not met 0%".
    result = outcome.enrollment.results.get(criterion=joint)
    assert result.value == 1 and result.percent == 100 and outcome.enrollment.recalc_due_at is None
    again = edit_enrollment(outcome.enrollment, actor=None, data={}, custom=verification)
    assert again.changed == []
    assert ActivityEntry.objects.filter(verb="verified custom criterion").count() == 1
