import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from activity.models import ActivityEntry
from enrollments import selectors as es
from enrollments.models import EnrollmentReset, PlanEnrollment
from enrollments.services import enroll_in_plan, reset_enrollments, terms_view_record
from plans import selectors, services
from plans.models import Calculation, Credit, Plan, PlanBeneficiary, Reward
from tests.factories import member
from tests.plans.factories import (
    BeneficiaryFactory,
    CalculationFactory,
    CreditFactory,
    EnrollmentFactory,
    PlanDocumentFactory,
    PlanFactory,
    RewardFactory,
    SalesTransactionFactory,
    TeamFactory,
    TeamMemberFactory,
)
from tests.plans.helpers import bulk_beneficiaries, bulk_reps

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(tenant):
    plan = PlanFactory(tenant=tenant, name="FY26 Sales Plan")
    PlanDocumentFactory(plan=plan, version=1)
    return plan


def rep_of(plan, **kw):
    rep = member(plan.tenant, "Sales Rep", **kw)
    BeneficiaryFactory(plan=plan, user=rep.user)
    return rep.user


# Plans ---------------------------------------------------------------------------------------


def test_plan_create_validates_and_records(tenant, admin_member):
    data = dict(
        name="Q1 Accelerator",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        currency="USD",
        status="active",
        legally_protected=True,
        enrollment_option="signature",
        commission_rate=Decimal("7.5"),
    )
    plan = services.plan_create(tenant=tenant, actor=admin_member.user, terms="Pays 7.5%.", **data)
    assert plan.requires_signature
    assert selectors.current_document(plan=plan).version == 1
    assert ActivityEntry.objects.filter(tenant=tenant, object_type="Plan", action="create").count() == 1

    with pytest.raises(ValidationError) as err:
        services.plan_create(tenant=tenant, actor=None, **data)
    assert "already exists" in str(err.value)
    bad = {**data, "name": "Other", "legally_protected": False, "period_end": datetime.date(2025, 1, 1)}
    with pytest.raises(ValidationError) as err:
        services.plan_create(tenant=tenant, actor=None, **bad)
    assert "period" in str(err.value) and "legally protected" in str(err.value)
    assert Plan.objects.filter(tenant=tenant).count() == 1


def test_changed_terms_become_a_new_version_and_unchanged_terms_do_not(plan, admin_member):
    services.plan_update(plan=plan, actor=admin_member.user, data={"terms": "New wording."})
    services.plan_update(plan=plan, actor=admin_member.user, data={"terms": "New wording."})
    assert [d.version for d in selectors.plan_documents(plan=plan)] == [2, 1]


# Beneficiaries and teams ---------------------------------------------------------------------


def test_team_beneficiary_makes_each_member_a_beneficiary(plan, tenant):
    team = TeamFactory(tenant=tenant)
    a, b = member(tenant, "Sales Rep").user, member(tenant, "Sales Rep").user
    TeamMemberFactory(team=team, user=a)
    TeamMemberFactory(team=team, user=b)
    direct = rep_of(plan)
    BeneficiaryFactory(plan=plan, user=a)  # also directly: still one row
    added = services.beneficiaries_add(plan=plan, actor=None, teams=[team], users=[direct])
    assert added == 1  # the direct user was there already
    assert set(selectors.beneficiary_users(plan=plan)) == {a, b, direct}
    assert selectors.is_beneficiary(plan=plan, user=b)
    assert es.enrollment_counts(plan=plan) == {"total": 3, "enrolled": 0}
    entry = ActivityEntry.objects.get(tenant=tenant, verb="add beneficiaries")
    assert entry.count == 1


def test_team_members_set_adds_and_removes(tenant):
    team = TeamFactory(tenant=tenant)
    a, b, c = (member(tenant, "Sales Rep").user for _ in range(3))
    services.team_members_set(team=team, actor=None, users=[a, b])
    assert services.team_members_set(team=team, actor=None, users=[b, c]) == (1, 1)
    assert services.team_members_set(team=team, actor=None, users=[b, c]) == (0, 0)
    assert {m.user for m in selectors.team_members(team=team)} == {b, c}


