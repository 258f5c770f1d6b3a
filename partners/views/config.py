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
from ..forms.config import BenefitForm, BenefitValuesForm, CriterionForm, ProgramForm, TierForm
from ..jobs import recalculate_all_jobs, start_recalculate_all
from ..tables import BenefitTable, ProgramTable
from .base import PartnerDeleteView, PartnerEditView, PartnerListView, tabs, url

C = Capability.PARTNER_TIERS


class ProgramListView(PartnerListView):
    title = "Partner Program Tiers"
    table_class = ProgramTable
    filterset_class = ProgramFilter
    export_name = "partner-programs"
    create_url_name = "partners:program_add"
    selector = staticmethod(selectors.program_list)


def _program_url(request, program):
    return url(request, "partners:program_detail", program_id=program.pk)


class ProgramFormView(PartnerEditView):
    """New partner program (with the default tiers) and Edit program; both land on the program."""

    form_class = ProgramForm
    noun = "program"
    id_kwarg = "program_id"
    access = staticmethod(selectors.access_program)
    success_url_name = "partners:program_list"

    def get_form_kwargs(self, obj) -> dict:
        kwargs = super().get_form_kwargs(obj)
        if obj is None:
            kwargs["initial"] = {"currency": self.request.tenant.default_currency}
        return kwargs

    def create(self, form):
        return services.program_create(tenant=self.request.tenant, actor=self.request.user, **form.cleaned_data)

    def update(self, obj, form):
        return services.program_update(obj, actor=self.request.user, data=form.cleaned_data)

    def created_message(self, obj) -> str:
        return f"Created program {obj} with tiers Launch, Build, Scale and Elevate."

    def get_title(self, obj) -> str:
        return "New partner program" if obj is None else f"Edit program {obj}"

    def get_success_url(self, obj) -> str:
        return _program_url(self.request, obj)

    def get_cancel_url(self, obj) -> str:
        return super().get_cancel_url(obj) if obj is None else _program_url(self.request, obj)


def _implicit_text(kind) -> str:
    """The kind's own condition in words (closed deals: "stage = Closed Won")."""
    implicit = KINDS[kind].implicit
    if "completed_date__isnull" in implicit:
        return "completed"
    return conditions_text(kind, [{"field": k, "op": "=", "value": v} for k, v in implicit.items()])


def _filter_text(criterion) -> str:
    """The kind's own condition and the criterion's filter, each condition once: a filter that
    repeats the kind's condition ("status = Approved") is not shown twice."""
    parts = [_implicit_text(criterion.kind), *conditions_text(criterion.kind, criterion.conditions).split("\n")]
    return "; ".join(dict.fromkeys(p.strip() for p in parts if p.strip()))


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
                "filter": _filter_text(c),
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
        "recalc_jobs": recalculate_all_jobs(program),
    }
    return render_page(request, "partners/program_detail.html", ctx)


class ProgramDeleteView(PartnerDeleteView):
    title = "Delete program?"
    confirm_label = "Delete program"
    noun = "program"
    id_kwarg = "program_id"
    access = staticmethod(selectors.access_program)
    delete_service = staticmethod(services.program_delete)

    def describe(self, obj):
        return (
            f"Delete “{obj}” with its tiers, criteria and benefit values? A program with enrollments cannot be deleted."
        )

    def get_success_url(self, obj):
        # A refused deletion (the program has enrollments) goes back to the program.
        if self.deleted:
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
        return (
            f"Recalculate the progress of all {n} enrollment{'s' if n != 1 else ''} of “{obj}”? "
            "It runs in the background; its progress shows on the program page."
        )

    def perform(self, obj):
        job, created = start_recalculate_all(obj, actor=self.request.user)
        if created:
            return "Recalculate all started; its progress is shown below."
        who = job.started_by or "the system"
        return f"Recalculate all is already running (started by {who}); here is its progress."

    def get_success_url(self, obj):
        return _program_url(self.request, obj)


# --- Tiers ---------------------------------------------------------------------------------------


