from partners.models import CriterionKind
from tests.isolation import provides
from tests.partners import factories as f


@provides("program_id")
def program(tenant):
    return f.PartnerProgramFactory(tenant=tenant).pk


@provides("tier_id")
def tier(tenant):
    return f.PartnerProgramFactory(tenant=tenant).tiers.order_by("position").first().pk


@provides("criterion_id")
def criterion(tenant):
    return f.CriterionFactory(program__tenant=tenant, kind=CriterionKind.REVENUE).pk


@provides("benefit_id")
def benefit(tenant):
    return f.BenefitFactory(tenant=tenant).pk


@provides("account_id")
def account(tenant):
    return f.PartnerAccountFactory(tenant=tenant).pk


@provides("partner_user_id")
def partner_user(tenant):
    return f.PartnerUserFactory(account__tenant=tenant).pk


@provides("opportunity_id")
def opportunity(tenant):
    return f.OpportunityFactory(account__tenant=tenant).pk


@provides("lead_id")
def lead(tenant):
    return f.LeadFactory(account__tenant=tenant).pk


@provides("assignment_id")
def assignment(tenant):
    return f.CourseAssignmentFactory(partner_user__account__tenant=tenant).pk


@provides("rate_id")
def rate(tenant):
    return f.CurrencyRateFactory(tenant=tenant).pk


@provides("enrollment_id")
def enrollment(tenant):
    return f.PartnerEnrollmentFactory(program__tenant=tenant).pk
