"""Course emails through the one notification service: each of the five is sent for an active
enrollment and suppressed (and logged with the reason) for an expired, expired-but-not-swept or
unenrolled one, while the learner's other active course still gets it. Account emails (password
reset, account unlock) are always sent. The triggers are the real ones."""

import datetime
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from courses import tasks as course_tasks
from courses.models import Email, ModuleItem, NotificationLog
from courses.services.learner import learner_complete_module
from courses.services.notifications import deliver_course_email
from courses.tasks import queue_course_email
from tests.conftest import login
from tests.factories import PASSWORD, member

from .factories import YESTERDAY, ModuleItemFactory, course_with_modules, enroll

pytestmark = pytest.mark.django_db

COURSE_EMAILS = [
    Email.END_OF_COURSE_SURVEY,
    Email.FINAL_ASSESSMENT_LOCKED,
    Email.FINAL_ASSESSMENT_UNLOCKED,
    Email.INACTIVE_STATUS,
    Email.ITEM_UNLOCKED,
]


@pytest.fixture
def learner(tenant):
    return member(tenant, "Learner", user__email="lee@example.test", user__full_name="Lee Learner")


@pytest.fixture
def version(tenant):
    return course_with_modules(tenant, modules=2, name="Negotiation Basics")


def _extra(email, version):
    item = ModuleItem.objects.filter(module__version=version).first()
    return {
        Email.ITEM_UNLOCKED: {"item": item, "module": item.module},
        Email.INACTIVE_STATUS: {"days": 14, "since": datetime.date(2026, 11, 1)},
        Email.FINAL_ASSESSMENT_LOCKED: {"score": "88.00"},
    }.get(email, {})


@pytest.mark.parametrize("email", COURSE_EMAILS)
def test_sent_for_an_active_enrollment(email, version, learner):
    enrollment = enroll(version, learner)
    log = deliver_course_email(enrollment, email=email, key="k1", extra=_extra(email, version))
    assert log.status == "sent" and log.reason == ""
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lee@example.test"]
    assert "Negotiation Basics" in mail.outbox[0].subject
    # The same event again: nothing more.
    assert deliver_course_email(enrollment, email=email, key="k1", extra=_extra(email, version)) is None
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("email", COURSE_EMAILS)
@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("X", "Enrollment expired (X) on 11/20/2026."),
        ("E-past-expiry", "Enrollment expired: last day of access was 11/22/2026."),
        ("U", "Learner is unenrolled (U) from this course."),
        ("inactive", "Learner is inactive in this workspace."),
    ],
)
def test_suppressed_and_logged(email, case, reason, version, learner):
    if case == "X":
        enrollment = enroll(
            version,
            learner,
            status="X",
            end_date=YESTERDAY,
            expired_at=datetime.datetime(2026, 11, 20, 15, tzinfo=datetime.UTC),
        )
    elif case == "E-past-expiry":
        enrollment = enroll(version, learner, end_date=YESTERDAY)
    elif case == "U":
        enrollment = enroll(version, learner, status="U")
    else:
        enrollment = enroll(version, learner)
        learner.is_active = False
        learner.save()
    log = deliver_course_email(enrollment, email=email, key="k1", extra=_extra(email, version))
    assert mail.outbox == []
    assert log.status == "suppressed"
    assert log.reason == reason
    assert (log.recipient, log.email, log.course_id, log.enrollment) == (learner, email, version.course_id, enrollment)


@pytest.mark.parametrize("email", COURSE_EMAILS)
def test_other_active_course_still_gets_it(email, tenant, version, learner):
    expired = enroll(version, learner, status="X", end_date=YESTERDAY)
    other_version = course_with_modules(tenant, modules=2, name="Closing Skills")
    active = enroll(other_version, learner)
    deliver_course_email(expired, email=email, key="k", extra=_extra(email, version))
    deliver_course_email(active, email=email, key="k", extra=_extra(email, other_version))
    assert [m.subject for m in mail.outbox] and all("Closing Skills" in m.subject for m in mail.outbox)
    assert len(mail.outbox) == 1
    statuses = dict(NotificationLog.objects.values_list("course__name", "status"))
    assert statuses == {"Negotiation Basics": "suppressed", "Closing Skills": "sent"}


# --- Triggers -----------------------------------------------------------------------------------


