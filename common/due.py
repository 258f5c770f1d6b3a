"""Due work kept in the database, swept by beat: the pattern behind the partner recalculation
(and any other "do this N minutes after a change" job).

A row carries a due time and a version. ``mark_due`` sets the due time to now + delay unless the
row is already due sooner (so several changes within the window give one run) and bumps the
version, in the caller's transaction; on commit it queues a task with that countdown. Whichever
comes first, that task or the every-minute sweep, runs the rows that are due, and clears the due
mark only where the version is still the one it computed: a change made during the run leaves the
row due, and the next sweep runs it again. A lost broker message costs at most a minute.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

logger = logging.getLogger(__name__)

# The registered name of the task that runs a kind of due work in one tenant (common.tasks).
RUN_DUE_WORK_TASK = "common.tasks.run_due_work_task"


@dataclass(frozen=True)
class DueWork:
    name: str
    model: type[models.Model]
    # handler(tenant, pks) does the work for those rows (set-based where it can).
    handler: Callable
    due_field: str = "due_at"
    version_field: str = "due_version"
    batch_size: int = 500


_registry: dict[str, DueWork] = {}


def register(work: DueWork) -> DueWork:
    _registry[work.name] = work
    return work


def registered() -> dict[str, DueWork]:
    return dict(_registry)


def mark_due(work: DueWork, queryset, *, delay_seconds: int) -> int:
    """Mark the rows of ``queryset`` due in ``delay_seconds`` (not later than an earlier mark).

    Call inside the transaction of the change; returns how many rows were marked."""
    due_at = timezone.now() + timedelta(seconds=delay_seconds)
    pks = list(queryset.values_list("pk", flat=True))
    if not pks:
        return 0
    base = work.model.objects.filter(pk__in=pks)
    base.filter(Q(**{f"{work.due_field}__isnull": True}) | Q(**{f"{work.due_field}__gt": due_at})).update(
        **{work.due_field: due_at}
    )
    base.update(**{work.version_field: F(work.version_field) + 1})
    tenant_id = queryset.model.objects.filter(pk=pks[0]).values_list("tenant_id", flat=True).first()

    def enqueue():
        # By name: common.tasks (the Celery layer) builds on this module, not the other way round.
        # A signature of a registered task calls its apply_async; an unregistered one is sent
        # to the broker all the same.
        current_app.signature(RUN_DUE_WORK_TASK).apply_async((work.name, tenant_id), countdown=delay_seconds)

    transaction.on_commit(enqueue)
    return len(pks)


def run_due(work: DueWork, tenant, *, now=None) -> int:
    """Run every row of ``tenant`` that is due now. Returns how many rows were completed."""
    now = now or timezone.now()
    done = 0
    with scope(tenant=tenant):
        while True:
            with transaction.atomic():
                claimed = list(
                    work.model.objects.filter(tenant=tenant, **{f"{work.due_field}__lte": now})
                    .select_for_update(skip_locked=True)
                    .order_by(work.due_field)
                    .values_list("pk", work.version_field)[: work.batch_size]
                )
                if not claimed:
                    return done
                work.handler(tenant, [pk for pk, _ in claimed])
                for pk, version in claimed:
                    done += work.model.objects.filter(pk=pk, **{work.version_field: version}).update(
                        **{work.due_field: None}
                    )
            if len(claimed) < work.batch_size:
                # Rows left due (changed during the run) wait for the next sweep, not this loop.
                return done


def sweep(*, now=None) -> dict[str, int]:
    """Run everything due, in every tenant. Beat calls this every minute."""
    from tenancy.models import Tenant

    now = now or timezone.now()
    totals: dict[str, int] = {}
    for work in _registry.values():
        with scopes_disabled():
            tenant_ids = set(
                work.model.objects.filter(**{f"{work.due_field}__lte": now}).values_list("tenant_id", flat=True)
            )
            tenants = list(Tenant.objects.filter(pk__in=tenant_ids))
        for tenant in tenants:
            totals[work.name] = totals.get(work.name, 0) + run_due(work, tenant, now=now)
    return totals
