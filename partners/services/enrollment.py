"""Partner enrollments: enroll, edit (tier, dates, primary partner user), end, delete, and the
by-hand verification of custom criteria."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activity.models import Action
from activity.services import record
from common.services import model_update

from ..models import Criterion, CustomCriterionStatus, PartnerAccount, PartnerEnrollment, PartnerProgram, Tier
from ..selectors.enrollments import enrollment_footprint
from .recalc import _recalculate, recalculate_now

# Fields whose change moves progress: the measurement window, whose records count, and the
# tier (progress is measured toward the tier after it).
PROGRESS_FIELDS = {"enrollment_date", "expiration_date", "primary_partner_user", "tier"}


def _open_enrollments(*, program, account):
    return PartnerEnrollment.objects.filter(
        tenant_id=program.tenant_id, program_id=program.pk, account_id=account.pk, ended_at__isnull=True
    )


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
    progress at once.

    Refused (ValidationError on ``account``) while the account has an active enrollment in the
    program (not ended, not yet expired). An earlier enrollment that has expired is closed, so
    re-enrolling starts a new enrollment and the old one stays in the account's history."""
    # Lock the account so two enrollments of it cannot pass the check at the same time.
    PartnerAccount.objects.select_for_update().filter(tenant_id=program.tenant_id, pk=account.pk).first()
    if tier is None:
        tier = Tier.objects.filter(tenant_id=program.tenant_id, program=program).order_by("position", "id").first()
        if tier is None:
            raise ValidationError({"tier": "The program has no tiers yet."})
    today = timezone.localdate(timezone.now(), program.tenant.zone)
    active = _open_enrollments(program=program, account=account).filter(expiration_date__gte=today).first()
    if active is not None:
        raise ValidationError(
            {
                "account": f"{account} already has an active enrollment in {program} "
                f"(until {active.expiration_date:%m/%d/%Y}): end it before enrolling again."
            }
        )
    enrollment = PartnerEnrollment(
        tenant_id=program.tenant_id,
        program=program,
        account=account,
        tier=tier,
        enrollment_date=enrollment_date,
        expiration_date=expiration_date,
        primary_partner_user=primary_partner_user,
    )
    # The one-open-enrollment constraint is checked above with a clearer message (an expired
    # open one is closed below); the database still enforces it.
    enrollment.full_clean(validate_constraints=False)
    expired = list(_open_enrollments(program=program, account=account).values_list("pk", flat=True))
    if expired:
        PartnerEnrollment.objects.filter(tenant_id=program.tenant_id, pk__in=expired).update(
            ended_at=timezone.now(), end_reason="Expired; the account was enrolled again."
        )
    enrollment.save()
    _recalculate(program=program, enrollment_ids=[enrollment.id])
    enrollment.refresh_from_db()
    record(
        tenant=program.tenant,
        actor=actor,
        action=Action.CREATE,
        target=enrollment,
        verb="enrolled partner",
        changes={
            "tier": [None, tier.name],
            "enrollment_date": [None, enrollment.enrollment_date.isoformat()],
            "expiration_date": [None, enrollment.expiration_date.isoformat()],
            "primary_partner_user": [None, str(primary_partner_user)],
            "progress": [None, enrollment.progress_label],
        },
    )
    return enrollment


@transaction.atomic
def enroll_partners(*, tenant, actor, enrollments: list[PartnerEnrollment]) -> list[PartnerEnrollment]:
    """Bulk enroll (the CSV import): every row or none. The rows were validated by the import's
    preview; the active-enrollment rule is checked again under lock, since the data may have
    changed since. Progress is computed at once, set-based per program; one activity entry."""
    if not enrollments:
        return []
    account_ids = sorted({e.account_id for e in enrollments})
    list(PartnerAccount.objects.select_for_update().filter(tenant=tenant, pk__in=account_ids).values_list("pk"))
    today = timezone.localdate(timezone.now(), tenant.zone)
    wanted = {(e.program_id, e.account_id) for e in enrollments}
    open_rows = PartnerEnrollment.objects.filter(tenant=tenant, account_id__in=account_ids, ended_at__isnull=True)
    expired = []
    for pk, program_id, account_id, expires in open_rows.values_list(
        "pk", "program_id", "account_id", "expiration_date"
    ):
        if (program_id, account_id) not in wanted:
            continue
        if expires >= today:
            raise ValidationError("An account in the file now has an active enrollment in that program: preview again.")
        expired.append(pk)
    if expired:
        PartnerEnrollment.objects.filter(tenant=tenant, pk__in=expired).update(
            ended_at=timezone.now(), end_reason="Expired; the account was enrolled again."
        )
    for e in enrollments:
        e.tenant = tenant
    created = PartnerEnrollment.objects.bulk_create(enrollments, batch_size=500)
    by_program: dict[int, list[int]] = {}
    for e in created:
        by_program.setdefault(e.program_id, []).append(e.pk)
    for program in PartnerProgram.objects.filter(tenant=tenant, pk__in=list(by_program)):
        _recalculate(program=program, enrollment_ids=by_program[program.pk])
    record(
        tenant=tenant,
        actor=actor,
        action=Action.CREATE,
        target="PartnerEnrollment",
        verb="imported enrollments",
        count=len(created),
        object_ids=[e.pk for e in created],
    )
    return created


