"""The Edit Enrollment dialog's form. Choices are scoped: the primary partner user among the
enrolled account's users, the tier among the program's tiers."""

from django import forms

from ..models import PartnerEnrollment, Tier
from ..selectors.enrollments import account_partner_users
from ..services.enrollment_edit import CustomVerification
from .base import DATE


class PartnerUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.user.get_full_name() or obj.user.email
        return f"{name} ({obj.user.email})" + (" · partner admin" if obj.is_partner_admin else "")


class EnrollmentEditForm(forms.Form):
    primary_partner_user = PartnerUserChoiceField(
        queryset=None,
        label="Primary partner user",
        help_text="Progress counts the records this user can see.",
    )
    tier = forms.ModelChoiceField(
        queryset=None, label="Tier", help_text="The only way a partner changes tier: never automatic."
    )
    enrollment_date = forms.DateField(
        widget=DATE, label="Enrollment date", help_text="Changing it recalculates progress within 5 minutes."
    )
    expiration_date = forms.DateField(widget=DATE, label="Expiration date")
    reason = forms.CharField(
        required=False,
        label="Reason for the tier change",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the tier history (required when the tier changes).",
    )
    confirm_unmet = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, enrollment: PartnerEnrollment, custom_criteria=(), custom_statuses=None, **kwargs):
        custom_statuses = custom_statuses or {}
        kwargs.setdefault(
            "initial",
            {
                "primary_partner_user": enrollment.primary_partner_user_id,
                "tier": enrollment.tier_id,
                "enrollment_date": enrollment.enrollment_date,
                "expiration_date": enrollment.expiration_date,
            },
        )
        for c in custom_criteria:
            status = custom_statuses.get(c.id)
            kwargs["initial"].setdefault(f"custom_{c.id}_met", bool(status and status.met))
            kwargs["initial"].setdefault(f"custom_{c.id}_note", status.note if status else "")
        super().__init__(*args, **kwargs)
        self.enrollment = enrollment
        self.custom_criteria = list(custom_criteria)
        self.fields["primary_partner_user"].queryset = account_partner_users(enrollment=enrollment)
        self.fields["tier"].queryset = Tier.objects.filter(
            tenant_id=enrollment.tenant_id, program_id=enrollment.program_id
        ).order_by("position", "id")
        for c in self.custom_criteria:
            self.fields[f"custom_{c.id}_met"] = forms.BooleanField(required=False, label=f"{c.name}: met")
            self.fields[f"custom_{c.id}_note"] = forms.CharField(
                required=False, label=f"{c.name}: note", max_length=1000, help_text="How it was verified."
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("enrollment_date"), data.get("expiration_date")
        if start and end and end <= start:
            self.add_error("expiration_date", "The expiration date must be after the enrollment date.")
        tier = data.get("tier")
        if tier and tier.pk != self.enrollment.tier_id and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the tier changes: it is kept in the tier history.")
        return data

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("primary_partner_user", "tier", "enrollment_date", "expiration_date")}

    def custom_verifications(self) -> list[CustomVerification]:
        return [
            CustomVerification(
                criterion=c,
                met=bool(self.cleaned_data.get(f"custom_{c.id}_met")),
                note=self.cleaned_data.get(f"custom_{c.id}_note", ""),
            )
            for c in self.custom_criteria
        ]

    def custom_fields(self):
        """(met field, note field) pairs for the template."""
        return [(self[f"custom_{c.id}_met"], self[f"custom_{c.id}_note"]) for c in self.custom_criteria]

    def main_fields(self):
        return [self[n] for n in ("primary_partner_user", "tier", "enrollment_date", "expiration_date", "reason")]
