"""Writes on enrollments: accept a plan's terms, note that terms were viewed, reset a plan's
enrollments. Each atomic, validated, recorded (viewing terms is a read and is not logged)."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from activity.models import Action
from activity.services import record
from plans.models import EnrollmentOption, Plan, PlanStatus
from plans.selectors import current_document, is_beneficiary
from tenancy.models import User

from .models import EnrollmentMethod, EnrollmentReset, PlanEnrollment, TermsView
from .selectors import current_enrollment


def _normalize(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


def expected_signature(user: User) -> str:
    """What a typed e-signature must match: the user's full name (their email without one)."""
    return user.full_name or user.email


@transaction.atomic
def enroll_in_plan(
    *,
    plan: Plan,
    user: User,
    accepted: bool = False,
    signature: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> PlanEnrollment:
    """The user formally enrolls by accepting the plan's current terms: a ticked checkbox, or a
    typed e-signature matching their name, as the plan's enrollment option says. Records the
    terms version, signature, client IP and time. Enrolling again returns the current acceptance."""
    _hold_plan(plan)
    existing = current_enrollment(plan=plan, user=user)
    if existing is not None:
        return existing
    if not plan.requires_enrollment:
        raise ValidationError("This plan does not ask for formal enrollment.")
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError("Only active plans can be enrolled in.")
    if not is_beneficiary(plan=plan, user=user):
        raise ValidationError("You are not a beneficiary of this plan.")
    if plan.enrollment_option == EnrollmentOption.SIGNATURE:
        signature = re.sub(r"\s+", " ", signature).strip()
        if not signature:
            raise ValidationError({"signature": "Type your full name to sign."})
        if _normalize(signature) != _normalize(expected_signature(user)):
            raise ValidationError({"signature": f"The signature must match your name: {expected_signature(user)}."})
        method = EnrollmentMethod.SIGNATURE
    else:
        if not accepted:
            raise ValidationError({"accepted": "Tick the box to accept the plan's terms."})
        signature, method = "", EnrollmentMethod.CHECKBOX
    enrollment = PlanEnrollment(
        tenant_id=plan.tenant_id,
        plan=plan,
        user=user,
        document=current_document(plan=plan),
        method=method,
        signature=signature,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:255],
    )
    enrollment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        # A concurrent request enrolled the same user first: theirs stands.
        return current_enrollment(plan=plan, user=user)
    record(
        tenant=plan.tenant,
        actor=user,
        action=Action.CREATE,
        target=enrollment,
        verb="enroll",
        label=f"{user.email} in {plan.name}",
        changes={
            "terms_version": [None, enrollment.document.version if enrollment.document else None],
            "method": [None, method],
            "ip_address": [None, enrollment.ip_address],
        },
    )
    return enrollment


def _hold_plan(plan: Plan) -> None:
    """Share-lock the plan row so an enrollment waits for a running Reset or Undo reset (which
    lock it for update) and they wait for it, while enrollments do not wait for each other.

    Without it, on PostgreSQL an Undo reset re-showing an acceptance and the same user enrolling
    wait on each other (the unique index of current acceptances, then the deferred foreign-key
    check on the plan): a deadlock. SQLite runs one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {Plan._meta.db_table} WHERE tenant_id = %s AND id = %s FOR KEY SHARE",  # noqa: S608 - table name from the model
                [plan.tenant_id, plan.pk],
            )


@transaction.atomic
def terms_view_record(*, plan: Plan, user: User) -> None:
    """Remember that the user opened the plan's terms (for "Last viewed <date>")."""
    now = timezone.now()
    document = current_document(plan=plan)
    updated = TermsView.objects.filter(tenant_id=plan.tenant_id, plan=plan, user=user).update(
        last_viewed_at=now, view_count=F("view_count") + 1, document=document
    )
    if not updated:
        try:
            with transaction.atomic():
                TermsView.objects.create(
                    tenant_id=plan.tenant_id,
                    plan=plan,
                    user=user,
                    document=document,
                    first_viewed_at=now,
                    last_viewed_at=now,
                )
        except IntegrityError:
            pass  # a concurrent view created the row; its timestamp is as good as ours


