"""Partner enrollments and their stored progress (written by the engine, partners.engine)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from tenancy.models import TenantOwned, tenant_key

from .data import PartnerAccount, PartnerUser
from .program import Criterion, PartnerProgram, Tier


class PartnerEnrollment(TenantOwned):
    """A partner account in a program. Program and account never change after creation.

    An enrollment ends by hand (``ended_at``, ``end_reason``; its expiration moves to that day)
    or when the account is enrolled again after it expired; an account has at most one enrollment
    per program that has not ended, and the ended ones stay as its history.

    ``tier`` is placed by hand (never advanced automatically). The engine stores
    ``progress_percent`` toward ``next_tier`` (the tier after ``tier``) and ``qualifying_tier``
    (the highest tier whose every criterion is met; informational). ``recalc_due_at`` and
    ``recalc_version`` carry the delayed recalculation (common.due)."""

    program = models.ForeignKey(PartnerProgram, on_delete=models.PROTECT, related_name="enrollments")
    account = models.ForeignKey(PartnerAccount, on_delete=models.PROTECT, related_name="enrollments")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="enrollments")
    enrollment_date = models.DateField()
    expiration_date = models.DateField()
    primary_partner_user = models.ForeignKey(PartnerUser, on_delete=models.PROTECT, related_name="primary_enrollments")
    created_at = models.DateTimeField(default=timezone.now)

    last_calculated = models.DateTimeField(null=True, blank=True)
    progress_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    next_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    qualifying_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    progress_changed_at = models.DateTimeField(null=True, blank=True)
    # partners.engine.Evaluator.digest of the inputs and outcome last stored: a recalculation
    # skips the enrollments whose digest still matches (nothing would change).
    inputs_digest = models.BigIntegerField(null=True, blank=True, editable=False)

    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    recalc_due_at = models.DateTimeField(null=True, blank=True)
    recalc_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["account__name"]
        constraints = [
            models.UniqueConstraint(
                "tenant",
                "program",
                "account",
                condition=models.Q(ended_at__isnull=True),
                name="enrollment_one_open_per_account",
            ),
            models.CheckConstraint(
                condition=models.Q(expiration_date__gt=models.F("enrollment_date")),
                name="enrollment_expires_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "program", "tier"], name="enrollment_program_tier"),
            models.Index(fields=["tenant", "account"], name="enrollment_account"),
            models.Index(fields=["tenant", "recalc_due_at"], name="enrollment_recalc_due"),
            # The every-minute sweep looks across tenants for what is due.
            models.Index(
                fields=["recalc_due_at"], name="enrollment_due_sweep", condition=models.Q(recalc_due_at__isnull=False)
            ),
            models.Index(fields=["tenant", "expiration_date"], name="enrollment_expiration"),
        ]

    def __str__(self) -> str:
        return f"{self.account} in {self.program}"

    def is_active_on(self, day) -> bool:
        return self.ended_at is None and self.enrollment_date <= day <= self.expiration_date

    def clean(self) -> None:
        errors = {}
        if self.enrollment_date and self.expiration_date and self.expiration_date <= self.enrollment_date:
            errors["expiration_date"] = "The expiration date must be after the enrollment date."
        if self.primary_partner_user_id and self.account_id:
            if self.primary_partner_user.account_id != self.account_id:
                errors["primary_partner_user"] = "The primary partner user must belong to the enrolled account."
        if self.tier_id and self.program_id and self.tier.program_id != self.program_id:
            errors["tier"] = "Choose a tier of this program."
        if errors:
            raise ValidationError(errors)

    @property
    def progress_label(self) -> str:
        """ "92% to Build" (floored, so 100% only when every criterion is met), or the top tier."""
        if self.next_tier_id is None:
            return "Top tier" if self.last_calculated else "Not calculated"
        if self.progress_percent is None:
            return f"— to {self.next_tier.name}"
        return f"{int(self.progress_percent)}% to {self.next_tier.name}"


class CriterionResult(TenantOwned):
    """The engine's stored result of one criterion for one enrollment.

    ``value`` is in the program currency for revenue, a count otherwise (0/1 for custom).
    ``met_tier_ids`` lists the tiers whose threshold the value meets. ``percent`` is the progress
    toward the enrollment's next tier (formula in partners.engine), null at the top tier;
    ``required`` says whether the next tier asks anything of this criterion (threshold > 0)."""

    tenant = tenant_key(indexed=True)

    enrollment = models.ForeignKey(PartnerEnrollment, on_delete=models.CASCADE, related_name="results")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="results")
    value = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    met_tier_ids = models.JSONField(default=list, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    required = models.BooleanField(default=True)
    calculated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint("tenant", "enrollment", "criterion", name="criterionresult_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class ProgressSnapshot(TenantOwned):
    """One row each time an enrollment's progress percent changes (or is first computed), so
    "stalled: no progress change for 60+ days" is a query, and the trend can be drawn."""

    enrollment = models.ForeignKey(PartnerEnrollment, on_delete=models.CASCADE, related_name="snapshots")
    recorded_at = models.DateTimeField(default=timezone.now)
    percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    next_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["tenant", "enrollment", "-recorded_at"], name="snapshot_enrollment_time")]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.percent}% at {self.recorded_at:%Y-%m-%d}"


class CustomCriterionStatus(TenantOwned):
    """A custom criterion verified by hand for one enrollment: met or not, why, by whom, when."""

    tenant = tenant_key(indexed=True)

    enrollment = models.ForeignKey(PartnerEnrollment, on_delete=models.CASCADE, related_name="custom_statuses")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="custom_statuses")
    met = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "custom criterion statuses"
        constraints = [
            models.UniqueConstraint("tenant", "enrollment", "criterion", name="customstatus_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {'met' if self.met else 'not met'}"
