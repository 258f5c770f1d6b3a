"""OData entity set of formal plan enrollments (declared here, served by the api app).

Every acceptance is listed, the ones hidden by Reset Enrollments included: ``IsReset`` and
``ResetAt`` mark them, so ``$filter=IsReset eq false`` gives the current enrollments. An
acceptance that Undo reset brought back is current again (``IsReset`` false) and records the
undo: ``RestoredAt`` and ``RestoredFromResetId`` (the reset that was undone)."""

from django.db.models import BooleanField, ExpressionWrapper, Q

from api.edm import BOOLEAN, EntitySet, Nav, Prop, register

from .models import PlanEnrollment


def odata_enrollments(tenant):
    return PlanEnrollment.objects.filter(tenant=tenant).annotate(
        odata_is_reset=ExpressionWrapper(Q(reset_at__isnull=False), output_field=BooleanField())
    )


register(
    EntitySet(
        name="Enrollments",
        type_name="Enrollment",
        model=PlanEnrollment,
        queryset=odata_enrollments,
        props=[
            Prop("Id", "id"),
            Prop("PlanId", "plan_id"),
            Prop("UserId", "user_id"),
            Prop("TermsVersion", "document__version"),
            Prop("Method", "method"),
            Prop("Signature", "signature"),
            Prop("IpAddress", "ip_address"),
            Prop("EnrolledAt", "enrolled_at"),
            Prop("IsReset", "odata_is_reset", edm=BOOLEAN, nullable=False),
            Prop("ResetAt", "reset_at"),
            Prop("ResetBatchId", "reset_batch_id"),
            Prop("RestoredAt", "restored_at"),
            Prop("RestoredFromResetId", "restored_from_id"),
        ],
        navs=[Nav("Plan", "Plans", "plan"), Nav("User", "Users", "user")],
    )
)
