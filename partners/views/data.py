"""Partner data pages: accounts, partner users, opportunities, deal registrations, course
assignments, currency rates (list, create, edit, delete) and the CSV imports with a preview.

Each page is a class that declares what it shows and which service writes (see common.views):
a list declares its selector, table and filterset; an edit page its form, ``access_*`` lookup and
create/update services; a delete page its lookup and delete service."""

from django.conf import settings
from django.shortcuts import render

from common.htmx import htmx_partial
from common.permissions import capability_required
from jobs.import_views import import_page
from tenancy.capabilities import Capability

from .. import selectors, services
from ..filters import (
    CourseAssignmentFilter,
    CurrencyRateFilter,
    LeadFilter,
    OpportunityFilter,
    PartnerAccountFilter,
    PartnerUserFilter,
)
from ..forms.data import (
    CourseAssignmentForm,
    CurrencyRateForm,
    LeadForm,
    OpportunityForm,
    PartnerAccountForm,
    PartnerUserForm,
)
from ..jobs import IMPORTS as IMPORT_KINDS
from ..tables import (
    CourseAssignmentTable,
    CurrencyRateTable,
    LeadTable,
    OpportunityTable,
    PartnerAccountTable,
    PartnerUserTable,
)
from .base import PartnerDeleteView, PartnerEditView, PartnerListView, tabs, url

C = Capability.PARTNER_TIERS

# --- Partner accounts and users ------------------------------------------------------------------


@capability_required(C)
def account_suggestions(request, tenant_slug):
    """The data lists' Account filter suggestions for the text typed so far: ``<option>``
    elements, the value the account's name (what the filter takes), the label with its region."""
    accounts = selectors.partner_account_suggestions(tenant=request.tenant, text=request.GET.get("account", ""))
    return render(request, "partners/_account_options.html", {"accounts": accounts})


class AccountListView(PartnerListView):
    title = "Partner accounts"
    selector = staticmethod(selectors.partner_account_list)
    table_class = PartnerAccountTable
    filterset_class = PartnerAccountFilter
    export_name = "partner-accounts"
    create_url_name = "partners:account_add"


class AccountFormView(PartnerEditView):
    form_class = PartnerAccountForm
    noun = "partner account"
    success_url_name = "partners:account_list"
    id_kwarg = "account_id"
    access = staticmethod(selectors.access_partner_account)
    update_service = staticmethod(services.partner_account_update)

    def create(self, form):
        return services.partner_account_create(
            tenant=self.request.tenant, actor=self.request.user, **form.data_for_service()
        )


class PartnerUserListView(PartnerListView):
    title = "Partner users"
    selector = staticmethod(selectors.partner_user_list)
    table_class = PartnerUserTable
    filterset_class = PartnerUserFilter
    export_name = "partner-users"
    create_url_name = "partners:partner_user_add"


class PartnerUserFormView(PartnerEditView):
    form_class = PartnerUserForm
    noun = "partner user"
    success_url_name = "partners:partner_user_list"
    id_kwarg = "partner_user_id"
    access = staticmethod(selectors.access_partner_user)

    def create(self, form):
        return services.partner_user_create(
            tenant=self.request.tenant, actor=self.request.user, **form.data_for_service()
        )

    def update(self, obj, form):
        data = {k: v for k, v in form.data_for_service().items() if k != "user"}  # who the person is never changes
        return services.partner_user_update(obj, actor=self.request.user, data=data)


# --- Opportunities, deal registrations, course assignments, rates ------------------------------


class OpportunityListView(PartnerListView):
    title = "Opportunities"
    selector = staticmethod(selectors.opportunity_list)
    table_class = OpportunityTable
    filterset_class = OpportunityFilter
    export_name = "opportunities"
    create_url_name = "partners:opportunity_add"
    import_url_name = "partners:opportunity_import"


class OpportunityFormView(PartnerEditView):
    form_class = OpportunityForm
    noun = "opportunity"
    success_url_name = "partners:opportunity_list"
    id_kwarg = "opportunity_id"
    access = staticmethod(selectors.access_opportunity)
    create_service = staticmethod(services.opportunity_create)
    update_service = staticmethod(services.opportunity_update)


class OpportunityDeleteView(PartnerDeleteView):
    noun = "opportunity"
    success_url_name = "partners:opportunity_list"
    id_kwarg = "opportunity_id"
    access = staticmethod(selectors.access_opportunity)
    delete_service = staticmethod(services.opportunity_delete)


