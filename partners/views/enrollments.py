"""Enrollment pages of Setup > Partner Management > Partner Program Tiers: the Enrollments tab
(with its attention presets), a program's Enrollments tab with the tier distribution, the
Enrollment Details page, Recalculate, and the Enroll, Edit, End and Delete dialogs."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from common.built_once import built_once
from common.export import EXPORT_FORMATS, export_response
from common.htmx import htmx_partial, render_page
from common.money import CENT
from common.permissions import capability_required, check_capability
from common.precompiled import TENANT_MARKER
from common.preread import PrereadFirstPage
from common.tables import CountedPaginator
from common.views import TenantListView
from jobs.import_views import import_page
from tenancy.capabilities import Capability
from tenancy.models import Tenant

from .. import selectors
from ..criteria import KINDS, field_label
from ..engine import criterion_date_field
from ..explain import COUNTED, REASONS
from ..filters import EnrollmentFilter
from ..forms.enrollments import EnrollForm, EnrollmentEditForm, EnrollmentEndForm
from ..jobs import IMPORTS as IMPORT_KINDS
from ..models import CustomCriterionStatus, PartnerAccount
from ..selectors.config import TIER_CHOICES
from ..selectors.enrollments import (
    DRILLDOWN_COLUMNS,
    PRESETS,
    attach_tiers,
    attention_counts,
    enrollment_notices,
    enrollment_page,
    enrollment_table,
    export_rows,
    tier_distribution,
)
from ..services import delete_enrollment, end_enrollment, enroll_partner, recalculate_enrollment
from ..services.enrollment_edit import edit_enrollment, unmet_criteria
from ..tables import EnrollmentTable
from .base import PartnerDeleteView
from .base import tabs as section_tabs
from .base import url as _url

CAP = Capability.PARTNER_TIERS


@built_once()
def _enrollment_table(tenant_id: int):
    return enrollment_table(tenant=Tenant(pk=tenant_id))


class EnrollmentListView(PrereadFirstPage, TenantListView):
    """Enrollments tab: filter by program and tier, presets for partners needing attention,
    sort by any column, export exactly the filtered rows."""

    capability = CAP
    keeps_regions = True  # common.regions
    template_name = "partners/enrollment_list.html"
    table_class = EnrollmentTable
    filterset_class = EnrollmentFilter
    title = "Enrollments"
    export_name = "partner-enrollments"
    active_tab = "partners:enrollment_list"
    kept_params = ("account",)  # the Partner account link of Enrollment Details (``account_id``)

    def region_varies_on(self) -> tuple:
        # The "Last Calculated over 7 days ago" preset and its count move with the clock, not
        # only the day: a region is the minute's.
        return (*super().region_varies_on(), timezone.now().replace(second=0, microsecond=0))

    def get_template_names(self):
        names = super().get_template_names()
        # The table partial lives in the shared list template these pages extend.
        return ["components/list_page.html#table"] if names[0].endswith("#table") else names

    def export(self, fmt: str):
        """The filtered, sorted rows as plain values straight from the database: rendering each
        row through the table costs milliseconds per row, too slow for 10,000 enrollments."""
        table = self.export_table()
        header = [str(c.header) for c in table.columns.iterall() if not c.column.exclude_from_export]
        tenant = self.request.tenant
        text = fmt == "csv"  # the CSV gets text formatted once here; XLSX gets real dates
        rows = export_rows(table.data.data, zone=tenant.zone if text else None)
        return export_response(fmt, self.export_name, header, rows, tenant=tenant, formatted=text)

    def account_id(self) -> int | None:
        """``?account=<id>``: the Partner account link of Enrollment Details lands here."""
        value = self.request.GET.get("account", "")
        return int(value) if value.isdigit() else None

    def get_base_queryset(self):
        qs = _enrollment_table(self.request.tenant.pk)
        if self.account_id() is not None:
            qs = qs.filter(account_id=self.account_id())
        return qs

    # The list as it opens: its first page read by a statement compiled once (common.preread).
    opening_markers = {"tenant_id": TENANT_MARKER}

    @classmethod
    def opening_queryset(cls, shape, *, tenant_id):
        return _enrollment_table(tenant_id).prefetch_related(None)

    def workspace_tiers(self) -> list:
        """Every tier of the workspace with its program (the Tier filter's choices): read once,
        it also gives the page's rows their tiers and next tiers, in place of two prefetches."""
        if not hasattr(self, "_tiers"):
            self._tiers = TIER_CHOICES.rows(self.request.tenant)
        return self._tiers

    def table_queryset(self, queryset, *, every_row: bool = False):
        return queryset if every_row else queryset.prefetch_related(None)

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        attach_tiers((row.record for row in table.page.object_list), self.workspace_tiers())
        return table

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "tiers": self.workspace_tiers()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(tabs=section_tabs(self.request, self.active_tab), list_url=self.request.path)
        if not htmx_partial(self.request):
            current = self.request.GET.get("view", "")
            counts = attention_counts(tenant=self.request.tenant, program=self.preset_program())
            if self.account_id() is not None:
                ctx["account"] = PartnerAccount.objects.filter(tenant=self.request.tenant, pk=self.account_id()).first()
            ctx["presets"] = [
                {"key": key, "label": label, "active": key == current, "count": counts[key]}
                for key, label in PRESETS.items()
            ]
        return ctx

    def preset_program(self):
        return None


class ProgramEnrollmentsView(EnrollmentListView):
    """A program's own Enrollments tab with its tier distribution."""

    template_name = "partners/enrollment_program.html"
    active_tab = "partners:program_list"

    opening_markers = {}  # the program's rows: not the workspace's list as it opens

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.program = None

    def dispatch(self, request, *args, **kwargs):
        # A foreign or missing program answers 404 whatever the method.
        check_capability(request, self.capability, self.also_capabilities)
        self.get_program()
        return super().dispatch(request, *args, **kwargs)

    def get_program(self):
        if self.program is None:
            self.program = selectors.access_program(tenant=self.request.tenant, program_id=self.kwargs["program_id"])
        return self.program

    def get_base_queryset(self):
        return super().get_base_queryset().filter(program=self.get_program())

    def preset_program(self):
        return self.get_program()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["program"] = self.get_program()
        kwargs.pop("tiers")  # the filter lists this program's tiers only
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        program = self.get_program()
        ctx.update(
            program=program,
            distribution=tier_distribution(program=program) if not htmx_partial(self.request) else [],
            program_detail_url=_url(self.request, "partners:program_detail", program_id=program.pk),
        )
        return ctx

    def get_title(self) -> str:
        return f"{self.get_program().name}: enrollments"

    @property
    def export_name(self):
        return f"{self.get_program().name}-enrollments"


def _detail_context(request, enrollment_id) -> dict:
    ctx = enrollment_page(tenant=request.tenant, enrollment_id=enrollment_id)
    ctx.update(
        title=str(ctx["enrollment"]),
        tabs=section_tabs(request, "partners:enrollment_list"),
        program_url=_url(request, "partners:program_detail", program_id=ctx["program"].pk),
        account_url=_url(request, "partners:enrollment_list") + f"?account={ctx['enrollment'].account_id}",
        records_links=True,
        notices=enrollment_notices(tenant=request.tenant, enrollment=ctx["enrollment"]),
        notice_days=request.tenant.partner_expiry_notice_days,
    )
    return ctx


@capability_required(CAP)
def enrollment_detail(request, tenant_slug, enrollment_id):
    """Enrollment Details: main information, tier progress, criteria, benefits, tier history."""
    return render_page(request, "partners/enrollment_detail.html", _detail_context(request, enrollment_id))


@require_POST
@capability_required(CAP)
def enrollment_recalculate(request, tenant_slug, enrollment_id):
    """Recalculate this enrollment only, now; htmx swaps the refreshed progress into the page."""
    enrollment = selectors.access_enrollment(tenant=request.tenant, enrollment_id=enrollment_id)
    recalculate_enrollment(enrollment, actor=request.user)
    if htmx_partial(request):
        ctx = _detail_context(request, enrollment_id)
        ctx["just_recalculated"] = True
        return render_page(request, "partners/enrollment_detail.html", ctx, partial="live")
    messages.success(request, f"Recalculated: {enrollment.progress_label}.")
    return HttpResponseRedirect(_url(request, "partners:enrollment_detail", enrollment_id=enrollment_id))


def _edit_form(request, enrollment, criteria=None):
    criteria = selectors.program_criteria(program=enrollment.program) if criteria is None else criteria
    custom = [c for c in criteria if c.is_custom]
    statuses = {
        s.criterion_id: s
        for s in CustomCriterionStatus.objects.filter(
            tenant=request.tenant, enrollment=enrollment, criterion__in=custom
        )
    }
    return EnrollmentEditForm(
        request.POST if request.method == "POST" else None,
        enrollment=enrollment,
        custom_criteria=custom,
        custom_statuses=statuses,
    )


@capability_required(CAP)
def enrollment_edit(request, tenant_slug, enrollment_id):
    """The Edit dialog. A tier the partner does not fully qualify for asks for confirmation."""
    enrollment = selectors.access_enrollment(tenant=request.tenant, enrollment_id=enrollment_id)
    form = _edit_form(request, enrollment)
    unmet: list[str] = []
    if request.method == "POST" and form.is_valid():
        tier = form.cleaned_data["tier"]
        confirmed = form.cleaned_data["confirm_unmet"]
        if tier.pk != enrollment.tier_id and not confirmed:
            unmet = unmet_criteria(
                enrollment, tier, custom={v.criterion.id: v.met for v in form.custom_verifications()}
            )
        if not unmet:
            try:
                outcome = edit_enrollment(
                    enrollment,
                    actor=request.user,
                    data=form.service_data(),
                    reason=form.cleaned_data["reason"],
                    custom=form.custom_verifications(),
                    confirm_unmet=confirmed,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _saved_message(outcome))
                url = _url(request, "partners:enrollment_detail", enrollment_id=enrollment.pk)
                if htmx_partial(request):
                    return HttpResponseClientRedirect(url)
                return HttpResponseRedirect(url)
    ctx = {
        "title": "Edit enrollment",
        "enrollment": enrollment,
        "form": form,
        "unmet": unmet,
        "new_tier": form.cleaned_data.get("tier") if unmet else None,
        "action_url": request.get_full_path(),
        "cancel_url": _url(request, "partners:enrollment_detail", enrollment_id=enrollment.pk),
    }
    status = 422 if request.method == "POST" else 200
    return render_page(request, "partners/enrollment_edit.html", ctx, partial="dialog", status=status)


def _saved_message(outcome) -> str:
    if not outcome.changed:
        return "Nothing changed."
    parts = [f"Saved {outcome.enrollment}"]
    if outcome.tier_changed:
        parts.append(f"tier is now {outcome.enrollment.tier.name}")
    text = ": ".join(parts) + "."
    if outcome.recalculated:
        text += f" Progress recalculated: {outcome.enrollment.progress_label}."
    return text


# --- Enroll, End, Delete -----------------------------------------------------------------------

ENROLL_PARAMS = ("program", "account", "primary_partner_user", "tier", "enrollment_date", "expiration_date")


@capability_required(CAP)
def enrollment_add(request, tenant_slug):
    """The Enroll dialog (from the Enrollments tab, a program's Enrollments tab or an account's
    enrollments). GET parameters preselect; choosing the program or account re-renders the
    dialog so the tier and primary partner user lists follow it."""
    initial = {k: request.GET[k] for k in ENROLL_PARAMS if request.GET.get(k)}
    form = EnrollForm(request.POST if request.method == "POST" else None, tenant=request.tenant, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = enroll_partner(actor=request.user, **form.service_data())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, f"Enrolled {enrollment.account} in {enrollment.program}: {enrollment.progress_label}."
            )
            url = _url(request, "partners:enrollment_detail", enrollment_id=enrollment.pk)
            return HttpResponseClientRedirect(url) if htmx_partial(request) else HttpResponseRedirect(url)
    ctx = {
        "title": "Enroll a partner",
        "form": form,
        "action_url": _url(request, "partners:enrollment_add"),
        "cancel_url": _url(request, "partners:enrollment_list"),
    }
    status = 422 if request.method == "POST" else 200
    return render_page(request, "partners/enrollment_add.html", ctx, partial="dialog", status=status)


@capability_required(CAP)
def enrollment_end(request, tenant_slug, enrollment_id):
    """End an enrollment today, with a reason (a dialog). An ended enrollment says so and offers
    nothing to confirm."""
    enrollment = selectors.access_enrollment(tenant=request.tenant, enrollment_id=enrollment_id)
    form = EnrollmentEndForm(request.POST if request.method == "POST" else None)
    detail_url = _url(request, "partners:enrollment_detail", enrollment_id=enrollment.pk)
    if request.method == "POST" and enrollment.ended_at is None and form.is_valid():
        try:
            enrollment = end_enrollment(enrollment, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Ended {enrollment}: it expired on {enrollment.expiration_date:%m/%d/%Y}.")
            return HttpResponseClientRedirect(detail_url) if htmx_partial(request) else HttpResponseRedirect(detail_url)
    ctx = {"title": "End enrollment", "enrollment": enrollment, "form": form, "cancel_url": detail_url}
    status = 422 if request.method == "POST" and enrollment.ended_at is None else 200
    return render_page(request, "partners/enrollment_end.html", ctx, partial="dialog", status=status)


class EnrollmentDeleteView(PartnerDeleteView):
    """Delete an enrollment after saying what goes with it."""

    capability = CAP
    title = "Delete enrollment?"
    confirm_label = "Delete enrollment"
    noun = "enrollment"
    id_kwarg = "enrollment_id"
    access = staticmethod(selectors.access_enrollment)
    delete_service = staticmethod(delete_enrollment)

    def describe(self, obj):
        return (
            f"Delete the enrollment of {obj.account} in {obj.program}? To keep it as history, end it instead. "
            "Deleted with it:"
        )

    def details(self, obj):
        f = selectors.enrollment_footprint(obj)
        return [
            f"its tier ({obj.tier.name}) and tier history: {_n(f.tier_changes, 'tier change')} "
            "(the activity log keeps the entries)",
            f"its progress history: {_n(f.snapshots, 'recorded progress change')}",
            f"its custom-criterion marks: {_n(f.custom_marks, 'mark')}",
            f"its calculated progress on {_n(f.results, 'criterion', 'criteria')}",
        ]

    def get_success_url(self, obj):
        if self.deleted:
            return _url(self.request, "partners:enrollment_list") + f"?account={obj.account_id}"
        return _url(self.request, "partners:enrollment_detail", enrollment_id=obj.pk)


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


@capability_required(CAP)
def enrollments_import(request, tenant_slug):
    """Bulk enroll: upload a CSV → a job checks every row (nothing saved) and shows the preview →
    Confirm → a job enrolls every row in one transaction, or none."""
    ctx = {
        "title": "Import enrollments",
        "noun": "Enrollments",
        "tabs": section_tabs(request, "partners:enrollment_list"),
        "import_note": "Program and partner account by name, the primary partner user by email, the tier by name "
        "(empty: the program's first tier), dates as YYYY-MM-DD. Progress is calculated at once.",
        "cancel_url": _url(request, "partners:enrollment_list"),
        "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB,
    }
    return import_page(request, IMPORT_KINDS["enrollments"], template="partners/import.html", context=ctx)


# --- Drill-down ----------------------------------------------------------------------------------


@capability_required(CAP)
def enrollment_criterion_records(request, tenant_slug, enrollment_id, criterion_id):
    """Why a criterion shows its value: the records counted, and those left out with the reason,
    with sums per reason that add up to the value; paginated, filtered by reason, exportable."""
    enrollment = selectors.access_enrollment(tenant=request.tenant, enrollment_id=enrollment_id)
    criterion = selectors.access_measured_criterion(
        tenant=request.tenant, enrollment=enrollment, criterion_id=criterion_id
    )
    source = KINDS[criterion.kind].source
    columns = DRILLDOWN_COLUMNS[source]
    reason = request.GET.get("reason", "")
    records = selectors.criterion_records(enrollment=enrollment, criterion=criterion, reason=reason)
    currency = enrollment.program.currency
    is_money = bool(KINDS[criterion.kind].rollup_fields)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        header = [h for h, _ in columns] + [f"Counts ({currency})" if is_money else "Counts", "Reason"]

        def rows():
            for r in records.iterator(chunk_size=2000):
                value = None if r.counted_value is None else r.counted_value.quantize(CENT)
                yield [*selectors.drilldown_cells(r, columns), value, REASONS[r.reason]]

        name = f"{enrollment.account.name}-{criterion.name}-records"
        return export_response(fmt, name, header, rows(), tenant=request.tenant)
    summary = selectors.criterion_record_summary(enrollment=enrollment, criterion=criterion)
    # The summary already counted the records: the paginator does not scan them a second time.
    known = sum(x["count"] for x in summary if not reason or x["reason"] == reason)
    paginator = CountedPaginator(records, settings.PORTAL_PAGE_SIZE, count=known)
    page = paginator.get_page(request.GET.get("page"))
    counted = next(s for s in summary if s["reason"] == COUNTED)
    detail_url = _url(request, "partners:enrollment_detail", enrollment_id=enrollment.pk)
    ctx = {
        "title": f"{criterion.name}: {enrollment.account.name}",
        "enrollment": enrollment,
        "criterion": criterion,
        "summary": summary,
        "counted": counted,
        "value_display": selectors.format_value(criterion, counted["total"] or 0, currency),
        "is_money": is_money,
        "currency": currency,
        "headers": [h for h, _ in columns],
        "rows": [
            {
                "cells": selectors.drilldown_cells(r, columns, display=True),
                "value": r.counted_value,
                "reason": r.reason,
                "label": REASONS[r.reason],
            }
            for r in page.object_list
        ],
        "page_obj": page,
        "reason": reason if reason in REASONS else "",
        "reason_label": REASONS.get(reason, "All records"),
        "tabs": section_tabs(request, "partners:enrollment_list"),
        "detail_url": detail_url,
        "date_field": field_label(criterion.kind, criterion_date_field(criterion)),
    }
    return render_page(request, "partners/enrollment_records.html", ctx, partial="records")


# --- What-if preview -----------------------------------------------------------------------------

PREVIEW_FIELDS = ("primary_partner_user", "tier", "enrollment_date", "expiration_date")


@require_POST
@capability_required(CAP)
def enrollment_preview(request, tenant_slug, enrollment_id):
    """The Edit dialog's preview: the progress the values in the dialog would give, before saving
    (the engine computes it in memory; nothing is written)."""
    enrollment = selectors.access_enrollment(tenant=request.tenant, enrollment_id=enrollment_id)
    criteria = selectors.program_criteria(program=enrollment.program)
    form = _edit_form(request, enrollment, criteria)
    form.is_valid()
    blocking = [f for f in PREVIEW_FIELDS if f in form.errors]
    ctx = {"enrollment": enrollment, "blocking": blocking}
    if not blocking:
        ctx["preview"] = selectors.progress_preview(
            enrollment,
            criteria=criteria,
            changes={k: form.cleaned_data[k] for k in PREVIEW_FIELDS},
            custom={v.criterion.id: v.met for v in form.custom_verifications()},
        )
    return render_page(request, "partners/_edit_preview.html", ctx)
