import django_filters
from django.db.models import Q

from common.filters import TenantFilterSet

from .models import Membership, Role
from .selectors import ROLE_CHOICES


class MembershipFilter(TenantFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    role = django_filters.ModelChoiceFilter(queryset=Role.objects.none(), empty_label="Any role")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = Membership
        fields = ["q", "role", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose_from(role=ROLE_CHOICES)

    def search(self, queryset, name, value):
        return queryset.filter(Q(user__email__icontains=value) | Q(user__full_name__icontains=value))


class RoleFilter(TenantFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")

    class Meta:
        model = Role
        fields = ["q"]
