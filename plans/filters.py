import django_filters
from django.db.models import Q

from common.filters import TenantFilterSet

from .models import EnrollmentOption, Plan, PlanStatus, Team


class PlanFilter(TenantFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, empty_label="Any status")
    enrollment_option = django_filters.ChoiceFilter(
        choices=EnrollmentOption.choices, empty_label="Any enrollment option", label="Enrollment"
    )

    class Meta:
        model = Plan
        fields = ["q", "status", "enrollment_option"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class TeamFilter(TenantFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")

    class Meta:
        model = Team
        fields = ["q"]
