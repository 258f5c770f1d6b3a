"""Small generic views (after NetBox's generic views): a list that sorts, filters, paginates,
swaps its table with htmx and exports exactly the filtered rows; a create/edit form whose save is
a service call; and a confirm-then-act view for destructive or mass actions, with its
confirm-then-delete form.

A page declares what it shows and which service writes, NetBox style::

    class OpportunityListView(TenantListView):
        selector = staticmethod(selectors.opportunity_list)
        table_class, filterset_class = OpportunityTable, OpportunityFilter

    class OpportunityEditView(TenantObjectEditView):
        form_class, access, id_kwarg = OpportunityForm, staticmethod(selectors.access_opportunity), "opportunity_id"
        create_service = staticmethod(services.opportunity_create)
        update_service = staticmethod(services.opportunity_update)
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View
from django_filters.views import FilterView
from django_htmx.http import HttpResponseClientRedirect
from django_tables2 import SingleTableMixin

from .export import EXPORT_FORMATS, export_response, table_rows
from .forms import add_service_errors
from .htmx import htmx_partial
from .permissions import CapabilityRequiredMixin, member_has
from .regions import Regions, kept_response
from .tables import CountedPaginator


def tenant_url(request, name: str, **kwargs) -> str:
    """``reverse`` of a workspace URL name, in the request's workspace."""
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


class TenantListView(CapabilityRequiredMixin, SingleTableMixin, FilterView):
    """Declare ``capability``, ``table_class``, ``filterset_class`` and either ``selector``
    (``selector(tenant=)`` returns the page's queryset) or ``get_base_queryset()``.

    ``?export=csv|xlsx`` returns the filtered, sorted rows of every exportable column, streamed.
    htmx requests get only the ``#table`` partial of the template. What the table shows but the
    filters do not need (sums per row) goes in ``table_queryset``, added after filtering, to the
    page's rows and to the export's alike (All Users' owed balances).
    """

    template_name = "components/list_page.html"
    title = ""
    export_name = "export"
    export_formats = EXPORT_FORMATS
    create_url_name: str | None = None
    create_capability: str | None = None  # the New button's; the page's own when unset
    # A first page of fewer rows than a page's worth is counted by reading it: no COUNT.
    table_pagination = {"per_page": settings.PORTAL_PAGE_SIZE, "paginator_class": CountedPaginator}
    strict = False  # an invalid filter shows its error next to the field and an empty table
    # Query parameters that scope the list without being a filter field (``?account=`` from a
    # link): the filter form carries them, so a search or a Reset keeps the list in that scope.
    kept_params: tuple[str, ...] = ()
    selector = None  # staticmethod: selector(tenant=) -> the tenant's rows, with the joins the table needs
    # Keep the page's ``{% region %}``s per workspace data version (common.regions): for a page
    # whose regions show nothing but the workspace's data, the query, the day and what
    # ``region_varies_on()`` names. Off for a page showing anything else (a job's progress).
    keeps_regions = False
    regions = None

    def get_title(self) -> str:
        """The page's heading and window title (a page may compute it: a program's name)."""
        return self.title

    def region_varies_on(self) -> tuple:
        """What else the regions show: the role's capabilities (links, buttons), so members of
        one role share them. A page showing anything of the member themselves returns
        ``("member", membership.pk)``."""
        return ("role", self.request.membership.role_id)

    def get_base_queryset(self):
        if self.selector is None:
            raise NotImplementedError("TenantListView subclasses declare a selector or get_base_queryset()")
        return self.selector(tenant=self.request.tenant)

    def get_queryset(self):
        return self.get_base_queryset()

    def table_queryset(self, queryset, *, every_row: bool = False):
        """The rows the table shows, from the filtered queryset: a page adds here what its
        filters do not need (e.g. sums per row). ``every_row``: all of them will be read (an
        export), not one page's."""
        return queryset

    def get_table_data(self):
        return self.table_queryset(super().get_table_data())

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["tenant"] = self.request.tenant  # filtersets derive from common.filters.TenantFilterSet
        return kwargs

    def get_template_names(self):
        names = super().get_template_names()
        if htmx_partial(self.request):
            # A page that extends the list page inherits its partial, which Django finds only
            # under the template that defines it.
            return [f"{names[0]}#table", "components/list_page.html#table"]
        return names

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in self.export_formats:
            return self.export(fmt)
        if self.keeps_regions:
            self.regions = Regions(request, varies_on=self.region_varies_on())

            def page():
                context = {"regions": self.regions, "title": self.get_title()}
                return TemplateResponse(request, self.template_name, context)

            response = kept_response(request, self.regions, page)
            if response is not None:
                return response
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response

    def export_table(self, **table_kwargs):
        """The table of an export: the filtered rows in the list's order, not paginated (a table
        built with ``request=`` is paginated by django-tables2, which COUNTs every row the export
        is about to read anyway)."""
        filterset = self.filterset = self.get_filterset(self.get_filterset_class())
        # As the page (django-filter's FilterView): the valid filters apply even beside one in
        # error, unless the view is strict, where a filter in error lists nothing.
        if not filterset.is_bound or filterset.is_valid() or not self.get_strict():
            queryset = filterset.qs
        else:
            queryset = filterset.queryset.none()
        table = self.get_table_class()(data=self.table_queryset(queryset, every_row=True), **table_kwargs)
        table.request = self.request
        order = self.request.GET.getlist(table.prefixed_order_by_field)  # as django-tables2's RequestConfig
        if order:
            table.order_by = order
        return table

    def export(self, fmt: str):
        table = self.export_table()
        header, rows = table_rows(table, table.data.data)
        return export_response(fmt, self.export_name, header, rows, tenant=self.request.tenant)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.get_title()
        ctx["export_formats"] = self.export_formats
        can_create = member_has(self.request, self.create_capability or self.capability)
        ctx["create_url_name"] = self.create_url_name if can_create else None
        kept = QueryDict(mutable=True)
        for name in self.kept_params:
            values = [v for v in self.request.GET.getlist(name) if v]
            if values:
                kept.setlist(name, values)
        ctx["filter_kept"] = kept
        ctx["regions"] = self.regions
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


