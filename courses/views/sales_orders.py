"""Learning > Sales orders: list, add and edit by hand, CSV import with a preview, the NetSuite
connection and "Sync now"."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from common.permissions import capability_required
from common.views import ConfirmActionView, TenantListView
from tenancy.capabilities import Capability

from ..filters import SalesOrderFilter
from ..forms import CsvImportForm, NetSuiteConnectionForm, SalesOrderForm
from ..jobs import start_sync_now, sync_jobs
from ..models import NetSuiteConnection
from ..selectors.sales_orders import access_sales_order, netsuite_connection, sales_order_list
from ..services import sales_orders as services
from ..services.sales_orders import preview_rows, read_csv, sales_orders_import
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
    """Upload: a dry run shows every row (new, update, unchanged, error). Confirm: the same text
    is imported for real, all or nothing."""
    back = _list_url(tenant_slug)
    form = CsvImportForm(request.POST or None, request.FILES or None)
    result, rows, error_count = None, [], 0
    if request.method == "POST" and form.is_valid():
        try:
            dataset = read_csv(form.cleaned_data["csv_text"])
        except Exception as exc:  # noqa: BLE001 - any parse failure is the file's problem, shown to the user
            form.add_error("file", str(exc) if isinstance(exc, ValueError) else "This file is not a readable CSV.")
        else:
            confirm = request.POST.get("confirm") == "1"
            result = sales_orders_import(
                tenant=request.tenant, actor=request.user, dataset=dataset, dry_run=not confirm
            )
            rows = preview_rows(dataset, result)
            error_count = sum(1 for r in rows if r["errors"])
            failed = result.has_errors() or result.has_validation_errors()
            if confirm and not failed:
                t = result.totals
                messages.success(
                    request, f"Imported sales orders: {t['new']} new, {t['update']} updated, {t['skip']} unchanged."
                )
                return redirect(back)
            form = CsvImportForm(initial={"csv_text": form.cleaned_data["csv_text"]})
    return render(
        request,
        "courses/sales_order_import.html",
        {
            "form": form,
            "result": result,
            "rows": rows,
            "error_count": error_count,
            "title": "Import sales orders (CSV)",
            "cancel_url": back,
        },
    )


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
