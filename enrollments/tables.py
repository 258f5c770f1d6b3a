import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from common.tables import PortalTable
from common.templatetags.portal import us_datetime
from common.urls import reverse
from tenancy.models import User

from .models import PlanEnrollment
from .selectors import status_label


class BeneficiaryStatusTable(PortalTable):
    """The Beneficiaries tab: each beneficiary with their enrollment status."""

    full_name = tables.Column(verbose_name="Name")
    email = tables.Column()
    status = tables.Column(empty_values=(), verbose_name="Status", order_by=("enrolled_at", "last_viewed_at"))
    enrolled_at = tables.Column(verbose_name="Enrolled at")
    terms_version = tables.Column(verbose_name="Terms version")
    last_viewed_at = tables.Column(verbose_name="Last viewed")
    signature = tables.Column(verbose_name="Signature")
    via = tables.Column(empty_values=(), orderable=False, verbose_name="Assigned", exclude_from_export=True)

    class Meta(PortalTable.Meta):
        model = User
        fields = ("full_name", "email", "status", "enrolled_at", "terms_version", "last_viewed_at", "signature")
        row_attrs = {
            "class": lambda record: "" if record.is_active_member else "inactive",
            "data-user": lambda record: record.pk,
        }
        empty_text = "No beneficiaries match."

    def __init__(self, *args, plan, can_manage=False, current_document_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan, self.can_manage = plan, can_manage
        self.current_document_id = current_document_id

    def _on_older_terms(self, record) -> bool:
        """Enrolled, but on a terms version older than the plan's current one (e.g. an acceptance
        restored by Undo reset after the terms changed): the admin decides whether to reset."""
        document_id = getattr(record, "terms_document_id", None)
        return bool(document_id and self.current_document_id and document_id != self.current_document_id)

    def _status(self, record):
        return status_label(plan=self.plan, enrolled_at=record.enrolled_at, last_viewed_at=record.last_viewed_at)

    def render_status(self, record):
        label, badge, when = self._status(record)
        date = f" {timezone.localtime(when):%m/%d/%Y}" if when else ""
        return format_html('<span class="badge badge-{} status">{}{}</span>', badge, label, date)

    def value_status(self, record):
        label, _, when = self._status(record)
        return f"{label} {us_datetime(when)}" if when else label

    def render_enrolled_at(self, value):
        return us_datetime(value)

    def render_last_viewed_at(self, value):
        return us_datetime(value)

    def render_terms_version(self, value, record):
        if self._on_older_terms(record):
            return format_html(
                'v{} <span class="badge badge-warn older-terms">enrolled on an older version</span>', value
            )
        return f"v{value}"

    def value_terms_version(self, value, record):
        return f"v{value} (enrolled on an older version)" if self._on_older_terms(record) else f"v{value}"

    def render_via(self, record):
        if not record.direct_beneficiary_id:
            return mark_safe('<span class="muted small">via team</span>')  # noqa: S308 - constant
        if not self.can_manage:
            return "direct"
        url = reverse(
            "plans:beneficiary_remove",
            kwargs={"tenant_slug": self.request.tenant.slug, "beneficiary_id": record.direct_beneficiary_id},
        )
        return format_html('<a class="btn btn-sm" href="{0}" hx-get="{0}" hx-target="#modal">Remove</a>', url)


class EnrollmentHistoryTable(PortalTable):
    """Every acceptance of the plan, current and reset (admin only)."""

    user = tables.Column(accessor="user__email", verbose_name="User")
    enrolled_at = tables.Column(verbose_name="Enrolled at")
    version = tables.Column(accessor="document__version", verbose_name="Terms version", default="—")
    method = tables.Column()
    signature = tables.Column()
    ip_address = tables.Column(verbose_name="Client IP")
    state = tables.Column(empty_values=(), verbose_name="State", order_by=("reset_at",))
    reset_by = tables.Column(accessor="reset_by__email", verbose_name="Reset by", default="—")
    reset_batch = tables.Column(accessor="reset_batch_id", verbose_name="Reset #", default="—")

    class Meta(PortalTable.Meta):
        model = PlanEnrollment
        fields = ("user", "enrolled_at", "version", "method", "signature", "ip_address", "state", "reset_by")

    def render_enrolled_at(self, value):
        return us_datetime(value)

    def render_version(self, value):
        return f"v{value}"

    def render_state(self, record):
        if record.reset_at is None and record.restored_at is not None:
            return format_html(
                '<span class="badge badge-ok">Current</span> '
                '<span class="muted small">restored {} (undo of reset #{})</span>',
                us_datetime(record.restored_at),
                record.restored_from_id,
            )
        if record.reset_at is None:
            return mark_safe('<span class="badge badge-ok">Current</span>')  # noqa: S308 - constant
        return format_html('<span class="badge badge-muted">Reset {}</span>', us_datetime(record.reset_at))

    def value_state(self, record):
        if record.reset_at is None and record.restored_at is not None:
            return f"Current (restored {us_datetime(record.restored_at)}, undo of reset #{record.restored_from_id})"
        return "Current" if record.reset_at is None else f"Reset {us_datetime(record.reset_at)}"
