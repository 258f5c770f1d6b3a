"""Plan pages: All Plans, the plan's tabs (Overview, Credits, Calculations, Rewards; the
Beneficiaries and Enrollment history tabs are in the enrollments app), teams, and the confirmed
deletions. Thin: check the capability, call a selector or service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django_tables2 import RequestConfig

from common.htmx import render_page
from common.permissions import capability_required, member_has
from common.precompiled import TENANT_MARKER
from common.preread import PrereadFirstPage
from common.tables import CountedPaginator
from common.views import ConfirmActionView, TenantListView
from tenancy.capabilities import Capability
from tenancy.models import Tenant

from . import selectors, services
from .filters import PlanFilter, TeamFilter
from .forms import BeneficiaryAddForm, CalculationRunForm, PlanForm, TeamForm, apply_errors
from .tables import CalculationTable, CreditTable, PlanTable, RewardTable, TeamTable

VIEW = Capability.VIEW_PLANS
MANAGE = Capability.MANAGE_PLANS


def plan_url(request, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def posted_data(request):
    """The submitted data, also when a form arrives empty (all boxes unticked)."""
    return request.POST if request.method == "POST" else None


def paginate(request, table, *, count: int | None = None):
    """Sorts and paginates ``table`` from the request, once (a table given ``request=`` when built
    is already paginated, and counted, by django-tables2). ``count``: the number of rows when the
    page has counted them anyway."""
    paginate = {"per_page": settings.PORTAL_PAGE_SIZE, "paginator_class": CountedPaginator, "count": count}
    RequestConfig(request, paginate=paginate).configure(table)
    return table


def render_tab(request, plan, tab: str, template: str, context: dict):
    """A tab of the plan page; htmx swaps of its table get only the ``table`` partial."""
    ctx = {"plan": plan, "tab": tab, "title": plan.name, **context}
    return render_page(request, template, ctx, partial="table")


class PlanListView(PrereadFirstPage, TenantListView):
    capability = VIEW
    keeps_regions = True  # common.regions
    title = "All Plans"
    table_class = PlanTable
    filterset_class = PlanFilter
    export_name = "plans"
    create_url_name = "plans:plan_create"
    create_capability = MANAGE

    def get_base_queryset(self):
        return selectors.plan_list(tenant=self.request.tenant)

    # The list as it opens: its first page read by a statement compiled once (common.preread),
    # and so prepared on PostgreSQL (planning its count of each plan's people cost more than
    # running it).
    opening_markers = {"tenant_id": TENANT_MARKER}

    @classmethod
    def opening_queryset(cls, shape, *, tenant_id):
        return selectors.plan_list(tenant=Tenant(pk=tenant_id))


def _form_page(request, form, title, cancel_url, submit_label="Save"):
    ctx = {"form": form, "title": title, "cancel_url": cancel_url, "submit_label": submit_label}
    return render_page(request, "components/form_page.html", ctx)


@capability_required(MANAGE)
def plan_create(request, tenant_slug):
    form = PlanForm(posted_data(request), tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Created plan {plan.name}.")
            return redirect(plan_url(request, "plans:plan_detail", plan_id=plan.pk))
    return _form_page(request, form, "New plan", plan_url(request, "plans:plan_list"), "Create plan")


@capability_required(MANAGE)
def plan_edit(request, tenant_slug, plan_id):
    plan = selectors.access_plan(tenant=request.tenant, plan_id=plan_id)
    document = selectors.current_document(plan=plan)
    form = PlanForm(
        posted_data(request), instance=plan, tenant=request.tenant, initial={"terms": document.body if document else ""}
    )
    back = plan_url(request, "plans:plan_detail", plan_id=plan.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=plan, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Saved plan {plan.name}.")
            return redirect(back)
    return _form_page(request, form, f"Edit {plan.name}", back)


@capability_required(VIEW)
def plan_detail(request, tenant_slug, plan_id):
    """The Overview tab."""
    plan = selectors.access_plan(tenant=request.tenant, plan_id=plan_id)
    from enrollments.selectors import enrollment_counts  # enrollments builds on plans

    ctx = {
        "summary": selectors.plan_summary(plan=plan),
        "documents": list(selectors.plan_documents(plan=plan)[:10]),
        "counts": enrollment_counts(plan=plan),
    }
    return render_tab(request, plan, "overview", "plans/plan_overview.html", ctx)


@capability_required(VIEW)
def credit_list(request, tenant_slug, plan_id):
    plan = selectors.access_plan(tenant=request.tenant, plan_id=plan_id)
    table = paginate(request, CreditTable(selectors.credit_list(plan=plan)))
    return render_tab(request, plan, "credits", "plans/plan_table_tab.html", {"table": table})


@capability_required(VIEW)
def reward_list(request, tenant_slug, plan_id):
    plan = selectors.access_plan(tenant=request.tenant, plan_id=plan_id)
    table = paginate(request, RewardTable(selectors.reward_list(plan=plan)))
    return render_tab(request, plan, "rewards", "plans/plan_table_tab.html", {"table": table})


@capability_required(VIEW)
def calculation_list(request, tenant_slug, plan_id):
    plan = selectors.access_plan(tenant=request.tenant, plan_id=plan_id)
    table = CalculationTable(
        selectors.calculation_list(plan=plan),
        request=request,
        plan=plan,
        can_release=member_has(request, MANAGE),
        can_delete=member_has(request, Capability.DELETE_PLANS),
    )
    start, end = services.next_calculation_period(plan=plan)
    form = CalculationRunForm(initial={"period_start": start, "period_end": end})
    ctx = {"table": paginate(request, table), "run_form": form}
    return render_tab(request, plan, "calculations", "plans/plan_calculations.html", ctx)


@capability_required(MANAGE)
def calculation_run(request, tenant_slug, plan_id):
    plan = selectors.access_plan(tenant=request.tenant, plan_id=plan_id)
    back = plan_url(request, "plans:calculation_list", plan_id=plan.pk)
    form = CalculationRunForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            calc = services.calculation_run(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Calculated {calc.name}: {calc.credits.count()} credits, {calc.rewards.count()} rewards."
            )
            return redirect(back)
    return _form_page(request, form, f"Run a calculation of {plan.name}", back, "Calculate")


@capability_required(MANAGE)
def beneficiary_add(request, tenant_slug, plan_id):
    plan = selectors.access_plan(tenant=request.tenant, plan_id=plan_id)
    back = plan_url(request, "enrollments:beneficiary_list", plan_id=plan.pk)
    form = BeneficiaryAddForm(posted_data(request), tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        added = services.beneficiaries_add(
            plan=plan, actor=request.user, users=form.cleaned_data["users"], teams=form.cleaned_data["teams"]
        )
        messages.success(request, f"Added {added} beneficiar{'y' if added == 1 else 'ies'}.")
        return redirect(back)
    return _form_page(request, form, f"Add beneficiaries to {plan.name}", back, "Add")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _released_lines(c: dict[str, int]) -> list[str]:
    """Released and unreleased credits and rewards apart: released ones vanish from the
    beneficiaries' own pages (My plans), which they may have seen already."""
    released = f"{_plural(c['credits_released'], 'credit')} and {_plural(c['rewards_released'], 'reward')}"
    unreleased_credits = c["credits"] - c["credits_released"]
    unreleased_rewards = c["rewards"] - c["rewards_released"]
    return [
        f"Released: {released}. They disappear from the beneficiaries' own pages.",
        f"Not released: {_plural(unreleased_credits, 'credit')} and {_plural(unreleased_rewards, 'reward')}.",
    ]


