"""Tables and filters of the client admin dashboard and the notification log."""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.utils.html import format_html, format_html_join

from common.filters import TenantFilterSet
from common.tables import PortalTable

from .access import effectively_expired_q, today_for
from .models import Course, CourseEnrollment, Email, NotificationLog, NotificationStatus, SalesOrder, UserGroup

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
    effective_expiry = tables.DateColumn(verbose_name="Expires", format="m/d/Y")
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

    def value_status(self, value):
        return STATUS_BADGES.get(value, ("", value))[1]

    def render_groups(self, record):
        groups = list(record.learner.user_groups.all())
        if not groups:
            return "—"
        return format_html_join(", ", "{}", ((g.name,) for g in groups))

    def value_groups(self, record):
        return ", ".join(g.name for g in record.learner.user_groups.all())


class DashboardFilter(TenantFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    expired = django_filters.BooleanFilter(
        method="filter_expired", label="Enrollment Expired", widget=forms.CheckboxInput
    )
    course = django_filters.ModelChoiceFilter(queryset=Course.objects.none(), label="Course")
    group = django_filters.ModelChoiceFilter(queryset=UserGroup.objects.none(), label="Group", method="filter_group")
    sales_order = django_filters.ModelChoiceFilter(queryset=SalesOrder.objects.none(), label="Sales order")

    class Meta:
        model = CourseEnrollment
        fields = ["q", "expired", "course", "group", "sales_order"]

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, tenant=tenant, **kwargs)
        self.filters["course"].queryset = Course.objects.filter(tenant=tenant).order_by("name")
        self.filters["group"].queryset = UserGroup.objects.filter(tenant=tenant).order_by("name")
        self.filters["sales_order"].queryset = SalesOrder.objects.filter(tenant=tenant).order_by("tran_id")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(learner__user__email__icontains=value) | Q(learner__user__full_name__icontains=value))

    def filter_expired(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(effectively_expired_q(today_for(self.tenant)))

    def filter_group(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(learner__group_memberships__group=value)


class NotificationLogTable(PortalTable):
    created_at = tables.DateTimeColumn(verbose_name="When", format="m/d/Y h:i A")
    email = tables.Column(verbose_name="Email")
    recipient = tables.Column(verbose_name="Learner", accessor="to_address")
    course = tables.Column(verbose_name="Course", accessor="course__name", default="—")
    status = tables.Column(verbose_name="Status")
    reason = tables.Column(verbose_name="Why", default="")

    class Meta(PortalTable.Meta):
        model = NotificationLog
        fields = ()
        sequence = ("created_at", "email", "recipient", "course", "status", "reason")
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


class NotificationLogFilter(TenantFilterSet):
    q = django_filters.CharFilter(field_name="to_address", lookup_expr="icontains", label="Search")
    email = django_filters.ChoiceFilter(choices=Email.choices, label="Email")
    status = django_filters.ChoiceFilter(choices=NotificationStatus.choices, label="Status")
    course = django_filters.ModelChoiceFilter(queryset=Course.objects.none(), label="Course")

    class Meta:
        model = NotificationLog
        fields = ["q", "email", "status", "course"]

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, tenant=tenant, **kwargs)
        self.filters["course"].queryset = Course.objects.filter(tenant=tenant).order_by("name")
