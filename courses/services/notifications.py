"""The one notification service of the courses app.

Every learner email goes through here. Course emails (End of Course Survey, Final Assessment
Locked/Unlocked, Inactive Status Trigger, Item Unlocked) are about one enrollment: they are sent
only while that enrollment opens the course (``courses.access``: effectively E), and suppressed
for an expired (X, or E past its expiry before the sweep) or unenrolled (U) one, or for a
deactivated learner. The learner's other, active courses are not affected: the decision is per
enrollment. Account emails (password reset, account unlock) are always sent.

Each email is rendered from ``templates/emails/courses/<email>.txt`` (first line: subject; the
rest: body) and sent by a Celery task (``courses.tasks``, which builds on this module: the tasks queue
and run what is decided here). Every decision, sent or suppressed, is written to
``NotificationLog`` with its reason; a ``key`` per event makes a trigger that fires twice (a
retried task, two beat runs) send once. The two date-driven triggers (Item Unlocked, Inactive
Status Trigger) are here too; beat runs them through their tasks.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tenancy.models import Membership, Tenant, User

from ..access import U, X, effective_expiry, effective_status, today_for
from ..models import CourseEnrollment, Email, ModuleItem, NotificationLog, NotificationStatus
from ..selectors.dashboard import last_activity_subquery

COURSE_EMAILS = frozenset(
    {
        Email.END_OF_COURSE_SURVEY,
        Email.FINAL_ASSESSMENT_LOCKED,
        Email.FINAL_ASSESSMENT_UNLOCKED,
        Email.INACTIVE_STATUS,
        Email.ITEM_UNLOCKED,
    }
)
# Password reset is Django's own view and email (templates/registration): it never looks at
# enrollments, so it reaches expired learners too. Account unlock goes through here.
ALWAYS_SENT = frozenset({Email.ACCOUNT_UNLOCK})

# Items whose unlock date passed up to this many days ago are still announced (a beat outage
# shorter than this loses nothing; the log's key keeps it to one email per item and learner).
UNLOCK_CATCH_UP_DAYS = 3


def suppression_reason(enrollment: CourseEnrollment, *, today: datetime.date | None = None) -> str:
    """Why a course email for this enrollment must not go out; ``""`` when it may."""
    if not enrollment.learner.is_active:
        return "Learner is inactive in this workspace."
    if not enrollment.learner.user.is_active:
        return "Learner's account is deactivated."
    today = today or today_for(enrollment.tenant)
    status = effective_status(enrollment, today=today)
    if status == U:
        return "Learner is unenrolled (U) from this course."
    if status == X:
        if enrollment.expired_at:
            when = timezone.localtime(enrollment.expired_at, enrollment.tenant.zone).strftime("%m/%d/%Y")
            return f"Enrollment expired (X) on {when}."
        expiry = effective_expiry(enrollment)
        if expiry:
            return f"Enrollment expired: last day of access was {expiry:%m/%d/%Y}."
        return "Enrollment expired (X)."
    return ""


def absolute_url(path: str, request=None) -> str:
    """A link for an email. From the request when there is one, as Django's password reset builds
    its link (the host and scheme the person used); otherwise, for emails sent by background jobs,
    from ``PORTAL_BASE_URL``, which production settings require."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def render_email(email: str, context: dict) -> tuple[str, str]:
    """Subject (the template's first line) and body (the rest)."""
    text = render_to_string(f"emails/courses/{email}.txt", context)
    subject, _, body = text.lstrip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def _course_context(enrollment: CourseEnrollment, extra: dict) -> dict:
    slug = enrollment.tenant.slug
    return {
        "learner": enrollment.learner.user,
        "tenant": enrollment.tenant,
        "course": enrollment.course,
        "course_url": absolute_url(
            reverse("courses:learner_today", kwargs={"tenant_slug": slug, "course_id": enrollment.course_id})
        ),
        "results_url": absolute_url(
            reverse("courses:learner_results", kwargs={"tenant_slug": slug, "course_id": enrollment.course_id})
        ),
        **extra,
    }


