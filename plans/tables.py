import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from common.tables import PortalTable
from common.templatetags.portal import money, us_datetime
from common.urls import reverse

from .models import Calculation, Credit, Plan, Reward, Team

STATUS_BADGE = {"draft": "muted", "active": "ok", "archived": "warn", "calculated": "info", "released": "ok"}


def _url(table, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": table.request.tenant.slug, **kwargs})


class PlanTable(PortalTable):
    name = tables.Column(linkify=lambda table, record: _url(table, "plans:plan_detail", plan_id=record.pk))
    period_start = tables.DateColumn(verbose_name="Start", format="m/d/Y")
    period_end = tables.DateColumn(verbose_name="End", format="m/d/Y")
    currency = tables.Column()
    status = tables.Column()
    enrollment_option = tables.Column(verbose_name="Enrollment")
    beneficiary_count = tables.Column(verbose_name="Beneficiaries", default=0, attrs={"td": {"class": "num"}})

    class Meta(PortalTable.Meta):
        model = Plan
        fields = ("name", "period_start", "period_end", "currency", "status", "enrollment_option", "beneficiary_count")
        row_attrs = {"data-plan": lambda record: record.pk}

    def render_status(self, value, record):
        return format_html('<span class="badge badge-{}">{}</span>', STATUS_BADGE[record.status], value)

    def value_status(self, record):
        return record.get_status_display()


class CalculationTable(PortalTable):
    name = tables.Column()
    period_start = tables.DateColumn(verbose_name="From", format="m/d/Y")
    period_end = tables.DateColumn(verbose_name="To", format="m/d/Y")
    status = tables.Column()
    calculated_at = tables.Column(verbose_name="Last Calculated")
    credit_count = tables.Column(verbose_name="Credits", default=0, attrs={"td": {"class": "num"}})
    reward_count = tables.Column(verbose_name="Rewards", default=0, attrs={"td": {"class": "num"}})
    reward_total = tables.Column(verbose_name="Reward total", default=0, attrs={"td": {"class": "num"}})
    actions = tables.Column(empty_values=(), orderable=False, verbose_name="", exclude_from_export=True)

    class Meta(PortalTable.Meta):
        model = Calculation
        fields = ("name", "period_start", "period_end", "status", "calculated_at")

    def __init__(self, *args, plan=None, can_release=False, can_delete=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan, self.can_release, self.can_delete = plan, can_release, can_delete

    def render_status(self, value, record):
        return format_html('<span class="badge badge-{}">{}</span>', STATUS_BADGE[record.status], value)

    def render_calculated_at(self, value):
        return us_datetime(value)

    def render_reward_total(self, value):
        return money(value, self.plan.currency if self.plan else "")

    def render_actions(self, record):
        parts = []
        if self.can_release and not record.released:
            url = _url(self, "plans:calculation_release", calculation_id=record.pk)
            parts.append(
                format_html('<a class="btn btn-sm" href="{0}" hx-get="{0}" hx-target="#modal">Release</a>', url)
            )
        if self.can_delete:
            url = _url(self, "plans:calculation_delete", calculation_id=record.pk)
            parts.append(
                format_html('<a class="btn btn-sm" href="{0}" hx-get="{0}" hx-target="#modal">Delete</a>', url)
            )
        return format_html_join(" ", "{}", ((part,) for part in parts))


class CreditTable(PortalTable):
    transaction = tables.Column(accessor="transaction__external_id", verbose_name="Transaction")
    date = tables.DateColumn(accessor="transaction__date", verbose_name="Date", format="m/d/Y")
    customer = tables.Column(accessor="transaction__customer", verbose_name="Customer")
    credited_to = tables.Column(empty_values=(), verbose_name="Credited to", order_by=("user__email", "team__name"))
    amount = tables.Column(attrs={"td": {"class": "num"}})
    calculation = tables.Column(accessor="calculation__name", verbose_name="Calculation", default="—")
    released = tables.BooleanColumn()

    class Meta(PortalTable.Meta):
        model = Credit
        fields = ("transaction", "date", "customer", "credited_to", "amount", "calculation", "released")

    def render_credited_to(self, record):
        if record.team_id:
            return format_html("{} <span class='badge badge-muted'>team</span>", record.team.name)
        return record.user.full_name or record.user.email

    def value_credited_to(self, record):
        return record.team.name if record.team_id else record.user.email

    def render_amount(self, value, record):
        return money(value, record.currency)

    def value_amount(self, value):
        return value


class RewardTable(PortalTable):
    user = tables.Column(accessor="user__email", verbose_name="User")
    name = tables.Column(accessor="user__full_name", verbose_name="Name")
    amount = tables.Column(attrs={"td": {"class": "num"}})
    calculation = tables.Column(accessor="calculation__name", verbose_name="Calculation", default="—")
    released = tables.BooleanColumn()
    released_at = tables.Column(verbose_name="Released at")
    recoverable = tables.BooleanColumn()
    reason = tables.Column()

    class Meta(PortalTable.Meta):
        model = Reward
        fields = ("user", "name", "amount", "calculation", "released", "released_at", "recoverable", "reason")

    def render_amount(self, value, record):
        return money(value, record.currency)

    def value_amount(self, value):
        return value

    def render_released_at(self, value):
        return us_datetime(value)


class MyRewardTable(RewardTable):
    plan = tables.Column(accessor="plan__name", verbose_name="Plan", default="—")

    class Meta(RewardTable.Meta):
        fields = ("plan", "amount", "calculation", "released_at", "recoverable", "reason")
        exclude = ("user", "name", "released")


class TeamTable(PortalTable):
    name = tables.Column(linkify=lambda table, record: _url(table, "plans:team_edit", team_id=record.pk))
    member_count = tables.Column(verbose_name="Members", default=0, attrs={"td": {"class": "num"}})
    created_at = tables.Column(verbose_name="Created")

    class Meta(PortalTable.Meta):
        model = Team
        fields = ("name", "member_count", "created_at")

    def render_created_at(self, value):
        return us_datetime(value)
