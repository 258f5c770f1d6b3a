"""Tables of the partner pages: programs and the benefit library (config), the partner data
lists (data), and the Enrollments list (enrollments)."""

import django_tables2 as tables
from django.utils.html import format_html

from common.tables import PortalTable
from common.templatetags.portal import us_date, us_datetime, width_class
from common.urls import reverse

from .models import (
    Benefit,
    CourseAssignment,
    CurrencyRate,
    Lead,
    Opportunity,
    PartnerAccount,
    PartnerEnrollment,
    PartnerProgram,
    PartnerUser,
)


class _ActionsMixin:
    """An Edit (and Delete) button column pointing at ``<edit_url>``/``<delete_url>``."""

    edit_url: str = ""
    delete_url: str = ""
    id_kwarg: str = ""

    def render_actions(self, record):
        slug = self.request.tenant.slug
        kwargs = {"tenant_slug": slug, self.id_kwarg: record.pk}
        html = format_html('<a class="btn btn-sm" href="{}">Edit</a>', reverse(self.edit_url, kwargs=kwargs))
        if self.delete_url:
            url = reverse(self.delete_url, kwargs=kwargs)
            html += format_html(' <a class="btn btn-sm" href="{}" hx-get="{}" hx-target="#modal">Delete</a>', url, url)
        return html


def actions_column():
    return tables.Column(empty_values=(), orderable=False, verbose_name="", exclude_from_export=True)


