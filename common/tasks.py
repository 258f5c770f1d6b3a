from celery import shared_task
from django_scopes import scopes_disabled

from . import due


@shared_task
def sweep_due_work_task() -> dict:
    """Every minute: run whatever due work is due, in every tenant."""
    return due.sweep()


@shared_task(name=due.RUN_DUE_WORK_TASK)
def run_due_work_task(name: str, tenant_id: int) -> int:
    """Queued on commit with the delay as countdown; runs what is due of that kind in that tenant."""
    from tenancy.models import Tenant

    work = due.registered().get(name)
    with scopes_disabled():
        tenant = Tenant.objects.filter(pk=tenant_id).first()
    if work is None or tenant is None:
        return 0
    return due.run_due(work, tenant)
