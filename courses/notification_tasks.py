"""Celery tasks of the course emails: the sender, and the two date-driven triggers run by beat
(Item Unlocked, Inactive Status Trigger). Tasks take ids, reload, and work inside the tenant's
scope; the log's per-event key makes every run safe to repeat."""

import datetime

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tenancy.models import Tenant

from .access import today_for
from .learner_selectors import last_activity_subquery
from .models import CourseEnrollment, Email, ModuleItem
from .notifications import deliver_course_email

# Items whose unlock date passed up to this many days ago are still announced (a beat outage
# shorter than this loses nothing; the log's key keeps it to one email per item and learner).
UNLOCK_CATCH_UP_DAYS = 3


def _tenants(tenant_id: int | None):
    with scopes_disabled():
        qs = Tenant.objects.all() if tenant_id is None else Tenant.objects.filter(pk=tenant_id)
        return list(qs.order_by("pk"))


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_course_email_task(tenant_id: int, enrollment_id: int, email: str, key: str, extra: dict | None = None):
    """Send (or suppress and log) one course email, deciding on the enrollment as it is now."""
    for tenant in _tenants(tenant_id):
        with scope(tenant=tenant):
            enrollment = (
                CourseEnrollment.objects.filter(tenant=tenant, pk=enrollment_id)
                .select_related("learner__user", "course", "sales_order", "tenant")
                .first()
            )
            if enrollment is None:
                return None
            log = deliver_course_email(enrollment, email=email, key=key, extra=extra)
            return log.status if log else None
    return None


def notify_unlocked_items(tenant: Tenant, *, now: datetime.datetime | None = None) -> dict:
    """Item Unlocked for every item that opened today (or in the last few days) to every learner
    of its course version. Suppressed and logged for expired or unenrolled enrollments."""
    today = today_for(tenant, now=now)
    items = list(
        ModuleItem.objects.filter(
            tenant=tenant,
            unlocks_on__lte=today,
            unlocks_on__gte=today - datetime.timedelta(days=UNLOCK_CATCH_UP_DAYS),
        ).select_related("module")
    )
    counts = {"sent": 0, "suppressed": 0}
    for item in items:
        enrollments = CourseEnrollment.objects.filter(tenant=tenant, version_id=item.module.version_id).select_related(
            "learner__user", "course", "sales_order", "tenant"
        )
        for enrollment in enrollments.iterator(chunk_size=500):
            log = deliver_course_email(
                enrollment,
                email=Email.ITEM_UNLOCKED,
                key=f"item:{item.pk}",
                extra={"item": item, "module": item.module},
            )
            if log:
                counts[log.status] += 1
    return counts


def notify_inactive_learners(tenant: Tenant, *, now: datetime.datetime | None = None) -> dict:
    """Inactive Status Trigger: a learner who has not started or completed a module of a course
    for ``COURSE_INACTIVE_DAYS`` days (counting from enrollment when they never have) gets one
    reminder per quiet spell; activity starts a new spell. Suppressed and logged for expired or
    unenrolled enrollments."""
    now = now or timezone.now()
    days = settings.COURSE_INACTIVE_DAYS
    cutoff = now - datetime.timedelta(days=days)
    rows = (
        CourseEnrollment.objects.filter(tenant=tenant, enrolled_at__lte=cutoff)
        .annotate(last_seen=Coalesce(last_activity_subquery(tenant.pk), "enrolled_at"))
        .filter(Q(last_seen__lte=cutoff))
        .select_related("learner__user", "course", "sales_order", "tenant")
    )
    counts = {"sent": 0, "suppressed": 0}
    for enrollment in rows.iterator(chunk_size=500):
        since = timezone.localtime(enrollment.last_seen, tenant.zone).date()
        log = deliver_course_email(
            enrollment,
            email=Email.INACTIVE_STATUS,
            key=f"inactive:{since.isoformat()}",
            extra={"days": days, "since": since},
        )
        if log:
            counts[log.status] += 1
    return counts


@shared_task
def notify_unlocked_items_task(tenant_id: int | None = None) -> dict:
    """Hourly from beat, every tenant (or one)."""
    totals = {"sent": 0, "suppressed": 0}
    for tenant in _tenants(tenant_id):
        with scope(tenant=tenant):
            for k, v in notify_unlocked_items(tenant).items():
                totals[k] += v
    return totals


@shared_task
def notify_inactive_learners_task(tenant_id: int | None = None) -> dict:
    """Every few hours from beat, every tenant (or one)."""
    totals = {"sent": 0, "suppressed": 0}
    for tenant in _tenants(tenant_id):
        with scope(tenant=tenant):
            for k, v in notify_inactive_learners(tenant).items():
                totals[k] += v
    return totals