def deliver_course_email(
    enrollment: CourseEnrollment, *, email: str, key: str, extra: dict | None = None
) -> NotificationLog | None:
    """Send ``email`` about ``enrollment`` or suppress it, and log either. Returns the log row,
    or None when this event (``key``) was already handled for this learner."""
    if email not in COURSE_EMAILS:
        raise ValueError(f"{email} is not a course email")
    if (
        key
        and NotificationLog.objects.filter(
            tenant_id=enrollment.tenant_id,
            recipient_id=enrollment.learner_id,
            email=email,
            course_id=enrollment.course_id,
            key=key,
        ).exists()
    ):
        return None
    reason = suppression_reason(enrollment)
    subject, body = render_email(email, _course_context(enrollment, extra or {}))
    try:
        with transaction.atomic():
            log = NotificationLog.objects.create(
                tenant_id=enrollment.tenant_id,
                recipient_id=enrollment.learner_id,
                email=email,
                course_id=enrollment.course_id,
                enrollment=enrollment,
                key=key,
                status=NotificationStatus.SUPPRESSED if reason else NotificationStatus.SENT,
                reason=reason,
                to_address=enrollment.learner.user.email,
                subject=subject,
            )
            if not reason:
                # Inside the transaction: a failed send leaves no "sent" row and the task retries.
                send_mail(subject, body, None, [enrollment.learner.user.email])
    except IntegrityError:
        return None  # a concurrent run logged this event first
    return log


def deliver_account_email(user: User, *, email: str, key: str = "", extra: dict | None = None) -> bool:
    """Account unlock: always sent, whatever the user's enrollments. Logged
    in every workspace the user belongs to, so each workspace's admins see it. Returns whether
    it was sent (False only when this ``key`` was already sent)."""
    if email not in ALWAYS_SENT:
        raise ValueError(f"{email} is not an account email")
    memberships = list(Membership.objects.filter(user=user).select_related("tenant"))
    if key and NotificationLog.objects.filter(recipient__in=memberships, email=email, key=key).exists():
        return False
    subject, body = render_email(email, {"user": user, **(extra or {})})
    send_mail(subject, body, None, [user.email])
    NotificationLog.objects.bulk_create(
        NotificationLog(
            tenant_id=m.tenant_id,
            recipient=m,
            email=email,
            key=key,
            status=NotificationStatus.SENT,
            reason="Account emails are always sent.",
            to_address=user.email,
            subject=subject,
        )
        for m in memberships
    )
    return True


# --- Date-driven triggers (run by beat) ---------------------------------------------------------


def notify_unlocked_items(tenant: Tenant, *, now: datetime.datetime | None = None) -> dict:
    """Item Unlocked for every item that opened today (or in the last few days) to every learner
    of its course version. Suppressed and logged for expired or unenrolled enrollments."""
    today = today_for(tenant, now=now)
    items = list(
        ModuleItem.objects.filter(
            tenant=tenant,
            unlocks_on__lte=today,
            unlocks_on__gte=today - datetime.timedelta(days=UNLOCK_CATCH_UP_DAYS),
        ).select_related("module")
    )
    counts = {"sent": 0, "suppressed": 0}
    for item in items:
        enrollments = CourseEnrollment.objects.filter(tenant=tenant, version_id=item.module.version_id).select_related(
            "learner__user", "course", "sales_order", "tenant"
        )
        for enrollment in enrollments.iterator(chunk_size=500):
            log = deliver_course_email(
                enrollment,
                email=Email.ITEM_UNLOCKED,
                key=f"item:{item.pk}",
                extra={"item": item, "module": item.module},
            )
            if log:
                counts[log.status] += 1
    return counts


def notify_inactive_learners(tenant: Tenant, *, now: datetime.datetime | None = None) -> dict:
    """Inactive Status Trigger: a learner who has not started or completed a module of a course
    for ``COURSE_INACTIVE_DAYS`` days (counting from enrollment when they never have) gets one
    reminder per quiet spell; activity starts a new spell. Suppressed and logged for expired or
    unenrolled enrollments."""
    now = now or timezone.now()
    days = settings.COURSE_INACTIVE_DAYS
    cutoff = now - datetime.timedelta(days=days)
    rows = (
        CourseEnrollment.objects.filter(tenant=tenant, enrolled_at__lte=cutoff)
        .annotate(last_seen=Coalesce(last_activity_subquery(tenant.pk), "enrolled_at"))
        .filter(Q(last_seen__lte=cutoff))
        .select_related("learner__user", "course", "sales_order", "tenant")
    )
    counts = {"sent": 0, "suppressed": 0}
    for enrollment in rows.iterator(chunk_size=500):
        since = timezone.localtime(enrollment.last_seen, tenant.zone).date()
        log = deliver_course_email(
            enrollment,
            email=Email.INACTIVE_STATUS,
            key=f"inactive:{since.isoformat()}",
            extra={"days": days, "since": since},
        )
        if log:
            counts[log.status] += 1
    return counts
