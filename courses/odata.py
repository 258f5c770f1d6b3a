"""OData entity sets of courses (declared here, served by the api app): CourseEnrollments with the
stored and the effective E/U/X status and the effective expiry (as access sees them today, even
before the sweep writes the X), and SalesOrders."""

from api.edm import DATE, INT64, STRING, EntitySet, Nav, Prop, register

from .access import today_for, with_effective_status
from .models import CourseEnrollment, SalesOrder
from .selectors.sales_orders import sales_order_list


def odata_course_enrollments(tenant):
    return with_effective_status(CourseEnrollment.objects.filter(tenant=tenant), today=today_for(tenant))


register(
    EntitySet(
        name="CourseEnrollments",
        type_name="CourseEnrollment",
        model=CourseEnrollment,
        queryset=odata_course_enrollments,
        props=[
            Prop("Id", "id"),
            Prop("UserId", "learner__user_id"),
            Prop("LearnerEmail", "learner__user__email"),
            Prop("LearnerActive", "learner__is_active"),
            Prop("CourseId", "course_id"),
            Prop("Course", "course__name"),
            Prop("VersionNumber", "version__number"),
            Prop("Status", "effective_status", edm=STRING, max_length=1, nullable=False),
            Prop("StoredStatus", "status"),
            Prop("EffectiveExpiry", "effective_expiry", edm=DATE, nullable=True),
            Prop("ManualExpirationDate", "manual_expiration_date"),
            Prop("SalesOrderId", "sales_order_id"),
            Prop("EnrolledAt", "enrolled_at"),
            Prop("StatusChangedAt", "status_changed_at"),
            Prop("ExpiredAt", "expired_at"),
            Prop("ExpiredByHand", "expired_by_hand"),
        ],
        navs=[Nav("User", "Users", "learner__user"), Nav("SalesOrder", "SalesOrders", "sales_order")],
    )
)

register(
    EntitySet(
        name="SalesOrders",
        type_name="SalesOrder",
        model=SalesOrder,
        queryset=lambda tenant: sales_order_list(tenant=tenant),
        props=[
            Prop("Id", "id"),
            Prop("NetSuiteId", "netsuite_id"),
            Prop("TranId", "tran_id"),
            Prop("Customer", "customer"),
            Prop("StartDate", "start_date"),
            Prop("EndDate", "end_date"),
            Prop("Status", "status"),
            Prop("Source", "source"),
            Prop("LastModified", "last_modified"),
            Prop("LastSyncedAt", "last_synced_at"),
            Prop("CreatedAt", "created_at"),
            Prop("EnrollmentCount", "enrollment_count", edm=INT64, nullable=False),
        ],
    )
)
