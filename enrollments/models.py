"""Formal enrollment in a plan: each acceptance of the plan's terms, the last time a beneficiary
viewed them, and the Reset Enrollments batches.

A reset never deletes an acceptance: it stamps ``reset_at``/``reset_by``/``reset_batch`` on the
current ones, which hides them from every status view while the plan's enrollment history keeps
them. At most one acceptance per plan and user is current (``reset_at`` is null)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from plans.models import Plan, PlanDocument
from tenancy.models import TenantOwned


class EnrollmentReset(TenantOwned):
    """One press of Reset Enrollments on a plan: who, when, and how many acceptances it hid."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="enrollment_resets")
    reset_at = models.DateTimeField(default=timezone.now)
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)
    # Undo reset: who and when, how many acceptances came back, and how many stayed hidden
    # because their user had enrolled again since (that newer acceptance stands).
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restored = models.PositiveIntegerField(default=0)
    enrolled_again = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-reset_at", "-id"]
        indexes = [models.Index(fields=["tenant", "plan"], name="enrollmentreset_tenant_plan")]

    def __str__(self) -> str:
        return f"Reset #{self.pk} of plan {self.plan_id}"


class EnrollmentMethod(models.TextChoices):
    CHECKBOX = "checkbox", "Checkbox"
    SIGNATURE = "signature", "Typed e-signature"


class PlanEnrollment(TenantOwned):
    """One acceptance of a plan's terms by a beneficiary.

    Reset Enrollments rewrites every current row of a plan at once, and PostgreSQL writes every
    index of a row it updates: so this table keeps only the indexes its reads need, and the reset
    columns carry no per-row foreign-key check (their values come from the reset itself, inside
    its transaction)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_enrollments", db_index=False
    )
    # Terms versions and reset batches are deleted only with their plan, which takes the
    # acceptances along (PROTECT would block deleting the plan).
    document = models.ForeignKey(
        PlanDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="acceptances", db_index=False
    )
    method = models.CharField(max_length=10, choices=EnrollmentMethod.choices)
    signature = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    reset_at = models.DateTimeField(null=True, blank=True)
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    reset_batch = models.ForeignKey(
        EnrollmentReset,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enrollments",
        db_index=False,
        db_constraint=False,
    )
    # Set when Undo reset made this acceptance current again: when, and which reset was undone.
    # Batches are deleted only with their plan, which takes the acceptances along.
    restored_at = models.DateTimeField(null=True, blank=True)
    restored_from = models.ForeignKey(
        EnrollmentReset,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            # Also the index of the status views and of the reset's UPDATE (current rows).
            models.UniqueConstraint(
                fields=["tenant", "plan", "user"],
                condition=Q(reset_at__isnull=True),
                name="planenrollment_one_current_per_user",
                violation_error_message="This beneficiary is already enrolled in the plan.",
            ),
            models.CheckConstraint(
                condition=Q(method="checkbox") | ~Q(signature=""),
                name="planenrollment_signature_needs_text",
                violation_error_message="A typed e-signature is required.",
            ),
            models.CheckConstraint(
                condition=Q(reset_at__isnull=True, reset_batch__isnull=True)
                | Q(reset_at__isnull=False, reset_batch__isnull=False),
                name="planenrollment_reset_marked_whole",
            ),
        ]
        # No further index: current acceptances are found through the partial unique index above,
        # a plan's whole history through the plan foreign key's index. Every extra index would be
        # written once per row by each Reset Enrollments.

    def __str__(self) -> str:
        return f"{self.user_id} enrolled in {self.plan_id}"

    @property
    def is_current(self) -> bool:
        return self.reset_at is None


class TermsView(TenantOwned):
    """When a beneficiary last opened a plan's terms (one row per plan and user)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="terms_views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_terms_views")
    document = models.ForeignKey(PlanDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_viewed_at = models.DateTimeField(default=timezone.now)
    last_viewed_at = models.DateTimeField(default=timezone.now)
    view_count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "plan", "user"], name="termsview_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.plan_id}"
