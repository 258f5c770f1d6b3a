"""Forms of the partner configuration and data pages. Choice querysets are scoped to the tenant;
cross-object rules (thresholds, conditions) are enforced by the services, whose errors the views
put back on the fields."""

from django import forms
from django.core.exceptions import ValidationError

from tenancy.models import User
from tenancy.selectors import member_users

from .criteria import COURSE_FIELDS, KINDS, LEAD_FIELDS, OPPORTUNITY_FIELDS, conditions_text, parse_conditions_text
from .models import (
    Benefit,
    CourseAssignment,
    CriterionKind,
    CurrencyRate,
    Lead,
    Opportunity,
    PartnerAccount,
    PartnerProgram,
    PartnerUser,
    Tier,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the matching fields (others on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class TenantForm(forms.ModelForm):
    unique_name_field: str | None = None
    unique_scope: tuple[str, ...] = ()

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.instance.tenant = tenant

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}

    def _post_clean(self):
        # Model validation runs in the service (full_clean); field-level model validators
        # still run through the model fields' formfields.
        pass


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
                initial[f"threshold_{t.tier_id}"] = t.value.normalize()
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


class PartnerAccountForm(TenantForm):
    class Meta:
        model = PartnerAccount
        fields = ["name", "region", "website"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if PartnerAccount.objects.filter(tenant=self.tenant, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError("A partner account with this name already exists.")
        return name


def _account_field():
    return forms.ModelChoiceField(queryset=PartnerAccount.objects.none(), label="Partner account")


def _owner():
    return forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Owner")


class PartnerUserForm(TenantForm):
    account = _account_field()
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Member")

    class Meta:
        model = PartnerUser
        fields = ["account", "user", "is_partner_admin"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = PartnerAccount.objects.filter(tenant=self.tenant)
        users = member_users(tenant=self.tenant)
        taken = PartnerUser.objects.filter(tenant=self.tenant).exclude(pk=self.instance.pk).values("user_id")
        self.fields["user"].queryset = users.exclude(pk__in=taken)
        if self.instance.pk:
            self.fields["user"].disabled = True


def _owner_field(form, tenant):
    form.fields["owner"].queryset = member_users(tenant=tenant)
    form.fields["owner"].label_from_instance = lambda u: f"{u.get_full_name()} <{u.email}>"


class OpportunityForm(TenantForm):
    account = _account_field()
    owner = _owner()

    class Meta:
        model = Opportunity
        fields = [
            "account",
            "owner",
            "name",
            "amount",
            "expected_revenue",
            "currency",
            "stage",
            "close_date",
            "created_date",
        ]
        widgets = {"close_date": DATE, "created_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = PartnerAccount.objects.filter(tenant=self.tenant)
        _owner_field(self, self.tenant)

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()


class LeadForm(TenantForm):
    account = _account_field()
    owner = _owner()

    class Meta:
        model = Lead
        fields = ["account", "owner", "company", "status", "approval_date", "created_date"]
        widgets = {"approval_date": DATE, "created_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = PartnerAccount.objects.filter(tenant=self.tenant)
        _owner_field(self, self.tenant)


class CourseAssignmentForm(TenantForm):
    partner_user = forms.ModelChoiceField(queryset=PartnerUser.objects.none(), label="Partner user")

    class Meta:
        model = CourseAssignment
        fields = ["partner_user", "course_name", "assigned_date", "completed_date"]
        widgets = {"assigned_date": DATE, "completed_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_user"].queryset = PartnerUser.objects.filter(tenant=self.tenant).select_related(
            "user", "account"
        )


class CurrencyRateForm(TenantForm):
    class Meta:
        model = CurrencyRate
        fields = ["date", "from_currency", "to_currency", "rate"]
        widgets = {"date": DATE}

    def clean_from_currency(self):
        return self.cleaned_data["from_currency"].strip().upper()

    def clean_to_currency(self):
        return self.cleaned_data["to_currency"].strip().upper()

    def clean(self):
        data = super().clean()
        key = {k: data.get(k) for k in ("date", "from_currency", "to_currency")}
        if all(key.values()):
            if CurrencyRate.objects.filter(tenant=self.tenant, **key).exclude(pk=self.instance.pk).exists():
                self.add_error("date", "There is already a rate for this pair on this date.")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="A CSV file with a header row.")
    # After the preview, the same CSV comes back with the confirmation (nothing stored on the server).
    payload = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(widget=forms.HiddenInput, required=False)

    MAX_BYTES = 5 * 1024 * 1024

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > self.MAX_BYTES:
                self.add_error("file", "The file is larger than 5 MB; split it.")
                return data
            try:
                data["payload"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "The file is not UTF-8 text; save it as CSV (UTF-8).")
        elif not data.get("payload"):
            self.add_error("file", "Choose a CSV file.")
        return data
