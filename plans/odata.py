"""OData entity sets of the plans app: Plans, Teams, Transactions, Calculations, Credits, Rewards
(declared here, served by the api app). Querysets are tenant-wide versions of this app's
selectors; to-one relations are navigation properties, joined in the same query by $expand."""

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.functions import Coalesce

from api.edm import BOOLEAN, INT64, EntitySet, Nav, Prop, register

from .models import REQUIRED_OPTIONS, Calculation, Credit, Plan, Reward, SalesTransaction, Team
from .selectors import plan_list, team_list


def odata_plans(tenant):
    requires = Q(legally_protected=True) & Q(enrollment_option__in=[str(o) for o in REQUIRED_OPTIONS])
    return plan_list(tenant=tenant).annotate(
        odata_requires_enrollment=ExpressionWrapper(requires, output_field=BooleanField()),
        odata_beneficiary_count=Coalesce("beneficiary_count", 0),
    )


register(
    EntitySet(
        name="Plans",
        type_name="Plan",
        model=Plan,
        queryset=odata_plans,
        props=[
            Prop("Id", "id"),
            Prop("Name", "name"),
            Prop("Description", "description"),
            Prop("PeriodStart", "period_start"),
            Prop("PeriodEnd", "period_end"),
            Prop("Currency", "currency"),
            Prop("Status", "status"),
            Prop("LegallyProtected", "legally_protected"),
            Prop("EnrollmentOption", "enrollment_option"),
            Prop("RequiresEnrollment", "odata_requires_enrollment", edm=BOOLEAN, nullable=False),
            Prop("CommissionRate", "commission_rate"),
            Prop("BeneficiaryCount", "odata_beneficiary_count", edm=INT64, nullable=False),
            Prop("CreatedAt", "created_at"),
            Prop("CreatedById", "created_by_id"),
        ],
        navs=[Nav("CreatedBy", "Users", "created_by")],
    )
)

register(
    EntitySet(
        name="Teams",
        type_name="Team",
        model=Team,
        queryset=lambda tenant: team_list(tenant=tenant).annotate(odata_member_count=Coalesce("member_count", 0)),
        props=[
            Prop("Id", "id"),
            Prop("Name", "name"),
            Prop("MemberCount", "odata_member_count", edm=INT64, nullable=False),
            Prop("CreatedAt", "created_at"),
        ],
    )
)

register(
    EntitySet(
        name="Transactions",
        type_name="Transaction",
        model=SalesTransaction,
        queryset=lambda tenant: SalesTransaction.objects.filter(tenant=tenant),
        props=[
            Prop("Id", "id"),
            Prop("ExternalId", "external_id"),
            Prop("Date", "date"),
            Prop("Amount", "amount"),
            Prop("Currency", "currency"),
            Prop("Customer", "customer"),
            Prop("Description", "description"),
            Prop("RepId", "rep_id"),
            Prop("TeamId", "team_id"),
            Prop("CreatedAt", "created_at"),
        ],
        navs=[Nav("Rep", "Users", "rep"), Nav("Team", "Teams", "team")],
    )
)

register(
    EntitySet(
        name="Calculations",
        type_name="Calculation",
        model=Calculation,
        queryset=lambda tenant: Calculation.objects.filter(tenant=tenant),
        props=[
            Prop("Id", "id"),
            Prop("PlanId", "plan_id"),
            Prop("Name", "name"),
            Prop("PeriodStart", "period_start"),
            Prop("PeriodEnd", "period_end"),
            Prop("Status", "status"),
            Prop("CalculatedAt", "calculated_at"),
            Prop("ReleasedAt", "released_at"),
        ],
        navs=[Nav("Plan", "Plans", "plan")],
    )
)

register(
    EntitySet(
        name="Credits",
        type_name="Credit",
        model=Credit,
        queryset=lambda tenant: Credit.objects.filter(tenant=tenant),
        props=[
            Prop("Id", "id"),
            Prop("PlanId", "plan_id"),
            Prop("CalculationId", "calculation_id"),
            Prop("TransactionId", "transaction_id"),
            Prop("UserId", "user_id"),
            Prop("TeamId", "team_id"),
            Prop("Amount", "amount"),
            Prop("Currency", "currency"),
            Prop("Released", "released"),
            Prop("CreatedAt", "created_at"),
        ],
        navs=[
            Nav("Plan", "Plans", "plan"),
            Nav("Calculation", "Calculations", "calculation"),
            Nav("Transaction", "Transactions", "transaction"),
            Nav("User", "Users", "user"),
            Nav("Team", "Teams", "team"),
        ],
    )
)

register(
    EntitySet(
        name="Rewards",
        type_name="Reward",
        model=Reward,
        queryset=lambda tenant: Reward.objects.filter(tenant=tenant),
        props=[
            Prop("Id", "id"),
            Prop("PlanId", "plan_id"),
            Prop("CalculationId", "calculation_id"),
            Prop("UserId", "user_id"),
            Prop("Amount", "amount"),
            Prop("Currency", "currency"),
            Prop("Released", "released"),
            Prop("ReleasedAt", "released_at"),
            Prop("Recoverable", "recoverable"),
            Prop("Reason", "reason"),
            Prop("CreatedAt", "created_at"),
            Prop("ClearedAt", "cleared_at"),
        ],
        navs=[
            Nav("Plan", "Plans", "plan"),
            Nav("Calculation", "Calculations", "calculation"),
            Nav("User", "Users", "user"),
        ],
    )
)
