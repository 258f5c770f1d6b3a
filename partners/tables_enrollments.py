"""The Enrollments table: one row per partner enrollment, every column sortable."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from common.tables import PortalTable
from common.templatetags.portal import us_date, us_datetime

from .models import PartnerEnrollment


class EnrollmentTable(PortalTable):
    account = tables.Column(verbose_name="Partner account", order_by=("account__name",))
    program = tables.Column(verbose_name="Program", order_by=("program__name",))
    tier = tables.Column(verbose_name="Tier", order_by=("tier__position", "tier__name"))
    progress = tables.Column(
        verbose_name="Progress", accessor="progress_percent", order_by=("progress_percent",), empty_values=()
    )
    enrollment_date = tables.Column(verbose_name="Enrollment date")
    expiration_date = tables.Column(verbose_name="Expiration date")
    last_calculated = tables.Column(verbose_name="Last calculated", empty_values=())

    class Meta(PortalTable.Meta):
        model = PartnerEnrollment
        fields = ("account", "program", "tier", "progress", "enrollment_date", "expiration_date", "last_calculated")
        empty_text = "No enrollments match these filters."

    def _detail_url(self, record):
        return reverse(
            "partners:enrollment_detail",
            kwargs={"tenant_slug": self.request.tenant.slug, "enrollment_id": record.pk},
        )

    def render_account(self, value, record):
        return format_html('<a href="{}">{}</a>', self._detail_url(record), value)

    def value_account(self, value):
        return str(value)

    def value_tier(self, value):
        return str(value)

    def render_tier(self, value, record):
        return format_html('<span class="badge badge-info tier-pill">{}</span>', value)

    def render_progress(self, value, record):
        label = record.progress_label
        width = int(value) if value is not None else 0
        return format_html(
            '<div class="progress-cell"><span>{}</span><div class="progress" aria-hidden="true">'
            '<span style="width:{}%"></span></div></div>',
            label,
            width,
        )

    def value_progress(self, value, record):
        return record.progress_label

    def render_enrollment_date(self, value):
        return us_date(value)

    def render_expiration_date(self, value):
        return us_date(value)

    def value_enrollment_date(self, value):
        return value

    def value_expiration_date(self, value):
        return value

    def render_last_calculated(self, value):
        return us_datetime(value)

    def value_last_calculated(self, value):
        return us_datetime(value) if value else ""