def _balance_lines(changes) -> list[str]:
    return [f"Owed balance of {change}: its recoverable rewards go." for change in changes]


class PlanDeleteView(ConfirmActionView):
    capability = Capability.DELETE_PLANS
    title = "Delete plan"
    confirm_label = "Delete plan"

    def get_object(self):
        return selectors.access_plan(tenant=self.request.tenant, plan_id=self.kwargs["plan_id"])

    def describe(self, plan):
        c = selectors.plan_deletion_counts(plan=plan)
        return (
            f"Delete {plan.name} with its {c['calculations']} calculations, {c['credits']} credits, "
            f"{c['rewards']} rewards, {c['beneficiaries']} beneficiary entries and {c['enrollments']} "
            "enrollments? This cannot be undone."
        )

    def details(self, plan):
        c = selectors.plan_deletion_counts(plan=plan)
        return [*_released_lines(c), *_balance_lines(selectors.balance_changes_of_deletion(plan=plan))]

    def perform(self, plan):
        name = plan.name
        c = services.plan_delete(plan=plan, actor=self.request.user)
        return (
            f"Deleted plan {name} with {c['calculations']} calculations, {c['credits']} credits "
            f"and {c['rewards']} rewards."
        )

    def get_success_url(self, plan):
        if self.request.method == "POST":
            return plan_url(self.request, "plans:plan_list")
        return plan_url(self.request, "plans:plan_detail", plan_id=plan.pk)


