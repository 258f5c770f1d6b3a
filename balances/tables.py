import django_tables2 as tables
from django.utils.html import format_html

from common.tables import PortalTable
from common.templatetags.portal import money
from common.urls import reverse
from tenancy.models import Membership

from .selectors import owed_field


class OwedColumn(tables.Column):
    """The owed balance in one currency (an annotation of the users query), sortable."""

    def __init__(self, currency: str, **kwargs):
        self.currency = currency
        field = owed_field(currency)
        super().__init__(
            accessor=field,
            verbose_name=f"Owed {currency}",
            order_by=(field, "user__email"),
            attrs={"th": {"class": "num"}, "td": {"class": "num"}},
            **kwargs,
        )

    def render(self, value):
        if not value:
            return format_html('<span class="muted">{}</span>', money(0, self.currency))
        return money(value, self.currency)

    def value(self, value):
        return value


def owed_columns(currencies: list[str]) -> list[tuple[str, tables.Column]]:
    return [(owed_field(c), OwedColumn(c)) for c in currencies]


class UserTable(PortalTable):
    """Users > All Users. The per-currency owed balance columns are added by the view
    (``extra_columns=owed_columns(currencies)``): they depend on the tenant's currencies."""

    email = tables.Column(accessor="user__email", verbose_name="Email", order_by=("user__email",))
    name = tables.Column(accessor="user__full_name", verbose_name="Name", order_by=("user__full_name", "user__email"))
    role = tables.Column(accessor="role__name", verbose_name="Role", order_by=("role__name", "user__email"))
    is_active = tables.BooleanColumn(verbose_name="Active", order_by=("-is_active", "user__email"))

    class Meta(PortalTable.Meta):
        model = Membership
        fields = ("email", "name", "role", "is_active")
        row_attrs = {"class": lambda record: "" if record.is_active else "inactive"}
        empty_text = "No user matches these filters."

    def render_email(self, value, record):
        url = reverse(
            "balances:user_detail", kwargs={"tenant_slug": self.request.tenant.slug, "membership_id": record.pk}
        )
        return format_html('<a href="{}">{}</a>', url, value)

    def value_is_active(self, value):
        return "Yes" if value else "No"
