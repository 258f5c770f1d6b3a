"""Enrollment status changes: sales order end date changes, the sweep, bulk edit, enroll, progress restore."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_scopes import scope

from activity.models import ActivityEntry
from courses.models import CourseEnrollment, ModuleProgress
from courses.selectors.courses import last_completed_module
from courses.services import courses, expiry, sales_orders
from courses.services.courses import BulkAction
from tenancy.models import User
from tests.clock import FROZEN_AT

from .factories import (
    CourseEnrollmentFactory,
    CourseFactory,
    CourseVersionFactory,
    LearnerFactory,
    ModuleFactory,
    SalesOrderFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
NOW = FROZEN_AT  # Nov 23, noon in New York


def statuses(*rows):
    return [CourseEnrollment.objects.get(pk=r.pk).status for r in rows]


class TestSalesOrderEndDateChange:
    def test_moving_end_date_moves_every_follower_and_unexpires_swept_ones(self, tenant, admin_member):
        order = SalesOrderFactory(tenant=tenant, end_date=D(2026, 11, 1))
        swept = CourseEnrollmentFactory(tenant=tenant, sales_order=order, status="X")
        by_hand = CourseEnrollmentFactory(tenant=tenant, sales_order=order, status="X", expired_by_hand=True)
        manual = CourseEnrollmentFactory(
            tenant=tenant, sales_order=order, status="X", manual_expiration_date=D(2026, 11, 2)
        )
        unenrolled = CourseEnrollmentFactory(tenant=tenant, sales_order=order, status="U")

        order, moved = sales_orders.sales_order_update(
            order, actor=admin_member.user, data={"end_date": D(2027, 3, 31)}
        )

        assert moved == 1
        assert statuses(swept, by_hand, manual, unenrolled) == ["E", "X", "X", "U"]
        entry = ActivityEntry.objects.get(tenant=tenant, object_type="SalesOrder")
        assert entry.changes["end_date"] == ["2026-11-01", "2027-03-31"]
        assert entry.count == 1

    def test_moving_end_date_into_the_past_expires_followers(self, tenant, admin_member):
        order = SalesOrderFactory(tenant=tenant, end_date=D(2027, 1, 1))
        follower = CourseEnrollmentFactory(tenant=tenant, sales_order=order)
        own_date = CourseEnrollmentFactory(tenant=tenant, sales_order=order, manual_expiration_date=D(2027, 6, 1))
        sales_orders.sales_order_update(order, actor=admin_member.user, data={"end_date": D(2026, 11, 20)})
        assert statuses(follower, own_date) == ["X", "E"]
        assert CourseEnrollment.objects.get(pk=follower.pk).expired_by_hand is False

    def test_unchanged_update_records_nothing(self, tenant, admin_member):
        order = SalesOrderFactory(tenant=tenant)
        sales_orders.sales_order_update(order, actor=admin_member.user, data={"end_date": order.end_date})
        assert not ActivityEntry.objects.filter(tenant=tenant).exists()


class TestSweep:
    def test_sets_x_on_due_e_rows_only_and_records_one_entry(self, tenant, other_tenant):
        ended = SalesOrderFactory(tenant=tenant, end_date=D(2026, 11, 22))
        open_order = SalesOrderFactory(tenant=tenant, end_date=D(2026, 11, 23))
        due = [
            CourseEnrollmentFactory(tenant=tenant, sales_order=ended),
            CourseEnrollmentFactory(tenant=tenant, sales_order=open_order, manual_expiration_date=D(2026, 11, 22)),
        ]
        kept = [
            CourseEnrollmentFactory(tenant=tenant, sales_order=open_order),
            CourseEnrollmentFactory(tenant=tenant, sales_order=ended, manual_expiration_date=D(2026, 12, 1)),
            CourseEnrollmentFactory(tenant=tenant, sales_order=ended, status="U"),
        ]
        foreign = CourseEnrollmentFactory(tenant=other_tenant, sales_order__end_date=D(2026, 1, 1))

        assert expiry.expire_due_enrollments(tenant=tenant, now=NOW) == 2

        assert statuses(*due) == ["X", "X"]
        assert statuses(*kept, foreign) == ["E", "E", "U", "E"]
        row = CourseEnrollment.objects.get(pk=due[0].pk)
        assert (row.expired_at, row.expired_by_hand) == (NOW, False)
        entry = ActivityEntry.objects.get(tenant=tenant)
        assert (entry.count, entry.actor, entry.verb) == (2, None, "expired (sweep)")

    def test_idempotent(self, tenant):
        CourseEnrollmentFactory.create_batch(3, tenant=tenant, sales_order__end_date=D(2026, 1, 1))
        assert expiry.expire_due_enrollments(tenant=tenant, now=NOW) == 3
        assert expiry.expire_due_enrollments(tenant=tenant, now=NOW) == 0
        assert ActivityEntry.objects.filter(tenant=tenant).count() == 1

    def test_uses_the_tenant_zone(self, tenant):
        row = CourseEnrollmentFactory(tenant=tenant, manual_expiration_date=D(2026, 11, 23))
        # 03:00 UTC Nov 24 is Nov 23 in New York: the last day of access is not over.
        late_evening = datetime.datetime(2026, 11, 24, 3, 0, tzinfo=datetime.UTC)
        assert expiry.expire_due_enrollments(tenant=tenant, now=late_evening) == 0
        assert expiry.expire_due_enrollments(tenant=tenant, now=late_evening + datetime.timedelta(hours=3)) == 1
        assert statuses(row) == ["X"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_never_double_record(tenant):
    """Two sweeps at once (two beat ticks, or the worker and a command), on SQLite and PostgreSQL."""
    order = SalesOrderFactory(tenant=tenant, end_date=D(2026, 1, 1))
    version = CourseVersionFactory(tenant=tenant, course__tenant=tenant)
    learners = LearnerFactory.create_batch(40, tenant=tenant)
    CourseEnrollment.objects.bulk_create(
        CourseEnrollment(tenant=tenant, learner=m, course=version.course, version=version, sales_order=order)
        for m in learners
    )
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            with scope(tenant=tenant):
                barrier.wait()
                results.append(expiry.expire_due_enrollments(tenant=tenant, now=NOW))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 40]
    entries = list(ActivityEntry.objects.filter(tenant=tenant, verb="expired (sweep)").values_list("count", flat=True))
    assert entries == [40]


class TestBulkEdit:
    @pytest.fixture
    def course(self, tenant):
        return CourseFactory(tenant=tenant)

    def rows(self, tenant, course, n, **kwargs):
        version = CourseVersionFactory(tenant=tenant, course=course)
        return [CourseEnrollmentFactory(tenant=tenant, version=version, **kwargs) for _ in range(n)]

    def test_assign_sales_order_and_date_in_one_entry(self, tenant, course, admin_member):
        rows = self.rows(tenant, course, 3)
        order = SalesOrderFactory(tenant=tenant, tran_id="SO-NEW")
        result = courses.enrollments_edit(
            course=course,
            actor=admin_member.user,
            enrollment_ids=[r.pk for r in rows],
            action=BulkAction.ASSIGN,
            sales_order=order,
            manual_expiration_date=D(2027, 2, 1),
            now=NOW,
        )
        assert result.message == "Updated 3 enrollments"
        assert set(CourseEnrollment.objects.values_list("sales_order__tran_id", "manual_expiration_date")) == {
            ("SO-NEW", D(2027, 2, 1))
        }
        entry = ActivityEntry.objects.get(tenant=tenant)
        assert entry.count == 3
        assert entry.object_ids == sorted(r.pk for r in rows)
        assert entry.changes["sales_order"] == [None, "SO-NEW"]

    def test_the_entry_lists_the_ids_in_key_order_whatever_the_learners_emails(self, tenant, course, admin_member):
        rows = self.rows(tenant, course, 3)
        for row, email in zip(rows, ["zoe@acme.test", "yan@acme.test", "xia@acme.test"], strict=True):
            User.objects.filter(pk=row.learner.user_id).update(email=email)  # the model's order: reversed
        courses.enrollments_edit(
            course=course,
            actor=admin_member.user,
            enrollment_ids=[r.pk for r in reversed(rows)],
            action=BulkAction.ASSIGN,
            manual_expiration_date=D(2027, 2, 1),
            now=NOW,
        )
        assert ActivityEntry.objects.get(tenant=tenant).object_ids == sorted(r.pk for r in rows)

    def test_inactive_learner_rejects_everything(self, tenant, course, admin_member):
        rows = self.rows(tenant, course, 3)
        rows[1].learner.is_active = False
        rows[1].learner.save()
        order = SalesOrderFactory(tenant=tenant)
        with pytest.raises(ValidationError, match="inactive.*Reactivate them first"):
            courses.enrollments_edit(
                course=course,
                actor=admin_member.user,
                enrollment_ids=[r.pk for r in rows],
                action=BulkAction.EXPIRE,
                sales_order=order,
            )
        assert statuses(*rows) == ["E", "E", "E"]
        assert not CourseEnrollment.objects.filter(sales_order=order).exists()
        assert not ActivityEntry.objects.exists()

    def test_expire_is_by_hand_and_idempotent(self, tenant, course, admin_member):
        rows = self.rows(tenant, course, 2)
        for _ in range(2):
            courses.enrollments_edit(
                course=course, actor=admin_member.user, enrollment_ids=[r.pk for r in rows], action=BulkAction.EXPIRE
            )
        assert set(CourseEnrollment.objects.values_list("status", "expired_by_hand")) == {("X", True)}

    def test_enroll_needs_a_sales_order(self, tenant, course, admin_member):
        rows = self.rows(tenant, course, 1, status="U", sales_order=None)
        with pytest.raises(ValidationError, match="needs a sales order"):
            courses.enrollments_edit(
                course=course, actor=admin_member.user, enrollment_ids=[rows[0].pk], action=BulkAction.ENROLL
            )

    def test_enroll_with_ended_order_is_refused_and_nothing_changes(self, tenant, course, admin_member):
        rows = self.rows(tenant, course, 2, status="U")
        ended = SalesOrderFactory(tenant=tenant, end_date=D(2026, 1, 1))
        with pytest.raises(ValidationError, match="would be expired at once"):
            courses.enrollments_edit(
                course=course,
                actor=admin_member.user,
                enrollment_ids=[r.pk for r in rows],
                action=BulkAction.ENROLL,
                sales_order=ended,
                now=NOW,
            )
        assert statuses(*rows) == ["U", "U"]
        assert not CourseEnrollment.objects.filter(sales_order=ended).exists()

    def test_assigning_a_later_date_unexpires_swept_rows_not_hand_ones(self, tenant, course, admin_member):
        swept = self.rows(tenant, course, 1, status="X", sales_order__end_date=D(2026, 1, 1))[0]
        hand = CourseEnrollmentFactory(
            tenant=tenant, version=swept.version, status="X", expired_by_hand=True, sales_order=swept.sales_order
        )
        courses.enrollments_edit(
            course=course,
            actor=admin_member.user,
            enrollment_ids=[swept.pk, hand.pk],
            action=BulkAction.ASSIGN,
            manual_expiration_date=D(2027, 1, 1),
            now=NOW,
        )
        assert statuses(swept, hand) == ["E", "X"]

    def test_other_courses_rows_are_refused(self, tenant, course, admin_member):
        foreign = CourseEnrollmentFactory(tenant=tenant)
        with pytest.raises(ValidationError):
            courses.enrollments_edit(
                course=course, actor=admin_member.user, enrollment_ids=[foreign.pk], action=BulkAction.UNENROLL
            )
        assert statuses(foreign) == ["E"]


class TestEnrollAndProgress:
    def test_enroll_creates_and_reenrolls(self, tenant, admin_member):
        course = CourseFactory(tenant=tenant)
        version = CourseVersionFactory(tenant=tenant, course=course)
        order = SalesOrderFactory(tenant=tenant)
        old = CourseEnrollmentFactory(tenant=tenant, version=version, status="U")
        new = LearnerFactory(tenant=tenant)
        result = courses.learners_enroll(
            course=course, actor=admin_member.user, learner_ids=[old.learner_id, new.pk], sales_order=order
        )
        assert result.count == 2
        assert set(CourseEnrollment.objects.filter(course=course).values_list("status", "sales_order")) == {
            ("E", order.pk)
        }
        assert ActivityEntry.objects.get(tenant=tenant, verb="enrolled").count == 2

    def test_enroll_rejects_inactive(self, tenant, admin_member):
        course = CourseFactory(tenant=tenant)
        CourseVersionFactory(tenant=tenant, course=course)
        inactive = LearnerFactory(tenant=tenant, is_active=False)
        active = LearnerFactory(tenant=tenant)
        with pytest.raises(ValidationError, match="inactive"):
            courses.learners_enroll(
                course=course,
                actor=admin_member.user,
                learner_ids=[inactive.pk, active.pk],
                sales_order=SalesOrderFactory(tenant=tenant),
            )
        assert not CourseEnrollment.objects.exists()

    def test_unenroll_and_reenroll_return_to_last_completed_module(self, tenant, admin_member):
        version = CourseVersionFactory(tenant=tenant, course__tenant=tenant)
        modules = [ModuleFactory(tenant=tenant, version=version, position=i) for i in (1, 2, 3)]
        enrollment = CourseEnrollmentFactory(tenant=tenant, version=version)
        for module in modules[:2]:
            courses.module_complete(enrollment=enrollment, module=module, score=90)
        ids = [enrollment.pk]
        course, actor = version.course, admin_member.user
        courses.enrollments_edit(course=course, actor=actor, enrollment_ids=ids, action=BulkAction.UNENROLL)
        courses.enrollments_edit(course=course, actor=actor, enrollment_ids=ids, action=BulkAction.ENROLL)
        enrollment.refresh_from_db()
        assert enrollment.status == "E"
        assert enrollment.version == version
        assert ModuleProgress.objects.filter(learner=enrollment.learner).count() == 2
        assert last_completed_module(enrollment=enrollment) == modules[1]

    def test_expire_keeps_progress(self, tenant, admin_member):
        version = CourseVersionFactory(tenant=tenant, course__tenant=tenant)
        module = ModuleFactory(tenant=tenant, version=version)
        enrollment = CourseEnrollmentFactory(tenant=tenant, version=version)
        courses.module_complete(enrollment=enrollment, module=module, score=75)
        courses.enrollments_edit(
            course=version.course, actor=admin_member.user, enrollment_ids=[enrollment.pk], action=BulkAction.EXPIRE
        )
        assert ModuleProgress.objects.get(learner=enrollment.learner).score == 75


def test_course_create_has_one_current_version_with_ordered_modules(tenant, admin_member):
    course = courses.course_create(
        tenant=tenant,
        actor=admin_member.user,
        name="Negotiation",
        modules=[courses.ModuleSpec("Intro", items=[("learn", "Why")]), courses.ModuleSpec("Practice")],
    )
    v2 = courses.course_publish_version(course, actor=admin_member.user, modules=[courses.ModuleSpec("New")])
    assert list(course.versions.filter(is_current=True)) == [v2]
    assert list(course.versions.get(number=1).modules.values_list("position", "title")) == [
        (1, "Intro"),
        (2, "Practice"),
    ]