class ProgramTable(PortalTable):
    name = tables.Column(linkify=False)
    currency = tables.Column()
    active = tables.BooleanColumn()
    tier_count = tables.Column(verbose_name="Tiers", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    criterion_count = tables.Column(verbose_name="Criteria", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    enrollment_count = tables.Column(verbose_name="Enrollments", attrs={"td": {"class": "num"}, "th": {"class": "num"}})

    class Meta(PortalTable.Meta):
        model = PartnerProgram
        fields = ("name", "currency", "active", "tier_count", "criterion_count", "enrollment_count")

    def render_name(self, record, value):
        url = reverse(
            "partners:program_detail", kwargs={"tenant_slug": self.request.tenant.slug, "program_id": record.pk}
        )
        return format_html('<a href="{}">{}</a>', url, value)

    def value_name(self, value):
        return value


class BenefitTable(_ActionsMixin, PortalTable):
    edit_url, delete_url, id_kwarg = "partners:benefit_edit", "partners:benefit_delete", "benefit_id"
    name = tables.Column()
    description = tables.Column()
    actions = actions_column()

    class Meta(PortalTable.Meta):
        model = Benefit
        fields = ("name", "description")


class PartnerAccountTable(_ActionsMixin, PortalTable):
    edit_url, id_kwarg = "partners:account_edit", "account_id"
    name = tables.Column()
    region = tables.Column()
    website = tables.Column()
    user_count = tables.Column(verbose_name="Partner users", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    actions = actions_column()

    class Meta(PortalTable.Meta):
        model = PartnerAccount
        fields = ("name", "region", "website", "user_count")

    def render_name(self, record, value):
        # The account's page: its enrollments, ended ones included, with Enroll partner.
        url = reverse("partners:enrollment_list", kwargs={"tenant_slug": self.request.tenant.slug})
        return format_html('<a href="{}?account={}">{}</a>', url, record.pk, value)

    def value_name(self, value):
        return value


class PartnerUserTable(_ActionsMixin, PortalTable):
    edit_url, id_kwarg = "partners:partner_user_edit", "partner_user_id"
    email = tables.Column(accessor="user__email", verbose_name="Email", order_by=("user__email",))
    name = tables.Column(accessor="user__full_name", verbose_name="Name", order_by=("user__full_name",))
    account = tables.Column(accessor="account__name", verbose_name="Partner account", order_by=("account__name",))
    is_partner_admin = tables.BooleanColumn(verbose_name="Partner admin")
    actions = actions_column()

    class Meta(PortalTable.Meta):
        model = PartnerUser
        fields = ("email", "name", "account", "is_partner_admin")


class OpportunityTable(_ActionsMixin, PortalTable):
    edit_url, delete_url, id_kwarg = "partners:opportunity_edit", "partners:opportunity_delete", "opportunity_id"
    name = tables.Column()
    account = tables.Column(accessor="account__name", verbose_name="Partner account", order_by=("account__name",))
    owner = tables.Column(accessor="owner__email", verbose_name="Owner", order_by=("owner__email",), default="—")
    amount = tables.Column(attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    currency = tables.Column()
    stage = tables.Column()
    close_date = tables.DateColumn(format="m/d/Y")
    created_date = tables.DateColumn(format="m/d/Y")
    actions = actions_column()

    class Meta(PortalTable.Meta):
        model = Opportunity
        fields = ("name", "account", "owner", "amount", "currency", "stage", "close_date", "created_date")


class LeadTable(_ActionsMixin, PortalTable):
    edit_url, delete_url, id_kwarg = "partners:lead_edit", "partners:lead_delete", "lead_id"
    company = tables.Column()
    account = tables.Column(accessor="account__name", verbose_name="Partner account", order_by=("account__name",))
    owner = tables.Column(accessor="owner__email", verbose_name="Owner", order_by=("owner__email",), default="—")
    status = tables.Column()
    approval_date = tables.DateColumn(format="m/d/Y")
    created_date = tables.DateColumn(format="m/d/Y")
    actions = actions_column()

    class Meta(PortalTable.Meta):
        model = Lead
        fields = ("company", "account", "owner", "status", "approval_date", "created_date")


class CourseAssignmentTable(_ActionsMixin, PortalTable):
    edit_url, delete_url, id_kwarg = "partners:course_edit", "partners:course_delete", "assignment_id"
    course_name = tables.Column()
    partner_user = tables.Column(
        accessor="partner_user__user__email", verbose_name="Partner user", order_by=("partner_user__user__email",)
    )
    account = tables.Column(
        accessor="partner_user__account__name",
        verbose_name="Partner account",
        order_by=("partner_user__account__name",),
    )
    assigned_date = tables.DateColumn(format="m/d/Y")
    completed_date = tables.DateColumn(format="m/d/Y")
    actions = actions_column()

    class Meta(PortalTable.Meta):
        model = CourseAssignment
        fields = ("course_name", "partner_user", "account", "assigned_date", "completed_date")


class CurrencyRateTable(_ActionsMixin, PortalTable):
    edit_url, delete_url, id_kwarg = "partners:rate_edit", "partners:rate_delete", "rate_id"
    date = tables.DateColumn(format="m/d/Y")
    from_currency = tables.Column(verbose_name="From")
    to_currency = tables.Column(verbose_name="To")
    rate = tables.Column(attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    actions = actions_column()

    class Meta(PortalTable.Meta):
        model = CurrencyRate
        fields = ("date", "from_currency", "to_currency", "rate")


# --- Enrollments: one row per partner enrollment, every column sortable ------------------------


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
        return format_html(
            '<div class="progress-cell"><span>{}</span><div class="progress" aria-hidden="true">'
            '<span class="{}"></span></div></div>',
            label,
            width_class(value),  # a class, not a style: the Content-Security-Policy allows none inline
        )

    def value_progress(self, value, record):
        return record.progress_label

    def render_enrollment_date(self, value):
        return us_date(value)

    def render_expiration_date(self, value, record):
        if record.ended_at is not None:
            return format_html('{} <span class="badge">Ended</span>', us_date(value))
        return us_date(value)

    def value_enrollment_date(self, value):
        return value

    def value_expiration_date(self, value):
        return value

    def render_last_calculated(self, value):
        return us_datetime(value)

    def value_last_calculated(self, value):
        return us_datetime(value) if value else ""
