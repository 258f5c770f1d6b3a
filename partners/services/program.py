"""Program configuration: programs, tiers, the benefit library and values, criteria and their
thresholds. A change that affects progress marks the program's enrollments due."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max

from activity.models import Action
from activity.services import record
from common.services import model_update
from common.templatetags.portal import number

from ..models import Benefit, Criterion, CriterionThreshold, PartnerProgram, Tier, TierBenefit
from ..models.program import DEFAULT_TIERS
from .recalc import mark_program_due


@transaction.atomic
def program_create(
    *, tenant, actor, name: str, currency: str = "USD", active: bool = True, description: str = "", tier_names=None
) -> PartnerProgram:
    """A program with its tiers (Launch, Build, Scale, Elevate unless told otherwise)."""
    program = PartnerProgram(tenant=tenant, name=name, currency=currency, active=active, description=description)
    program.full_clean()
    program.save()
    Tier.objects.bulk_create(
        [
            Tier(tenant=tenant, program=program, name=tier_name, position=i)
            for i, tier_name in enumerate(tier_names or DEFAULT_TIERS, start=1)
        ]
    )
    record(tenant=tenant, actor=actor, action=Action.CREATE, target=program, changes={"currency": [None, currency]})
    return program


@transaction.atomic
def program_update(program: PartnerProgram, *, actor, data: dict) -> PartnerProgram:
    program, updated, changes = model_update(
        instance=program, fields=["name", "currency", "active", "description"], data=data
    )
    if updated:
        if "currency" in changes:
            mark_program_due(program)
        record(tenant=program.tenant, actor=actor, action=Action.UPDATE, target=program, changes=changes)
    return program


@transaction.atomic
def program_delete(program: PartnerProgram, *, actor) -> None:
    if program.enrollments.exists():
        raise ValidationError("This program has enrollments; remove them before deleting it.")
    record(tenant=program.tenant, actor=actor, action=Action.DELETE, target=program)
    program.delete()


@transaction.atomic
def tier_create(program: PartnerProgram, *, actor, name: str, badge=None) -> Tier:
    last = Tier.objects.filter(tenant_id=program.tenant_id, program=program).aggregate(m=Max("position"))["m"] or 0
    tier = Tier(tenant_id=program.tenant_id, program=program, name=name, position=last + 1)
    if badge:
        tier.badge = badge
    tier.full_clean()
    tier.save()
    mark_program_due(program)
    record(tenant=program.tenant, actor=actor, action=Action.CREATE, target=tier, label=f"{program} · {tier}")
    return tier


@transaction.atomic
def tier_update(tier: Tier, *, actor, data: dict) -> Tier:
    """Rename a tier or replace its badge (neither changes progress)."""
    tier, updated, changes = model_update(instance=tier, fields=["name", "badge"], data=data)
    if updated:
        record(tenant=tier.tenant, actor=actor, action=Action.UPDATE, target=tier, changes=changes)
    return tier


def _check_monotone(program: PartnerProgram, order: list[int]) -> None:
    """Thresholds must not decrease along ``order`` (tier ids), for every criterion."""
    by_criterion: dict[int, dict[int, Decimal]] = {}
    rows = CriterionThreshold.objects.filter(tenant_id=program.tenant_id, criterion__program=program)
    for cid, tid, value in rows.values_list("criterion_id", "tier_id", "value"):
        by_criterion.setdefault(cid, {})[tid] = value
    names = dict(Criterion.objects.filter(tenant_id=program.tenant_id, program=program).values_list("id", "name"))
    for cid, values in by_criterion.items():
        previous = Decimal(0)
        for tid in order:
            value = values.get(tid, Decimal(0))
            if value < previous:
                raise ValidationError(f"The thresholds of “{names.get(cid)}” would decrease from one tier to the next.")
            previous = value


@transaction.atomic
def tier_move(tier: Tier, *, actor, offset: int) -> Tier:
    """Move a tier up (-1) or down (+1) in the program's order."""
    program = tier.program
    tiers = list(
        Tier.objects.filter(tenant_id=tier.tenant_id, program=program).select_for_update().order_by("position", "id")
    )
    index = next(i for i, t in enumerate(tiers) if t.pk == tier.pk)
    target = index + offset
    if target < 0 or target >= len(tiers):
        return tier
    tiers[index], tiers[target] = tiers[target], tiers[index]
    _check_monotone(program, [t.pk for t in tiers])
    for position, t in enumerate(tiers, start=1):
        t.position = position
    Tier.objects.bulk_update(tiers, ["position"])
    tier.position = target + 1
    mark_program_due(program)
    record(
        tenant=tier.tenant,
        actor=actor,
        action=Action.UPDATE,
        target=tier,
        verb="reordered tiers",
        changes={"position": [index + 1, target + 1]},
    )
    return tier


