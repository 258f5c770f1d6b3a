"""Factories of the partners app, the realistic program the enrollment page tests share, and
bulk inserts of many enrollments for the query-count tests."""

import datetime as dt
from decimal import Decimal

import factory
from django.db import connection
from django.utils import timezone

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
    TierBenefit,
)
from partners.models.program import DEFAULT_TIERS
from partners.services import recalculate_enrollment
from tenancy.models import User
from tests.factories import MembershipFactory, TenantFactory, UserFactory, member

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


# --- A realistic program: the seed's four tiers, revenue, deal registrations and a custom
# criterion, three benefits, and enrolled partners -----------------------------------------------

BENEFITS = {
    "Partner Portal Access": ["Yes", "Yes", "Yes", "Yes"],
    "Margin Uplift": ["", "5%", "10%", "15%"],
    "MDF Allocation": ["", "$5,000", "$20,000", "$50,000"],
}


def program_with_criteria(tenant, *, name="Global Partner Program", extra_criteria=0):
    program = PartnerProgramFactory(tenant=tenant, name=name)
    revenue = CriterionFactory(program=program, name="Annual Partner Revenue", kind=CriterionKind.REVENUE)
    set_thresholds(revenue, [25_000, 100_000, 500_000, 1_000_000])
    regs = CriterionFactory(program=program, name="Deal Registrations", kind=CriterionKind.APPROVED_REGISTRATIONS)
    set_thresholds(regs, [3, 10, 25, 50])
    custom = CriterionFactory(program=program, name="Joint Business Plan", kind=CriterionKind.CUSTOM)
    set_thresholds(custom, [0, 1, 1, 1])
    for i in range(extra_criteria):
        c = CriterionFactory(program=program, name=f"Closed deals {i}", kind=CriterionKind.CLOSED_DEALS)
        set_thresholds(c, [1, 2, 3, 4])
    tiers = list(program.tiers.order_by("position"))
    for pos, (bname, values) in enumerate(BENEFITS.items()):
        benefit, _ = Benefit.objects.get_or_create(tenant=tenant, name=bname, defaults={"position": pos})
        TierBenefit.objects.bulk_create(
            [
                TierBenefit(tenant=tenant, tier=t, benefit=benefit, value=v)
                for t, v in zip(tiers, values, strict=True)
                if v
            ]
        )
    return program


def enrolled_partner(program, *, revenue=Decimal("125000"), registrations=15, account_name="Prairie Systems"):
    """An enrollment in Launch with some revenue and approved registrations, calculated."""
    enrollment = PartnerEnrollmentFactory(program=program, account__name=account_name)
    if revenue:
        OpportunityFactory(account=enrollment.account, amount=revenue, close_date=dt.date(2026, 3, 1))
    for _ in range(registrations):
        LeadFactory(account=enrollment.account)
    recalculate_enrollment(enrollment)
    enrollment.refresh_from_db()
    return enrollment


def enrollment_url(tenant, enrollment, suffix=""):
    """The URL of an enrollment's page (``suffix``: ``edit/``, ``recalculate/`` …)."""
    return f"/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/{suffix}"


def manager(tenant):
    return member(tenant, "Partner Program Tiers Access")


# --- Many enrollments fast (bulk inserts), for the query-count tests and benchmarks -------------


def bulk_enrollments(program, n: int, *, prefix: str = "Bulk") -> None:
    tenant = program.tenant
    tiers = list(program.tiers.order_by("position"))
    users = User.objects.bulk_create(
        [User(email=f"{prefix.lower()}{i}@{tenant.slug}.test", full_name=f"{prefix} User {i}") for i in range(n)]
    )
    accounts = PartnerAccount.objects.bulk_create(
        [PartnerAccount(tenant=tenant, name=f"{prefix} Partner {i:05d}") for i in range(n)]
    )
    pus = PartnerUser.objects.bulk_create(
        [
            PartnerUser(tenant=tenant, account=a, user=u, is_partner_admin=True)
            for a, u in zip(accounts, users, strict=True)
        ]
    )
    now = timezone.now()
    PartnerEnrollment.objects.bulk_create(
        [
            PartnerEnrollment(
                tenant=tenant,
                program=program,
                account=a,
                tier=tiers[i % len(tiers)],
                next_tier=tiers[i % len(tiers) + 1] if i % len(tiers) + 1 < len(tiers) else None,
                progress_percent=Decimal(i % 100),
                enrollment_date=dt.date(2026, 1, 1),
                expiration_date=dt.date(2026, 12, 31) + dt.timedelta(days=i % 400),
                primary_partner_user=pu,
                last_calculated=now - dt.timedelta(days=i % 20),
                progress_changed_at=now - dt.timedelta(days=i % 90),
            )
            for i, (a, pu) in enumerate(zip(accounts, pus, strict=True))
        ],
        batch_size=1000,
    )


def hashed_grouping_statements() -> int:
    """The statements around each grouping marked ``common.planner.groups_by_hash`` (a
    criterion's records by currency and date): on PostgreSQL, ``enable_sort`` turned off for it
    and back; none elsewhere."""
    return 2 if connection.vendor == "postgresql" else 0
