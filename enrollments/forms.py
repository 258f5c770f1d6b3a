from django import forms

from plans.models import EnrollmentOption, Plan

from .selectors import Status


class BeneficiaryFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.CHOICES], required=False, label="Status")


class EnrollForm(forms.Form):
    """Accept the plan's terms: a checkbox, or a typed e-signature, as the plan asks."""

    accepted = forms.BooleanField(required=False, label="I have read and accept the plan's terms")
    signature = forms.CharField(
        required=False,
        max_length=200,
        label="Type your full name to sign",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        if plan.enrollment_option == EnrollmentOption.SIGNATURE:
            del self.fields["accepted"]
        else:
            del self.fields["signature"]
