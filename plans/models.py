"""Sales incentive plans: the plan and its terms, who benefits (users or teams), and what the
plan produces: credits (sales transactions credited to a user or team), calculations (a run of
the plan over a period) and rewards (what a user earns; the balances app reads ``recoverable``).

Formal enrollment in a plan lives in the ``enrollments`` app."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from tenancy.models import TenantOwned, validate_currency


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class EnrollmentOption(models.TextChoices):
    """The four legal options of a plan (as the leading product in this field offers them)."""

    NONE_HIDDEN = "none_hidden", "No enrollment, terms hidden"
    NONE_SHOWN = "none_shown", "No enrollment, terms shown"
    CHECKBOX = "checkbox", "Enrollment required by checkbox"
    SIGNATURE = "signature", "Enrollment required by typed e-signature"


REQUIRED_OPTIONS = (EnrollmentOption.CHECKBOX, EnrollmentOption.SIGNATURE)


class Plan(TenantOwned):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3, validators=[validate_currency])
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    legally_protected = models.BooleanField(
        default=False, help_text="Terms are a legal document; beneficiaries may have to enroll formally."
    )
    enrollment_option = models.CharField(
        max_length=12, choices=EnrollmentOption.choices, default=EnrollmentOption.NONE_HIDDEN
    )
    commission_rate = models.DecimalField(
        max_digits=6, decimal_places=3, default=0, help_text="Percent of credited amounts paid as reward."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                name="plan_unique_name_per_tenant",
                violation_error_message="A plan with this name already exists.",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="plan_period_ordered",
                violation_error_message="The period must end on or after its start.",
            ),
            models.CheckConstraint(
                condition=Q(legally_protected=True) | Q(enrollment_option__in=["none_hidden", "none_shown"]),
                name="plan_enrollment_needs_legal_protection",
                violation_error_message="Formal enrollment requires a legally protected plan.",
            ),
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0) & Q(commission_rate__lte=100),
                name="plan_commission_rate_percent",
                violation_error_message="The commission rate is a percentage between 0 and 100.",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="plan_tenant_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def requires_enrollment(self) -> bool:
        return self.legally_protected and self.enrollment_option in REQUIRED_OPTIONS

    @property
    def shows_terms(self) -> bool:
        return self.enrollment_option != EnrollmentOption.NONE_HIDDEN

    @property
    def requires_signature(self) -> bool:
        return self.requires_enrollment and self.enrollment_option == EnrollmentOption.SIGNATURE


class PlanDocument(TenantOwned):
    """One version of a plan's terms. The newest version is the one beneficiaries accept; each
    acceptance points at the version it accepted."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="documents")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "plan", "version"], name="plandocument_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="plandocument_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Team(TenantOwned):
    """A named group of users; a team beneficiary makes each of its members a beneficiary."""

    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                name="team_unique_name_per_tenant",
                violation_error_message="A team with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(TenantOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "team", "user"],
                name="teammember_unique",
                violation_error_message="This user is already in the team.",
            )
        ]
        indexes = [models.Index(fields=["tenant", "user"], name="teammember_tenant_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id}"


class PlanBeneficiary(TenantOwned):
    """A user or a team assigned to a plan (exactly one of the two)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="beneficiaries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="plan_links"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="plan_links")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "plan beneficiaries"
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="planbeneficiary_user_xor_team",
                violation_error_message="A beneficiary is either a user or a team.",
            ),
            models.UniqueConstraint(
                fields=["tenant", "plan", "user"],
                condition=Q(user__isnull=False),
                name="planbeneficiary_unique_user",
                violation_error_message="This user is already a beneficiary of the plan.",
            ),
            models.UniqueConstraint(
                fields=["tenant", "plan", "team"],
                condition=Q(team__isnull=False),
                name="planbeneficiary_unique_team",
                violation_error_message="This team is already a beneficiary of the plan.",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "user"], name="planbeneficiary_tenant_user"),
            models.Index(fields=["tenant", "team"], name="planbeneficiary_tenant_team"),
        ]

    def __str__(self) -> str:
        return str(self.user or self.team)


class SalesTransaction(TenantOwned):
    """A sale (the "Transactions" of the API): credited to its rep and/or team by a calculation."""

    external_id = models.CharField(max_length=64, help_text="The transaction id in the source system.")
    date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    customer = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=255, blank=True)
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="transactions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                name="salestransaction_unique_external_id",
                violation_error_message="A transaction with this id already exists.",
            )
        ]
        indexes = [models.Index(fields=["tenant", "date"], name="salestransaction_tenant_date")]

    def __str__(self) -> str:
        return self.external_id


class CalculationStatus(models.TextChoices):
    CALCULATED = "calculated", "Calculated"
    RELEASED = "released", "Released"


class Calculation(TenantOwned):
    """A run of a plan over a period: it credits the period's transactions and produces rewards."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="calculations")
    name = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=12, choices=CalculationStatus.choices, default=CalculationStatus.CALCULATED)
    calculated_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="calculation_period_ordered",
                violation_error_message="The period must end on or after its start.",
            )
        ]
        indexes = [models.Index(fields=["tenant", "plan"], name="calculation_tenant_plan")]

    def __str__(self) -> str:
        return self.name

    @property
    def released(self) -> bool:
        return self.status == CalculationStatus.RELEASED


class Credit(TenantOwned):
    """A sales transaction credited to a user or a team on a plan (by a calculation)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="credits")
    calculation = models.ForeignKey(
        Calculation, null=True, blank=True, on_delete=models.CASCADE, related_name="credits"
    )
    transaction = models.ForeignKey(SalesTransaction, on_delete=models.CASCADE, related_name="credits")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="credits")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    released = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="credit_user_xor_team",
                violation_error_message="A credit goes to either a user or a team.",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "plan"], name="credit_tenant_plan"),
            models.Index(fields=["tenant", "calculation"], name="credit_tenant_calculation"),
            models.Index(fields=["tenant", "user"], name="credit_tenant_user"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id} → {self.user_id or self.team_id}"

    def clean(self) -> None:
        if self.calculation_id and self.plan_id and self.calculation.plan_id != self.plan_id:
            raise ValidationError({"calculation": "The calculation belongs to another plan."})


class Reward(TenantOwned):
    """What a user earns from a plan. A contract with the balances app (``recoverable``: positive
    amounts are advances, negative ones repayments) and the API: add fields, never rename."""

    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="rewards")
    calculation = models.ForeignKey(
        Calculation, null=True, blank=True, on_delete=models.CASCADE, related_name="rewards"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2)  # negative allowed (repayments)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    released = models.BooleanField(default=False)
    released_at = models.DateTimeField(null=True, blank=True)
    recoverable = models.BooleanField(default=False)
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The balances.BalanceClear that last made this reward non-recoverable, so Undo clear restores
    # exactly its rewards (kept after the undo, until a later Clear). An id, not a foreign key:
    # plans does not depend on balances.
    clear_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "user", "recoverable"]),
            # The owed balance per user and currency (balances.selectors.owed_balance) read from
            # the index alone on PostgreSQL (the amount is included; SQLite ignores INCLUDE).
            # Currency before user: the currencies in use are read from it one probe per currency
            # (balances.selectors.currencies_in_use); the balance looks up all three by equality.
            models.Index(
                fields=["tenant", "currency", "user"],
                include=["amount"],
                condition=Q(recoverable=True),
                name="reward_owed",
            ),
            models.Index(fields=["tenant", "plan"], name="reward_tenant_plan"),
            models.Index(fields=["tenant", "calculation"], name="reward_tenant_calculation"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.amount} to {self.user_id}"
