"""Client admin dashboard (learners and their enrollments, orange Expired label, Enrollment
Expired filter, counts per status; unenrolled enrollments never shown), the Organization Report
(CSV/XLSX, streamed) and the notification log."""

import datetime

from django.http import Http404
from django.shortcuts import render
from django.utils.functional import cached_property

from common.built_once import built_once
from common.export import EXPORT_FORMATS, export_response, neutralise, text_formatters
from common.permissions import capability_required
from common.precompiled import TENANT_MARKER
from common.preread import PrereadFirstPage
from common.views import TenantListView
from tenancy.capabilities import Capability
from tenancy.models import Tenant

from ..access import X, today_for
from ..filters import DashboardFilter, NotificationLogFilter
from ..models import NotificationLog
from ..selectors.courses import learner_roles
from ..selectors.dashboard import (
    attach_learner_groups,
    dashboard_counts,
    dashboard_enrollments,
    learners_without_enrollments,
    organization_report_rows,
    report_progress,
    unfiltered_dashboard_counts,
)
from ..selectors.sales_orders import sales_order_suggestions as sales_orders_matching
from ..tables import STATUS_BADGES, DashboardTable, NotificationLogTable


@built_once()
def _dashboard_enrollments(tenant_id: int, today: datetime.date):
    return dashboard_enrollments(tenant=Tenant(pk=tenant_id), today=today)


class ClientDashboardView(PrereadFirstPage, TenantListView):
    capability = Capability.CLIENT_DASHBOARD
    keeps_regions = True  # common.regions
    title = "Client dashboard"
    template_name = "courses/dashboard.html"
    table_class = DashboardTable
    filterset_class = DashboardFilter
    export_name = "learners"
    strict = True  # a bad filter value (e.g. another workspace's sales order) lists nothing

    def get_base_queryset(self):
        # One per request: the list and the status counts start from the same rows. Built once
        # per workspace and day (common.built_once): building the effective-status annotations
        # was a measurable share of the page.
        if getattr(self, "_base_queryset", None) is None:
            self._base_queryset = _dashboard_enrollments(self.request.tenant.pk, self.today)
        return self._base_queryset

    @cached_property
    def today(self):
        """The workspace's day: the list and its counts see the same one."""
        return today_for(self.request.tenant)

    # The dashboard as it opens: its first page read by a statement compiled once (common.preread).
    opening_markers = {"tenant_id": TENANT_MARKER, "today": datetime.date(1901, 1, 1)}

    @classmethod
    def opening_queryset(cls, shape, *, tenant_id, today):
        return _dashboard_enrollments(tenant_id, today)

    def opening_values(self) -> dict:
        return {"tenant_id": self.request.tenant.pk, "today": self.today}

    def opening_prefetch(self, rows, data):
        attach_learner_groups(rows, tenant=self.request.tenant)

    def opening_count(self) -> int | None:
        counts, listed = self._status_counts()
        return counts["enrollments"] if listed else None

    def get_table_pagination(self, table):
        paginate = super().get_table_pagination(table)
        counts, listed = self._status_counts()
        if listed:  # the cards counted the listed rows: the paginator does not COUNT them again
            paginate = {**paginate, "count": counts["enrollments"]}
        return paginate

    def _status_counts(self) -> tuple[dict, bool]:
        """Counts per status under the other filters (not the Expired or Expiring one), so the
        cards still say how many are enrolled while only the expired rows are listed; and
        whether they count exactly the listed rows (neither filter on, the filters valid)."""
        if getattr(self, "_counts", None) is None:
            if "expired" in self.request.GET or "expiring" in self.request.GET:
                data = self.request.GET.copy()
                data.pop("expired", None)
                data.pop("expiring", None)
                others = DashboardFilter(data, queryset=self.get_base_queryset(), tenant=self.request.tenant)
                listed = False
            else:
                others = self.filterset  # the list's own filters: no second filter set to build
                listed = not others.is_bound or others.is_valid()
            self._others = others
            if others.is_bound and others.is_valid() and others.has_filters():
                counts = dashboard_counts(others.qs)
            else:  # every row (as it opens, or beside a filter in error): the precompiled count
                counts = unfiltered_dashboard_counts(tenant=self.request.tenant, today=self.today)
            self._counts = (counts, listed)
        return self._counts

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["counts"] = self._status_counts()[0]
        ctx["expired_on"] = self.request.GET.get("expired") in ("on", "true", "True", "1")
        ctx["expiring_on"] = self.request.GET.get("expiring") in ("on", "true", "True", "1")
        ctx["expiring_days"] = self._others.expiring_days
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


NO_PROGRESS = (0, None)


def _report_rows(tenant):
    _dt = text_formatters(tenant.zone)[1]
    labels = {status: badge[1] for status, badge in STATUS_BADGES.items()}
    progress, totals = report_progress(tenant=tenant)
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
        learner_id,
        version_id,
    ) in organization_report_rows(tenant=tenant).iterator(chunk_size=2000):
        completed, last_activity = progress.get((learner_id, version_id), NO_PROGRESS)
        expired_at = _dt(expired_at)
        yield [
            neutralise(name),
            neutralise(email),
            active,
            neutralise(manager or ""),
            neutralise(course),
            version,
            labels[status],
            neutralise(order or ""),
            order_end,
            manual,
            # The one rule (courses.access): a hand-expired enrollment's last day is the day it
            # was expired (the date of its local date-time).
            expired_at.partition(" ")[0] if by_hand == "Yes" and status == X and expired_at else expiry,
            expired_at,
            by_hand,
            _dt(enrolled_at),
            completed,
            totals.get(version_id, 0),
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


@capability_required(Capability.CLIENT_DASHBOARD)
def sales_order_suggestions(request, tenant_slug):
    """The dashboard's Sales order filter suggestions for the text typed so far: ``<option>``
    elements, the value the order's number (what the filter takes), the label its customer and
    end date."""
    orders = sales_orders_matching(tenant=request.tenant, text=request.GET.get("sales_order", ""))
    return render(request, "courses/_sales_order_options.html", {"orders": orders})
