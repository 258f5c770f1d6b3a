"""Forms of the plan pages. Rules that span fields are checked here too, so each error shows next
to its field; the services check them again (they are the authority)."""

from django import forms
from django.core.exceptions import ValidationError

from common.fields import ModelMultipleChoiceField
from tenancy.models import validate_currency
from tenancy.selectors import member_users

from .models import REQUIRED_OPTIONS, Plan, Team
from .selectors import team_list

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class PlanForm(forms.ModelForm):
    terms = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="The plan document beneficiaries read and accept. Changing it publishes a new version.",
    )

    class Meta:
        model = Plan
        fields = [
            "name",
            "description",
            "period_start",
            "period_end",
            "currency",
            "status",
            "commission_rate",
            "legally_protected",
            "enrollment_option",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "period_start": DATE,
            "period_end": DATE,
            "currency": forms.TextInput(attrs={"size": 3, "maxlength": 3}),
        }
        labels = {"commission_rate": "Commission rate (%)"}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.instance.tenant = tenant
        if not self.instance.pk:
            self.initial.setdefault("currency", tenant.default_currency)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Plan.objects.filter(tenant=self.tenant, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("A plan with this name already exists.")
        return name

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        validate_currency(currency)
        return currency

    def clean_commission_rate(self):
        rate = self.cleaned_data["commission_rate"]
        if rate is not None and not 0 <= rate <= 100:
            raise ValidationError("The commission rate is a percentage between 0 and 100.")
        return rate

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end on or after its start.")
        if data.get("enrollment_option") in REQUIRED_OPTIONS and not data.get("legally_protected"):
            self.add_error("enrollment_option", "Formal enrollment requires a legally protected plan.")
        return data

    def _post_clean(self):
        # The services validate the model (with the tenant, which this form does not edit).
        pass


class BeneficiaryAddForm(forms.Form):
    users = ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 12}), label="Users"
    )
    teams = ModelMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Teams")

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = member_users(tenant=tenant, active_only=True)
        self.fields["users"].label_from_instance = lambda u: f"{u.full_name or u.email} <{u.email}>"
        self.fields["teams"].queryset = team_list(tenant=tenant)

    def clean(self):
        data = super().clean()
        if not data.get("users") and not data.get("teams"):
            raise ValidationError("Pick at least one user or team.")
        return data


class CalculationRunForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, help_text="Leave blank for the plan name and period.")
    period_start = forms.DateField(widget=DATE)
    period_end = forms.DateField(widget=DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end on or after its start.")
        return data


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    users = ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 12}), label="Members"
    )

    def __init__(self, *args, tenant, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant, self.team = tenant, team
        self.fields["users"].queryset = member_users(tenant=tenant)
        self.fields["users"].label_from_instance = lambda u: f"{u.full_name or u.email} <{u.email}>"

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Team.objects.filter(tenant=self.tenant, name__iexact=name)
        if self.team is not None:
            clash = clash.exclude(pk=self.team.pk)
        if clash.exists():
            raise ValidationError("A team with this name already exists.")
        return name
