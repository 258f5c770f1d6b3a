"""Program configuration services: default tiers, thresholds that never decrease, conditions
validated as data, tier reordering, benefit values."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from activity.models import ActivityEntry
from partners import services
from partners.criteria import conditions_text, parse_conditions_text
from partners.models import CriterionKind, CriterionThreshold, TierBenefit
from tests.partners.factories import BenefitFactory, PartnerEnrollmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(tenant, admin_member):
    return services.program_create(tenant=tenant, actor=admin_member.user, name="Global", currency="USD")


def _tiers(program):
    return list(program.tiers.order_by("position"))


def test_a_program_gets_the_default_tiers(program):
    assert [t.name for t in _tiers(program)] == ["Launch", "Build", "Scale", "Elevate"]
    assert ActivityEntry.objects.filter(object_type="PartnerProgram", action="create").count() == 1


def test_thresholds_are_stored_per_tier_and_must_not_decrease(program, admin_member):
    tiers = _tiers(program)
    criterion = services.criterion_create(
        program,
        actor=admin_member.user,
        data={"name": "Revenue", "kind": CriterionKind.REVENUE},
        thresholds=dict(zip([t.id for t in tiers], ["25000", "100000", "500000", "1000000"], strict=True)),
    )
    assert criterion.rollup_field == "amount" and criterion.attainment_date_field == "close_date"
    assert CriterionThreshold.objects.filter(criterion=criterion).count() == 4
    with pytest.raises(ValidationError) as exc:
        services.criterion_update(
            criterion,
            actor=None,
            data={},
            thresholds={tiers[0].id: 25000, tiers[1].id: 10000, tiers[2].id: 500000, tiers[3].id: -1},
        )
    errors = exc.value.message_dict
    assert errors[f"threshold_{tiers[1].id}"] == ["Must be at least 25,000 (the Launch threshold)."]
    assert errors[f"threshold_{tiers[3].id}"] == ["A threshold cannot be negative."]
    assert CriterionThreshold.objects.get(criterion=criterion, tier=tiers[1]).value == Decimal("100000")


def test_custom_criterion_thresholds_are_required_flags(program):
    tiers = _tiers(program)
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(
            program, actor=None, data={"name": "Plan", "kind": CriterionKind.CUSTOM}, thresholds={tiers[0].id: 2}
        )
    assert f"threshold_{tiers[0].id}" in exc.value.message_dict


def test_bad_rollup_date_field_and_conditions_get_field_errors(program):
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(
            program,
            actor=None,
            data={
                "name": "Deals",
                "kind": CriterionKind.CLOSED_DEALS,
                "rollup_field": "amount",
                "attainment_date_field": "approval_date",
                "conditions": [{"field": "stage; DROP TABLE", "op": "=", "value": "x"}],
            },
            thresholds={},
        )
    errors = exc.value.message_dict
    assert set(errors) == {"rollup_field", "attainment_date_field", "conditions"}
    assert "unknown field" in errors["conditions"][0]


def test_conditions_text_round_trip_and_errors():
    conditions = parse_conditions_text(
        CriterionKind.REVENUE, "stage in Negotiation, Closed Won\namount >= 1,000\nclose_date < 2026-07-01"
    )
    assert conditions == [
        {"field": "stage", "op": "in", "value": ["negotiation", "closed_won"]},
        {"field": "amount", "op": ">=", "value": "1000"},
        {"field": "close_date", "op": "<", "value": "2026-07-01"},
    ]
    assert (
        parse_conditions_text(CriterionKind.REVENUE, conditions_text(CriterionKind.REVENUE, conditions)) == conditions
    )
    with pytest.raises(ValidationError) as exc:
        parse_conditions_text(CriterionKind.REVENUE, "stage = Won\namount contains 5\nnonsense")
    assert exc.value.messages == [
        "Line 3: write “field operator value”, e.g. “stage = Closed Won”.",
    ]
    with pytest.raises(ValidationError) as exc:
        parse_conditions_text(CriterionKind.REVENUE, "stage = Won\namount contains 5")
    assert exc.value.messages[0].startswith("Line 1: “Won” is not a stage")
    assert exc.value.messages[1].startswith("Line 2: “contains” does not apply to Amount")


def test_reordering_tiers_keeps_thresholds_non_decreasing(program):
    tiers = _tiers(program)
    services.criterion_create(
        program,
        actor=None,
        data={"name": "Revenue", "kind": CriterionKind.REVENUE},
        thresholds={tiers[0].id: 0, tiers[1].id: 100, tiers[2].id: 100, tiers[3].id: 200},
    )
    services.tier_move(tiers[2], actor=None, offset=-1)  # Scale and Build have equal thresholds
    assert [t.name for t in _tiers(program)] == ["Launch", "Scale", "Build", "Elevate"]
    with pytest.raises(ValidationError):
        services.tier_move(tiers[3], actor=None, offset=-1)
    assert [t.name for t in _tiers(program)] == ["Launch", "Scale", "Build", "Elevate"]


def test_tier_with_enrollments_cannot_be_deleted(program):
    enrollment = PartnerEnrollmentFactory(program=program)
    with pytest.raises(ValidationError):
        services.tier_delete(enrollment.tier, actor=None)
    services.tier_delete(_tiers(program)[3], actor=None)
    assert len(_tiers(program)) == 3


def test_benefit_values(program, tenant, admin_member):
    portal = BenefitFactory(tenant=tenant, name="Partner Portal Access")
    margin = BenefitFactory(tenant=tenant, name="Margin Uplift")
    launch, build, *_ = _tiers(program)
    changed = services.set_benefit_values(
        program,
        actor=admin_member.user,
        values={
            (portal.id, launch.id): "Yes",
            (portal.id, build.id): "Yes",
            (margin.id, launch.id): "",
            (margin.id, build.id): "5%",
        },
    )
    assert changed == 3
    assert services.set_benefit_values(program, actor=None, values={(portal.id, launch.id): "Yes"}) == 0
    services.set_benefit_values(program, actor=None, values={(portal.id, launch.id): " "})
    assert TierBenefit.objects.filter(tier__program=program).count() == 2