def _complete(client, tenant, version, position, score=None):
    module = version.modules.get(position=position)
    return client.post(
        reverse(
            "courses:learner_complete_module",
            kwargs={"tenant_slug": tenant.slug, "course_id": version.course_id, "module_id": module.pk},
        ),
        {"score": score} if score is not None else {},
    )


@pytest.fixture
def worker():
    """The queued task runs right away, as the worker would (the broker is tested elsewhere)."""
    task = course_tasks.send_course_email_task
    with mock.patch.object(task, "delay", side_effect=lambda *args: task.apply(args=args).get()) as delay:
        yield delay


def test_progress_triggers_assessment_unlocked_then_locked_and_survey(
    client, tenant, version, learner, django_capture_on_commit_callbacks, worker
):
    enroll(version, learner)
    login(client, learner)
    with django_capture_on_commit_callbacks(execute=True):
        _complete(client, tenant, version, 1)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        _complete(client, tenant, version, 2)
    assert [m.subject for m in mail.outbox] == ["Negotiation Basics: your final assessment is open"]
    with django_capture_on_commit_callbacks(execute=True):
        _complete(client, tenant, version, 3, score="91.5")
    subjects = sorted(m.subject for m in mail.outbox[1:])
    assert subjects == [
        "Negotiation Basics: final assessment submitted and locked",
        "Negotiation Basics: tell us how it went",
    ]
    assert "your score is 91.50" in next(m.body for m in mail.outbox if "locked" in m.subject)
    assert NotificationLog.objects.filter(status="sent").count() == 3


