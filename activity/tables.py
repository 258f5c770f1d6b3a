import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from common.tables import PortalTable

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

    def render_changes(self, value):
        if not value:
            return "—"
        return format_html(
            '<dl class="changes">{}</dl>',
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((k, _fmt(v)) for k, v in value.items())),
        )

    def value_changes(self, value):
        return "; ".join(f"{k}: {_fmt(v)}" for k, v in (value or {}).items())


def _fmt(v):
    if isinstance(v, list) and len(v) == 2:
        return f"{v[0]} → {v[1]}"
    return str(v)