class LeadListView(PartnerListView):
    title = "Deal registrations"
    selector = staticmethod(selectors.lead_list)
    table_class = LeadTable
    filterset_class = LeadFilter
    export_name = "deal-registrations"
    create_url_name = "partners:lead_add"
    import_url_name = "partners:lead_import"


class LeadFormView(PartnerEditView):
    form_class = LeadForm
    noun = "deal registration"
    success_url_name = "partners:lead_list"
    id_kwarg = "lead_id"
    access = staticmethod(selectors.access_lead)
    create_service = staticmethod(services.lead_create)
    update_service = staticmethod(services.lead_update)


class LeadDeleteView(PartnerDeleteView):
    noun = "deal registration"
    success_url_name = "partners:lead_list"
    id_kwarg = "lead_id"
    access = staticmethod(selectors.access_lead)
    delete_service = staticmethod(services.lead_delete)


class CourseAssignmentListView(PartnerListView):
    title = "Course assignments"
    selector = staticmethod(selectors.course_assignment_list)
    table_class = CourseAssignmentTable
    filterset_class = CourseAssignmentFilter
    export_name = "course-assignments"
    create_url_name = "partners:course_add"
    import_url_name = "partners:course_import"


class CourseAssignmentFormView(PartnerEditView):
    form_class = CourseAssignmentForm
    noun = "course assignment"
    success_url_name = "partners:course_list"
    id_kwarg = "assignment_id"
    access = staticmethod(selectors.access_course_assignment)
    create_service = staticmethod(services.course_assignment_create)
    update_service = staticmethod(services.course_assignment_update)


class CourseAssignmentDeleteView(PartnerDeleteView):
    noun = "course assignment"
    success_url_name = "partners:course_list"
    id_kwarg = "assignment_id"
    access = staticmethod(selectors.access_course_assignment)
    delete_service = staticmethod(services.course_assignment_delete)


class CurrencyRateListView(PartnerListView):
    title = "Currency rates"
    selector = staticmethod(selectors.currency_rate_list)
    table_class = CurrencyRateTable
    filterset_class = CurrencyRateFilter
    export_name = "currency-rates"
    create_url_name = "partners:rate_add"
    template_name = "partners/rate_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if not htmx_partial(self.request):
            ctx["missing_rates"] = selectors.missing_rate_pairs(tenant=self.request.tenant)
        return ctx


class CurrencyRateFormView(PartnerEditView):
    form_class = CurrencyRateForm
    noun = "currency rate"
    initial_from_query = ("date", "from_currency", "to_currency")
    success_url_name = "partners:rate_list"
    id_kwarg = "rate_id"
    access = staticmethod(selectors.access_currency_rate)
    create_service = staticmethod(services.currency_rate_create)
    update_service = staticmethod(services.currency_rate_update)


class CurrencyRateDeleteView(PartnerDeleteView):
    noun = "currency rate"
    success_url_name = "partners:rate_list"
    id_kwarg = "rate_id"
    access = staticmethod(selectors.access_currency_rate)
    delete_service = staticmethod(services.currency_rate_delete)
    consequence = "Revenue in programs of that currency is recalculated within 5 minutes."


# --- CSV import ----------------------------------------------------------------------------------

IMPORTS = {
    "opportunities": ("Opportunities", "partners:opportunity_list"),
    "leads": ("Deal registrations", "partners:lead_list"),
    "courses": ("Course assignments", "partners:course_list"),
}


def _import_view(kind):
    noun, list_name = IMPORTS[kind]

    @capability_required(C)
    def view(request, tenant_slug):
        """Upload a CSV → a job checks every row (nothing saved) and shows the preview → Confirm →
        a job imports all rows in one transaction (or none, if the data changed and a row now fails)."""
        ctx = {
            "title": f"Import {noun.lower()}",
            "noun": noun,
            "tabs": tabs(request, list_name),
            "cancel_url": url(request, list_name),
            "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB,
        }
        return import_page(request, IMPORT_KINDS[kind], template="partners/import.html", context=ctx)

    view.__name__ = f"{kind}_import"
    return view


opportunities_import = _import_view("opportunities")
leads_import = _import_view("leads")
courses_import = _import_view("courses")
