"""Partner data pages: accounts, partner users, opportunities, deal registrations, course
assignments, currency rates (list, create, edit, delete) and the CSV imports with a preview."""

from django.contrib import messages
from django.shortcuts import redirect

from common.htmx import render_page
from common.imports import ImportFileError
from common.permissions import capability_required
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
from ..forms import (
    CourseAssignmentForm,
    CurrencyRateForm,
    ImportForm,
    LeadForm,
    OpportunityForm,
    PartnerAccountForm,
    PartnerUserForm,
)
from ..imports import COLUMNS, import_records, preview_rows
from ..tables import (
    CourseAssignmentTable,
    CurrencyRateTable,
    LeadTable,
    OpportunityTable,
    PartnerAccountTable,
    PartnerUserTable,
)
from .base import PartnerListView, RecordDeleteView, RecordFormView, tabs, url

C = Capability.PARTNER_TIERS

# --- Partner accounts and users ------------------------------------------------------------------


class AccountListView(PartnerListView):
    title = "Partner accounts"
    table_class = PartnerAccountTable
    filterset_class = PartnerAccountFilter
    export_name = "partner-accounts"
    create_url_name = "partners:account_add"

    def get_base_queryset(self):
        return selectors.partner_account_list(tenant=self.request.tenant)


def _account_create(*, tenant, actor, data):
    return services.partner_account_create(tenant=tenant, actor=actor, **data)


class AccountFormView(RecordFormView):
    form_class = PartnerAccountForm
    noun = "partner account"
    list_url_name = "partners:account_list"
    id_kwarg = "account_id"
    access = staticmethod(selectors.access_partner_account)
    create_service = staticmethod(_account_create)
    update_service = staticmethod(services.partner_account_update)


class PartnerUserListView(PartnerListView):
    title = "Partner users"
    table_class = PartnerUserTable
    filterset_class = PartnerUserFilter
    export_name = "partner-users"
    create_url_name = "partners:partner_user_add"

    def get_base_queryset(self):
        return selectors.partner_user_list(tenant=self.request.tenant)


def _partner_user_create(*, tenant, actor, data):
    return services.partner_user_create(tenant=tenant, actor=actor, **data)


def _partner_user_update(partner_user, *, actor, data):
    data = {k: v for k, v in data.items() if k != "user"}  # who the person is never changes
    return services.partner_user_update(partner_user, actor=actor, data=data)


class PartnerUserFormView(RecordFormView):
    form_class = PartnerUserForm
    noun = "partner user"
    list_url_name = "partners:partner_user_list"
    id_kwarg = "partner_user_id"
    access = staticmethod(selectors.access_partner_user)
    create_service = staticmethod(_partner_user_create)
    update_service = staticmethod(_partner_user_update)


# --- Opportunities, deal registrations, course assignments, rates ------------------------------


class OpportunityListView(PartnerListView):
    title = "Opportunities"
    table_class = OpportunityTable
    filterset_class = OpportunityFilter
    export_name = "opportunities"
    create_url_name = "partners:opportunity_add"
    import_url_name = "partners:opportunity_import"

    def get_base_queryset(self):
        return selectors.opportunity_list(tenant=self.request.tenant)


class OpportunityFormView(RecordFormView):
    form_class = OpportunityForm
    noun = "opportunity"
    list_url_name = "partners:opportunity_list"
    id_kwarg = "opportunity_id"
    access = staticmethod(selectors.access_opportunity)
    create_service = staticmethod(services.opportunity_create)
    update_service = staticmethod(services.opportunity_update)


class OpportunityDeleteView(RecordDeleteView):
    noun = "opportunity"
    list_url_name = "partners:opportunity_list"
    id_kwarg = "opportunity_id"
    access = staticmethod(selectors.access_opportunity)
    delete_service = staticmethod(services.opportunity_delete)


class LeadListView(PartnerListView):
    title = "Deal registrations"
    table_class = LeadTable
    filterset_class = LeadFilter
    export_name = "deal-registrations"
    create_url_name = "partners:lead_add"
    import_url_name = "partners:lead_import"

    def get_base_queryset(self):
        return selectors.lead_list(tenant=self.request.tenant)


