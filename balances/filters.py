import django_filters
from django import forms
from django.db.models import Q

from common.filters import TenantFilterSet
from tenancy.models import Membership, Role
from tenancy.selectors import ROLE_CHOICES

from .selectors import has_recoverable_rewards

ANY_YES_NO = [("", "Any"), ("true", "Yes"), ("false", "No")]


class UserFilter(TenantFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    role = django_filters.ModelChoiceFilter(queryset=Role.objects.none(), empty_label="Any role")
    is_active = django_filters.BooleanFilter(label="Active", widget=forms.Select(choices=ANY_YES_NO))
    owes = django_filters.BooleanFilter(
        method="filter_owes", label="Has recoverable rewards", widget=forms.Select(choices=ANY_YES_NO)
    )

    class Meta:
        model = Membership
        fields = ["q", "role", "is_active", "owes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose_from(role=ROLE_CHOICES)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(user__email__icontains=value) | Q(user__full_name__icontains=value))

    def filter_owes(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(has_recoverable_rewards() if value else ~has_recoverable_rewards())
