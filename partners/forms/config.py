"""Forms of the configuration pages: programs, tiers, criteria with thresholds and filter
conditions, the benefit library and the benefit grid. Choice querysets are scoped to the tenant;
cross-object rules (thresholds, conditions) are enforced by the services, whose errors the views
put back on the fields."""

from django import forms
from django.core.exceptions import ValidationError

from ..criteria import COURSE_FIELDS, KINDS, LEAD_FIELDS, OPPORTUNITY_FIELDS, conditions_text, parse_conditions_text
from ..models import Benefit, CriterionKind, PartnerProgram, Tier
from .base import TenantForm


class ProgramForm(TenantForm):
    class Meta:
        model = PartnerProgram
        fields = ["name", "currency", "active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = PartnerProgram.objects.filter(tenant=self.tenant, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("A program with this name already exists.")
        return name

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()


class TierForm(TenantForm):
    class Meta:
        model = Tier
        fields = ["name", "badge"]

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Tier.objects.filter(tenant=self.tenant, program=self.program, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise ValidationError("This program already has a tier with this name.")
        return name


class BenefitForm(TenantForm):
    class Meta:
        model = Benefit
        fields = ["name", "description"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Benefit.objects.filter(tenant=self.tenant, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError("The library already has a benefit with this name.")
        return name


def _field_choices(fields: dict) -> list[tuple[str, str]]:
    return [(name, label) for name, (label, _, _) in fields.items()]


ROLLUP_CHOICES = [("", "Record count (count kinds)"), ("amount", "Amount"), ("expected_revenue", "Expected revenue")]
DATE_CHOICES = [
    ("", "Default of the kind"),
    ("close_date", "Opportunity close date"),
    ("created_date", "Created date (opportunity or lead)"),
    ("approval_date", "Lead approval date"),
    ("completed_date", "Course completion date"),
    ("assigned_date", "Course assigned date"),
]


def _conditions_help() -> str:
    parts = []
    for title, fields in (("Opportunities", OPPORTUNITY_FIELDS), ("Leads", LEAD_FIELDS), ("Courses", COURSE_FIELDS)):
        parts.append(f"{title}: {', '.join(fields)}")
    return (
        "One condition per line: field operator value, e.g. “stage = Closed Won” or "
        "“stage in Negotiation, Closed Won”. Operators: = != > >= < <= in contains. Fields — " + "; ".join(parts) + "."
    )


class CriterionForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=CriterionKind.choices)
    rollup_field = forms.ChoiceField(
        choices=ROLLUP_CHOICES, required=False, help_text="Summed for total revenue; the count kinds count records."
    )
    attainment_date_field = forms.ChoiceField(
        choices=DATE_CHOICES,
        required=False,
        help_text="A record counts when this date lies within the enrollment period.",
    )
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Filter", help_text=_conditions_help()
    )

    def __init__(self, *args, tenant, program, tiers, criterion=None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if criterion is not None:
            initial.update(
                {
                    "name": criterion.name,
                    "kind": criterion.kind,
                    "rollup_field": criterion.rollup_field,
                    "attainment_date_field": criterion.attainment_date_field,
                    "conditions": conditions_text(criterion.kind, criterion.conditions),
                }
            )
            for t in criterion.thresholds.all():
                # Plain digits in the input: normalize() alone gives "2.5E+4".
                initial[f"threshold_{t.tier_id}"] = f"{t.value.normalize():f}"
        super().__init__(*args, initial=initial, **kwargs)
        self.tenant, self.program, self.tiers, self.criterion = tenant, program, tiers, criterion
        for tier in tiers:
            self.fields[f"threshold_{tier.id}"] = forms.DecimalField(
                label=f"{tier.name} threshold (>=)",
                required=False,
                max_digits=18,
                decimal_places=2,
                help_text="Blank = not required at this tier. Custom criteria: 1 = required, 0 = not.",
            )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        qs = self.program.criteria.filter(name__iexact=name)
        if self.criterion is not None:
            qs = qs.exclude(pk=self.criterion.pk)
        if qs.exists():
            raise ValidationError("This program already has a criterion with this name.")
        return name

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in KINDS and "conditions" in data:
            try:
                data["conditions"] = parse_conditions_text(kind, data["conditions"])
            except ValidationError as exc:
                self.add_error("conditions", exc)
        return data

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("name", "kind", "rollup_field", "attainment_date_field", "conditions")}

    def thresholds(self) -> dict:
        return {t.id: self.cleaned_data.get(f"threshold_{t.id}") for t in self.tiers}


class BenefitValuesForm(forms.Form):
    """A grid: one text field per (benefit, tier)."""

    def __init__(self, *args, grid, tiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid, self.tiers = grid, tiers
        for row in grid:
            for tier, value in zip(tiers, row["values"], strict=True):
                self.fields[f"b{row['benefit'].id}_t{tier.id}"] = forms.CharField(
                    max_length=100, required=False, initial=value, label=f"{row['benefit'].name} at {tier.name}"
                )

    def rows(self):
        return [
            {"benefit": row["benefit"], "fields": [self[f"b{row['benefit'].id}_t{t.id}"] for t in self.tiers]}
            for row in self.grid
        ]

    def values(self) -> dict:
        return {
            (row["benefit"].id, t.id): self.cleaned_data.get(f"b{row['benefit'].id}_t{t.id}", "")
            for row in self.grid
            for t in self.tiers
        }