@transaction.atomic
def end_enrollment(enrollment: PartnerEnrollment, *, actor, reason: str) -> PartnerEnrollment:
    """End an enrollment today: its expiration moves to today (never later than it was), it
    stops counting as active, and its progress is recomputed over the shortened period at once.
    Ending an ended enrollment changes nothing and records nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the enrollment ends: it is kept in the activity log."})
    enrollment = (
        PartnerEnrollment.objects.select_for_update(of=("self",))
        .select_related("program", "tenant")
        .get(tenant_id=enrollment.tenant_id, pk=enrollment.pk)
    )
    if enrollment.ended_at is not None:
        return enrollment
    today = timezone.localdate(timezone.now(), enrollment.tenant.zone)
    if enrollment.enrollment_date >= today:
        raise ValidationError(
            {"reason": "The enrollment has not started yet, so it cannot end today: delete it instead."}
        )
    old_expiration = enrollment.expiration_date
    enrollment.expiration_date = min(old_expiration, today)
    enrollment.ended_at = timezone.now()
    enrollment.end_reason = reason
    enrollment.save(update_fields=["expiration_date", "ended_at", "end_reason"])
    _recalculate(program=enrollment.program, enrollment_ids=[enrollment.id])
    enrollment.refresh_from_db()
    record(
        tenant=enrollment.tenant,
        actor=actor,
        action=Action.UPDATE,
        target=enrollment,
        verb="ended enrollment",
        changes={
            "expiration_date": [old_expiration.isoformat(), enrollment.expiration_date.isoformat()],
            "reason": reason,
        },
    )
    return enrollment


@transaction.atomic
def update_enrollment(enrollment: PartnerEnrollment, *, actor, data: dict) -> PartnerEnrollment:
    """Edit tier, enrollment/expiration dates and primary partner user (program and account are
    fixed). A change of any of them recomputes the enrollment at once."""
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
            # What the page shows moves with it: one enrollment is recomputed at once.
            recalculate_now(enrollment)
        record(tenant=enrollment.tenant, actor=actor, action=Action.UPDATE, target=enrollment, changes=changes)
    return enrollment


@transaction.atomic
def delete_enrollment(enrollment: PartnerEnrollment, *, actor) -> bool:
    """Delete an enrollment with its tier placement, progress history, custom-criterion marks and
    stored results (the activity log keeps its entries, tier changes included). Deleting one
    that is already gone changes nothing and records nothing; returns whether it deleted."""
    locked = (
        PartnerEnrollment.objects.select_for_update(of=("self",))
        .filter(tenant_id=enrollment.tenant_id, pk=enrollment.pk)
        .first()
    )
    if locked is None:
        return False
    footprint = enrollment_footprint(locked)
    record(
        tenant=enrollment.tenant,
        actor=actor,
        action=Action.DELETE,
        target=locked,
        verb="deleted enrollment",
        changes={
            # What went with it, as facts of the deletion ("Tier changes: 2").
            "tier_changes": footprint.tier_changes,
            "progress_history": footprint.snapshots,
            "custom_criterion_marks": footprint.custom_marks,
        },
    )
    locked.delete()
    return True


@transaction.atomic
def set_custom_criterion_status(
    enrollment: PartnerEnrollment, *, criterion: Criterion, actor, met: bool, note: str = ""
) -> CustomCriterionStatus:
    """Record that a custom criterion is (or is not) met for an enrollment, by whom and why, and
    recompute the enrollment at once (its row would otherwise read "Verified met … 0%")."""
    status, changed = record_custom_criterion_status(enrollment, criterion=criterion, actor=actor, met=met, note=note)
    if changed:
        recalculate_now(enrollment)
    return status


def record_custom_criterion_status(
    enrollment: PartnerEnrollment, *, criterion: Criterion, actor, met: bool, note: str = ""
) -> tuple[CustomCriterionStatus, bool]:
    """The write behind ``set_custom_criterion_status`` without the recomputation, for callers
    that change more and recompute once (the Edit dialog). Call inside a transaction. Returns
    the status and whether it changed."""
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
        return status, False
    status.full_clean()
    status.save()
    record(
        tenant=enrollment.tenant,
        actor=actor,
        action=Action.CREATE if before is None else Action.UPDATE,
        target=status,
        verb="verified custom criterion",
        changes={"met": [before[0] if before else None, met], "note": [before[1] if before else None, status.note]},
        label=f"{enrollment} · {criterion}",
    )
    return status, True