def test_a_former_member_is_not_a_beneficiary(plan, tenant):
    user = rep_of(plan)
    assert selectors.is_beneficiary(plan=plan, user=user)
    user.memberships.all().delete()
    assert not selectors.is_beneficiary(plan=plan, user=user)


# Enrollment ----------------------------------------------------------------------------------


def test_enroll_by_checkbox_stores_version_ip_and_time(plan):
    user = rep_of(plan)
    with pytest.raises(ValidationError) as err:
        enroll_in_plan(plan=plan, user=user, accepted=False)
    assert "accepted" in err.value.message_dict
    enrollment = enroll_in_plan(plan=plan, user=user, accepted=True, ip_address="198.51.100.7")
    assert enrollment.document.version == 1 and enrollment.ip_address == "198.51.100.7"
    assert enrollment.method == "checkbox" and enrollment.enrolled_at is not None
    again = enroll_in_plan(plan=plan, user=user, accepted=True)
    assert again.pk == enrollment.pk
    assert PlanEnrollment.objects.filter(plan=plan).count() == 1
    assert ActivityEntry.objects.filter(verb="enroll").count() == 1


def test_enroll_by_signature_must_match_the_name(tenant):
    plan = PlanFactory(tenant=tenant, enrollment_option="signature")
    user = rep_of(plan, user__full_name="Riley  Rep")
    for bad, message in (("", "Type your full name"), ("Someone Else", "must match your name")):
        with pytest.raises(ValidationError) as err:
            enroll_in_plan(plan=plan, user=user, signature=bad, accepted=True)
        assert message in str(err.value.message_dict["signature"])
    assert not PlanEnrollment.objects.filter(plan=plan).exists()
    enrollment = enroll_in_plan(plan=plan, user=user, signature="  riley rep ")
    assert enrollment.method == "signature" and enrollment.signature == "riley rep"
    assert enrollment.document is None  # a plan without a terms document yet


def test_only_beneficiaries_of_active_required_plans_enroll(plan, tenant):
    outsider = member(tenant, "Sales Rep").user
    with pytest.raises(ValidationError, match="not a beneficiary"):
        enroll_in_plan(plan=plan, user=outsider, accepted=True)
    shown = PlanFactory(tenant=tenant, enrollment_option="none_shown")
    with pytest.raises(ValidationError, match="does not ask"):
        enroll_in_plan(plan=shown, user=rep_of(shown), accepted=True)
    draft = PlanFactory(tenant=tenant, status="draft")
    with pytest.raises(ValidationError, match="active"):
        enroll_in_plan(plan=draft, user=rep_of(draft), accepted=True)


def test_terms_view_is_remembered(plan):
    user = rep_of(plan)
    terms_view_record(plan=plan, user=user)
    terms_view_record(plan=plan, user=user)
    row = es.beneficiary_statuses(plan=plan).get(pk=user.pk)
    assert row.last_viewed_at is not None and row.enrolled_at is None
    assert es.status_label(plan=plan, enrolled_at=None, last_viewed_at=row.last_viewed_at)[0] == "Not yet enrolled"


# Reset Enrollments ---------------------------------------------------------------------------


def test_reset_counts_hides_keeps_history_and_records_once(plan, tenant, admin_member):
    users = bulk_reps(tenant, 30)
    bulk_beneficiaries(plan, users, enroll_every=3)  # 10 enrolled
    assert es.enrollment_counts(plan=plan) == {"total": 30, "enrolled": 10}

    assert reset_enrollments(plan, actor=admin_member.user) == 10
    assert es.enrollment_counts(plan=plan) == {"total": 30, "enrolled": 0}
    assert not es.beneficiary_statuses(plan=plan, status="enrolled").exists()
    assert es.beneficiary_statuses(plan=plan, status="not_enrolled").count() == 30
    history = list(es.enrollment_history(plan=plan))
    assert len(history) == 10
    batch = EnrollmentReset.objects.get(plan=plan)
    assert batch.count == 10 and batch.reset_by == admin_member.user
    assert all(e.reset_batch == batch and e.reset_by == admin_member.user and e.reset_at for e in history)
    entry = ActivityEntry.objects.get(tenant=tenant, verb="reset enrollments")
    assert entry.count == 10 and entry.object_id == str(plan.pk) and entry.actor == admin_member.user


