"""OData entity sets of partner programs (declared here, served by the api app):
PartnerEnrollments (tier, dates, progress toward the next tier, last calculated) and
PartnerProgress (one row per enrollment and criterion: value, the next tier's threshold, whether
it is met, percent), both as the progress engine last stored them."""

from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, Subquery

from api.edm import BOOLEAN, DECIMAL, EntitySet, Nav, Prop, register

from .models import CriterionResult, CriterionThreshold, PartnerEnrollment
from .selectors import enrollment_list


def odata_partner_progress(tenant):
    threshold = CriterionThreshold.objects.filter(
        tenant=tenant, criterion=OuterRef("criterion"), tier=OuterRef("enrollment__next_tier")
    ).values("value")[:1]
    return (
        CriterionResult.objects.filter(tenant=tenant)
        .annotate(odata_next_threshold=Subquery(threshold))
        .annotate(
            odata_met_next=ExpressionWrapper(Q(value__gte=F("odata_next_threshold")), output_field=BooleanField())
        )
    )


register(
    EntitySet(
        name="PartnerEnrollments",
        type_name="PartnerEnrollment",
        model=PartnerEnrollment,
        queryset=lambda tenant: enrollment_list(tenant=tenant),
        props=[
            Prop("Id", "id"),
            Prop("ProgramId", "program_id"),
            Prop("Program", "program__name"),
            Prop("AccountId", "account_id"),
            Prop("Account", "account__name"),
            Prop("TierId", "tier_id"),
            Prop("Tier", "tier__name"),
            Prop("EnrollmentDate", "enrollment_date"),
            Prop("ExpirationDate", "expiration_date"),
            Prop("PrimaryPartnerUserId", "primary_partner_user__user_id"),
            Prop("PrimaryPartnerUserEmail", "primary_partner_user__user__email"),
            Prop("ProgressPercent", "progress_percent"),
            Prop("NextTier", "next_tier__name"),
            Prop("QualifyingTier", "qualifying_tier__name"),
            Prop("LastCalculated", "last_calculated"),
            Prop("ProgressChangedAt", "progress_changed_at"),
            Prop("CreatedAt", "created_at"),
        ],
        navs=[Nav("PrimaryPartnerUser", "Users", "primary_partner_user__user")],
    )
)

register(
    EntitySet(
        name="PartnerProgress",
        type_name="PartnerCriterionProgress",
        model=CriterionResult,
        queryset=odata_partner_progress,
        props=[
            Prop("Id", "id"),
            Prop("PartnerEnrollmentId", "enrollment_id"),
            Prop("CriterionId", "criterion_id"),
            Prop("Criterion", "criterion__name"),
            Prop("Kind", "criterion__kind"),
            Prop("Value", "value"),
            Prop("NextTierThreshold", "odata_next_threshold", edm=DECIMAL, precision=18, scale=2, nullable=True),
            Prop("MetNextTier", "odata_met_next", edm=BOOLEAN, nullable=True),
            Prop("Percent", "percent"),
            Prop("Required", "required"),
            Prop("CalculatedAt", "calculated_at"),
        ],
        navs=[Nav("PartnerEnrollment", "PartnerEnrollments", "enrollment")],
    )
)
