"""Filters of the Enrollments list: program, tier, account search and the attention presets."""

import django_filters
from django import forms

from common.filters import TenantFilterSet

from .models import PartnerEnrollment, PartnerProgram, Tier
from .selectors_enrollments import PRESETS, preset_q


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

    def __init__(self, *args, program=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["program"].queryset = PartnerProgram.objects.filter(tenant=self.tenant).order_by("name")
        tiers = Tier.objects.filter(tenant=self.tenant).select_related("program")
        if program is not None:
            # On a program's own Enrollments tab the program is fixed: only its tiers.
            del self.filters["program"]
            tiers = tiers.filter(program=program)
        self.filters["tier"].queryset = tiers.order_by("program__name", "position", "id")

    def preset(self, queryset, name, value):
        return queryset.filter(preset_q(value)) if value else queryset
