"""Factories of plans, teams, beneficiaries, enrollments, credits, calculations and rewards.
Each takes its tenant from its parent, so objects never straddle tenants."""

import datetime
from decimal import Decimal

import factory

from enrollments.models import PlanEnrollment
from plans.models import (
    Calculation,
    Credit,
    Plan,
    PlanBeneficiary,
    PlanDocument,
    Reward,
    SalesTransaction,
    Team,
    TeamMember,
)
from tests.factories import TenantFactory, UserFactory


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Plan {n}")
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 12, 31)
    currency = "USD"
    status = "active"
    legally_protected = True
    enrollment_option = "checkbox"
    commission_rate = Decimal("5.000")


class PlanDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanDocument

    plan = factory.SubFactory(PlanFactory)
    tenant = factory.SelfAttribute("plan.tenant")
    version = 1
    title = "Terms"
    body = "The plan pays 5% of every credited sale."


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(TeamFactory)
    tenant = factory.SelfAttribute("team.tenant")
    user = factory.SubFactory(UserFactory)


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    """A user beneficiary by default; pass ``team=`` (and ``user=None``) for a team."""

    class Meta:
        model = PlanBeneficiary

    plan = factory.SubFactory(PlanFactory)
    tenant = factory.SelfAttribute("plan.tenant")
    user = factory.SubFactory(UserFactory)
    team = None


class SalesTransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesTransaction

    tenant = factory.SubFactory(TenantFactory)
    external_id = factory.Sequence(lambda n: f"TX-{n:06d}")
    date = datetime.date(2026, 3, 15)
    amount = Decimal("1000.00")
    currency = "USD"
    customer = "Initech"


class CalculationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Calculation

    plan = factory.SubFactory(PlanFactory)
    tenant = factory.SelfAttribute("plan.tenant")
    name = factory.Sequence(lambda n: f"Run {n}")
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 3, 31)


class CreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credit

    calculation = factory.SubFactory(CalculationFactory)
    plan = factory.SelfAttribute("calculation.plan")
    tenant = factory.SelfAttribute("calculation.tenant")
    transaction = factory.SubFactory(SalesTransactionFactory, tenant=factory.SelfAttribute("..tenant"))
    user = factory.SubFactory(UserFactory)
    team = None
    amount = Decimal("1000.00")
    currency = "USD"


class RewardFactory(factory.django.DjangoModelFactory):
    """A reward on a plan; ``RewardFactory(tenant=t, plan=None, user=u, recoverable=True)`` for a
    stand-alone recoverable reward (advance or repayment)."""

    class Meta:
        model = Reward

    plan = factory.SubFactory(PlanFactory)
    tenant = factory.LazyAttribute(lambda o: o.plan.tenant if o.plan else TenantFactory())
    calculation = None
    user = factory.SubFactory(UserFactory)
    amount = Decimal("50.00")
    currency = "USD"
    released = True


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanEnrollment

    plan = factory.SubFactory(PlanFactory)
    tenant = factory.SelfAttribute("plan.tenant")
    user = factory.SubFactory(UserFactory)
    method = "checkbox"
    ip_address = "203.0.113.5"