@transaction.atomic
def reset_enrollments(plan: Plan, *, actor: User | None) -> int:
    """Put every beneficiary of the plan back to *not enrolled*.

    The current acceptances are not deleted: one set-based UPDATE stamps them with this reset
    (who, when, which batch), which hides them from status views and keeps them in the history.
    The plan row is locked so two resets cannot interleave. Returns how many acceptances were
    reset; a second reset finds none, changes nothing and records nothing. A plan that requires no
    enrollment has nothing to reset and is refused."""
    if not plan.requires_enrollment:
        raise ValidationError(f"{plan.name} does not require enrollment: there are no enrollments to reset.")
    Plan.objects.select_for_update().filter(tenant_id=plan.tenant_id, pk=plan.pk).values_list("pk").first()
    current = PlanEnrollment.objects.filter(tenant_id=plan.tenant_id, plan=plan, reset_at__isnull=True)
    if not current.exists():
        return 0
    now = timezone.now()
    batch = EnrollmentReset.objects.create(tenant_id=plan.tenant_id, plan=plan, reset_at=now, reset_by=actor)
    count = current.update(reset_at=now, reset_by=actor, reset_batch=batch)
    EnrollmentReset.objects.filter(tenant_id=plan.tenant_id, pk=batch.pk).update(count=count)
    record(
        tenant=plan.tenant,
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        verb="reset enrollments",
        count=count,
        changes={"enrolled": [count, 0], "reset_batch": batch.pk},
    )
    return count


@dataclass(frozen=True)
class UndoResetResult:
    """What an Undo reset did: acceptances made current again, and those left hidden because
    their user had enrolled again since. ``already_undone`` when a previous undo did it all."""

    restored: int = 0
    enrolled_again: int = 0
    already_undone: bool = False


def undo_refusal(batch: EnrollmentReset) -> str:
    """Why ``batch`` cannot be undone now ("" when it can). Only the newest standing reset of a
    plan can be undone: an older one's acceptances were hidden before a newer reset that still
    stands, and bringing them back would undo part of that newer reset too."""
    newer = (
        EnrollmentReset.objects.filter(tenant_id=batch.tenant_id, plan_id=batch.plan_id, undone_at__isnull=True)
        .filter(Q(reset_at__gt=batch.reset_at) | Q(reset_at=batch.reset_at, pk__gt=batch.pk))
        .order_by("-reset_at", "-id")
        .first()
    )
    if newer is not None:
        return f"Reset #{newer.pk} is more recent and still stands: undo it first, then reset #{batch.pk}."
    return ""


@transaction.atomic
def undo_reset_enrollments(batch: EnrollmentReset, *, actor: User | None) -> UndoResetResult:
    """Undo one Reset Enrollments: its hidden acceptances become current again, in one set-based
    UPDATE, except for users who have enrolled again since (their new acceptance stands). The
    batch is marked undone (who, when, the counts) and one activity entry records it.

    The plan row is locked as Reset locks it, so an undo and a reset (or two undos) of a plan run
    one after the other; enrolling takes a share lock on it. Undoing an undone batch changes
    nothing and records nothing; a batch with a newer reset still standing is refused."""
    plan = batch.plan
    Plan.objects.select_for_update().filter(tenant_id=plan.tenant_id, pk=plan.pk).values_list("pk").first()
    # Re-read under the lock: a concurrent undo may have finished while we waited.
    batch = EnrollmentReset.objects.filter(tenant_id=plan.tenant_id, pk=batch.pk).first()
    if batch is None or batch.undone_at is not None:
        return UndoResetResult(already_undone=True)
    refusal = undo_refusal(batch)
    if refusal:
        raise ValidationError(refusal)
    hidden = PlanEnrollment.objects.filter(tenant_id=plan.tenant_id, plan=plan, reset_batch=batch)
    now = timezone.now()
    restored = hidden.filter(~Exists(_current_of_same_user())).update(
        reset_at=None, reset_by=None, reset_batch=None, restored_at=now, restored_from=batch
    )
    # What the UPDATE left hidden is exactly those whose user enrolled again (counting them
    # afterwards is cheaper than a second anti-join over the whole batch).
    enrolled_again = hidden.count()
    EnrollmentReset.objects.filter(tenant_id=plan.tenant_id, pk=batch.pk).update(
        undone_at=now, undone_by=actor, restored=restored, enrolled_again=enrolled_again
    )
    record(
        tenant=plan.tenant,
        actor=actor,
        action=Action.UPDATE,
        target=plan,
        verb="undo reset enrollments",
        count=restored,
        changes={"enrolled": [0, restored], "reset_batch": batch.pk, "enrolled_again": enrolled_again},
    )
    return UndoResetResult(restored=restored, enrolled_again=enrolled_again)


def _current_of_same_user():
    """The current acceptance (if any) of the outer row's user in the outer row's plan."""
    return PlanEnrollment.objects.filter(
        tenant_id=OuterRef("tenant_id"), plan_id=OuterRef("plan_id"), user_id=OuterRef("user_id"), reset_at__isnull=True
    )
