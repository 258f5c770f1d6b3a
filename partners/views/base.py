"""Small generic views of the partner pages: a list with the section's tabs, create/edit forms
that call a service and show its errors next to the fields, and a confirm-then-delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from common.permissions import CapabilityRequiredMixin
from common.views import ConfirmActionView, TenantListView
from tenancy.capabilities import Capability

from ..forms import add_service_errors

# The section's tabs: (label, url name). The enrollment pages add theirs next to Programs.
TABS = [
    ("Programs", "partners:program_list"),
    ("Enrollments", "partners:enrollment_list"),
    ("Benefit library", "partners:benefit_list"),
    ("Partner accounts", "partners:account_list"),
    ("Partner users", "partners:partner_user_list"),
    ("Opportunities", "partners:opportunity_list"),
    ("Deal registrations", "partners:lead_list"),
    ("Course assignments", "partners:course_list"),
    ("Currency rates", "partners:rate_list"),
]


def tabs(request, active: str) -> list[dict]:
    slug = request.tenant.slug
    return [
        {"label": label, "url": reverse(name, kwargs={"tenant_slug": slug}), "active": name == active}
        for label, name in TABS
    ]


def url(request, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


class PartnerListView(TenantListView):
    capability = Capability.PARTNER_TIERS
    template_name = "partners/list.html"
    tab = ""
    import_url_name: str | None = None

    def get_template_names(self):
        names = super().get_template_names()
        # The table partial lives in the shared list template this page extends.
        return ["components/list_page.html#table"] if names[0].endswith("#table") else names

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tabs"] = tabs(self.request, self.tab or self.request.resolver_match.view_name)
        ctx["import_url_name"] = self.import_url_name
        return ctx


def form_page(request, form, *, title: str, back: str, active_tab: str = "", **extra):
    ctx = {"form": form, "title": title, "cancel_url": back, **extra}
    if active_tab:
        ctx["tabs"] = tabs(request, active_tab)
    return render(request, "partners/form_page.html", ctx)


class RecordFormView(CapabilityRequiredMixin, View):
    """Create (no id in the URL) or edit (``id_kwarg`` in the URL) one record through services.

    ``create(tenant=, actor=, data=)`` and ``update(obj, actor=, data=)`` return the object."""

    capability = Capability.PARTNER_TIERS
    form_class = None
    noun = ""
    list_url_name = ""
    id_kwarg = ""
    access = None  # staticmethod: access(tenant=, <id_kwarg>=) -> object
    create_service = None
    update_service = None

    def get_object(self):
        if self.id_kwarg not in self.kwargs:
            return None
        return self.access(tenant=self.request.tenant, **{self.id_kwarg: self.kwargs[self.id_kwarg]})

    def get_form(self, obj):
        return self.form_class(
            self.request.POST or None, self.request.FILES or None, instance=obj, tenant=self.request.tenant
        )

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render(self.get_form(obj), obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj)
        if form.is_valid():
            try:
                if obj is None:
                    obj = self.create_service(tenant=request.tenant, actor=request.user, data=form.data_for_service())
                    messages.success(request, f"Created {self.noun} {obj}.")
                else:
                    obj = self.update_service(obj, actor=request.user, data=form.data_for_service())
                    messages.success(request, f"Saved {self.noun} {obj}.")
                return redirect(url(request, self.list_url_name))
            except ValidationError as exc:
                add_service_errors(form, exc)
        return self.render(form, obj)

    def render(self, form, obj):
        title = f"Edit {self.noun} {obj}" if obj is not None else f"New {self.noun}"
        return form_page(
            self.request, form, title=title, back=url(self.request, self.list_url_name), active_tab=self.list_url_name
        )


class RecordDeleteView(ConfirmActionView):
    capability = Capability.PARTNER_TIERS
    title = "Delete?"
    confirm_label = "Delete"
    noun = ""
    list_url_name = ""
    id_kwarg = ""
    access = None
    delete_service = None
    consequence = "Partner progress that counted it is recalculated within 5 minutes."

    def get_object(self):
        return self.access(tenant=self.request.tenant, **{self.id_kwarg: self.kwargs[self.id_kwarg]})

    def describe(self, obj) -> str:
        return f"Delete {self.noun} “{obj}”? {self.consequence}".strip()

    def perform(self, obj) -> str:
        try:
            self.delete_service(obj, actor=self.request.user)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return ""
        return f"Deleted {self.noun} “{obj}”."

    def get_success_url(self, obj) -> str:
        return url(self.request, self.list_url_name)


def back_to(request, name, **kwargs):
    return redirect(url(request, name, **kwargs))
