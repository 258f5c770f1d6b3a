"""Small generic views (after NetBox's generic views): a list that sorts, filters, paginates,
swaps its table with htmx and exports exactly the filtered rows; and a confirm-then-act view for
destructive or mass actions."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views import View
from django_filters.views import FilterView
from django_htmx.http import HttpResponseClientRedirect
from django_tables2 import SingleTableMixin

from .export import EXPORT_FORMATS, export_response, table_rows
from .htmx import htmx_partial
from .permissions import CapabilityRequiredMixin, member_has


class TenantListView(CapabilityRequiredMixin, SingleTableMixin, FilterView):
    """Declare ``capability``, ``table_class``, ``filterset_class``, ``get_base_queryset()``.

    ``?export=csv|xlsx`` returns the filtered, sorted rows of every exportable column, streamed.
    htmx requests get only the ``#table`` partial of the template.
    """

    template_name = "components/list_page.html"
    title = ""
    export_name = "export"
    export_formats = EXPORT_FORMATS
    create_url_name: str | None = None
    create_capability: str | None = None  # the New button's; the page's own when unset
    table_pagination = {"per_page": settings.PORTAL_PAGE_SIZE}
    strict = False  # an invalid filter shows its error next to the field and an empty table

    def get_base_queryset(self):
        raise NotImplementedError("TenantListView subclasses return their selector's queryset")

    def get_queryset(self):
        return self.get_base_queryset()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["tenant"] = self.request.tenant  # filtersets derive from common.filters.TenantFilterSet
        return kwargs

    def get_template_names(self):
        names = super().get_template_names()
        if htmx_partial(self.request):
            return [f"{names[0]}#table"]
        return names

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in self.export_formats:
            return self.export(fmt)
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response

    def export(self, fmt: str):
        filterset = self.get_filterset(self.get_filterset_class())
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else self.get_queryset()
        table = self.table_class(data=queryset, request=self.request)
        order = self.request.GET.get(table.prefixed_order_by_field)
        if order:
            table.order_by = order
        header, rows = table_rows(table, table.data.data)
        return export_response(fmt, self.export_name, header, rows, tenant=self.request.tenant)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.title
        ctx["export_formats"] = self.export_formats
        can_create = member_has(self.request, self.create_capability or self.capability)
        ctx["create_url_name"] = self.create_url_name if can_create else None
        return ctx


class ConfirmActionView(CapabilityRequiredMixin, View):
    """GET renders a confirmation (as a dialog for htmx, a page otherwise) saying what will
    change; POST performs the action through a service and redirects with a message saying what
    changed. Subclasses implement ``get_object``, ``describe`` and ``perform``."""

    template_name = "components/confirm.html"
    title = "Are you sure?"
    confirm_label = "Confirm"
    danger = True

    def get_object(self):
        return None

    def describe(self, obj) -> str:
        return ""

    def details(self, obj) -> list[str]:
        """Lines listed under the message: what exactly goes or changes."""
        return []

    def refusal(self, obj) -> str:
        """Why the action cannot be done on ``obj`` now ("" when it can): the dialog then says so
        and offers no confirm button, and a POST changes nothing."""
        return ""

    def perform(self, obj) -> str:
        """Do it; return the message to show afterwards."""
        raise NotImplementedError

    def get_success_url(self, obj) -> str:
        return self.request.get_full_path()

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        refusal = self.refusal(obj)
        ctx = {
            "title": self.title,
            "message": refusal or self.describe(obj),
            "details": [] if refusal else self.details(obj),
            "refused": bool(refusal),
            "confirm_label": self.confirm_label,
            "danger": self.danger,
            "action_url": request.get_full_path(),
            "cancel_url": self.get_success_url(obj),
            "object": obj,
        }
        template = f"{self.template_name}#dialog" if htmx_partial(request) else self.template_name
        return render(request, template, ctx)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        refusal = self.refusal(obj)
        if refusal:
            messages.error(request, refusal)
        elif message := self.perform(obj):
            messages.success(request, message)
        url = self.get_success_url(obj)
        if htmx_partial(request):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
