from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from plans.models import Plan
from tenancy.models import validate_currency


class CurrencyField(forms.CharField):
    """A three-letter ISO 4217 code; ``usd`` is accepted as ``USD``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("help_text", "Three-letter ISO code, e.g. USD, EUR, GBP.")
        super().__init__(**kwargs)
        self.widget.attrs.update({"size": 4, "autocomplete": "off", "class": "uppercase"})

    def clean(self, value):
        value = super().clean((value or "").strip().upper())
        validate_currency(value)
        return value


class RecoverableRewardForm(forms.Form):
    """Assign a recoverable reward from the user page: an advance or a repayment."""

    ADVANCE, REPAYMENT = "advance", "repayment"
    kind = forms.ChoiceField(
        label="Type",
        choices=[
            (ADVANCE, "Advance: the user owes it back"),
            (REPAYMENT, "Repayment: reduces what the user owes"),
        ],
        widget=forms.RadioSelect,
        initial=ADVANCE,
    )
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, help_text="A positive amount; the type gives the sign."
    )
    currency = CurrencyField()
    plan = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No plan", help_text="Optional: the plan it relates to."
    )
    reason = forms.CharField(max_length=255, help_text="Shown with the balance and in the activity log.")

    def __init__(self, *args, tenant, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("currency", tenant.default_currency)
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(tenant=tenant).order_by("name")

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError("Enter an amount greater than 0 (choose Repayment to reduce the balance).")
        return amount

    def signed_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        return -amount if self.cleaned_data["kind"] == self.REPAYMENT else amount


class RecoverableDrawForm(forms.Form):
    """A recoverable draw on a plan: the same advance to every beneficiary, in the plan currency."""

    plan = forms.ModelChoiceField(queryset=None)
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, help_text="Paid to each beneficiary, in the plan's currency."
    )
    reason = forms.CharField(
        max_length=255,
        label="Draw",
        help_text="Names the draw, e.g. “November 2026 draw”; the same draw is never paid twice.",
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(tenant=tenant).order_by("name")

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError("A draw is an advance: enter an amount greater than 0.")
        return amount
