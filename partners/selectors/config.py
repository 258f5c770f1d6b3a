"""Reads of the configuration pages: programs, their tiers, criteria with thresholds, the
benefit library and the benefit grid."""

from django.db.models import Count, Prefetch, QuerySet

from common.model_choices import TenantChoices

from ..models import Benefit, Criterion, CriterionThreshold, PartnerProgram, Tier, TierBenefit
from .base import access_object

# The Enrollments list's filter choices: programs by name, every program's tiers in order.
PROGRAM_CHOICES = TenantChoices(lambda tenant_id: PartnerProgram.objects.filter(tenant_id=tenant_id).order_by("name"))
TIER_CHOICES = TenantChoices(
    lambda tenant_id: (
        Tier.objects.filter(tenant_id=tenant_id).select_related("program").order_by("program__name", "position", "id")
    )
)


def access_program(*, tenant, program_id, for_update=False) -> PartnerProgram:
    return access_object(PartnerProgram, tenant=tenant, pk=program_id, for_update=for_update, label="program")


def access_tier(*, tenant, tier_id, for_update=False) -> Tier:
    qs = Tier.objects.select_related("program")
    return access_object(Tier, tenant=tenant, pk=tier_id, for_update=for_update, qs=qs, label="tier")


def access_criterion(*, tenant, criterion_id, for_update=False) -> Criterion:
    qs = Criterion.objects.select_related("program")
    return access_object(Criterion, tenant=tenant, pk=criterion_id, for_update=for_update, qs=qs, label="criterion")


def access_benefit(*, tenant, benefit_id, for_update=False) -> Benefit:
    return access_object(Benefit, tenant=tenant, pk=benefit_id, for_update=for_update, label="benefit")


# --- Programs and their configuration -----------------------------------------------------------


def program_list(*, tenant) -> QuerySet[PartnerProgram]:
    return PartnerProgram.objects.filter(tenant=tenant).annotate(
        tier_count=Count("tiers", distinct=True),
        criterion_count=Count("criteria", distinct=True),
        enrollment_count=Count("enrollments", distinct=True),
    )


def program_tiers(*, program) -> list[Tier]:
    return list(Tier.objects.filter(tenant_id=program.tenant_id, program=program).order_by("position", "id"))


def program_criteria(*, program) -> list[Criterion]:
    """Criteria in order, each with ``thresholds`` prefetched (any order; see threshold_grid)."""
    return list(
        Criterion.objects.filter(tenant_id=program.tenant_id, program=program)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch("thresholds", queryset=CriterionThreshold.objects.filter(tenant_id=program.tenant_id))
        )
    )


def threshold_grid(*, criteria, tiers) -> list[dict]:
    """For each criterion: the criterion and its thresholds in tier order (None when unset)."""
    rows = []
    for c in criteria:
        by_tier = {t.tier_id: t.value for t in c.thresholds.all()}
        rows.append({"criterion": c, "thresholds": [by_tier.get(t.id) for t in tiers]})
    return rows


def benefit_library(*, tenant) -> QuerySet[Benefit]:
    return Benefit.objects.filter(tenant=tenant).order_by("position", "name")


def benefit_grid(*, program, tiers, only_offered: bool = False) -> list[dict]:
    """For each library benefit: its value at each tier of the program ("" = not available).

    ``only_offered`` drops benefits with no value at any tier (what partners are shown)."""
    values = {
        (b, t): v
        for b, t, v in TierBenefit.objects.filter(tenant_id=program.tenant_id, tier__program=program).values_list(
            "benefit_id", "tier_id", "value"
        )
    }
    rows = []
    for benefit in Benefit.objects.filter(tenant_id=program.tenant_id).order_by("position", "name"):
        cells = [values.get((benefit.id, t.id), "") for t in tiers]
        if only_offered and not any(cells):
            continue
        rows.append({"benefit": benefit, "values": cells})
    return rows
