"""Tables of the courses app: the Learning admin pages (courses, a course's Users panel, sales
orders, user groups), then the client admin dashboard and the course email log."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from common.tables import PortalTable
from common.urls import reverse

from .access import access_line
from .models import Course, CourseEnrollment, NotificationLog, NotificationStatus, SalesOrder, UserGroup

STATUS_BADGE = {"E": "badge-enrolled", "U": "badge-muted", "X": "badge-expired"}
STATUS_TITLE = {"E": "Enrolled", "U": "Unenrolled", "X": "Expired"}


def _us(value):
    return value.strftime("%m/%d/%Y") if value else "—"


class CourseTable(PortalTable):
    name = tables.Column(linkify=False)
    current_number = tables.Column(verbose_name="Current version")
    enrolled_count = tables.Column(verbose_name="Enrolled (E)")
    unenrolled_count = tables.Column(verbose_name="Unenrolled (U)")
    expired_count = tables.Column(verbose_name="Expired (X)")

    class Meta(PortalTable.Meta):
        model = Course
        fields = ("name", "current_number", "enrolled_count", "unenrolled_count", "expired_count")

    def render_name(self, record, value):
        url = reverse("courses:course_detail", kwargs={"tenant_slug": self.request.tenant.slug, "course_id": record.pk})
        return format_html('<a href="{}">{}</a>', url, value)

    def render_current_number(self, value):
        return f"v{value}" if value else "—"


class EnrollmentTable(PortalTable):
    """The Users panel. ``effective_status``/``effective_expiry`` come from courses.access."""

    select = tables.Column(
        empty_values=(), orderable=False, exclude_from_export=True, verbose_name="", attrs={"td": {"class": "select"}}
    )
    name = tables.Column(accessor="learner__user__full_name", verbose_name="Name")
    email = tables.Column(accessor="learner__user__email", verbose_name="Email")
    effective_status = tables.Column(verbose_name="Enrollment")
    sales_order = tables.Column(accessor="sales_order__tran_id", verbose_name="Sales order", default="—")
    effective_expiry = tables.Column(verbose_name="Last day of access")
    version = tables.Column(accessor="version__number", verbose_name="Version")
    status_changed_at = tables.Column(verbose_name="Status changed")
    active = tables.BooleanColumn(accessor="learner__is_active", verbose_name="Active")

    class Meta(PortalTable.Meta):
        model = CourseEnrollment
        fields = (
            "select",
            "name",
            "email",
            "effective_status",
            "sales_order",
            "effective_expiry",
            "version",
            "status_changed_at",
            "active",
        )
        row_attrs = {
            "class": lambda record: "" if record.learner.is_active else "inactive",
            "data-status": lambda record: record.effective_status,
        }

    def render_select(self, record):
        if not record.learner.is_active:
            return format_html(
                '<input type="checkbox" disabled aria-label="Inactive: reactivate {} first" '
                'title="Inactive learner: reactivate them before changing this enrollment.">',
                record.learner.user.email,
            )
        return format_html(
            '<input type="checkbox" name="enrollment" value="{}" aria-label="Select {}">',
            record.pk,
            record.learner.user.email,
        )

    def render_effective_status(self, value, record):
        title = STATUS_TITLE[value]
        if value == "X" and record.status == "E":
            title = "Expired (past its expiry; the sweep has not written it yet)"
        return format_html('<span class="badge {}" title="{}">{}</span>', STATUS_BADGE[value], title, value)

    def value_effective_status(self, value):
        return value

    def render_effective_expiry(self, value, record):
        if record.effective_status == "X" and record.expired_by_hand and record.expired_at:
            return format_html(
                '{} <span class="muted small">expired by hand</span>', _us(timezone.localtime(record.expired_at))
            )
        if value is None:
            return "—"
        if record.manual_expiration_date:
            return format_html('{} <span class="muted small">manual</span>', _us(value))
        return _us(value)

    def value_effective_expiry(self, value):
        return value.isoformat() if value else ""

    def render_version(self, value):
        return f"v{value}"

    def render_status_changed_at(self, value):
        from common.templatetags.portal import us_datetime

        return us_datetime(value)


class SalesOrderTable(PortalTable):
    tran_id = tables.Column(verbose_name="Sales order #")
    customer = tables.Column()
    start_date = tables.Column(verbose_name="Start")
    end_date = tables.Column(verbose_name="End")
    status = tables.Column()
    source = tables.Column()
    netsuite_id = tables.Column(verbose_name="NetSuite id")
    enrollment_count = tables.Column(verbose_name="Enrollments")
    last_synced_at = tables.Column(verbose_name="Last synced")

    class Meta(PortalTable.Meta):
        model = SalesOrder
        fields = (
            "tran_id",
            "customer",
            "start_date",
            "end_date",
            "status",
            "source",
            "netsuite_id",
            "enrollment_count",
            "last_synced_at",
        )

    def render_tran_id(self, record, value):
        url = reverse(
            "courses:sales_order_edit",
            kwargs={"tenant_slug": self.request.tenant.slug, "sales_order_id": record.pk},
        )
        return format_html('<a href="{}">{}</a>', url, value)

    def value_tran_id(self, value):
        return value

    def render_start_date(self, value):
        return _us(value)

    def render_end_date(self, value):
        return _us(value)

    def render_source(self, record):
        return record.get_source_display()

    def render_last_synced_at(self, value):
        from common.templatetags.portal import us_datetime

        return us_datetime(value)


class UserGroupTable(PortalTable):
    name = tables.Column()
    member_count = tables.Column(verbose_name="Learners")

    class Meta(PortalTable.Meta):
        model = UserGroup
        fields = ("name", "member_count")

    def render_name(self, record, value):
        url = reverse(
            "courses:user_group_edit", kwargs={"tenant_slug": self.request.tenant.slug, "user_group_id": record.pk}
        )
        return format_html('<a href="{}">{}</a>', url, value)

    def value_name(self, value):
        return value


# --- Client admin dashboard and course emails ------------------------------------------------------

STATUS_BADGES = {
    "E": ("badge-ok", "Enrolled"),
    "U": ("badge-muted", "Unenrolled"),
    "X": ("badge-expired", "Expired"),
}


def status_badge(status: str):
    css, label = STATUS_BADGES.get(status, ("badge-muted", status))
    return format_html('<span class="badge {}">{}</span>', css, label)


class DashboardTable(PortalTable):
    learner = tables.Column(
        verbose_name="Learner", accessor="learner__user__full_name", order_by="learner__user__email"
    )
    email = tables.Column(verbose_name="Email", accessor="learner__user__email")
    course = tables.Column(verbose_name="Course", accessor="course__name")
    status = tables.Column(verbose_name="Enrollment status", accessor="effective_status")
    sales_order = tables.Column(verbose_name="Sales order", accessor="sales_order__tran_id")
    effective_expiry = tables.Column(verbose_name="Last day of access")
    expired_at = tables.DateTimeColumn(verbose_name="Expired at", format="m/d/Y h:i A")
    groups = tables.Column(verbose_name="Groups", accessor="pk", orderable=False)

    class Meta(PortalTable.Meta):
        model = CourseEnrollment
        fields = ()
        sequence = ("learner", "email", "course", "status", "sales_order", "effective_expiry", "expired_at", "groups")
        row_attrs = {
            "class": lambda record: "inactive" if not record.learner.is_active else "",
            "data-status": lambda record: record.effective_status,
        }
        empty_text = "No learners match these filters."

    def render_learner(self, record):
        return record.learner.user.full_name or record.learner.user.email

    def render_status(self, value):
        return status_badge(value)

    def render_effective_expiry(self, value, record):
        return access_line(record, status=record.effective_status, zone=timezone.get_current_timezone())

    def value_effective_expiry(self, value, record):
        return self.render_effective_expiry(value, record)

    def value_status(self, value):
        return STATUS_BADGES.get(value, ("", value))[1]

    @staticmethod
    def _group_names(record) -> list[str]:
        return [m.group.name for m in record.learner.groups_by_name]  # prefetched, by name

    def render_groups(self, record):
        names = self._group_names(record)
        if not names:
            return "—"
        return format_html_join(", ", "{}", ((name,) for name in names))

    def value_groups(self, record):
        return ", ".join(self._group_names(record))


class NotificationLogTable(PortalTable):
    created_at = tables.DateTimeColumn(verbose_name="When", format="m/d/Y h:i A")
    email = tables.Column(verbose_name="Email")
    recipient = tables.Column(verbose_name="To", accessor="to_address")
    course = tables.Column(verbose_name="Course", accessor="course__name", default="—")
    about_date = tables.DateColumn(verbose_name="About (last day of access)", format="m/d/Y", default="")
    status = tables.Column(verbose_name="Status")
    reason = tables.Column(verbose_name="Why", default="")

    class Meta(PortalTable.Meta):
        model = NotificationLog
        fields = ()
        sequence = ("created_at", "email", "recipient", "course", "about_date", "status", "reason")
        empty_text = "No emails yet."

    def render_status(self, value, record):
        css = "badge-ok" if value == NotificationStatus.SENT else "badge-warn"
        return format_html('<span class="badge {}">{}</span>', css, record.get_status_display())

    def value_status(self, value, record):
        return record.get_status_display()

    def render_email(self, value, record):
        return record.get_email_display()

    def value_email(self, value, record):
        return record.get_email_display()