class LeadFormView(RecordFormView):
    form_class = LeadForm
    noun = "deal registration"
    list_url_name = "partners:lead_list"
    id_kwarg = "lead_id"
    access = staticmethod(selectors.access_lead)
    create_service = staticmethod(services.lead_create)
    update_service = staticmethod(services.lead_update)


class LeadDeleteView(RecordDeleteView):
    noun = "deal registration"
    list_url_name = "partners:lead_list"
    id_kwarg = "lead_id"
    access = staticmethod(selectors.access_lead)
    delete_service = staticmethod(services.lead_delete)


class CourseAssignmentListView(PartnerListView):
    title = "Course assignments"
    table_class = CourseAssignmentTable
    filterset_class = CourseAssignmentFilter
    export_name = "course-assignments"
    create_url_name = "partners:course_add"
    import_url_name = "partners:course_import"

    def get_base_queryset(self):
        return selectors.course_assignment_list(tenant=self.request.tenant)


class CourseAssignmentFormView(RecordFormView):
    form_class = CourseAssignmentForm
    noun = "course assignment"
    list_url_name = "partners:course_list"
    id_kwarg = "assignment_id"
    access = staticmethod(selectors.access_course_assignment)
    create_service = staticmethod(services.course_assignment_create)
    update_service = staticmethod(services.course_assignment_update)


class CourseAssignmentDeleteView(RecordDeleteView):
    noun = "course assignment"
    list_url_name = "partners:course_list"
    id_kwarg = "assignment_id"
    access = staticmethod(selectors.access_course_assignment)
    delete_service = staticmethod(services.course_assignment_delete)


class CurrencyRateListView(PartnerListView):
    title = "Currency rates"
    table_class = CurrencyRateTable
    filterset_class = CurrencyRateFilter
    export_name = "currency-rates"
    create_url_name = "partners:rate_add"

    def get_base_queryset(self):
        return selectors.currency_rate_list(tenant=self.request.tenant)


class CurrencyRateFormView(RecordFormView):
    form_class = CurrencyRateForm
    noun = "currency rate"
    list_url_name = "partners:rate_list"
    id_kwarg = "rate_id"
    access = staticmethod(selectors.access_currency_rate)
    create_service = staticmethod(services.currency_rate_create)
    update_service = staticmethod(services.currency_rate_update)


class CurrencyRateDeleteView(RecordDeleteView):
    noun = "currency rate"
    list_url_name = "partners:rate_list"
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
        """Upload a CSV → preview every row with its errors (nothing saved) → confirm → import
        all rows in one transaction (or none, if the data changed and a row now fails)."""
        form = ImportForm(request.POST or None, request.FILES or None)
        preview, totals, payload, preview_headers = None, None, "", []
        if request.method == "POST" and form.is_valid():
            payload = form.cleaned_data["payload"]
            confirm = form.cleaned_data.get("confirm") and not request.FILES
            try:
                result, dataset = import_records(
                    kind, tenant=request.tenant, actor=request.user, csv_text=payload, dry_run=not confirm
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's to fix
                form.add_error("file", f"This file could not be read as CSV ({exc.__class__.__name__}).")
            else:
                failed = result.has_errors() or result.has_validation_errors()
                if confirm and not failed:
                    t = result.totals
                    messages.success(
                        request,
                        f"Imported {noun.lower()}: {t['new']} new, {t['update']} updated, {t['skip']} unchanged.",
                    )
                    return redirect(url(request, list_name))
                preview, totals = preview_rows(result, dataset), dict(result.totals)
                totals["failed"] = failed
                preview_headers = dataset.headers or []
        ctx = {
            "title": f"Import {noun.lower()}",
            "noun": noun,
            "tabs": tabs(request, list_name),
            "form": form,
            "columns": COLUMNS[kind],
            "preview": preview,
            "preview_headers": preview_headers,
            "totals": totals,
            "payload": payload,
            "cancel_url": url(request, list_name),
        }
        return render_page(request, "partners/import.html", ctx)

    view.__name__ = f"{kind}_import"
    return view


opportunities_import = _import_view("opportunities")
leads_import = _import_view("leads")
courses_import = _import_view("courses")
