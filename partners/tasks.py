"""Celery tasks of the partners app that beat runs (the delayed recalculation runs through
common.due): the notices before a partner enrollment expires."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from tenancy.models import Tenant

from .services.notices import send_partner_expiry_notices


@shared_task
def send_partner_expiry_notices_task(tenant_id: int | None = None) -> dict:
    """Hourly from beat: every tenant with partner notices on (or one)."""
    with scopes_disabled():
        tenants = Tenant.objects.filter(partner_expiry_notice_days__gt=0)
        if tenant_id is not None:
            tenants = tenants.filter(pk=tenant_id)
        tenants = list(tenants.order_by("pk"))
    totals = {"sent": 0, "suppressed": 0}
    for tenant in tenants:
        with scope(tenant=tenant):
            for k, v in send_partner_expiry_notices(tenant=tenant).items():
                totals[k] += v
    return totals
