"""Writes on enrollments: accept a plan's terms, note that terms were viewed, reset a plan's
enrollments. Each atomic, validated, recorded (viewing terms is a read and is not logged)."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
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
