"""Periodic work of the courses app (beat schedule in config/settings/base.py). Tasks take ids,
reload and run inside the tenant's scope."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from tenancy.models import Tenant

from .models import CourseEnrollment, EnrollmentStatus, NetSuiteConnection


def _tenants(ids) -> list[Tenant]:
    with scopes_disabled():
        return list(Tenant.objects.filter(pk__in=list(ids)).order_by("pk"))


def expire_enrollments(tenant_id: int | None = None, *, now=None) -> dict[str, int]:
    """Run the expiry sweep in one tenant, or in every tenant with enrolled learners."""
    from .services import expire_due_enrollments

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
    from .sync import sync_sales_orders

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
