"""Notices before access ends (issue 16): a learner gets one email N days before their last day
of access (``courses.access``), and each client admin one digest per day of the learners whose
access ends within N days, with the sales order that pays for it. N is the workspace's
``course_expiry_notice_days`` (0: off).

Once per (enrollment, last day of access): the log row (``NotificationLog.about_date``, unique
per enrollment) is the durable record of what is done, so moving the date (a new sales order end,
a manual date, an Edit) makes the notice due again for the new date, and a run that is repeated
or lost changes nothing. The selection is set-based: one query finds every enrollment of the
tenant whose last day falls in the window and has no log row for that day, and decides in SQL
whether it is sent or suppressed (unenrolled, already expired, learner deactivated); the log rows
are written in one bulk insert and the emails go out over one connection. Beat runs it hourly
(``courses.tasks.send_expiry_notices_task``)."""

import datetime

from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from activity.models import Action
from activity.services import record
from common import due
from tenancy.capabilities import Capability
from tenancy.models import Membership, Role, Tenant

from ..access import E, U, X, effective_expiry_expression, in_window_q, today_for
from ..models import CourseEnrollment, Email, NoticeSchedule, NotificationLog, NotificationStatus
from .notifications import absolute_url, render_email

REASONS = {
    "unenrolled": "Learner is unenrolled (U) from this course.",
    "expired": "Enrollment is already expired (X).",
    "deactivated": "Learner is deactivated.",
}


def due_notices(*, tenant: Tenant, today: datetime.date, days: int):
    """Every enrollment whose last day of access is within ``days`` of ``today`` and that has no
    notice for that day yet, with ``outcome`` ('' = send, else the suppression's reason key)."""
    logged = NotificationLog.objects.filter(
        tenant=tenant, enrollment=OuterRef("pk"), email=Email.ACCESS_ENDING, about_date=OuterRef("last_day")
    )
    return (
        CourseEnrollment.objects.filter(tenant=tenant)
        .filter(in_window_q(today, today + datetime.timedelta(days=days)))
        .annotate(last_day=effective_expiry_expression())
        .filter(~Exists(logged))
        .annotate(
            outcome=Case(
                When(status=U, then=Value("unenrolled")),
                When(status=X, then=Value("expired")),
                When(Q(learner__is_active=False) | Q(learner__user__is_active=False), then=Value("deactivated")),
                default=Value(""),
                output_field=CharField(),
            )
        )
    )


class _LearnerMessages:
    """The learner's email, with the template loaded once and each course's link built once."""

    def __init__(self, tenant: Tenant):
        self.tenant = tenant
        self.template = get_template(f"emails/courses/{Email.ACCESS_ENDING}.txt")
        self.urls: dict[int, str] = {}

    def __call__(self, row: dict) -> tuple[str, str]:
        course_id = row["course_id"]
        if course_id not in self.urls:
            self.urls[course_id] = absolute_url(
                reverse("courses:learner_today", kwargs={"tenant_slug": self.tenant.slug, "course_id": course_id})
            )
        text = self.template.render(
            {
                "name": row["learner__user__full_name"] or row["learner__user__email"],
                "course_name": row["course__name"],
                "last_day": row["last_day"],
                "course_url": self.urls[course_id],
                "tenant": self.tenant,
            }
        )
        subject, _, body = text.lstrip().partition("\n")
        return subject.strip(), body.strip() + "\n"


def send_expiry_notices(*, tenant: Tenant, now: datetime.datetime | None = None) -> dict[str, int]:
    """The learners' notices, then the client admins' digest. Returns counts."""
    days = tenant.course_expiry_notice_days
    counts = {"sent": 0, "suppressed": 0, "digests": 0}
    if not days:
        return counts
    now = now or timezone.now()
    today = today_for(tenant, now=now)
    rows = list(
        due_notices(tenant=tenant, today=today, days=days).values(
            "pk",
            "learner_id",
            "course_id",
            "course__name",
            "last_day",
            "outcome",
            "learner__user__email",
            "learner__user__full_name",
        )
    )
    with transaction.atomic():
        logs, messages = [], []
        message_for = _LearnerMessages(tenant)
        for row in rows:
            subject, body = message_for(row)
            reason = REASONS.get(row["outcome"], "")
            logs.append(
                NotificationLog(
                    tenant=tenant,
                    recipient_id=row["learner_id"],
                    email=Email.ACCESS_ENDING,
                    course_id=row["course_id"],
                    enrollment_id=row["pk"],
                    key=f"last-day:{row['last_day'].isoformat()}",
                    about_date=row["last_day"],
                    status=NotificationStatus.SUPPRESSED if reason else NotificationStatus.SENT,
                    reason=reason,
                    to_address=row["learner__user__email"],
                    subject=subject,
                    created_at=now,
                )
            )
            if not reason:
                messages.append(EmailMessage(subject, body, None, [row["learner__user__email"]]))
        # A concurrent run that logged the same (enrollment, day) first wins; its row stands.
        NotificationLog.objects.bulk_create(logs, batch_size=2000, ignore_conflicts=True)
        if messages:
            mailers.default.send_messages(messages)
        counts["sent"] = len(messages)
        counts["suppressed"] = len(logs) - len(messages)
        counts["digests"] = _send_digests(tenant=tenant, today=today, days=days, now=now)
        if logs or counts["digests"]:
            record(
                tenant=tenant,
                actor=None,
                action=Action.CREATE,
                target="NotificationLog",
                verb="sent access-ending notices",
                changes={"sent": [None, counts["sent"]], "suppressed": [None, counts["suppressed"]]},
                count=len(logs) + counts["digests"],
                label=f"{counts['sent']} sent, {counts['suppressed']} suppressed, {counts['digests']} digests",
            )
    return counts