class TenantObjectEditView(CapabilityRequiredMixin, View):
    """Create (no ``id_kwarg`` in the URL) or edit (``id_kwarg`` in the URL) one object of the
    request's tenant. The form only validates: the save is a service call, so services stay the
    only writers and every write is recorded by them. A ValidationError the service raises goes
    back next to the form's fields and nothing is saved.

    Declare ``form_class`` (takes ``tenant=`` and ``instance=``, offers ``data_for_service()``),
    ``access`` (the app's ``access_<model>(tenant=, <id_kwarg>=)``: 404 for another tenant's id),
    ``id_kwarg``, ``create_service(tenant=, actor=, data=)``, ``update_service(obj, actor=, data=)``,
    ``noun`` and ``success_url_name``. Override ``create``/``update`` when a service takes other
    arguments."""

    template_name = "components/form_page.html"
    form_class = None
    noun = ""
    id_kwarg = ""
    access = None
    create_service = None
    update_service = None
    success_url_name = ""

    def get_object(self):
        if self.id_kwarg not in self.kwargs:
            return None
        return self.access(tenant=self.request.tenant, **{self.id_kwarg: self.kwargs[self.id_kwarg]})

    # Fields a link may prefill on a new object (``?field=value``), such as Currency rates'
    # "Add rate" next to a missing pair.
    initial_from_query: tuple[str, ...] = ()

    def get_form_kwargs(self, obj) -> dict:
        kwargs = {"instance": obj, "tenant": self.request.tenant}
        if obj is None and self.request.method == "GET":
            kwargs["initial"] = {f: self.request.GET[f] for f in self.initial_from_query if self.request.GET.get(f)}
        return kwargs

    def get_form(self, obj):
        return self.form_class(self.request.POST or None, self.request.FILES or None, **self.get_form_kwargs(obj))

    def create(self, form):
        return self.create_service(tenant=self.request.tenant, actor=self.request.user, data=form.data_for_service())

    def update(self, obj, form):
        return self.update_service(obj, actor=self.request.user, data=form.data_for_service())

    def created_message(self, obj) -> str:
        return f"Created {self.noun} {obj}."

    def saved_message(self, obj) -> str:
        return f"Saved {self.noun} {obj}."

    def get_title(self, obj) -> str:
        return f"Edit {self.noun} {obj}" if obj is not None else f"New {self.noun}"

    def get_success_url(self, obj) -> str:
        return tenant_url(self.request, self.success_url_name)

    def get_cancel_url(self, obj) -> str:
        return tenant_url(self.request, self.success_url_name)

    def get_context_data(self, form, obj) -> dict:
        return {"form": form, "title": self.get_title(obj), "cancel_url": self.get_cancel_url(obj)}

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render(self.get_form(obj), obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj)
        if form.is_valid():
            try:
                if obj is None:
                    obj = self.create(form)
                    message = self.created_message(obj)
                else:
                    obj = self.update(obj, form)
                    message = self.saved_message(obj)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect(self.get_success_url(obj))
        return self.render(form, obj)

    def render(self, form, obj):
        return render(self.request, self.template_name, self.get_context_data(form, obj))


class TenantObjectDeleteView(ConfirmActionView):
    """Confirm, then delete one object of the request's tenant through its service. A
    ValidationError from the service (e.g. "still in use") is shown and nothing is deleted.

    Declare ``access``, ``id_kwarg``, ``delete_service(obj, actor=)``, ``noun``,
    ``success_url_name`` and optionally ``consequence`` (what else the deletion does)."""

    title = "Delete?"
    confirm_label = "Delete"
    noun = ""
    id_kwarg = ""
    access = None
    delete_service = None
    consequence = ""
    success_url_name = ""
    deleted = False  # set by perform(), so get_success_url() can tell a refused deletion apart

    def get_object(self):
        return self.access(tenant=self.request.tenant, **{self.id_kwarg: self.kwargs[self.id_kwarg]})

    def describe(self, obj) -> str:
        return f"Delete {self.noun} “{obj}”? {self.consequence}".strip()

    def perform(self, obj) -> str:
        try:
            self.delete_service(obj, actor=self.request.user)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
            self.deleted = False
            return ""
        self.deleted = True
        return f"Deleted {self.noun} “{obj}”."

    def get_success_url(self, obj) -> str:
        return tenant_url(self.request, self.success_url_name)
