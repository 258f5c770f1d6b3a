"""What the partner pages share: the section's tabs, and the generic list, create/edit and
delete views of common.views dressed in them (the Partner Program Tiers capability, the
section's templates and tabs)."""

from common.views import TenantListView, TenantObjectDeleteView, TenantObjectEditView, tenant_url
from tenancy.capabilities import Capability

# The section's tabs: (label, url name).
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

url = tenant_url


def tabs(request, active: str) -> list[dict]:
    return [{"label": label, "url": url(request, name), "active": name == active} for label, name in TABS]


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


class PartnerEditView(TenantObjectEditView):
    """Create or edit one record of the section; the page sits under the list's tab (or
    ``active_tab``)."""

    capability = Capability.PARTNER_TIERS
    template_name = "partners/form_page.html"
    active_tab = ""

    def get_context_data(self, form, obj) -> dict:
        ctx = super().get_context_data(form, obj)
        ctx["tabs"] = tabs(self.request, self.active_tab or self.success_url_name)
        return ctx


class PartnerDeleteView(TenantObjectDeleteView):
    capability = Capability.PARTNER_TIERS
    consequence = "Partner progress that counted it is recalculated within 5 minutes."
