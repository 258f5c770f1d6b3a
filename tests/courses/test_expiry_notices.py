"""Issue 16 §3, courses: notices before access ends. Learners get one email N days before their
last day of access, once per (enrollment, date); a moved date makes it due again; unenrolled,
already expired and deactivated are suppressed and logged; client admins get one digest a day;
the dashboard's "Expiring within N days"; the notice settings; the course email log."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from courses.models import Email, NotificationLog
from courses.services.courses import enrollments_edit
from courses.services.expiry_notices import send_expiry_notices
from courses.tasks import send_expiry_notices_task
from tests.clock import FROZEN_AT, TODAY
from tests.conftest import login
from tests.factories import member

from .factories import course_with_modules, enroll

pytestmark = pytest.mark.django_db
IN_WINDOW = TODAY + dt.timedelta(days=14)  # default N = 14: the last day the window reaches
OUTSIDE = TODAY + dt.timedelta(days=15)


@pytest.fixture
def version(tenant):
    return course_with_modules(tenant, modules=1, name="Negotiation Basics")


def learner(tenant, **kwargs):
    return member(tenant, "Learner", **kwargs)


def notices(**filters):
    return NotificationLog.objects.filter(email=Email.ACCESS_ENDING, **filters)


def test_one_email_n_days_before_the_last_day_once_per_date(tenant, version):
    due = enroll(version, learner(tenant, user__full_name="Ann Due"), end_date=IN_WINDOW)
    enroll(version, learner(tenant), end_date=OUTSIDE)
    assert send_expiry_notices(tenant=tenant)["sent"] == 1
    assert [m.subject for m in mail.outbox if "Negotiation" in m.subject] == [
        f"Negotiation Basics: your last day of access is {IN_WINDOW:%m/%d/%Y}"
    ]
    log = notices().get()
    assert (log.enrollment_id, log.about_date, log.status) == (due.pk, IN_WINDOW, "sent")
    mail.outbox.clear()
    assert send_expiry_notices(tenant=tenant) == {"sent": 0, "suppressed": 0, "digests": 0}
    assert mail.outbox == []


def test_moving_the_date_makes_it_due_again(tenant, version, admin_member):
    e = enroll(version, learner(tenant), end_date=IN_WINDOW)
    send_expiry_notices(tenant=tenant)
    later = IN_WINDOW - dt.timedelta(days=3)
    enrollments_edit(
        course=version.course,
        actor=admin_member.user,
        enrollment_ids=[e.pk],
        action="assign",
        manual_expiration_date=later,
    )
    assert send_expiry_notices(tenant=tenant)["sent"] == 1
    assert sorted(notices(enrollment=e).values_list("about_date", flat=True)) == [later, IN_WINDOW]


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("unenrolled", "Learner is unenrolled (U) from this course."),
        ("expired", "Enrollment is already expired (X)."),
        ("deactivated", "Learner is deactivated."),
    ],
)
def test_suppressed_and_logged_with_the_reason(tenant, version, kind, reason):
    person = learner(tenant, is_active=kind != "deactivated")
    status = {"unenrolled": "U", "expired": "X"}.get(kind, "E")
    extra = {"expired_by_hand": True, "expired_at": FROZEN_AT} if kind == "expired" else {}
    enroll(version, person, end_date=IN_WINDOW, status=status, **extra)
    assert send_expiry_notices(tenant=tenant)["suppressed"] == 1
    assert not [m for m in mail.outbox if person.user.email in m.to]
    log = notices().get()
    assert (log.status, log.reason) == ("suppressed", reason)
    assert send_expiry_notices(tenant=tenant)["suppressed"] == 0  # logged once, not every hour


def test_zero_turns_it_off(tenant, version):
    tenant.course_expiry_notice_days = 0
    tenant.save()
    enroll(version, learner(tenant), end_date=TODAY)
    assert send_expiry_notices(tenant=tenant) == {"sent": 0, "suppressed": 0, "digests": 0}
    assert not notices().exists()


def test_client_admin_digest_once_a_day_with_the_sales_order(tenant, version):
    admin = member(tenant, "Client Admin", user__email="ca@acme-test.test")
    e = enroll(version, learner(tenant, user__email="lee@acme-test.test"), end_date=IN_WINDOW)
    enroll(version, learner(tenant, user__email="far@acme-test.test"), end_date=OUTSIDE)
    assert send_expiry_notices(tenant=tenant)["digests"] == 1
    (digest,) = [m for m in mail.outbox if m.to == [admin.user.email]]
    assert "lee@acme-test.test" in digest.body and e.sales_order.tran_id in digest.body
    assert "far@acme-test.test" not in digest.body
    assert send_expiry_notices(tenant=tenant)["digests"] == 0
    import time_machine

    with time_machine.travel(FROZEN_AT + dt.timedelta(days=1), tick=False):
        assert send_expiry_notices(tenant=tenant)["digests"] == 1


def test_beat_runs_the_notices_hourly(tenant, version):
    schedule = {v["task"] for v in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"courses.tasks.send_expiry_notices_task", "partners.tasks.send_partner_expiry_notices_task"} <= schedule
    enroll(version, learner(tenant), end_date=IN_WINDOW)
    assert send_expiry_notices_task.apply().get()["sent"] == 1


def test_selection_is_a_fixed_number_of_queries(tenant, version, django_assert_num_queries):
    for n in (3, 9):
        NotificationLog.objects.all().delete()
        while version.course.enrollments.count() < n:
            enroll(version, learner(tenant), end_date=IN_WINDOW)
        # Select the due; insert the logs; roles and client admins (none here); the activity entry.
        with django_assert_num_queries(6):
            assert send_expiry_notices(tenant=tenant)["sent"] == n


def test_listed_on_course_emails(admin_client, tenant, version):
    enroll(version, learner(tenant), end_date=IN_WINDOW)
    enroll(version, learner(tenant), end_date=IN_WINDOW, status="U")
    send_expiry_notices(tenant=tenant)
    page = admin_client.get(reverse("courses:notification_log", kwargs={"tenant_slug": tenant.slug}))
    body = page.content.decode()
    assert body.count("Access ending soon") >= 2 and "Learner is unenrolled (U) from this course." in body


def test_dashboard_expiring_within_n_days_filter(client, tenant, version):
    soon = enroll(version, learner(tenant, user__email="soon@acme-test.test"), end_date=IN_WINDOW)
    enroll(version, learner(tenant, user__email="later@acme-test.test"), end_date=OUTSIDE)
    enroll(version, learner(tenant, user__email="gone@acme-test.test"), end_date=TODAY - dt.timedelta(days=1))
    login(client, member(tenant, "Client Admin"))
    page = client.get(reverse("courses:client_dashboard", kwargs={"tenant_slug": tenant.slug}), {"expiring": "on"})
    body = page.content.decode()
    assert "Expiring within 14 days" in body
    assert [r.record.pk for r in page.context["table"].page.object_list] == [soon.pk]


def test_notice_settings_page(admin_client, tenant):
    page = reverse("tenancy:notice_settings", kwargs={"tenant_slug": tenant.slug})
    assert admin_client.get(page).status_code == 200
    bad = admin_client.post(page, {"course_expiry_notice_days": "-1", "partner_expiry_notice_days": "30"})
    assert bad.status_code == 200 and "greater than or equal to 0" in bad.content.decode()
    tenant.refresh_from_db()
    assert tenant.course_expiry_notice_days == 14
    admin_client.post(page, {"course_expiry_notice_days": "7", "partner_expiry_notice_days": "0"})
    tenant.refresh_from_db()
    assert (tenant.course_expiry_notice_days, tenant.partner_expiry_notice_days) == (7, 0)


def test_notice_settings_needs_manage_settings(client, tenant):
    login(client, member(tenant, "Client Admin"))
    assert client.get(reverse("tenancy:notice_settings", kwargs={"tenant_slug": tenant.slug})).status_code == 403


def test_a_changed_expiry_is_told_within_a_minute_through_due_work(tenant, version, admin_member):
    """A date moved into the window marks the tenant's notices due (common.due); the every-minute
    sweep runs them then, without waiting for the hourly beat run."""
    from common import due
    from courses.models import NoticeSchedule

    e = enroll(version, learner(tenant), end_date=OUTSIDE)
    enrollments_edit(
        course=version.course,
        actor=admin_member.user,
        enrollment_ids=[e.pk],
        action="assign",
        manual_expiration_date=IN_WINDOW,
    )
    schedule = NoticeSchedule.objects.get(tenant=tenant)
    assert FROZEN_AT + dt.timedelta(seconds=59) < schedule.due_at < FROZEN_AT + dt.timedelta(seconds=120)
    assert due.sweep(now=schedule.due_at - dt.timedelta(seconds=1)).get("course-expiry-notices", 0) == 0
    assert not notices().exists()
    assert due.sweep(now=schedule.due_at)["course-expiry-notices"] == 1
    assert notices().get().about_date == IN_WINDOW
    assert NoticeSchedule.objects.get(tenant=tenant).due_at is None
