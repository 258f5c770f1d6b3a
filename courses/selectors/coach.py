"""Reads of the manager's Coach page."""

import datetime

from django.db.models import Prefetch

from tenancy.models import Membership

from ..access import today_for, with_effective_status
from ..models import (
    CourseEnrollment,
)


def team_list(*, manager: Membership, today: datetime.date | None = None) -> list[Membership]:
    """The manager's team members, each with ``course_rows``: their enrollments (every status)
    with the effective status. Two queries."""
    today = today or today_for(manager.tenant)
    enrollments = with_effective_status(
        CourseEnrollment.objects.filter(tenant_id=manager.tenant_id).select_related("course", "sales_order"),
        today=today,
    ).order_by("course__name")
    return list(
        Membership.objects.filter(tenant_id=manager.tenant_id, manager=manager)
        .select_related("user")
        .prefetch_related(Prefetch("course_enrollments", queryset=enrollments, to_attr="course_rows"))
        .order_by("user__email")
    )