def test_reset_twice_leaves_the_same_state_and_history(plan, tenant, admin_member):
    users = bulk_reps(tenant, 6)
    bulk_beneficiaries(plan, users, enroll_every=2)
    reset_enrollments(plan, actor=admin_member.user)
    before = list(PlanEnrollment.objects.filter(plan=plan).values_list("pk", "reset_at", "reset_batch_id"))
    assert reset_enrollments(plan, actor=admin_member.user) == 0
    after = list(PlanEnrollment.objects.filter(plan=plan).values_list("pk", "reset_at", "reset_batch_id"))
    assert before == after
    assert EnrollmentReset.objects.filter(plan=plan).count() == 1
    assert ActivityEntry.objects.filter(verb="reset enrollments").count() == 1


def test_reenroll_after_reset(plan, admin_member):
    user = rep_of(plan)
    first = enroll_in_plan(plan=plan, user=user, accepted=True)
    reset_enrollments(plan, actor=admin_member.user)
    assert es.current_enrollment(plan=plan, user=user) is None
    PlanDocumentFactory(plan=plan, version=2, body="Material change.")
    second = enroll_in_plan(plan=plan, user=user, accepted=True)
    assert second.pk != first.pk and second.document.version == 2
    assert es.current_enrollment(plan=plan, user=user) == second
    assert [e.pk for e in es.enrollment_history(plan=plan)] == [second.pk, first.pk]
    assert reset_enrollments(plan, actor=admin_member.user) == 1
    assert EnrollmentReset.objects.filter(plan=plan).count() == 2


def test_reset_touches_only_this_plan(plan, tenant, other_tenant, admin_member):
    other_plan = PlanFactory(tenant=tenant)
    foreign_plan = PlanFactory(tenant=other_tenant)
    EnrollmentFactory(plan=plan)
    kept = [EnrollmentFactory(plan=other_plan), EnrollmentFactory(plan=foreign_plan)]
    assert reset_enrollments(plan, actor=admin_member.user) == 1
    assert all(PlanEnrollment.objects.get(pk=e.pk).reset_at is None for e in kept)


def test_team_beneficiaries_are_reset_too(plan, tenant, admin_member):
    team = TeamFactory(tenant=tenant)
    user = member(tenant, "Sales Rep").user
    TeamMemberFactory(team=team, user=user)
    services.beneficiaries_add(plan=plan, actor=None, teams=[team])
    enroll_in_plan(plan=plan, user=user, accepted=True)
    assert es.enrollment_counts(plan=plan)["enrolled"] == 1
    assert reset_enrollments(plan, actor=admin_member.user) == 1
    assert es.enrollment_counts(plan=plan) == {"total": 1, "enrolled": 0}


# Calculations, credits, rewards --------------------------------------------------------------


