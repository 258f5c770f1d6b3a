"""Partner enrollments: enroll, edit (tier, dates, primary partner user), remove, and the
by-hand verification of custom criteria."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activity.models import Action
from activity.services import record
from common.services import model_update

from ..models import Criterion, CustomCriterionStatus, PartnerEnrollment, Tier
from .recalc import _recalculate, mark_enrollments_due

# Fields whose change moves progress: the measurement window, whose records count, and the
# tier (progress is measured toward the tier after it).
PROGRESS_FIELDS = {"enrollment_date", "expiration_date", "primary_partner_user", "tier"}


@transaction.atomic
def enroll_partner(
    *,
    program,
    account,
    actor,
    enrollment_date,
    expiration_date,
    primary_partner_user,
    tier: Tier | None = None,
) -> PartnerEnrollment:
    """Enroll a partner account in a program (at the entry tier unless told) and compute its
    progress at once."""
    if tier is None:
        tier = Tier.objects.filter(tenant_id=program.tenant_id, program=program).order_by("position", "id").first()
        if tier is None:
            raise ValidationError({"tier": "The program has no tiers yet."})
    enrollment = PartnerEnrollment(
        tenant_id=program.tenant_id,
        program=program,
        account=account,
        tier=tier,
        enrollment_date=enrollment_date,
        expiration_date=expiration_date,
        primary_partner_user=primary_partner_user,
    )
    enrollment.full_clean()
    enrollment.save()
    _recalculate(program=program, enrollment_ids=[enrollment.id])
    enrollment.refresh_from_db()
    record(tenant=program.tenant, actor=actor, action=Action.CREATE, target=enrollment)
    return enrollment


@transaction.atomic
def update_enrollment(enrollment: PartnerEnrollment, *, actor, data: dict) -> PartnerEnrollment:
    """Edit tier, enrollment/expiration dates and primary partner user (program and account are
    fixed). A change of any of them schedules the delayed recalculation."""
    for fixed in ("program", "account"):
        if fixed in data and getattr(enrollment, f"{fixed}_id") != getattr(data[fixed], "pk", data[fixed]):
            raise ValidationError({fixed: "The program and partner account cannot change after enrollment."})
    enrollment, updated, changes = model_update(
        instance=enrollment,
        fields=["tier", "enrollment_date", "expiration_date", "primary_partner_user"],
        data=data,
    )
    if updated:
        if PROGRESS_FIELDS & set(changes):
            mark_enrollments_due(PartnerEnrollment.objects.filter(tenant_id=enrollment.tenant_id, pk=enrollment.pk))
        record(tenant=enrollment.tenant, actor=actor, action=Action.UPDATE, target=enrollment, changes=changes)
    return enrollment


@transaction.atomic
def delete_enrollment(enrollment: PartnerEnrollment, *, actor) -> None:
    record(tenant=enrollment.tenant, actor=actor, action=Action.DELETE, target=enrollment)
    enrollment.delete()


@transaction.atomic
def set_custom_criterion_status(
    enrollment: PartnerEnrollment, *, criterion: Criterion, actor, met: bool, note: str = ""
) -> CustomCriterionStatus:
    """Record that a custom criterion is (or is not) met for an enrollment, by whom and why."""
    if not criterion.is_custom or criterion.program_id != enrollment.program_id:
        raise ValidationError({"criterion": "Choose a custom criterion of this enrollment's program."})
    status = CustomCriterionStatus.objects.filter(
        tenant_id=enrollment.tenant_id, enrollment=enrollment, criterion=criterion
    ).first()
    before = (status.met, status.note) if status else None
    if status is None:
        status = CustomCriterionStatus(tenant_id=enrollment.tenant_id, enrollment=enrollment, criterion=criterion)
    status.met, status.note = met, note.strip()
    status.verified_by = actor if getattr(actor, "is_authenticated", False) else None
    status.verified_at = timezone.now()
    if before == (status.met, status.note):
        return status
    status.full_clean()
    status.save()
    mark_enrollments_due(PartnerEnrollment.objects.filter(tenant_id=enrollment.tenant_id, pk=enrollment.pk))
    record(
        tenant=enrollment.tenant,
        actor=actor,
        action=Action.CREATE if before is None else Action.UPDATE,
        target=status,
        verb="verified custom criterion",
        changes={"met": [before[0] if before else None, met], "note": [before[1] if before else None, status.note]},
        label=f"{enrollment} · {criterion}",
    )
    return status
