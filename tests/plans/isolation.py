from tests.factories import member
from tests.isolation import provides
from tests.plans.factories import BeneficiaryFactory, CalculationFactory, PlanFactory, TeamFactory


@provides("plan_id")
def plan(tenant):
    return PlanFactory(tenant=tenant).pk


@provides("calculation_id")
def calculation(tenant):
    return CalculationFactory(plan=PlanFactory(tenant=tenant)).pk


@provides("beneficiary_id")
def beneficiary(tenant):
    return BeneficiaryFactory(plan=PlanFactory(tenant=tenant), user=member(tenant, "Sales Rep").user).pk


@provides("team_id")
def team(tenant):
    return TeamFactory(tenant=tenant).pk


@provides("reset_id")
def enrollment_reset(tenant):
    from enrollments.models import EnrollmentReset

    return EnrollmentReset.objects.create(tenant=tenant, plan=PlanFactory(tenant=tenant), count=0).pk
