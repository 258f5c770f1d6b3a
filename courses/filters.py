import django_filters
from django.db.models import Q

from common.filters import TenantFilterSet

from .models import Course, CourseEnrollment, SalesOrder, SalesOrderSource, UserGroup


class EnrollmentFilter(TenantFilterSet):
    """The Users panel's "Search For": a user group and/or a name."""

    user_group = django_filters.ModelChoiceFilter(
        queryset=UserGroup.objects.none(), method="in_group", label="User group", empty_label="Any group"
    )
    q = django_filters.CharFilter(method="search", label="Name or email")
    status = django_filters.ChoiceFilter(
        field_name="effective_status",
        label="Enrollment",
        choices=[("E", "E — Enrolled"), ("U", "U — Unenrolled"), ("X", "X — Expired")],
        empty_label="Any",
    )

    class Meta:
        model = CourseEnrollment
        fields = ["user_group", "q", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["user_group"].queryset = UserGroup.objects.filter(tenant=self.tenant).order_by("name")

    def in_group(self, queryset, name, value):
        return queryset.filter(learner__group_memberships__group=value)

    def search(self, queryset, name, value):
        return queryset.filter(Q(learner__user__full_name__icontains=value) | Q(learner__user__email__icontains=value))


class SalesOrderFilter(TenantFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    source = django_filters.ChoiceFilter(choices=SalesOrderSource.choices, empty_label="Any source")

    class Meta:
        model = SalesOrder
        fields = ["q", "source"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(tran_id__icontains=value) | Q(customer__icontains=value))


class CourseFilter(TenantFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")

    class Meta:
        model = Course
        fields = ["q"]


class UserGroupFilter(TenantFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")

    class Meta:
        model = UserGroup
        fields = ["q"]
