import django_tables2 as tables
from django.utils.html import format_html

from common.tables import PortalTable
from common.urls import reverse

from .capabilities import Capability
from .models import Membership, Role


class MembershipTable(PortalTable):
    email = tables.Column(accessor="user__email", verbose_name="Email", order_by=("user__email",))
    name = tables.Column(accessor="user__full_name", verbose_name="Name", order_by=("user__full_name",))
    role = tables.Column(accessor="role__name", verbose_name="Role", order_by=("role__name",))
    title = tables.Column()
    manager = tables.Column(accessor="manager__user__full_name", verbose_name="Manager", default="—")
    is_active = tables.BooleanColumn(verbose_name="Active")
    edit = tables.Column(empty_values=(), orderable=False, verbose_name="", exclude_from_export=True)

    class Meta(PortalTable.Meta):
        model = Membership
        fields = ("email", "name", "role", "title", "manager", "is_active")
        row_attrs = {"class": lambda record: "" if record.is_active else "inactive"}

    def render_edit(self, record):
        url = reverse(
            "tenancy:member_edit", kwargs={"tenant_slug": self.request.tenant.slug, "membership_id": record.pk}
        )
        return format_html('<a class="btn btn-sm" href="{}">Edit</a>', url)


def _capability_label(code: str) -> str:
    """The label people read ("Manage plans, …"), not the stored code."""
    try:
        return Capability(code).label
    except ValueError:
        return code


class RoleTable(PortalTable):
    name = tables.Column()
    capabilities = tables.Column(orderable=False)
    is_builtin = tables.BooleanColumn(verbose_name="Built-in")
    edit = tables.Column(empty_values=(), orderable=False, verbose_name="", exclude_from_export=True)

    class Meta(PortalTable.Meta):
        model = Role
        fields = ("name", "capabilities", "is_builtin")

    def render_capabilities(self, value):
        return "; ".join(_capability_label(code) for code in value) if value else "—"

    def value_capabilities(self, value):
        return "; ".join(_capability_label(code) for code in value) if value else ""

    def render_edit(self, record):
        url = reverse("tenancy:role_edit", kwargs={"tenant_slug": self.request.tenant.slug, "role_id": record.pk})
        return format_html('<a class="btn btn-sm" href="{}">Edit</a>', url)
