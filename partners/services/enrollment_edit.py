"""The Edit dialog of an enrollment as one action: primary partner user, tier (manual
advancement, the only way a tier changes), enrollment and expiration dates, and the by-hand
verification of custom criteria, in one transaction."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from activity.models import Action
from activity.services import record
from common.services import model_update

from ..models import Criterion, CriterionResult, CriterionThreshold, CustomCriterionStatus, PartnerEnrollment, Tier
from ..selectors.enrollments import TIER_CHANGE_VERB
from .enrollment import PROGRESS_FIELDS, record_custom_criterion_status
from .recalc import recalculate_now

EDITABLE = ["primary_partner_user", "tier", "enrollment_date", "expiration_date"]


@dataclass
class CustomVerification:
    criterion: Criterion
    met: bool
    note: str = ""


@dataclass
class EditOutcome:
    enrollment: PartnerEnrollment
    changed: list[str]
    recalculated: bool
    tier_changed: bool


def unmet_criteria(enrollment: PartnerEnrollment, tier: Tier, *, custom: dict[int, bool] | None = None) -> list[str]:
    """Names of the criteria the partner does not meet at ``tier``, from the last calculation;
    a custom criterion counts as met when verified (``custom`` overrides the stored status with
    what the Edit dialog is about to save)."""
    custom = custom or {}
    criteria = list(
        Criterion.objects.filter(tenant_id=enrollment.tenant_id, program_id=enrollment.program_id).order_by(
            "position", "id"
        )
    )
    thresholds = dict(
        CriterionThreshold.objects.filter(tenant_id=enrollment.tenant_id, tier=tier).values_list(
            "criterion_id", "value"
        )
    )
    met = {
        r.criterion_id: tier.id in (r.met_tier_ids or [])
        for r in CriterionResult.objects.filter(tenant_id=enrollment.tenant_id, enrollment=enrollment)
    }
    verified = dict(
        CustomCriterionStatus.objects.filter(tenant_id=enrollment.tenant_id, enrollment=enrollment).values_list(
            "criterion_id", "met"
        )
    )
    missing = []
    for c in criteria:
        threshold = thresholds.get(c.id)
        if not threshold:
            continue  # not asked at this tier
        ok = custom.get(c.id, verified.get(c.id, False)) if c.is_custom else met.get(c.id, False)
        if not ok:
            missing.append(c.name)
    return missing


@transaction.atomic
def edit_enrollment(
    enrollment: PartnerEnrollment,
    *,
    actor,
    data: dict,
    reason: str = "",
    custom: list[CustomVerification] | None = None,
    confirm_unmet: bool = False,
) -> EditOutcome:
    """Save the Edit dialog. Program and partner account never change.

    A tier change to a tier whose criteria the partner does not all meet needs
    ``confirm_unmet`` (else ValidationError on ``tier``); it is written to the activity log as
    "changed tier" with who, when, from, to and the reason, and so appears in the tier history.
    A change of the dates, the primary partner user, the tier or a custom criterion verification
    recomputes the enrollment at once, once, so the page never shows the old progress next to the
    new values; the delayed run stays for changes that move many enrollments."""
    for fixed in ("program", "account"):
        if fixed in data and getattr(enrollment, f"{fixed}_id") != getattr(data[fixed], "pk", data[fixed]):
            raise ValidationError({fixed: "The program and partner account cannot change after enrollment."})
    enrollment = (
        PartnerEnrollment.objects.select_for_update(of=("self",))
        .select_related("tier", "program", "tenant")
        .get(tenant_id=enrollment.tenant_id, pk=enrollment.pk)
    )
    custom = custom or []
    new_tier = data.get("tier", enrollment.tier)
    tier_changed = new_tier is not None and new_tier.pk != enrollment.tier_id
    if tier_changed:
        if new_tier.program_id != enrollment.program_id:
            raise ValidationError({"tier": "Choose a tier of this program."})
        missing = unmet_criteria(enrollment, new_tier, custom={v.criterion.id: v.met for v in custom})
        if missing and not confirm_unmet:
            raise ValidationError(
                {"tier": f"The partner does not meet every criterion of {new_tier.name}: {', '.join(missing)}."}
            )
    old_tier_name = enrollment.tier.name
    enrollment, updated, changes = model_update(
        instance=enrollment, fields=EDITABLE, data={k: v for k, v in data.items() if k in EDITABLE}
    )
    verified = {
        s.criterion_id: (s.met, s.note)
        for s in CustomCriterionStatus.objects.filter(tenant_id=enrollment.tenant_id, enrollment=enrollment)
    }
    custom_changed = []
    for v in custom:
        before = verified.get(v.criterion.id, (False, ""))
        if before != (v.met, v.note.strip()):
            record_custom_criterion_status(enrollment, criterion=v.criterion, actor=actor, met=v.met, note=v.note)
            custom_changed.append(v.criterion.name)
    recalculated = bool(custom_changed) or bool(updated and PROGRESS_FIELDS & set(changes))
    if recalculated:
        recalculate_now(enrollment)
    if updated:
        other = {k: v for k, v in changes.items() if k != "tier"}
        if other:
            record(tenant=enrollment.tenant, actor=actor, action=Action.UPDATE, target=enrollment, changes=other)
        if tier_changed:
            record(
                tenant=enrollment.tenant,
                actor=actor,
                action=Action.UPDATE,
                target=enrollment,
                verb=TIER_CHANGE_VERB,
                changes={"tier": [old_tier_name, new_tier.name], "reason": reason.strip()},
            )
    enrollment.refresh_from_db()
    return EditOutcome(
        enrollment=enrollment,
        changed=(sorted(changes) if updated else []) + custom_changed,
        recalculated=recalculated,
        tier_changed=tier_changed,
    )