@transaction.atomic
def tier_delete(tier: Tier, *, actor) -> None:
    if tier.enrollments.exists():
        raise ValidationError(f"Partners are enrolled at {tier}; move them to another tier first.")
    program = tier.program
    record(tenant=tier.tenant, actor=actor, action=Action.DELETE, target=tier)
    tier.delete()
    Tier.objects.filter(tenant_id=program.tenant_id, program=program, position__gt=tier.position).update(
        position=F("position") - 1
    )
    mark_program_due(program)


@transaction.atomic
def benefit_create(*, tenant, actor, name: str, description: str = "") -> Benefit:
    last = Benefit.objects.filter(tenant=tenant).aggregate(m=Max("position"))["m"] or 0
    benefit = Benefit(tenant=tenant, name=name, description=description, position=last + 1)
    benefit.full_clean()
    benefit.save()
    record(tenant=tenant, actor=actor, action=Action.CREATE, target=benefit)
    return benefit


@transaction.atomic
def benefit_update(benefit: Benefit, *, actor, data: dict) -> Benefit:
    benefit, updated, changes = model_update(instance=benefit, fields=["name", "description"], data=data)
    if updated:
        record(tenant=benefit.tenant, actor=actor, action=Action.UPDATE, target=benefit, changes=changes)
    return benefit


@transaction.atomic
def benefit_delete(benefit: Benefit, *, actor) -> None:
    record(tenant=benefit.tenant, actor=actor, action=Action.DELETE, target=benefit)
    benefit.delete()


@transaction.atomic
def set_benefit_values(program: PartnerProgram, *, actor, values: dict) -> int:
    """Set the per-tier values of benefits in a program: ``{(benefit_id, tier_id): "5%"}``;
    a blank value removes it (not available at that tier). Returns how many cells changed."""
    tenant_id = program.tenant_id
    tier_ids = set(Tier.objects.filter(tenant_id=tenant_id, program=program).values_list("id", flat=True))
    benefit_ids = set(Benefit.objects.filter(tenant_id=tenant_id).values_list("id", flat=True))
    current = {
        (b, t): (pk, v)
        for pk, b, t, v in TierBenefit.objects.filter(tenant_id=tenant_id, tier__program=program).values_list(
            "id", "benefit_id", "tier_id", "value"
        )
    }
    to_create, to_update, to_delete, changes = [], [], [], {}
    for (benefit_id, tier_id), raw in values.items():
        if benefit_id not in benefit_ids or tier_id not in tier_ids:
            raise ValidationError("Unknown benefit or tier.")
        value = (raw or "").strip()
        existing = current.get((benefit_id, tier_id))
        old = existing[1] if existing else ""
        if value == old:
            continue
        changes[f"{benefit_id}:{tier_id}"] = [old, value]
        if not value:
            to_delete.append(existing[0])
        elif existing:
            to_update.append(TierBenefit(pk=existing[0], value=value))
        else:
            to_create.append(TierBenefit(tenant_id=tenant_id, benefit_id=benefit_id, tier_id=tier_id, value=value))
    if not changes:
        return 0
    TierBenefit.objects.filter(tenant_id=tenant_id, pk__in=to_delete).delete()
    TierBenefit.objects.bulk_update(to_update, ["value"])
    TierBenefit.objects.bulk_create(to_create)
    record(
        tenant=program.tenant,
        actor=actor,
        action=Action.UPDATE,
        target=program,
        verb="set benefit values",
        changes=changes,
        count=len(changes),
    )
    return len(changes)


