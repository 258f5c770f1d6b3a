"""The Enroll, End and Edit Enrollment dialogs' forms. Choices are scoped to the workspace: the
primary partner user among the account's users, the tier among the program's tiers."""

import datetime as dt

from django import forms
from django.utils import timezone

from common.fields import out_of_id_range

from ..models import PartnerAccount, PartnerEnrollment, PartnerProgram, PartnerUser, Tier
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
        widget=DATE, label="Enrollment date", help_text="Changing it recalculates progress at once."
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
        # Only the account's users are offered; another account's user stays a valid choice so
        # that clean() can say why it is refused, instead of "Select a valid choice".
        field = self.fields["primary_partner_user"]
        field.queryset = PartnerUser.objects.filter(tenant_id=enrollment.tenant_id).select_related("user", "account")
        field.choices = [("", "---------")] + [
            (u.pk, field.label_from_instance(u)) for u in account_partner_users(enrollment=enrollment)
        ]
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
        user = data.get("primary_partner_user")
        if user and user.account_id != self.enrollment.account_id:
            self.add_error(
                "primary_partner_user", f"{user.user.email} is not a user of {self.enrollment.account.name}."
            )
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


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.program.name} · {obj.name}"


class EnrollForm(forms.Form):
    """Enroll a partner account in a program. ``initial`` may carry the program and account (the
    dialog opened from a program's or an account's page, or re-rendered after a choice): the
    primary partner user is then chosen among that account's users, the tier among that
    program's tiers."""

    program = forms.ModelChoiceField(queryset=None, label="Program")
    account = forms.ModelChoiceField(queryset=None, label="Partner account")
    primary_partner_user = PartnerUserChoiceField(
        queryset=None, label="Primary partner user", help_text="Progress counts the records this user can see."
    )
    tier = TierChoiceField(
        queryset=None, required=False, label="Starting tier", help_text="Empty: the program's first tier."
    )
    enrollment_date = forms.DateField(widget=DATE, label="Enrollment date")
    expiration_date = forms.DateField(widget=DATE, label="Expiration date")

    def __init__(self, *args, tenant, **kwargs):
        today = timezone.localdate(timezone.now(), tenant.zone)
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("enrollment_date", today)
        initial.setdefault("expiration_date", today.replace(year=today.year + 1) - dt.timedelta(days=1))
        # The dialog opens over the Enrollments list, whose filter form has its own id_program.
        kwargs.setdefault("auto_id", "enroll_%s")
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["program"].queryset = PartnerProgram.objects.filter(tenant=tenant).order_by("name")
        self.fields["account"].queryset = PartnerAccount.objects.filter(tenant=tenant).order_by("name")
        users = PartnerUser.objects.filter(tenant=tenant).select_related("user", "account")
        tiers = Tier.objects.filter(tenant=tenant).select_related("program").order_by("program__name", "position")
        program_id, account_id = self._chosen("program"), self._chosen("account")
        if account_id:
            users = users.filter(account_id=account_id)
        if program_id:
            tiers = tiers.filter(program_id=program_id)
        # A user of another account stays a valid choice here so that clean() can say why it is
        # refused, instead of "Select a valid choice".
        self.fields["primary_partner_user"].queryset = PartnerUser.objects.filter(tenant=tenant).select_related(
            "user", "account"
        )
        self.fields["primary_partner_user"].choices = [("", "---------")] + [
            (u.pk, self.fields["primary_partner_user"].label_from_instance(u))
            for u in users.order_by("user__full_name", "user__email")
        ]
        self.fields["tier"].queryset = Tier.objects.filter(tenant=tenant).select_related("program")
        self.fields["tier"].choices = [("", "First tier")] + [
            (t.pk, self.fields["tier"].label_from_instance(t)) for t in tiers
        ]

    def _chosen(self, name) -> str:
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        value = getattr(value, "pk", value)
        value = str(value or "")
        # An id no database column can hold (junk, or above 2**63) filters by nothing.
        return value if value.isdigit() and not out_of_id_range(value) else ""

    def clean(self):
        data = super().clean()
        start, end = data.get("enrollment_date"), data.get("expiration_date")
        if start and end and end <= start:
            self.add_error("expiration_date", "The expiration date must be after the enrollment date.")
        account, user = data.get("account"), data.get("primary_partner_user")
        if account and user and user.account_id != account.pk:
            self.add_error("primary_partner_user", f"{user.user.email} is not a user of {account.name}.")
        program, tier = data.get("program"), data.get("tier")
        if program and tier and tier.program_id != program.pk:
            self.add_error("tier", f"{tier.name} is a tier of {tier.program.name}, not of {program.name}.")
        return data

    def service_data(self) -> dict:
        return {
            k: self.cleaned_data[k]
            for k in ("program", "account", "primary_partner_user", "tier", "enrollment_date", "expiration_date")
        }


class EnrollmentEndForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the activity log.",
        error_messages={"required": "Say why the enrollment ends: it is kept in the activity log."},
    )
