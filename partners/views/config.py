"""Setup > Partner Management > Partner Program Tiers: programs, tiers, criteria, benefits."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from common.htmx import render_page
from common.permissions import capability_required
from common.views import ConfirmActionView
from tenancy.capabilities import Capability

from .. import selectors, services
from ..criteria import KINDS, conditions_text, field_label
from ..filters import BenefitFilter, ProgramFilter
from ..forms import BenefitForm, BenefitValuesForm, CriterionForm, ProgramForm, TierForm, add_service_errors
from ..tables import BenefitTable, ProgramTable
from .base import PartnerListView, RecordDeleteView, RecordFormView, form_page, tabs, url

C = Capability.PARTNER_TIERS


class ProgramListView(PartnerListView):
    title = "Partner Program Tiers"
    table_class = ProgramTable
    filterset_class = ProgramFilter
    export_name = "partner-programs"
    create_url_name = "partners:program_add"

    def get_base_queryset(self):
        return selectors.program_list(tenant=self.request.tenant)


def _program_url(request, program):
    return url(request, "partners:program_detail", program_id=program.pk)


@capability_required(C)
def program_add(request, tenant_slug):
    form = ProgramForm(
        request.POST or None, tenant=request.tenant, initial={"currency": request.tenant.default_currency}
    )
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Created program {program} with tiers Launch, Build, Scale and Elevate.")
            return redirect(_program_url(request, program))
    return form_page(
        request,
        form,
        title="New partner program",
        back=url(request, "partners:program_list"),
        active_tab="partners:program_list",
    )


@capability_required(C)
def program_edit(request, tenant_slug, program_id):
    program = selectors.access_program(tenant=request.tenant, program_id=program_id)
    form = ProgramForm(request.POST or None, instance=program, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(program, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved program {program}.")
            return redirect(_program_url(request, program))
    return form_page(
        request,
        form,
        title=f"Edit program {program}",
        back=_program_url(request, program),
        active_tab="partners:program_list",
    )


def _implicit_text(kind) -> str:
    """The kind's own condition in words (closed deals: "stage = Closed Won")."""
    implicit = KINDS[kind].implicit
    if "completed_date__isnull" in implicit:
        return "completed"
    return conditions_text(kind, [{"field": k, "op": "=", "value": v} for k, v in implicit.items()])


def _criterion_rows(criteria, tiers):
    rows = []
    for row in selectors.threshold_grid(criteria=criteria, tiers=tiers):
        c = row["criterion"]
        rows.append(
            {
                **row,
                "kind": c.get_kind_display(),
                "rollup": field_label(c.kind, c.rollup_field) if c.rollup_field else ("—" if c.is_custom else "Count"),
                "date_field": field_label(c.kind, c.attainment_date_field) if c.attainment_date_field else "—",
                "filter": "; ".join(
                    filter(None, [_implicit_text(c.kind), conditions_text(c.kind, c.conditions)])
                ).replace("\n", "; "),
            }
        )
    return rows


@capability_required(C)
def program_detail(request, tenant_slug, program_id):
    """Program Details: tiers (rename, reorder, badge), criteria with thresholds, benefits."""
    program = selectors.access_program(tenant=request.tenant, program_id=program_id)
    tiers = selectors.program_tiers(program=program)
    criteria = selectors.program_criteria(program=program)
    ctx = {
        "program": program,
        "title": program.name,
        "tabs": tabs(request, "partners:program_list"),
        "tiers": tiers,
        "criteria": _criterion_rows(criteria, tiers),
        "benefits": selectors.benefit_grid(program=program, tiers=tiers),
        "enrollment_count": program.enrollments.count(),
    }
    return render_page(request, "partners/program_detail.html", ctx)


class ProgramDeleteView(ConfirmActionView):
    capability = C
    title = "Delete program?"
    confirm_label = "Delete program"

    def get_object(self):
        return selectors.access_program(tenant=self.request.tenant, program_id=self.kwargs["program_id"])

    def describe(self, obj):
        return (
            f"Delete “{obj}” with its tiers, criteria and benefit values? A program with enrollments cannot be deleted."
        )

    def perform(self, obj):
        try:
            services.program_delete(obj, actor=self.request.user)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
            self.deleted = False
            return ""
        self.deleted = True
        return f"Deleted program “{obj}”."

    def get_success_url(self, obj):
        if getattr(self, "deleted", False):
            return url(self.request, "partners:program_list")
        return _program_url(self.request, obj)


class ProgramRecalculateView(ConfirmActionView):
    capability = C
    title = "Recalculate every enrollment?"
    confirm_label = "Recalculate"
    danger = False

    def get_object(self):
        return selectors.access_program(tenant=self.request.tenant, program_id=self.kwargs["program_id"])

    def describe(self, obj):
        n = obj.enrollments.count()
        return f"Recalculate the progress of all {n} enrollment{'s' if n != 1 else ''} of “{obj}” now?"

    def perform(self, obj):
        n = services.recalculate_program(obj, actor=self.request.user)
        return f"Recalculated {n} enrollment{'s' if n != 1 else ''}."

    def get_success_url(self, obj):
        return _program_url(self.request, obj)


# --- Tiers ---------------------------------------------------------------------------------------


