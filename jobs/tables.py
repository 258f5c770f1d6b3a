import django_tables2 as tables
from django.utils.html import format_html

from common.tables import PortalTable
from common.urls import reverse

from . import registry
from .models import Job
from .templatetags.jobs import duration_text as _duration


class JobTable(PortalTable):
    created_at = tables.DateTimeColumn(verbose_name="Started", format="m/d/Y h:i A")
    kind = tables.Column(verbose_name="Job")
    target_label = tables.Column(verbose_name="About")
    state = tables.Column(verbose_name="State")
    duration = tables.Column(verbose_name="Duration", empty_values=(), orderable=False)
    started_by = tables.Column(verbose_name="Started by", order_by=("started_by__email",), default="system")
    result = tables.Column(verbose_name="Result", orderable=False)

    class Meta(PortalTable.Meta):
        model = Job
        fields = ("created_at", "kind", "target_label", "state", "duration", "started_by", "result")
        empty_text = "No jobs have run in this workspace yet."

    def render_kind(self, value, record):
        url = reverse("jobs:job_detail", kwargs={"tenant_slug": self.request.tenant.slug, "job_id": record.pk})
        return format_html('<a href="{}">{}</a>', url, registry.label_of(value))

    def value_kind(self, value):
        return registry.label_of(value)

    def render_state(self, value, record):
        return format_html('<span class="badge job-state-{}">{}</span>', record.state, record.get_state_display())

    def value_state(self, value, record):
        return record.get_state_display()

    def render_duration(self, record):
        return _duration(record.duration)

    def value_duration(self, record):
        return _duration(record.duration)
