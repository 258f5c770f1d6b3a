"""Reads of Learning > Sales orders and the NetSuite connection."""

import datetime

from django.db.models import Count, Q, QuerySet

from tenancy.models import Tenant

from ..models import (
    NetSuiteConnection,
    SalesOrder,
)
from .courses import scoped_get


def access_sales_order(*, tenant: Tenant, sales_order_id, for_update: bool = False) -> SalesOrder:
    return scoped_get(SalesOrder.objects.filter(tenant=tenant), sales_order_id, "sales order", for_update)


def sales_order_list(*, tenant: Tenant) -> QuerySet[SalesOrder]:
    return (
        SalesOrder.objects.filter(tenant=tenant)
        .annotate(enrollment_count=Count("enrollments"))
        .order_by("-end_date", "tran_id")
    )


def sales_order_choices(*, tenant: Tenant) -> QuerySet[SalesOrder]:
    return SalesOrder.objects.filter(tenant=tenant).order_by("-end_date", "tran_id")


def sales_order_suggestions(*, tenant: Tenant, text: str, limit: int = 20) -> QuerySet[SalesOrder]:
    """The first ``limit`` sales orders whose number or customer contains ``text`` (the dashboard
    filter's suggestions), by number."""
    orders = SalesOrder.objects.filter(tenant=tenant)
    text = text.strip()
    if text:
        orders = orders.filter(Q(tran_id__icontains=text) | Q(customer__icontains=text))
    return orders.only("tran_id", "customer", "end_date").order_by("tran_id")[:limit]


def netsuite_connection(*, tenant: Tenant) -> NetSuiteConnection | None:
    return NetSuiteConnection.objects.filter(tenant=tenant).first()


def sales_orders_ending(*, tenant: Tenant, start: datetime.date, end: datetime.date, limit: int) -> list[SalesOrder]:
    """The first ``limit`` sales orders ending between ``start`` and ``end``, soonest first, each
    with how many enrolled (stored E) learners follow it."""
    return list(
        SalesOrder.objects.filter(tenant=tenant, end_date__gte=start, end_date__lte=end)
        .annotate(following=Count("enrollments", filter=Q(enrollments__status="E")))
        .order_by("end_date")[:limit]
    )
