"""Writes a learner causes from their own pages, and the course emails they trigger."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from activity.models import Action
from activity.services import record

from ..access import can_open_course
from ..models import CourseEnrollment, Email, Module
from ..selectors.learner import course_state
from ..tasks import queue_course_email
from .courses import module_complete


@transaction.atomic
def learner_complete_module(enrollment: CourseEnrollment, *, module: Module, actor, score=None, now=None):
    """The learner marks ``module`` completed from Learn. Only while the enrollment opens the
    course (E and not past its expiry) and the module is not locked. Idempotent: completing it
    again changes nothing and sends nothing.

    Emails, queued for after the commit: Final Assessment Unlocked when this completion opens the
    final assessment; Final Assessment Locked when the assessment itself is submitted (its score
    is final); End of Course Survey when this was the last module."""
    if not can_open_course(enrollment):
        raise PermissionDenied("Your access to this course has expired.")
    before = course_state(enrollment=enrollment)
    state = before.state_of(module.pk)
    if state is None:
        raise ValidationError("This module is not part of your course.")
    if state.completed:
        return state.progress
    if state.locked:
        raise ValidationError(f"This module is locked. {state.locked_reason}")
    if state.is_assessment and score is None:
        raise ValidationError("Enter your final assessment score (0 to 100) to submit it.")
    progress = module_complete(enrollment=enrollment, module=module, score=score, now=now)
    record(
        tenant=enrollment.tenant,
        actor=actor,
        action=Action.UPDATE,
        target=progress,
        verb="completed module",
        changes={"completed_at": [None, progress.completed_at.isoformat()]},
        label=f"{enrollment.course.name}: {module.title}",
    )
    after = course_state(enrollment=enrollment)
    assessment_before, assessment_after = before.assessment, after.assessment
    if assessment_before and assessment_after:
        if assessment_before.locked and not assessment_after.locked:
            queue_course_email(enrollment, email=Email.FINAL_ASSESSMENT_UNLOCKED, key=f"assessment:{module.version_id}")
        if module.pk == assessment_after.module.pk:
            queue_course_email(
                enrollment,
                email=Email.FINAL_ASSESSMENT_LOCKED,
                key=f"assessment:{module.version_id}",
                extra={"score": str(score) if score is not None else ""},
            )
    if after.all_completed and not before.all_completed:
        queue_course_email(enrollment, email=Email.END_OF_COURSE_SURVEY, key=f"survey:{enrollment.version_id}")
    return progress
