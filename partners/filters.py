"""Filters of the partner lists: programs and benefits (config), the partner data lists
(data), and the Enrollments list with its attention presets (enrollments). Every choice is
scoped to the tenant."""

import django_filters
from django import forms
from django.db.models import Q

from common.filters import TenantFilterSet
from common.widgets import SearchableSelect

from .models import (
    Benefit,
    CourseAssignment,
    CurrencyRate,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStage,
    PartnerAccount,
    PartnerEnrollment,
    PartnerProgram,
    PartnerUser,
)
from .selectors.config import PROGRAM_CHOICES, TIER_CHOICES
from .selectors.enrollments import PRESETS, preset_q


def _account_filter(**kwargs) -> django_filters.ModelChoiceFilter:
    """A partner data list's Account filter: typed by name, suggested as one types (a program
    can hold thousands of accounts: none is rendered with the page)."""
    return django_filters.ModelChoiceFilter(
        queryset=None,
        label="Account",
        to_field_name="name",
        widget=SearchableSelect(attrs={"placeholder": "Account name"}),
        empty_label=None,
        **kwargs,
    )


class _AccountScoped(TenantFilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "account" in self.filters:
            self.filters["account"].queryset = PartnerAccount.objects.filter(tenant=self.tenant)  # checks the name
            self.suggest("account", "partners:account_suggestions")


class ProgramFilter(TenantFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    active = django_filters.BooleanFilter()

    class Meta:
        model = PartnerProgram
        fields = ["q", "active"]


class BenefitFilter(TenantFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")

    class Meta:
        model = Benefit
        fields = ["q"]


class PartnerAccountFilter(TenantFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = PartnerAccount
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(region__icontains=value))


class PartnerUserFilter(_AccountScoped):
    q = django_filters.CharFilter(method="search", label="Search")
    account = _account_filter()
    is_partner_admin = django_filters.BooleanFilter(label="Partner admin")

    class Meta:
        model = PartnerUser
        fields = ["q", "account", "is_partner_admin"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(user__email__icontains=value) | Q(user__full_name__icontains=value))


class OpportunityFilter(_AccountScoped):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    account = _account_filter()
    stage = django_filters.ChoiceFilter(choices=OpportunityStage.choices, empty_label="Any stage")

    class Meta:
        model = Opportunity
        fields = ["q", "account", "stage"]


class LeadFilter(_AccountScoped):
    q = django_filters.CharFilter(field_name="company", lookup_expr="icontains", label="Search")
    account = _account_filter()
    status = django_filters.ChoiceFilter(choices=LeadStatus.choices, empty_label="Any status")

    class Meta:
        model = Lead
        fields = ["q", "account", "status"]


class CourseAssignmentFilter(_AccountScoped):
    q = django_filters.CharFilter(method="search", label="Search")
    account = _account_filter(field_name="partner_user__account")
    completed = django_filters.BooleanFilter(field_name="completed_date", lookup_expr="isnull", exclude=True)

    class Meta:
        model = CourseAssignment
        fields = ["q", "account", "completed"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(course_name__icontains=value) | Q(partner_user__user__email__icontains=value))


class CurrencyRateFilter(TenantFilterSet):
    from_currency = django_filters.CharFilter(lookup_expr="iexact", label="From")
    to_currency = django_filters.CharFilter(lookup_expr="iexact", label="To")

    class Meta:
        model = CurrencyRate
        fields = ["from_currency", "to_currency"]


# --- Enrollments: program, tier, account search and the attention presets ----------------------


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.program.name} · {obj.name}"


class TierFilter(django_filters.ModelChoiceFilter):
    field_class = TierChoiceField


class EnrollmentFilter(TenantFilterSet):
    q = django_filters.CharFilter(field_name="account__name", lookup_expr="icontains", label="Partner account")
    program = django_filters.ModelChoiceFilter(queryset=None, label="Program", empty_label="All programs")
    tier = TierFilter(queryset=None, label="Tier", empty_label="All tiers")
    view = django_filters.ChoiceFilter(
        choices=list(PRESETS.items()), method="preset", label="Needs attention", empty_label="All enrollments"
    )

    class Meta:
        model = PartnerEnrollment
        fields = ["q", "program", "tier", "view"]

    def __init__(self, *args, program=None, tiers=None, **kwargs):
        """``tiers``: the workspace's tiers (``TIER_CHOICES``) when the view has read them."""
        super().__init__(*args, **kwargs)
        if program is None:
            self.choose_from(program=PROGRAM_CHOICES, tier=TIER_CHOICES)
            if tiers is not None:
                self.form.fields["tier"].listed_rows = lambda: tiers
        else:
            # On a program's own Enrollments tab the program is fixed: only its tiers.
            del self.filters["program"]
            tiers = TIER_CHOICES.queryset(self.tenant).filter(program=program)
            self.filters["tier"].queryset = tiers

    def preset(self, queryset, name, value):
        return queryset.filter(preset_q(value, zone=self.tenant.zone)) if value else queryset
