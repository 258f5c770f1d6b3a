"""Forms of the partner data pages (accounts, partner users, opportunities, deal
registrations, course assignments, currency rates) and of the CSV imports. Every choice is
scoped to the tenant."""

from django import forms
from django.core.exceptions import ValidationError

from tenancy.models import User
from tenancy.selectors import member_users

from ..models import CourseAssignment, CurrencyRate, Lead, Opportunity, PartnerAccount, PartnerUser
from .base import DATE, TenantForm


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
