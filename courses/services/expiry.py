"""Writes that make the stored E/X follow the effective expiry (``courses.access``): the sweep, and
the reconciliation that every change of an end date or a manual date ends in."""

import datetime

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from activity.models import Action
from activity.services import record
from tenancy.models import Tenant

from ..access import E, X, past_expiry_q, today_for
from ..models import (
    CourseEnrollment,
    SalesOrder,
)


def reconcile_status(queryset: QuerySet[CourseEnrollment], *, today: datetime.date, now) -> int:
    """Make the stored status agree with the effective expiry for these rows (set-based)."""
    back = (
        queryset.filter(status=X, expired_by_hand=False)
        .exclude(past_expiry_q(today))
        .update(status=E, expired_at=None, status_changed_at=now)
    )
    gone = (
        queryset.filter(status=E)
        .filter(past_expiry_q(today))
        .update(status=X, expired_at=now, status_changed_at=now, expired_by_hand=False)
    )
    return back + gone


def expire_due_enrollments(*, tenant: Tenant, now=None) -> int:
    """Set X on every E enrollment of ``tenant`` whose effective expiry has passed, in two
    set-based UPDATEs (by manual date; by ended sales order), and record one entry with the
    count. Idempotent. Concurrent sweeps of one tenant queue on a lock of the tenant row, and the
    later one finds nothing left, so no expiry is counted twice."""
    now = now or timezone.now()
    today = today_for(tenant, now=now)
    values = {"status": X, "expired_at": now, "status_changed_at": now, "expired_by_hand": False}
    with transaction.atomic():
        if connection.features.has_select_for_update:
            # NO KEY UPDATE: does not block inserts that reference the tenant (they take KEY SHARE).
            Tenant.objects.select_for_update(no_key=True).filter(pk=tenant.pk).values_list("pk", flat=True).first()
        # SQLite has no row locks: its first UPDATE takes the database write lock (waiting for a
        # running sweep) and then reads the committed rows, which serializes sweeps just the same.
        due = CourseEnrollment.objects.filter(tenant=tenant, status=E)
        count = due.filter(manual_expiration_date__lt=today).update(**values)
        ended = SalesOrder.objects.filter(tenant=tenant, end_date__lt=today).values("pk")
        count += due.filter(manual_expiration_date__isnull=True, sales_order__in=ended).update(**values)
        if count:
            # This sweep's rows are those it stamped with its own instant: the entry lists them.
            swept = list(
                CourseEnrollment.objects.filter(tenant=tenant, status=X, expired_at=now, expired_by_hand=False)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            record(
                tenant=tenant,
                actor=None,
                action=Action.UPDATE,
                target="CourseEnrollment",
                verb="expired (sweep)",
                changes={"status": [E, X]},
                count=count,
                object_ids=swept,
                label=f"{count} enrollment{'s' if count != 1 else ''} past their expiry",
            )
    return count
