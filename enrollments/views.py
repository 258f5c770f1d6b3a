"""The plan's Beneficiaries tab (status per beneficiary, Reset Enrollments), its Enrollment
history tab (admins), and the beneficiary's own My plans pages (Enroll)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from activity.links import Link
from common.client_ip import client_ip
from common.htmx import render_page
from common.permissions import capability_required, member_has
from common.preread import PageWindow, requested_page
from common.regions import Regions, kept_response
from common.templatetags.portal import us_datetime
from common.views import ConfirmActionView
from plans.forms import apply_errors
from plans.selectors import (
    access_plan,
    beneficiary_teams,
    current_document,
    released_rewards_of_user,
)
from plans.tables import MyRewardTable
from plans.views import paginate, plan_url, posted_data, render_tab
from tenancy.capabilities import Capability

from . import selectors, services
from .forms import BeneficiaryFilterForm, EnrollForm
from .tables import BeneficiaryStatusTable, EnrollmentHistoryTable


@capability_required(Capability.VIEW_PLANS)
def beneficiary_list(request, tenant_slug, plan_id):
    plan = access_plan(tenant=request.tenant, plan_id=plan_id)
    template = "enrollments/beneficiaries.html"
    # Kept per workspace data version (common.regions): the tab builds nothing when they are.
    regions = Regions(request, varies_on=("role", request.membership.role_id))  # as TenantListView's
    kept = kept_response(
        request, regions, lambda: render_tab(request, plan, "beneficiaries", template, {"regions": regions})
    )
    if kept is not None:
        return kept
    form = BeneficiaryFilterForm(request.GET or None)
    status = search = ""
    if form.is_valid():
        status, search = form.cleaned_data["status"], form.cleaned_data["q"].strip()
    counts = selectors.enrollment_counts(plan=plan)
    # "N of M enrolled" already counted the unsearched list, enrolled or not: a second COUNT over
    # 100,000 beneficiaries would double the page's time.
    listed = selectors.listed_count(counts, status=status, search=search)
    document = current_document(plan=plan) if plan.requires_enrollment else None
    table = paginate(
        request,
        BeneficiaryStatusTable(
            _rows(request, plan, status=status, search=search, listed=listed),
            plan=plan,
            can_manage=member_has(request, Capability.MANAGE_PLANS),
            current_document_id=document.pk if document else None,
        ),
        count=listed,
    )
    can_reset = plan.requires_enrollment and member_has(request, Capability.RESET_ENROLLMENTS)
    ctx = {
        "table": table,
        "filter": {"form": form},
        "counts": counts,
        "teams": beneficiary_teams(plan=plan),
        "can_reset": can_reset,
        # Right after a reset, the tab offers to undo it.
        "undo_batch": selectors.latest_standing_reset(plan=plan) if can_reset else None,
        "regions": regions,
    }
    return render_tab(request, plan, "beneficiaries", template, ctx)


def _rows(request, plan, *, status: str, search: str, listed: int | None):
    """The tab's rows: when the list is in its own order and not searched, the page asked for
    read by its precompiled statement (``selectors.beneficiary_status_page``), the list's
    queryset built only if the table needs more; else the queryset."""

    def queryset():
        return selectors.beneficiary_statuses(plan=plan, status=status, search=search)

    if search or listed is None or request.GET.get(BeneficiaryStatusTable._meta.order_by_field):
        return queryset()
    requested = requested_page(request, BeneficiaryStatusTable, settings.PORTAL_PAGE_SIZE)
    if requested is None:
        return queryset()
    page, per_page = requested
    start = (page - 1) * per_page
    if page < 1 or (start >= listed and page != 1):
        return queryset()  # no such page: the paginator answers as it does
    stop = min(start + per_page, listed)  # the paginator's slice: the last page ends at the count
    if stop <= start:
        return queryset()  # nothing to read (no beneficiary listed)
    page_rows = selectors.beneficiary_status_page(plan=plan, status=status, start=start, stop=stop)
    if page_rows is None:
        return queryset()
    return PageWindow(page_rows, count=listed, start=start, stop=stop, queryset=queryset)


@capability_required(Capability.ADMINISTER)
def enrollment_history(request, tenant_slug, plan_id):
    plan = access_plan(tenant=request.tenant, plan_id=plan_id)
    history = selectors.enrollment_history(plan=plan)
    batch = selectors.reset_of_plan(plan=plan, reset_id=request.GET.get("batch"))
    if batch is not None:  # the acceptances one reset hid (linked from its activity entry)
        history = selectors.acceptances_of_reset(history, batch=batch)
    table = paginate(request, EnrollmentHistoryTable(history))
    ctx = {
        "table": table,
        "resets": list(selectors.reset_list(plan=plan)[:20]),
        "batch": batch,
        "can_undo": member_has(request, Capability.RESET_ENROLLMENTS),
    }
    return render_tab(request, plan, "history", "enrollments/history.html", ctx)


class ResetEnrollmentsView(ConfirmActionView):
    capability = Capability.RESET_ENROLLMENTS
    title = "Reset Enrollments"
    confirm_label = "Reset Enrollments"

    def get_object(self):
        return access_plan(tenant=self.request.tenant, plan_id=self.kwargs["plan_id"])

    def refusal(self, plan):
        if not plan.requires_enrollment:
            return f"{plan.name} does not require enrollment: there are no enrollments to reset."
        return ""

    def describe(self, plan):
        n = selectors.current_enrollments(plan=plan).count()
        return (
            f"Reset {n} enrollment{'s' if n != 1 else ''} of {plan.name}? Every beneficiary will be not "
            "enrolled and can enroll again. Earlier enrollments are kept in the enrollment history."
        )

    def perform(self, plan):
        n = services.reset_enrollments(plan, actor=self.request.user)
        return f"Reset {n} enrollment{'s' if n != 1 else ''}"

    def get_success_url(self, plan):
        return plan_url(self.request, "enrollments:beneficiary_list", plan_id=plan.pk)


class UndoResetView(ConfirmActionView):
    """Undo reset: the dialog counts the acceptances that come back and those that stay hidden
    because their user enrolled again since; confirming makes the first current again."""

    capability = Capability.RESET_ENROLLMENTS
    title = "Undo reset"
    confirm_label = "Undo reset"
    danger = False

    def get_object(self):
        return selectors.access_reset(tenant=self.request.tenant, reset_id=self.kwargs["reset_id"])

    def preview(self, batch) -> dict[str, int]:
        if not hasattr(self, "_preview"):  # the message and the details share one query
            self._preview = selectors.undo_preview(batch=batch)
        return self._preview

    def refusal(self, batch):
        if batch.undone_at is not None:
            by = f" by {batch.undone_by}" if batch.undone_by else ""
            return f"Reset #{batch.pk} was already undone on {us_datetime(batch.undone_at)}{by}: nothing to undo."
        return services.undo_refusal(batch)

    def describe(self, batch):
        n = self.preview(batch)["restorable"]
        return (
            f"Undo reset #{batch.pk} of {batch.plan.name} ({us_datetime(batch.reset_at)})? "
            f"{n} acceptance{'s' if n != 1 else ''} come{'s' if n == 1 else ''} back as current enrollments."
        )

    def details(self, batch):
        preview = self.preview(batch)
        lines = []
        if again := preview["enrolled_again"]:
            lines.append(
                f"{again} beneficiar{'ies have' if again != 1 else 'y has'} enrolled again since: "
                "their new acceptance stands and is not replaced."
            )
        if older := preview["older_version"]:
            lines.append(
                f"{older} of the acceptances that come back were signed for an older version of the terms: "
                "they keep that version, and the Beneficiaries tab flags them."
            )
        return lines

    def perform(self, batch):
        try:
            result = services.undo_reset_enrollments(batch, actor=self.request.user)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return ""
        if result.already_undone:
            return f"Reset #{batch.pk} was already undone: nothing changed."
        n = result.restored
        text = f"Undid reset #{batch.pk}: {n} enrollment{'s' if n != 1 else ''} restored."
        if result.enrolled_again:
            text += f" {result.enrolled_again} had enrolled again since; their new acceptance stands."
        return text

    def get_success_url(self, batch):
        return plan_url(self.request, "enrollments:beneficiary_list", plan_id=batch.plan_id)


# The beneficiary's own pages -----------------------------------------------------------------


@capability_required(Capability.MY_PLANS)
def my_plans(request, tenant_slug):
    plans = list(selectors.my_plans(tenant=request.tenant, user=request.user))
    for plan in plans:
        plan.status_label = selectors.status_label(
            plan=plan, enrolled_at=plan.enrolled_at, last_viewed_at=plan.last_viewed_at
        )
    rewards = released_rewards_of_user(tenant=request.tenant, user=request.user)
    table = paginate(request, MyRewardTable(rewards))
    ctx = {"plans": plans, "table": table, "title": "My plans"}
    return render_page(request, "enrollments/my_plans.html", ctx, partial="table")


def _client_ip(request) -> str | None:
    return client_ip(request)  # behind the proxies, the person's own address


@capability_required(Capability.MY_PLANS)
def my_plan(request, tenant_slug, plan_id):
    """One of my plans: its terms (when shown) and, when required, the Enroll form. Only
    beneficiaries get here; for anyone else the plan does not exist (404)."""
    plan = selectors.my_plans(tenant=request.tenant, user=request.user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan.")
    form = EnrollForm(posted_data(request), plan=plan) if plan.requires_enrollment else None
    if request.method == "POST":
        if form is None:
            raise Http404("This plan does not ask for enrollment.")
        if form.is_valid():
            try:
                services.enroll_in_plan(
                    plan=plan,
                    user=request.user,
                    accepted=form.cleaned_data.get("accepted", False),
                    signature=form.cleaned_data.get("signature", ""),
                    ip_address=_client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"You are enrolled in {plan.name}.")
                return redirect(plan_url(request, "enrollments:my_plan", plan_id=plan.pk))
    elif plan.shows_terms:
        services.terms_view_record(plan=plan, user=request.user)
    enrollment = selectors.current_enrollment(plan=plan, user=request.user)
    ctx = {
        "plan": plan,
        "title": plan.name,
        "document": current_document(plan=plan) if plan.shows_terms else None,
        "enrollment": enrollment,
        "form": form if enrollment is None and plan.status == "active" else None,
        "status": selectors.status_label(
            plan=plan, enrolled_at=enrollment.enrolled_at if enrollment else None, last_viewed_at=plan.last_viewed_at
        ),
    }
    return render_page(request, "enrollments/my_plan.html", ctx)


def reset_links(entry) -> list[Link]:
    """A Reset Enrollments entry leads to the acceptances its batch hid, and to Undo reset."""
    batch = (entry.changes or {}).get("reset_batch")
    if not batch or not entry.object_id:
        return []
    slug = entry.tenant.slug
    url = reverse("enrollments:enrollment_history", kwargs={"tenant_slug": slug, "plan_id": entry.object_id})
    undo = reverse("enrollments:undo_reset", kwargs={"tenant_slug": slug, "reset_id": batch})
    return [
        Link(f"The {entry.count or 0} acceptances hidden by reset #{batch}", f"{url}?batch={batch}"),
        Link(f"Undo reset #{batch}", undo),
    ]


def undo_reset_links(entry) -> list[Link]:
    """An Undo reset entry leads to the acceptances it brought back (the batch in the history)."""
    batch = (entry.changes or {}).get("reset_batch")
    if not batch or not entry.object_id:
        return []
    url = reverse(
        "enrollments:enrollment_history", kwargs={"tenant_slug": entry.tenant.slug, "plan_id": entry.object_id}
    )
    return [Link(f"The acceptances of reset #{batch}", f"{url}?batch={batch}")]
