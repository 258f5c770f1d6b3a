import datetime as dt
from decimal import Decimal

import factory

from partners.models import (
    Benefit,
    CourseAssignment,
    Criterion,
    CriterionKind,
    CriterionThreshold,
    CurrencyRate,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStage,
    PartnerAccount,
    PartnerEnrollment,
    PartnerProgram,
    PartnerUser,
    Tier,
)
from partners.models.program import DEFAULT_TIERS
from tests.factories import MembershipFactory, TenantFactory, UserFactory

START = dt.date(2026, 1, 1)
END = dt.date(2026, 12, 31)


class PartnerProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerProgram
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Partner Program {n}")
    currency = "USD"

    @factory.post_generation
    def tiers(self, create, extracted, **kwargs):
        names = DEFAULT_TIERS if extracted is None else extracted
        Tier.objects.bulk_create(
            [Tier(tenant=self.tenant, program=self, name=n, position=i) for i, n in enumerate(names, start=1)]
        )


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    program = factory.SubFactory(PartnerProgramFactory)
    tenant = factory.SelfAttribute("program.tenant")
    name = factory.Sequence(lambda n: f"Tier {n}")
    position = factory.Sequence(lambda n: 100 + n)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    program = factory.SubFactory(PartnerProgramFactory)
    tenant = factory.SelfAttribute("program.tenant")
    name = factory.Sequence(lambda n: f"Criterion {n}")
    kind = CriterionKind.REVENUE
    rollup_field = factory.LazyAttribute(lambda o: "amount" if o.kind == CriterionKind.REVENUE else "")
    attainment_date_field = factory.LazyAttribute(
        lambda o: {
            CriterionKind.REVENUE: "close_date",
            CriterionKind.CLOSED_DEALS: "close_date",
            CriterionKind.APPROVED_REGISTRATIONS: "approval_date",
            CriterionKind.REGISTERED_DEALS: "created_date",
            CriterionKind.CERTIFICATIONS: "completed_date",
        }.get(o.kind, "")
    )
    conditions = factory.LazyFunction(list)
    position = factory.Sequence(lambda n: n)


def set_thresholds(criterion: Criterion, values) -> None:
    """Thresholds in tier order (values may be numbers or None)."""
    tiers = list(criterion.program.tiers.order_by("position"))
    CriterionThreshold.objects.bulk_create(
        [
            CriterionThreshold(tenant=criterion.tenant, criterion=criterion, tier=t, value=Decimal(str(v)))
            for t, v in zip(tiers, values, strict=False)
            if v is not None
        ]
    )


class BenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benefit

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Benefit {n}")


class PartnerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAccount

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Partner {n} Ltd")


class PartnerUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerUser
        skip_postgeneration_save = True

    account = factory.SubFactory(PartnerAccountFactory)
    tenant = factory.SelfAttribute("account.tenant")
    user = factory.SubFactory(UserFactory)
    is_partner_admin = False

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create:
            MembershipFactory(tenant=self.tenant, user=self.user, role_name="Partner User")


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    account = factory.SubFactory(PartnerAccountFactory)
    tenant = factory.SelfAttribute("account.tenant")
    owner = None
    name = factory.Sequence(lambda n: f"Deal {n}")
    amount = Decimal("1000.00")
    currency = "USD"
    stage = OpportunityStage.CLOSED_WON
    close_date = dt.date(2026, 3, 1)
    created_date = dt.date(2026, 2, 1)


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    account = factory.SubFactory(PartnerAccountFactory)
    tenant = factory.SelfAttribute("account.tenant")
    owner = None
    company = factory.Sequence(lambda n: f"Prospect {n}")
    status = LeadStatus.APPROVED
    approval_date = dt.date(2026, 3, 1)
    created_date = dt.date(2026, 2, 1)


class CourseAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseAssignment

    partner_user = factory.SubFactory(PartnerUserFactory)
    tenant = factory.SelfAttribute("partner_user.tenant")
    course_name = factory.Sequence(lambda n: f"Sales Certification {n}")
    assigned_date = dt.date(2026, 2, 1)
    completed_date = dt.date(2026, 3, 1)


class CurrencyRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CurrencyRate

    tenant = factory.SubFactory(TenantFactory)
    date = factory.Sequence(lambda n: dt.date(2020, 1, 1) + dt.timedelta(days=n))
    from_currency = "EUR"
    to_currency = "USD"
    rate = Decimal("1.10")


class PartnerEnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerEnrollment

    program = factory.SubFactory(PartnerProgramFactory)
    tenant = factory.SelfAttribute("program.tenant")
    account = factory.SubFactory(PartnerAccountFactory, tenant=factory.SelfAttribute("..tenant"))
    tier = factory.LazyAttribute(lambda o: o.program.tiers.order_by("position").first())
    enrollment_date = START
    expiration_date = END
    primary_partner_user = factory.SubFactory(
        PartnerUserFactory, account=factory.SelfAttribute("..account"), is_partner_admin=True
    )


def tier(program, name) -> Tier:
    return program.tiers.get(name=name)
