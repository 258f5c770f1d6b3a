"""Workspace home panel for people who manage learning: who is enrolled or expired now, and the
sales orders about to end (their learners expire with them)."""

import datetime

from django.db.models import Count, Q

from tenancy.capabilities import Capability

from .access import effectively_enrolled_q, effectively_expired_q, today_for
from .models import CourseEnrollment, SalesOrder

SOON = datetime.timedelta(days=30)


def learning_admin_panel(request):
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has(Capability.MANAGE_LEARNING):
        return None
    tenant = request.tenant
    today = today_for(tenant)
    counts = CourseEnrollment.objects.filter(tenant=tenant).aggregate(
        enrolled=Count("pk", filter=effectively_enrolled_q(today)),
        expired=Count("pk", filter=effectively_expired_q(today)),
    )
    ending = list(
        SalesOrder.objects.filter(tenant=tenant, end_date__gte=today, end_date__lte=today + SOON)
        .annotate(following=Count("enrollments", filter=Q(enrollments__status="E")))
        .order_by("end_date")[:5]
    )
    return {"template": "courses/home_panel.html", "counts": counts, "ending": ending}