class TierFormView(PartnerEditView):
    """New tier of a program (``program_id`` in the URL) and Edit tier (``tier_id``): name and badge."""

    form_class = TierForm
    noun = "tier"
    id_kwarg = "tier_id"
    access = staticmethod(selectors.access_tier)
    active_tab = "partners:program_list"

    def get_object(self):
        tier = super().get_object()
        if tier is not None:
            self.program = tier.program
        else:
            self.program = selectors.access_program(tenant=self.request.tenant, program_id=self.kwargs["program_id"])
        return tier

    def get_form_kwargs(self, obj) -> dict:
        return {**super().get_form_kwargs(obj), "program": self.program}

    def create(self, form):
        data = form.cleaned_data
        return services.tier_create(self.program, actor=self.request.user, name=data["name"], badge=data.get("badge"))

    def update(self, obj, form):
        data = {"name": form.cleaned_data["name"]}
        if "badge" in form.changed_data:  # an untouched badge stays as it is
            data["badge"] = form.cleaned_data["badge"] or ""
        return services.tier_update(obj, actor=self.request.user, data=data)

    def created_message(self, obj) -> str:
        return f"Added tier {obj}."

    def get_title(self, obj) -> str:
        return f"New tier of {self.program}" if obj is None else f"Edit tier {obj} ({self.program})"

    def get_success_url(self, obj) -> str:
        return _program_url(self.request, self.program)

    get_cancel_url = get_success_url


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


class TierDeleteView(PartnerDeleteView):
    noun = "tier"
    id_kwarg = "tier_id"
    access = staticmethod(selectors.access_tier)
    delete_service = staticmethod(services.tier_delete)
    consequence = "Its thresholds and benefit values go with it."

    def get_success_url(self, obj):
        return _program_url(self.request, obj.program)


# --- Criteria ------------------------------------------------------------------------------------


class CriterionFormView(PartnerEditView):
    """New criterion of a program (``program_id`` in the URL) and Edit criterion
    (``criterion_id``), with its threshold at each tier and its filter conditions."""

    form_class = CriterionForm
    noun = "criterion"
    id_kwarg = "criterion_id"
    access = staticmethod(selectors.access_criterion)
    active_tab = "partners:program_list"

    def get_object(self):
        criterion = super().get_object()
        if criterion is not None:
            self.program = criterion.program
        else:
            self.program = selectors.access_program(tenant=self.request.tenant, program_id=self.kwargs["program_id"])
        return criterion

    def get_form(self, obj):
        tiers = selectors.program_tiers(program=self.program)
        return CriterionForm(
            self.request.POST or None, tenant=self.request.tenant, program=self.program, tiers=tiers, criterion=obj
        )

    def create(self, form):
        return services.criterion_create(
            self.program, actor=self.request.user, data=form.service_data(), thresholds=form.thresholds()
        )

    def update(self, obj, form):
        services.criterion_update(obj, actor=self.request.user, data=form.service_data(), thresholds=form.thresholds())
        return obj

    def created_message(self, obj) -> str:
        return f"Added criterion {obj}; progress is recalculated within 5 minutes."

    def saved_message(self, obj) -> str:
        return f"Saved criterion {obj}; progress is recalculated within 5 minutes."

    def get_title(self, obj) -> str:
        return f"New criterion of {self.program}" if obj is None else f"Edit criterion {obj}"

    def get_success_url(self, obj) -> str:
        return _program_url(self.request, self.program)

    get_cancel_url = get_success_url


class CriterionDeleteView(PartnerDeleteView):
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
    selector = staticmethod(selectors.benefit_library)
    table_class = BenefitTable
    filterset_class = BenefitFilter
    export_name = "partner-benefits"
    create_url_name = "partners:benefit_add"


class BenefitFormView(PartnerEditView):
    form_class = BenefitForm
    noun = "benefit"
    success_url_name = "partners:benefit_list"
    id_kwarg = "benefit_id"
    access = staticmethod(selectors.access_benefit)
    update_service = staticmethod(services.benefit_update)

    def create(self, form):
        return services.benefit_create(tenant=self.request.tenant, actor=self.request.user, **form.data_for_service())


class BenefitDeleteView(PartnerDeleteView):
    noun = "benefit"
    success_url_name = "partners:benefit_list"
    id_kwarg = "benefit_id"
    access = staticmethod(selectors.access_benefit)
    delete_service = staticmethod(services.benefit_delete)
    consequence = "Its values at every tier of every program go with it."
