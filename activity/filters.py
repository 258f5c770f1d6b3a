import django_filters
from django import forms

from common.filters import TenantFilterSet
from common.widgets import SearchableSelect
from tenancy.selectors import member_users

from .models import Action, ActivityEntry
from .selectors import activity_object_types


class ActivityFilter(TenantFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    actor = django_filters.ModelChoiceFilter(
        queryset=None, label="Actor", to_field_name="email", widget=SearchableSelect, empty_label=None
    )
    system = django_filters.BooleanFilter(
        field_name="actor", lookup_expr="isnull", label="System only", widget=forms.CheckboxInput
    )
    action = django_filters.ChoiceFilter(choices=Action.choices, empty_label="Any action")
    object_type = django_filters.ChoiceFilter(choices=(), empty_label="Any object type", label="Object type")
    since = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = ActivityEntry
        fields = ["q", "actor", "action", "object_type", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["actor"].queryset = member_users(tenant=self.tenant)  # checks the email typed
        self.filters["object_type"].extra["choices"] = [(t, t) for t in activity_object_types(tenant=self.tenant)]
        self.suggest("actor", "activity:actor_suggestions")

    def search(self, queryset, name, value):
        return queryset.filter(object_label__icontains=value) | queryset.filter(verb__icontains=value)

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("system") is False:
            self.form.cleaned_data["system"] = None  # unchecked box means "no filter", not "users only"
        return super().filter_queryset(queryset)