def test_calculation_credits_users_and_teams_and_computes_rewards(plan, tenant, admin_member):
    rep = rep_of(plan)
    team = TeamFactory(tenant=tenant)
    mate = member(tenant, "Sales Rep").user
    TeamMemberFactory(team=team, user=mate)
    TeamMemberFactory(team=team, user=rep)
    services.beneficiaries_add(plan=plan, actor=None, teams=[team])
    outsider = member(tenant, "Sales Rep").user
    SalesTransactionFactory(tenant=tenant, rep=rep, amount=Decimal("1000.00"))
    SalesTransactionFactory(tenant=tenant, team=team, amount=Decimal("2000.00"))
    SalesTransactionFactory(tenant=tenant, rep=outsider, amount=Decimal("5000.00"))
    SalesTransactionFactory(tenant=tenant, rep=rep, amount=Decimal("9.00"), date=datetime.date(2026, 6, 1))
    SalesTransactionFactory(tenant=tenant, rep=rep, amount=Decimal("9.00"), currency="EUR")

    calc = services.calculation_run(
        plan=plan,
        actor=admin_member.user,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
    )
    assert Credit.objects.filter(calculation=calc).count() == 2
    rewards = {r.user: r.amount for r in Reward.objects.filter(calculation=calc)}
    assert rewards == {rep: Decimal("150.00"), mate: Decimal("100.00")}  # 5% of 3000 and of 2000
    assert not Reward.objects.filter(calculation=calc, released=True).exists()

    with pytest.raises(ValidationError, match="covers part"):
        services.calculation_run(
            plan=plan, actor=None, period_start=datetime.date(2026, 3, 1), period_end=datetime.date(2026, 4, 30)
        )
    assert services.calculation_release(calculation=calc, actor=admin_member.user) == 2
    assert services.calculation_release(calculation=calc, actor=admin_member.user) == 0
    assert Reward.objects.filter(calculation=calc, released=True, released_at__isnull=False).count() == 2
    assert set(selectors.released_rewards_of_user(tenant=tenant, user=rep)) == set(
        Reward.objects.filter(user=rep, calculation=calc)
    )


def test_delete_calculation_deletes_its_credits_and_rewards_only(plan, tenant, admin_member):
    calc = CalculationFactory(plan=plan)
    keep = CalculationFactory(plan=plan, period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 6, 30))
    for _ in range(3):
        CreditFactory(calculation=calc)
    CreditFactory(calculation=keep)
    RewardFactory(plan=plan, calculation=calc)
    RewardFactory(plan=plan, calculation=keep)
    expected = {"credits": 3, "credits_released": 0, "rewards": 1, "rewards_released": 1}
    assert selectors.calculation_deletion_counts(calculation=calc) == expected
    counts = services.calculation_delete(calculation=calc, actor=admin_member.user)
    assert counts == expected
    assert not Calculation.objects.filter(pk=calc.pk).exists()
    assert Credit.objects.filter(plan=plan).count() == 1 and Reward.objects.filter(plan=plan).count() == 1
    entry = ActivityEntry.objects.get(tenant=tenant, object_type="Calculation", action="delete")
    assert entry.changes == {
        "credits": [3, 0],
        "credits_released": [0, 0],
        "rewards": [1, 0],
        "rewards_released": [1, 0],
    }


def test_delete_plan_deletes_everything_of_the_plan(plan, tenant, admin_member):
    calc = CalculationFactory(plan=plan)
    CreditFactory(calculation=calc)
    RewardFactory(plan=plan, calculation=calc)
    user = rep_of(plan)
    enroll_in_plan(plan=plan, user=user, accepted=True)
    reset_enrollments(plan, actor=None)
    enroll_in_plan(plan=plan, user=user, accepted=True)
    other = PlanFactory(tenant=tenant)
    RewardFactory(plan=other)
    counts = services.plan_delete(plan=plan, actor=admin_member.user)
    assert counts == {
        "calculations": 1,
        "credits": 1,
        "credits_released": 0,
        "rewards": 1,
        "rewards_released": 1,
        "beneficiaries": 1,
        "enrollments": 2,
    }
    assert not Plan.objects.filter(pk=plan.pk).exists()
    assert not PlanBeneficiary.objects.filter(plan_id=plan.pk).exists()
    assert Reward.objects.filter(plan=other).count() == 1
    entry = ActivityEntry.objects.get(tenant=tenant, object_type="Plan", action="delete")
    assert entry.changes["rewards"] == [1, 0] and entry.object_label == "FY26 Sales Plan"


def test_reward_allows_negative_recoverable_amounts(tenant):
    user = member(tenant, "Sales Rep").user
    reward = RewardFactory(tenant=tenant, plan=None, user=user, amount=Decimal("-25.00"), recoverable=True)
    reward.full_clean()
    assert reward.tenant == tenant