def _save_thresholds(criterion: Criterion, thresholds: dict) -> dict:
    """Validate (non-decreasing, >= 0) and store one threshold per tier; ``thresholds`` maps
    tier id -> Decimal or None (None/blank = 0: not required at that tier). Returns changes."""
    program = criterion.program
    tiers = list(Tier.objects.filter(tenant_id=criterion.tenant_id, program=program).order_by("position", "id"))
    errors, previous, previous_tier = {}, Decimal(0), None
    clean = {}
    for tier in tiers:
        raw = thresholds.get(tier.id)
        value = Decimal(raw) if raw not in (None, "") else Decimal(0)
        if value < 0:
            errors[f"threshold_{tier.id}"] = "A threshold cannot be negative."
        elif criterion.is_custom and value not in (0, 1):
            errors[f"threshold_{tier.id}"] = "Use 1 (required from this tier) or 0 (not required)."
        elif value < previous:
            errors[f"threshold_{tier.id}"] = f"Must be at least {number(previous)} (the {previous_tier} threshold)."
        clean[tier.id] = value
        if value >= previous:
            previous, previous_tier = value, tier
    if errors:
        raise ValidationError(errors)
    existing = {
        t.tier_id: t for t in CriterionThreshold.objects.filter(tenant_id=criterion.tenant_id, criterion=criterion)
    }
    changes, to_create, to_update = {}, [], []
    for tier in tiers:
        value = clean[tier.id]
        row = existing.get(tier.id)
        if row is None:
            to_create.append(
                CriterionThreshold(tenant_id=criterion.tenant_id, criterion=criterion, tier=tier, value=value)
            )
            changes[f"threshold {tier.name}"] = [None, number(value)]
        elif row.value != value:
            changes[f"threshold {tier.name}"] = [number(row.value), number(value)]
            row.value = value
            to_update.append(row)
    CriterionThreshold.objects.bulk_create(to_create)
    CriterionThreshold.objects.bulk_update(to_update, ["value"])
    return changes


CRITERION_FIELDS = ["name", "kind", "rollup_field", "attainment_date_field", "conditions", "position"]


@transaction.atomic
def criterion_create(program: PartnerProgram, *, actor, data: dict, thresholds: dict) -> Criterion:
    """A criterion with its per-tier thresholds; the program's enrollments become due."""
    if "position" not in data:
        last = Criterion.objects.filter(tenant_id=program.tenant_id, program=program).aggregate(m=Max("position"))["m"]
        data = {**data, "position": (last or 0) + 1}
    criterion = Criterion(
        tenant_id=program.tenant_id, program=program, **{k: data[k] for k in CRITERION_FIELDS if k in data}
    )
    criterion.full_clean()
    criterion.save()
    changes = _save_thresholds(criterion, thresholds)
    mark_program_due(program)
    record(tenant=program.tenant, actor=actor, action=Action.CREATE, target=criterion, changes=changes)
    return criterion


@transaction.atomic
def criterion_update(criterion: Criterion, *, actor, data: dict, thresholds: dict | None = None) -> Criterion:
    """Edit a criterion (kind, fields, filter) and/or its thresholds; marks the program due when
    anything changed."""
    criterion, updated, changes = model_update(instance=criterion, fields=CRITERION_FIELDS, data=data)
    if thresholds is not None:
        changes.update(_save_thresholds(criterion, thresholds))
    if changes:
        mark_program_due(criterion.program)
        record(tenant=criterion.tenant, actor=actor, action=Action.UPDATE, target=criterion, changes=changes)
    return criterion


@transaction.atomic
def criterion_delete(criterion: Criterion, *, actor) -> None:
    program = criterion.program
    record(tenant=criterion.tenant, actor=actor, action=Action.DELETE, target=criterion)
    criterion.delete()
    mark_program_due(program)