class CalculationDeleteView(ConfirmActionView):
    capability = Capability.DELETE_PLANS
    title = "Delete calculation"
    confirm_label = "Delete calculation"

    def get_object(self):
        return selectors.access_calculation(tenant=self.request.tenant, calculation_id=self.kwargs["calculation_id"])

    def describe(self, calc):
        c = selectors.calculation_deletion_counts(calculation=calc)
        return f"Delete {calc.name} with its {c['credits']} credits and {c['rewards']} rewards? This cannot be undone."

    def details(self, calc):
        c = selectors.calculation_deletion_counts(calculation=calc)
        changes = selectors.balance_changes_of_deletion(plan=calc.plan, calculation=calc)
        return [*_released_lines(c), *_balance_lines(changes)]

    def perform(self, calc):
        name = calc.name
        c = services.calculation_delete(calculation=calc, actor=self.request.user)
        return f"Deleted calculation {name} with {c['credits']} credits and {c['rewards']} rewards."

    def get_success_url(self, calc):
        return plan_url(self.request, "plans:calculation_list", plan_id=calc.plan_id)


class CalculationReleaseView(ConfirmActionView):
    capability = MANAGE
    title = "Release calculation"
    confirm_label = "Release"
    danger = False

    def get_object(self):
        return selectors.access_calculation(tenant=self.request.tenant, calculation_id=self.kwargs["calculation_id"])

    def describe(self, calc):
        n = selectors.calculation_deletion_counts(calculation=calc)["rewards"]
        return f"Release {calc.name}? Its {n} rewards become visible to the beneficiaries."

    def perform(self, calc):
        released = services.calculation_release(calculation=calc, actor=self.request.user)
        return f"Released {released} rewards of {calc.name}."

    def get_success_url(self, calc):
        return plan_url(self.request, "plans:calculation_list", plan_id=calc.plan_id)


class BeneficiaryRemoveView(ConfirmActionView):
    capability = MANAGE
    title = "Remove beneficiary"
    confirm_label = "Remove"

    def get_object(self):
        return selectors.access_beneficiary(tenant=self.request.tenant, beneficiary_id=self.kwargs["beneficiary_id"])

    def describe(self, b):
        what = f"team {b.team.name}" if b.team_id else (b.user.full_name or b.user.email)
        return f"Remove {what} from the beneficiaries of {b.plan.name}? Their enrollment history is kept."

    def perform(self, b):
        what = b.team.name if b.team_id else b.user.email
        services.beneficiary_remove(beneficiary=b, actor=self.request.user)
        return f"Removed {what} from {b.plan.name}."

    def get_success_url(self, b):
        return plan_url(self.request, "enrollments:beneficiary_list", plan_id=b.plan_id)


# Teams -----------------------------------------------------------------------------------------


class TeamListView(TenantListView):
    capability = VIEW
    title = "Teams"
    table_class = TeamTable
    filterset_class = TeamFilter
    export_name = "teams"
    create_url_name = "plans:team_create"
    create_capability = MANAGE

    def get_base_queryset(self):
        return selectors.team_list(tenant=self.request.tenant)


@capability_required(MANAGE)
def team_create(request, tenant_slug):
    back = plan_url(request, "plans:team_list")
    form = TeamForm(posted_data(request), tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Created team {team.name}.")
            return redirect(back)
    return _form_page(request, form, "New team", back)


@capability_required(MANAGE)
def team_edit(request, tenant_slug, team_id):
    team = selectors.access_team(tenant=request.tenant, team_id=team_id)
    back = plan_url(request, "plans:team_list")
    initial = {"name": team.name, "users": [m.user for m in selectors.team_members(team=team)]}
    form = TeamForm(posted_data(request), tenant=request.tenant, team=team, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(team=team, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Saved team {team.name}.")
            return redirect(back)
    return _form_page(request, form, f"Edit team {team.name}", back)
