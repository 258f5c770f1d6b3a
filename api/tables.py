import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from common.tables import PortalTable
from common.templatetags.portal import us_datetime as _datetime
from common.urls import reverse

from .models import ApiKey


class ApiKeyTable(PortalTable):
    name = tables.Column()
    user = tables.Column(accessor="user__email", verbose_name="User", order_by=("user__email",))
    prefix = tables.Column(verbose_name="Key")
    created_at = tables.Column(verbose_name="Created")
    last_used_at = tables.Column(verbose_name="Last used", default="Never")
    status = tables.Column(empty_values=(), accessor="revoked_at", verbose_name="Status", order_by=("revoked_at",))
    revoke = tables.Column(empty_values=(), orderable=False, verbose_name="", exclude_from_export=True)

    class Meta(PortalTable.Meta):
        model = ApiKey
        fields = ("name", "user", "prefix", "created_at", "last_used_at", "status")
        row_attrs = {"class": lambda record: "inactive" if record.revoked_at else ""}

    def render_prefix(self, value):
        return format_html("<code>{}…</code>", value)

    def render_created_at(self, value):
        return _datetime(value)

    def render_last_used_at(self, value):
        return _datetime(value)

    def value_status(self, record):
        return f"Revoked {_datetime(record.revoked_at)}" if record.revoked_at else "Active"

    def render_status(self, record):
        if record.revoked_at:
            return format_html('<span class="badge badge-muted">Revoked {}</span>', _datetime(record.revoked_at))
        return mark_safe('<span class="badge badge-ok">Active</span>')  # noqa: S308 - constant

    def render_revoke(self, record):
        if record.revoked_at:
            return ""
        url = reverse("api_keys:key_revoke", kwargs={"tenant_slug": self.request.tenant.slug, "api_key_id": record.pk})
        return format_html(
            '<a class="btn btn-sm btn-danger" href="{}" hx-get="{}" hx-target="#modal">Revoke</a>', url, url
        )
