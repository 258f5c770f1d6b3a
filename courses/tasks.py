"""Celery tasks of the courses app: the expiry sweep, the NetSuite sync, and the course emails
(the sender and the two date-driven triggers); the beat schedule is in config/settings/base.py.
Tasks take ids, reload and run inside the tenant's scope; the notification log's per-event key
makes every email run safe to repeat.

The email tasks were first defined in ``courses.notification_tasks``: they keep those registered
names (explicit ``name=``), so the beat schedule and any message already queued still find them."""

from celery import shared_task
from django.db import transaction
from django_scopes import scope, scopes_disabled

from tenancy.models import Tenant

from .models import CourseEnrollment, EnrollmentStatus, NetSuiteConnection
from .services.expiry import expire_due_enrollments
from .services.expiry_notices import send_expiry_notices
from .services.notifications import deliver_course_email, notify_inactive_learners, notify_unlocked_items
from .services.sales_orders import sync_sales_orders


def _tenants(ids) -> list[Tenant]:
    with scopes_disabled():
        return list(Tenant.objects.filter(pk__in=list(ids)).order_by("pk"))


def expire_enrollments(tenant_id: int | None = None, *, now=None) -> dict[str, int]:
    """Run the expiry sweep in one tenant, or in every tenant with enrolled learners."""
    if tenant_id is None:
        with scopes_disabled():
            ids = set(
                CourseEnrollment.objects.filter(status=EnrollmentStatus.ENROLLED).values_list("tenant_id", flat=True)
            )
    else:
        ids = {tenant_id}
    counts = {}
    for tenant in _tenants(ids):
        with scope(tenant=tenant):
            counts[tenant.slug] = expire_due_enrollments(tenant=tenant, now=now)
    return counts


def sync_all_sales_orders(tenant_id: int | None = None) -> dict[str, str]:
    """Run the NetSuite sync in one tenant, or in every tenant with an enabled connection."""
    if tenant_id is None:
        with scopes_disabled():
            ids = set(NetSuiteConnection.objects.filter(is_enabled=True).values_list("tenant_id", flat=True))
    else:
        ids = {tenant_id}
    messages = {}
    for tenant in _tenants(ids):
        with scope(tenant=tenant):
            messages[tenant.slug] = sync_sales_orders(tenant=tenant).message
    return messages


@shared_task
def expire_due_enrollments_task(tenant_id: int | None = None) -> dict[str, int]:
    return expire_enrollments(tenant_id)


@shared_task
def sync_sales_orders_task(tenant_id: int | None = None) -> dict[str, str]:
    return sync_all_sales_orders(tenant_id)


# --- Course emails ---------------------------------------------------------------------------------


def _email_tenants(tenant_id: int | None):
    with scopes_disabled():
        qs = Tenant.objects.all() if tenant_id is None else Tenant.objects.filter(pk=tenant_id)
        return list(qs.order_by("pk"))


@shared_task(
    name="courses.notification_tasks.send_course_email_task",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_course_email_task(tenant_id: int, enrollment_id: int, email: str, key: str, extra: dict | None = None):
    """Send (or suppress and log) one course email, deciding on the enrollment as it is now."""
    for tenant in _email_tenants(tenant_id):
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


def queue_course_email(enrollment: CourseEnrollment, *, email: str, key: str, extra: dict | None = None) -> None:
    """After the current transaction commits, have a worker deliver the email."""
    args = (enrollment.tenant_id, enrollment.pk, str(email), key, extra or {})
    transaction.on_commit(lambda: send_course_email_task.delay(*args))


@shared_task(name="courses.notification_tasks.notify_unlocked_items_task")
def notify_unlocked_items_task(tenant_id: int | None = None) -> dict:
    """Hourly from beat, every tenant (or one)."""
    totals = {"sent": 0, "suppressed": 0}
    for tenant in _email_tenants(tenant_id):
        with scope(tenant=tenant):
            for k, v in notify_unlocked_items(tenant).items():
                totals[k] += v
    return totals


@shared_task(name="courses.notification_tasks.notify_inactive_learners_task")
def notify_inactive_learners_task(tenant_id: int | None = None) -> dict:
    """Every few hours from beat, every tenant (or one)."""
    totals = {"sent": 0, "suppressed": 0}
    for tenant in _email_tenants(tenant_id):
        with scope(tenant=tenant):
            for k, v in notify_inactive_learners(tenant).items():
                totals[k] += v
    return totals


@shared_task
def send_expiry_notices_task(tenant_id: int | None = None) -> dict:
    """Hourly from beat: the access-ending notices and digests of every tenant that has them on.
    Each run sends only what no earlier run logged, so an hour's outage loses nothing."""
    totals = {"sent": 0, "suppressed": 0, "digests": 0}
    for tenant in _email_tenants(tenant_id):
        if not tenant.course_expiry_notice_days:
            continue
        with scope(tenant=tenant):
            for k, v in send_expiry_notices(tenant=tenant).items():
                totals[k] += v
    return totals
