"""Client admin dashboard (learners and their enrollments, orange Expired label, Enrollment
Expired filter, counts per status; unenrolled enrollments never shown), the Organization Report
(CSV/XLSX, streamed) and the notification log."""

from django.http import Http404

from common.export import EXPORT_FORMATS, export_response, neutralise
from common.permissions import capability_required
from common.views import TenantListView
from tenancy.capabilities import Capability

from ..filters import DashboardFilter, NotificationLogFilter
from ..models import NotificationLog
from ..selectors.courses import learner_roles
from ..selectors.dashboard import (
    dashboard_counts,
    dashboard_enrollments,
    learners_without_enrollments,
    organization_report_rows,
)
from ..tables import STATUS_BADGES, DashboardTable, NotificationLogTable


class ClientDashboardView(TenantListView):
    capability = Capability.CLIENT_DASHBOARD
    title = "Client dashboard"
    template_name = "courses/dashboard.html"
    table_class = DashboardTable
    filterset_class = DashboardFilter
    export_name = "learners"
    strict = True  # a bad filter value (e.g. another workspace's sales order) lists nothing

    def get_base_queryset(self):
        return dashboard_enrollments(tenant=self.request.tenant)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Counts per status under the other filters (not the Expired one), so the cards still
        # say how many are enrolled while only the expired rows are listed.
        data = self.request.GET.copy()
        data.pop("expired", None)
        data.pop("expiring", None)
        others = DashboardFilter(data, queryset=self.get_base_queryset(), tenant=self.request.tenant)
        ctx["counts"] = dashboard_counts(others.qs if others.is_valid() else self.get_base_queryset())
        ctx["expired_on"] = self.request.GET.get("expired") in ("on", "true", "True", "1")
        ctx["expiring_on"] = self.request.GET.get("expiring") in ("on", "true", "True", "1")
        ctx["expiring_days"] = others.expiring_days
        return ctx


REPORT_HEADER = [
    "Learner",
    "Email",
    "Active",
    "Manager",
    "Course",
    "Version",
    "Status",
    "Sales order",
    "Sales order end date",
    "Manual expiration date",
    "Last day of access",
    "Expired at",
    "Expired by hand",
    "Enrolled at",
    "Modules completed",
    "Modules total",
    "Last activity",
]


def _formatters(zone):
    """Date and date-time text as the pages show them (MM/DD/YYYY, HH:MM AM/PM in the workspace's
    zone), cheap enough for 30,000 rows: dates repeat (sales order ends), so each is formatted
    once; date-times are formatted without strftime's locale machinery."""
    dates: dict = {}

    def d(value):
        if value is None:
            return ""
        text = dates.get(value)
        if text is None:
            text = dates[value] = f"{value.month:02d}/{value.day:02d}/{value.year}"
        return text

    def dt(value):
        if value is None:
            return ""
        v = value.astimezone(zone)
        half = "PM" if v.hour >= 12 else "AM"
        return f"{v.month:02d}/{v.day:02d}/{v.year} {v.hour % 12 or 12:02d}:{v.minute:02d} {half}"

    return d, dt


def _report_rows(tenant):
    zone = tenant.zone
    _d, _dt = _formatters(zone)
    labels = {status: badge[1] for status, badge in STATUS_BADGES.items()}
    for (
        name,
        email,
        active,
        manager,
        course,
        version,
        status,
        order,
        order_end,
        manual,
        expiry,
        expired_at,
        by_hand,
        enrolled_at,
        completed,
        total,
        last_activity,
    ) in organization_report_rows(tenant=tenant).iterator(chunk_size=2000):
        yield [
            neutralise(name),
            neutralise(email),
            "Yes" if active else "No",
            neutralise(manager or ""),
            neutralise(course),
            version,
            labels[status],
            neutralise(order or ""),
            _d(order_end),
            _d(manual),
            # The one rule (courses.access): a hand-expired enrollment's last day is the day it was expired.
            _d(expired_at.astimezone(zone).date() if by_hand and status == "X" and expired_at else expiry),
            _dt(expired_at),
            "Yes" if by_hand else "No",
            _dt(enrolled_at),
            completed,
            total,
            _dt(last_activity),
        ]
    roles = learner_roles(tenant=tenant)
    for m in learners_without_enrollments(tenant=tenant, learner_role_ids=roles).iterator(chunk_size=2000):
        yield [
            neutralise(m.user.full_name),
            neutralise(m.user.email),
            "Yes" if m.is_active else "No",
            neutralise(m.manager.user.email if m.manager_id else ""),
            "",
            "",
            "Not enrolled",
            *[""] * 10,
        ]


@capability_required(Capability.CLIENT_DASHBOARD)
def organization_report(request, tenant_slug):
    """Every learner and every enrollment (U included) with sales order, effective expiry,
    expired at and status as access sees it today; streamed as CSV or XLSX."""
    fmt = request.GET.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        raise Http404("Unknown report format.")
    return export_response(
        fmt, "organization-report", REPORT_HEADER, _report_rows(request.tenant), tenant=request.tenant, formatted=True
    )


class NotificationLogView(TenantListView):
    capability = Capability.MANAGE_LEARNING
    title = "Course emails"
    table_class = NotificationLogTable
    filterset_class = NotificationLogFilter
    export_name = "course-emails"

    def get_base_queryset(self):
        return NotificationLog.objects.filter(tenant=self.request.tenant).select_related("course")