@capability_required(C)
def tier_add(request, tenant_slug, program_id):
    program = selectors.access_program(tenant=request.tenant, program_id=program_id)
    form = TierForm(request.POST or None, request.FILES or None, tenant=request.tenant, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            tier = services.tier_create(
                program, actor=request.user, name=form.cleaned_data["name"], badge=form.cleaned_data.get("badge")
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added tier {tier}.")
            return redirect(_program_url(request, program))
    return form_page(
        request,
        form,
        title=f"New tier of {program}",
        back=_program_url(request, program),
        active_tab="partners:program_list",
    )


@capability_required(C)
def tier_edit(request, tenant_slug, tier_id):
    tier = selectors.access_tier(tenant=request.tenant, tier_id=tier_id)
    form = TierForm(
        request.POST or None, request.FILES or None, instance=tier, tenant=request.tenant, program=tier.program
    )
    if request.method == "POST" and form.is_valid():
        data = {"name": form.cleaned_data["name"]}
        if "badge" in form.changed_data:
            data["badge"] = form.cleaned_data["badge"] or ""
        try:
            services.tier_update(tier, actor=request.user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved tier {tier}.")
            return redirect(_program_url(request, tier.program))
    return form_page(
        request,
        form,
        title=f"Edit tier {tier} ({tier.program})",
        back=_program_url(request, tier.program),
        active_tab="partners:program_list",
    )


@require_POST
@capability_required(C)
def tier_move(request, tenant_slug, tier_id):
    tier = selectors.access_tier(tenant=request.tenant, tier_id=tier_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.tier_move(tier, actor=request.user, offset=offset)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Moved {tier} {'up' if offset < 0 else 'down'}.")
    return redirect(_program_url(request, tier.program))


class TierDeleteView(RecordDeleteView):
    capability = C
    noun = "tier"
    id_kwarg = "tier_id"
    access = staticmethod(selectors.access_tier)
    delete_service = staticmethod(services.tier_delete)
    consequence = "Its thresholds and benefit values go with it."

    def get_success_url(self, obj):
        return _program_url(self.request, obj.program)


# --- Criteria ------------------------------------------------------------------------------------


def _criterion_form(request, program, criterion=None):
    tiers = selectors.program_tiers(program=program)
    form = CriterionForm(request.POST or None, tenant=request.tenant, program=program, tiers=tiers, criterion=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            if criterion is None:
                criterion = services.criterion_create(
                    program, actor=request.user, data=form.service_data(), thresholds=form.thresholds()
                )
                messages.success(request, f"Added criterion {criterion}; progress is recalculated within 5 minutes.")
            else:
                services.criterion_update(
                    criterion, actor=request.user, data=form.service_data(), thresholds=form.thresholds()
                )
                messages.success(request, f"Saved criterion {criterion}; progress is recalculated within 5 minutes.")
            return redirect(_program_url(request, program))
        except ValidationError as exc:
            add_service_errors(form, exc)
    title = f"Edit criterion {criterion}" if criterion else f"New criterion of {program}"
    return form_page(
        request, form, title=title, back=_program_url(request, program), active_tab="partners:program_list"
    )


@capability_required(C)
def criterion_add(request, tenant_slug, program_id):
    program = selectors.access_program(tenant=request.tenant, program_id=program_id)
    return _criterion_form(request, program)


@capability_required(C)
def criterion_edit(request, tenant_slug, criterion_id):
    criterion = selectors.access_criterion(tenant=request.tenant, criterion_id=criterion_id)
    return _criterion_form(request, criterion.program, criterion)


class CriterionDeleteView(RecordDeleteView):
    capability = C
    noun = "criterion"
    id_kwarg = "criterion_id"
    access = staticmethod(selectors.access_criterion)
    delete_service = staticmethod(services.criterion_delete)
    consequence = "Its stored results go with it; progress is recalculated within 5 minutes."

    def get_success_url(self, obj):
        return _program_url(self.request, obj.program)


# --- Benefits ------------------------------------------------------------------------------------


@capability_required(C)
def benefit_values(request, tenant_slug, program_id):
    program = selectors.access_program(tenant=request.tenant, program_id=program_id)
    tiers = selectors.program_tiers(program=program)
    grid = selectors.benefit_grid(program=program, tiers=tiers)
    form = BenefitValuesForm(request.POST or None, grid=grid, tiers=tiers)
    if request.method == "POST" and form.is_valid():
        n = services.set_benefit_values(program, actor=request.user, values=form.values())
        messages.success(request, f"Saved {n} benefit value{'s' if n != 1 else ''}." if n else "Nothing changed.")
        return redirect(_program_url(request, program))
    ctx = {
        "form": form,
        "program": program,
        "tiers": tiers,
        "title": f"Benefits of {program}",
        "tabs": tabs(request, "partners:program_list"),
        "cancel_url": _program_url(request, program),
    }
    return render_page(request, "partners/benefit_values.html", ctx)


class BenefitListView(PartnerListView):
    title = "Benefit library"
    table_class = BenefitTable
    filterset_class = BenefitFilter
    export_name = "partner-benefits"
    create_url_name = "partners:benefit_add"

    def get_base_queryset(self):
        return selectors.benefit_library(tenant=self.request.tenant)


def _benefit_create(*, tenant, actor, data):
    return services.benefit_create(tenant=tenant, actor=actor, **data)


class BenefitFormView(RecordFormView):
    capability = C
    form_class = BenefitForm
    noun = "benefit"
    list_url_name = "partners:benefit_list"
    id_kwarg = "benefit_id"
    access = staticmethod(selectors.access_benefit)
    create_service = staticmethod(_benefit_create)
    update_service = staticmethod(services.benefit_update)


class BenefitDeleteView(RecordDeleteView):
    noun = "benefit"
    list_url_name = "partners:benefit_list"
    id_kwarg = "benefit_id"
    access = staticmethod(selectors.access_benefit)
    delete_service = staticmethod(services.benefit_delete)
    consequence = "Its values at every tier of every program go with it."