def test_survey_suppressed_when_enrollment_expires_before_the_task_runs(
    client, tenant, learner, django_capture_on_commit_callbacks
):
    version = course_with_modules(tenant, modules=1, assessment=False, name="Quick Course")
    enrollment = enroll(version, learner)
    login(client, learner)
    with mock.patch("courses.tasks.send_course_email_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            _complete(client, tenant, version, 1)
    (args,) = [c.args for c in delay.call_args_list]
    assert args[2] == Email.END_OF_COURSE_SURVEY
    # Between the completion and the worker, an admin expires the enrollment.
    enrollment.status = "X"
    enrollment.expired_at = timezone.now()
    enrollment.save()
    assert course_tasks.send_course_email_task.run(*args) == "suppressed"
    assert mail.outbox == []


def test_item_unlocked_beat_task(tenant, version, learner):
    item = ModuleItemFactory(
        module=version.modules.get(position=2), position=9, title="Role play", unlocks_on=YESTERDAY
    )
    ModuleItemFactory(
        module=version.modules.get(position=2), position=10, title="Later", unlocks_on=datetime.date(2026, 12, 24)
    )
    enroll(version, learner)
    expired_learner = member(tenant, "Learner", user__email="gone@example.test")
    enroll(version, expired_learner, status="X", end_date=YESTERDAY)
    unenrolled = member(tenant, "Learner", user__email="left@example.test")
    enroll(version, unenrolled, status="U")

    assert course_tasks.notify_unlocked_items_task.run() == {"sent": 1, "suppressed": 2}
    assert [m.to for m in mail.outbox] == [["lee@example.test"]]
    assert '"Role play" is now open' in mail.outbox[0].subject
    assert set(NotificationLog.objects.filter(status="suppressed").values_list("to_address", flat=True)) == {
        "gone@example.test",
        "left@example.test",
    }
    assert NotificationLog.objects.filter(key=f"item:{item.pk}").count() == 3
    # Next hour's run: nothing new.
    assert course_tasks.notify_unlocked_items_task.run() == {"sent": 0, "suppressed": 0}


def test_inactive_status_trigger_beat_task(tenant, version, learner, settings):
    settings.COURSE_INACTIVE_DAYS = 14
    long_ago = timezone.now() - datetime.timedelta(days=30)
    enroll(version, learner, enrolled_at=long_ago)
    busy = member(tenant, "Learner", user__email="busy@example.test")
    busy_enrollment = enroll(version, busy, enrolled_at=long_ago)
    from courses.models import ModuleProgress

    ModuleProgress.objects.create(
        tenant=tenant,
        learner=busy,
        module=version.modules.first(),
        started_at=timezone.now() - datetime.timedelta(days=2),
    )
    expired = member(tenant, "Learner", user__email="gone@example.test")
    enroll(version, expired, status="X", end_date=YESTERDAY, enrolled_at=long_ago)
    new = member(tenant, "Learner", user__email="new@example.test")
    enroll(version, new)  # enrolled today: not inactive yet

    assert course_tasks.notify_inactive_learners_task.run() == {"sent": 1, "suppressed": 1}
    assert [m.to for m in mail.outbox] == [["lee@example.test"]]
    assert "we miss you" in mail.outbox[0].subject
    assert NotificationLog.objects.get(to_address="gone@example.test").status == "suppressed"
    assert not NotificationLog.objects.filter(enrollment=busy_enrollment).exists()
    assert course_tasks.notify_inactive_learners_task.run() == {"sent": 0, "suppressed": 0}


def test_beat_schedule_has_the_course_email_tasks(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "courses.notification_tasks.notify_unlocked_items_task" in tasks
    assert "courses.notification_tasks.notify_inactive_learners_task" in tasks


# --- Always sent ----------------------------------------------------------------------------------


@pytest.fixture
def expired_learner(tenant, version, learner):
    enroll(version, learner, status="X", end_date=YESTERDAY)
    return learner


def test_password_reset_is_sent_to_an_expired_learner(client, expired_learner):
    response = client.post(reverse("password_reset"), {"email": "lee@example.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lee@example.test"]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_account_unlock_is_sent_to_an_expired_learner_when_axes_locks_them_out(client, settings, expired_learner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lee@example.test", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    # Locked: even the right password is refused now.
    locked = client.post(
        reverse("login"), {"username": "lee@example.test", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert "Account temporarily locked" in locked.content.decode()
    unlock = [m for m in mail.outbox if "locked" in m.subject]
    assert len(unlock) == 1
    assert unlock[0].to == ["lee@example.test"]
    assert "/accounts/reset/" in unlock[0].body
    log = NotificationLog.objects.get(email=Email.ACCOUNT_UNLOCK)
    assert (log.status, log.recipient) == ("sent", expired_learner)


def test_the_unlock_link_sets_a_new_password_and_lifts_the_lockout(client, settings, expired_learner):
    import re

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lee@example.test", "password": "wrong"})
    (unlock,) = [m for m in mail.outbox if "locked" in m.subject]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", unlock.body).group(1)
    form = client.get(link, follow=True)
    new_password = "a-brand-new-pass-42"  # noqa: S105
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    response = client.post(reverse("login"), {"username": "lee@example.test", "password": new_password}, follow=True)
    assert response.wsgi_request.user == expired_learner.user
    assert "Your course has expired." in response.content.decode()


def test_no_unlock_email_for_an_unknown_address(client, settings, tenant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "nobody@example.test", "password": "wrong"})
    assert mail.outbox == []


# --- The log page -------------------------------------------------------------------------------


def test_admin_sees_the_suppressions(client, tenant, admin_member, version, learner):
    enrollment = enroll(version, learner, status="U")
    deliver_course_email(enrollment, email=Email.END_OF_COURSE_SURVEY, key="s")
    page = reverse("courses:notification_log", kwargs={"tenant_slug": tenant.slug})
    body = login(client, admin_member).get(page + "?status=suppressed").content.decode()
    assert "End of Course Survey" in body and "lee@example.test" in body
    assert "Learner is unenrolled (U) from this course." in body


def test_log_page_needs_manage_learning(client, tenant):
    page = reverse("courses:notification_log", kwargs={"tenant_slug": tenant.slug})
    assert login(client, member(tenant, "Client Admin")).get(page).status_code == 403


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_for_the_active_course_and_suppresses_for_the_expired_one(tenant, celery_redis_worker):
    """Through Redis and a real worker: completing the last module of an active course sends the
    survey; a survey queued for a course that expired before the worker ran is suppressed."""
    learner = member(tenant, "Learner", user__email="real@example.test")
    active = course_with_modules(tenant, modules=1, assessment=False, name="Active Course")
    learner_complete_module(enroll(active, learner), module=active.modules.get(), actor=learner.user)
    expired = enroll(course_with_modules(tenant, modules=1, assessment=False, name="Expired Course"), learner)
    expired.status, expired.expired_at = "X", timezone.now()
    expired.save()
    with transaction.atomic():
        queue_course_email(expired, email=Email.END_OF_COURSE_SURVEY, key="survey:late")
    deadline = time.monotonic() + 30
    while NotificationLog.objects.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    statuses = dict(NotificationLog.objects.values_list("course__name", "status"))
    assert statuses == {"Active Course": "sent", "Expired Course": "suppressed"}
    assert [m.to for m in mail.outbox] == [["real@example.test"]]
