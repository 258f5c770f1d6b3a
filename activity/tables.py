import django_tables2 as tables
from django.utils.html import format_html

from common.tables import PortalTable
from common.urls import reverse

from .changes import changes_html, readable_changes
from .models import ActivityEntry


class ActivityTable(PortalTable):
    created_at = tables.DateTimeColumn(verbose_name="When", format="m/d/Y h:i A")
    actor = tables.Column(verbose_name="Actor", accessor="actor", order_by=("actor__email",), default="system")
    action = tables.Column()
    verb = tables.Column(verbose_name="What")
    object_type = tables.Column(verbose_name="Object type")
    object_label = tables.Column(verbose_name="Object")
    count = tables.Column(verbose_name="Count")
    changes = tables.Column(verbose_name="Changes", orderable=False)

    class Meta(PortalTable.Meta):
        model = ActivityEntry
        fields = ("created_at", "actor", "action", "verb", "object_type", "object_label", "count", "changes")

    def render_action(self, value, record):
        return format_html('<span class="badge badge-{}">{}</span>', record.action, record.get_action_display())

    def render_verb(self, value, record):
        url = reverse("activity:entry_detail", kwargs={"tenant_slug": self.request.tenant.slug, "entry_id": record.pk})
        return format_html('<a href="{}">{}</a>', url, value)

    def render_changes(self, record):
        return changes_html(readable_changes(record))

    def value_changes(self, record):
        return "; ".join(str(change) for change in readable_changes(record))
