"""Program configuration: a program has ordered tiers, criteria with one ``>=`` threshold per
tier, and benefit values per tier (from the tenant's benefit library)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from tenancy.models import TenantOwned, tenant_key, validate_currency

from ..choices import CriterionKind
from ..criteria import validate_criterion_fields

DEFAULT_TIERS = ["Launch", "Build", "Scale", "Elevate"]


class PartnerProgram(TenantOwned):
    tenant = tenant_key(indexed=True)
    name = models.CharField(max_length=200)
    currency = models.CharField(
        max_length=3, default="USD", validators=[validate_currency], help_text="Revenue criteria are converted to it."
    )
    active = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("tenant", "name", name="partnerprogram_unique_name")]

    def __str__(self) -> str:
        return self.name


class Tier(TenantOwned):
    """A level of a program. ``position`` orders the tiers (1 = entry tier)."""

    program = models.ForeignKey(PartnerProgram, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    badge = models.ImageField(upload_to="partners/badges/", blank=True)

    class Meta:
        ordering = ["program_id", "position", "id"]
        constraints = [models.UniqueConstraint("tenant", "program", "name", name="tier_unique_name_per_program")]
        indexes = [models.Index(fields=["tenant", "program", "position"], name="tier_program_position")]

    def __str__(self) -> str:
        return self.name


class Benefit(TenantOwned):
    """An entry of the tenant's benefit library (e.g. "MDF Allocation")."""

    tenant = tenant_key(indexed=True)

    name = models.CharField(max_length=120)
    description = models.CharField(max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint("tenant", "name", name="benefit_unique_name")]

    def __str__(self) -> str:
        return self.name


class TierBenefit(TenantOwned):
    """What a benefit is worth at one tier ("Yes", "5%", "$5,000"). No row = not available."""

    tenant = tenant_key(indexed=True)

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="benefit_values")
    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="tier_values")
    value = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint("tenant", "tier", "benefit", name="tierbenefit_unique")]

    def __str__(self) -> str:
        return f"{self.benefit} @ {self.tier}: {self.value}"


class Criterion(TenantOwned):
    """A measured requirement of a program. See ``partners.criteria`` for what each kind counts,
    its rollup and attainment date fields and the filter conditions it accepts."""

    tenant = tenant_key(indexed=True)

    program = models.ForeignKey(PartnerProgram, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=CriterionKind.choices)
    rollup_field = models.CharField(max_length=40, blank=True, help_text="Summed field (revenue); blank = count.")
    attainment_date_field = models.CharField(max_length=40, blank=True)
    # A list of {"field": ..., "op": ..., "value": ...}, validated by partners.criteria.
    conditions = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program_id", "position", "id"]
        verbose_name_plural = "criteria"
        constraints = [models.UniqueConstraint("tenant", "program", "name", name="criterion_unique_name_per_program")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_custom(self) -> bool:
        return self.kind == CriterionKind.CUSTOM

    @property
    def is_money(self) -> bool:
        return self.kind == CriterionKind.REVENUE

    def clean(self) -> None:
        validate_criterion_fields(self)


class CriterionThreshold(TenantOwned):
    """``value >= threshold`` meets the criterion at ``tier``. Thresholds never decrease from a
    tier to the next (checked by the service that saves them, across rows). For custom criteria
    1 means "required from this tier", 0 "not required"."""

    tenant = tenant_key(indexed=True)

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="thresholds")
    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="thresholds")
    value = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint("tenant", "criterion", "tier", name="threshold_unique_per_tier"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="threshold_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} >= {self.value} @ {self.tier}"

    def clean(self) -> None:
        if self.criterion_id and self.tier_id and self.criterion.program_id != self.tier.program_id:
            raise ValidationError("The tier belongs to another program.")