def ending_soon(*, tenant: Tenant, today: datetime.date, days: int):
    """Enrollments that open their course today and whose last day of access is within ``days``:
    the client admins' digest and the dashboard's "Expiring within N days"."""
    return (
        CourseEnrollment.objects.filter(tenant=tenant, status=E)
        .filter(in_window_q(today, today + datetime.timedelta(days=days)))
        .annotate(last_day=effective_expiry_expression())
    )


def _client_admins(tenant: Tenant):
    roles = [r.pk for r in Role.objects.filter(tenant=tenant) if Capability.CLIENT_DASHBOARD in (r.capabilities or [])]
    return Membership.objects.filter(
        tenant=tenant, role_id__in=roles, is_active=True, user__is_active=True
    ).select_related("user")


def _send_digests(*, tenant: Tenant, today: datetime.date, days: int, now) -> int:
    """One digest per client admin and day, when some learner's access ends within N days."""
    admins = list(
        _client_admins(tenant).exclude(
            Exists(
                NotificationLog.objects.filter(
                    tenant=tenant, recipient=OuterRef("pk"), email=Email.ACCESS_ENDING_DIGEST, about_date=today
                )
            )
        )
    )
    if not admins:
        return 0
    learners = list(
        ending_soon(tenant=tenant, today=today, days=days)
        .filter(learner__is_active=True)
        .order_by("last_day", "learner__user__email")
        .values_list(
            "learner__user__full_name", "learner__user__email", "course__name", "sales_order__tran_id", "last_day"
        )
    )
    if not learners:
        return 0
    dashboard_url = absolute_url(reverse("courses:client_dashboard", kwargs={"tenant_slug": tenant.slug}))
    subject, body = render_email(
        Email.ACCESS_ENDING_DIGEST,
        {"rows": learners, "days": days, "tenant": tenant, "dashboard_url": f"{dashboard_url}?expiring=on"},
    )
    NotificationLog.objects.bulk_create(
        NotificationLog(
            tenant=tenant,
            recipient=admin,
            email=Email.ACCESS_ENDING_DIGEST,
            key=f"digest:{today.isoformat()}",
            about_date=today,
            status=NotificationStatus.SENT,
            reason=f"{len(learners)} learner enrollment{'s' if len(learners) != 1 else ''} ending within {days} days.",
            to_address=admin.user.email,
            subject=subject,
            created_at=now,
        )
        for admin in admins
    )
    mailers.default.send_messages([EmailMessage(subject, body, None, [a.user.email]) for a in admins])
    return len(admins)


# --- Due soon after a change (common.due) ------------------------------------------------------

# A changed expiry is told within this delay (several changes in it give one run).
NOTICE_DELAY_SECONDS = 60


def _run_due(tenant: Tenant, pks: list[int]) -> None:
    send_expiry_notices(tenant=tenant)


NOTICE_WORK = due.register(due.DueWork(name="course-expiry-notices", model=NoticeSchedule, handler=_run_due))


def expiry_changed(*, tenant_id: int) -> None:
    """Call in the transaction of a change of some enrollment's expiry: the notices run within
    a minute after it commits (and the beat sweep runs them if the message is lost)."""
    NoticeSchedule.objects.get_or_create(tenant_id=tenant_id)
    due.mark_due(NOTICE_WORK, NoticeSchedule.objects.filter(tenant_id=tenant_id), delay_seconds=NOTICE_DELAY_SECONDS)
