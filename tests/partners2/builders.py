"""A realistic program for the enrollment page tests: the seed's four tiers, revenue, deal
registrations, certifications and a custom criterion, three benefits, one enrollment."""

import datetime as dt
from decimal import Decimal

from partners.models import Benefit, CriterionKind, TierBenefit
from partners.services import recalculate_enrollment
from tests.factories import member
from tests.partners.factories import (
    CriterionFactory,
    LeadFactory,
    OpportunityFactory,
    PartnerEnrollmentFactory,
    PartnerProgramFactory,
    set_thresholds,
)

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


def manager(tenant):
    return member(tenant, "Partner Program Tiers Access")
