import django_filters
from django.db.models import Q

from common.filters import TenantFilterSet

from .models import (
    Benefit,
    CourseAssignment,
    CurrencyRate,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStage,
    PartnerAccount,
    PartnerProgram,
    PartnerUser,
)


class _AccountScoped(TenantFilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "account" in self.filters:
            self.filters["account"].queryset = PartnerAccount.objects.filter(tenant=self.tenant)


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
    account = django_filters.ModelChoiceFilter(queryset=PartnerAccount.objects.none(), empty_label="Any account")
    is_partner_admin = django_filters.BooleanFilter(label="Partner admin")

    class Meta:
        model = PartnerUser
        fields = ["q", "account", "is_partner_admin"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(user__email__icontains=value) | Q(user__full_name__icontains=value))


class OpportunityFilter(_AccountScoped):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    account = django_filters.ModelChoiceFilter(queryset=PartnerAccount.objects.none(), empty_label="Any account")
    stage = django_filters.ChoiceFilter(choices=OpportunityStage.choices, empty_label="Any stage")

    class Meta:
        model = Opportunity
        fields = ["q", "account", "stage"]


class LeadFilter(_AccountScoped):
    q = django_filters.CharFilter(field_name="company", lookup_expr="icontains", label="Search")
    account = django_filters.ModelChoiceFilter(queryset=PartnerAccount.objects.none(), empty_label="Any account")
    status = django_filters.ChoiceFilter(choices=LeadStatus.choices, empty_label="Any status")

    class Meta:
        model = Lead
        fields = ["q", "account", "status"]


class CourseAssignmentFilter(_AccountScoped):
    q = django_filters.CharFilter(method="search", label="Search")
    account = django_filters.ModelChoiceFilter(
        field_name="partner_user__account", queryset=PartnerAccount.objects.none(), empty_label="Any account"
    )
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
