import django_filters
from django.db.models import Q

from common.filters import TenantFilterSet

from .models import ApiKey


class ApiKeyFilter(TenantFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(
        choices=[("active", "Active"), ("revoked", "Revoked")],
        method="by_status",
        empty_label="Any status",
        label="Status",
    )

    class Meta:
        model = ApiKey
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(prefix__icontains=value) | Q(user__email__icontains=value))

    def by_status(self, queryset, name, value):
        return queryset.filter(revoked_at__isnull=(value == "active"))
