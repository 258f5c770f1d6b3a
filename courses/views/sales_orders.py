"""Learning > Sales orders: list, add and edit by hand, CSV import with a preview, the NetSuite
connection and "Sync now"."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from common.permissions import capability_required
from common.views import ConfirmActionView, TenantListView
from jobs.import_views import import_page
from tenancy.capabilities import Capability

from ..filters import SalesOrderFilter
from ..forms import NetSuiteConnectionForm, SalesOrderForm
from ..jobs import SALES_ORDER_IMPORT, start_sync_now, sync_jobs
from ..models import NetSuiteConnection
from ..selectors.sales_orders import access_sales_order, netsuite_connection, sales_order_list
from ..services import sales_orders as services
from ..tables import SalesOrderTable

FIELDS = ["tran_id", "customer", "start_date", "end_date", "status", "netsuite_id"]


class SalesOrderListView(TenantListView):
    capability = Capability.MANAGE_LEARNING
    title = "Sales orders"
    template_name = "courses/sales_order_list.html"
    table_class = SalesOrderTable
    filterset_class = SalesOrderFilter
    export_name = "sales-orders"
    create_url_name = "courses:sales_order_add"

    def get_base_queryset(self):
        return sales_order_list(tenant=self.request.tenant)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["connection"] = netsuite_connection(tenant=self.request.tenant)
        ctx["sync_jobs"] = sync_jobs(tenant=self.request.tenant) if ctx["connection"] else []
        return ctx


def _list_url(tenant_slug):
    return reverse("courses:sales_order_list", kwargs={"tenant_slug": tenant_slug})


def _form_page(request, form, title, back, **extra):
    return render(request, "components/form_page.html", {"form": form, "title": title, "cancel_url": back, **extra})


@capability_required(Capability.MANAGE_LEARNING)
def sales_order_add(request, tenant_slug):
    back = _list_url(tenant_slug)
    form = SalesOrderForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in FIELDS}
        order = services.sales_order_create(tenant=request.tenant, actor=request.user, data=data)
        messages.success(request, f"Added sales order {order.tran_id}.")
        return redirect(back)
    return _form_page(request, form, "Add sales order", back)


@capability_required(Capability.MANAGE_LEARNING)
def sales_order_edit(request, tenant_slug, sales_order_id):
    order = access_sales_order(tenant=request.tenant, sales_order_id=sales_order_id)
    back = _list_url(tenant_slug)
    form = SalesOrderForm(request.POST or None, instance=order, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        fresh = access_sales_order(tenant=request.tenant, sales_order_id=sales_order_id, for_update=True)
        data = {f: form.cleaned_data[f] for f in FIELDS}
        try:
            order, moved = services.sales_order_update(fresh, actor=request.user, data=data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            text = f"Saved sales order {order.tran_id}."
            if moved:
                text += f" {moved} enrollment{'s' if moved != 1 else ''} changed status with the new end date."
            messages.success(request, text)
            return redirect(back)
    return _form_page(request, form, f"Edit sales order {order.tran_id}", back)


@capability_required(Capability.MANAGE_LEARNING)
def sales_order_import(request, tenant_slug):
    """Upload a CSV → a job checks every row (nothing saved) and shows the preview → Confirm → a
    job imports all rows in one transaction, or none."""
    ctx = {
        "title": "Import sales orders (CSV)",
        "cancel_url": _list_url(tenant_slug),
        "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB,
    }
    return import_page(request, SALES_ORDER_IMPORT, template="courses/sales_order_import.html", context=ctx)


@capability_required(Capability.MANAGE_LEARNING)
def netsuite_settings(request, tenant_slug):
    back = _list_url(tenant_slug)
    instance = netsuite_connection(tenant=request.tenant) or NetSuiteConnection(tenant=request.tenant)
    form = NetSuiteConnectionForm(request.POST or None, instance=instance, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        services.netsuite_connection_save(form=form, actor=request.user)
        messages.success(request, "Saved the NetSuite connection.")
        return redirect(back)
    return _form_page(request, form, "NetSuite connection", back)


class SalesOrderSyncView(ConfirmActionView):
    capability = Capability.MANAGE_LEARNING
    title = "Sync sales orders from NetSuite?"
    confirm_label = "Sync now"
    danger = False

    def describe(self, obj) -> str:
        return (
            "Fetches the sales orders changed in NetSuite since the last sync and applies them, in the "
            "background; its progress shows on the Sales orders page."
        )

    def refusal(self, obj) -> str:
        connection = netsuite_connection(tenant=self.request.tenant)
        return "" if connection and connection.is_enabled else "Set up and enable the NetSuite connection first."

    def perform(self, obj) -> str:
        job, created = start_sync_now(netsuite_connection(tenant=self.request.tenant), actor=self.request.user)
        if created:
            return "NetSuite sync started; its progress is shown below."
        return (
            f"A NetSuite sync is already running (started by {job.started_by or 'the system'}); here is its progress."
        )

    def get_success_url(self, obj) -> str:
        return _list_url(self.request.tenant.slug)
