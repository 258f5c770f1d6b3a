"""The expiry rule (courses.access): manual date wins, else the sales order; read-time expiry."""

import datetime

import pytest

from courses import access
from courses.models import CourseEnrollment
from courses.selectors.courses import course_enrollment_list

from .factories import TODAY, CourseEnrollmentFactory, SalesOrderFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_manual_date_wins_over_sales_order(tenant):
    enrollment = CourseEnrollmentFactory(
        tenant=tenant, sales_order__end_date=D(2027, 1, 31), manual_expiration_date=D(2026, 12, 15)
    )
    assert access.effective_expiry(enrollment) == D(2026, 12, 15)


def test_follows_the_sales_order_without_manual_date(tenant):
    enrollment = CourseEnrollmentFactory(tenant=tenant, sales_order__end_date=D(2027, 1, 31))
    assert access.effective_expiry(enrollment) == D(2027, 1, 31)


def test_no_sales_order_and_no_date_never_expires(tenant):
    enrollment = CourseEnrollmentFactory(tenant=tenant, sales_order=None)
    assert access.effective_expiry(enrollment) is None
    assert access.can_open_course(enrollment, today=D(2099, 1, 1))


def test_expiry_day_is_the_last_day_of_access(tenant):
    enrollment = CourseEnrollmentFactory(tenant=tenant, sales_order__end_date=TODAY)
    assert not access.is_expired_now(enrollment, today=TODAY)
    assert access.is_expired_now(enrollment, today=TODAY + datetime.timedelta(days=1))


def test_e_past_expiry_counts_as_x_before_the_sweep(tenant):
    """Access follows expiry the moment it passes; the stored status is still E."""
    enrollment = CourseEnrollmentFactory(tenant=tenant, status="E", sales_order__end_date=D(2026, 11, 1))
    assert enrollment.status == "E"
    assert access.effective_status(enrollment, today=TODAY) == "X"
    assert not access.can_open_course(enrollment, today=TODAY)
    assert access.can_see_results(enrollment, today=TODAY)
    row = course_enrollment_list(course=enrollment.course, today=TODAY).get()
    assert (row.effective_status, row.effective_expiry) == ("X", D(2026, 11, 1))


def test_unenrolled_sees_nothing_expired_sees_results(tenant):
    unenrolled = CourseEnrollmentFactory(tenant=tenant, status="U")
    expired = CourseEnrollmentFactory(tenant=tenant, status="X")
    assert not access.can_open_course(unenrolled, today=TODAY)
    assert not access.can_see_results(unenrolled, today=TODAY)
    assert not access.can_open_course(expired, today=TODAY)
    assert access.can_see_results(expired, today=TODAY)


def test_queryset_filters_agree_with_the_python_rule(tenant):
    ended = SalesOrderFactory(tenant=tenant, end_date=D(2026, 10, 31))
    rows = [
        CourseEnrollmentFactory(tenant=tenant, status="E"),
        CourseEnrollmentFactory(tenant=tenant, status="E", sales_order=ended),
        CourseEnrollmentFactory(tenant=tenant, status="E", sales_order=ended, manual_expiration_date=D(2027, 1, 1)),
        CourseEnrollmentFactory(tenant=tenant, status="E", manual_expiration_date=D(2026, 11, 22)),
        CourseEnrollmentFactory(tenant=tenant, status="U"),
        CourseEnrollmentFactory(tenant=tenant, status="X"),
    ]
    expired = set(CourseEnrollment.objects.filter(access.effectively_expired_q(TODAY)).values_list("pk", flat=True))
    enrolled = set(CourseEnrollment.objects.filter(access.effectively_enrolled_q(TODAY)).values_list("pk", flat=True))
    for row in rows:
        assert (row.pk in expired) == access.is_expired_now(row, today=TODAY)
        assert (row.pk in enrolled) == access.can_open_course(row, today=TODAY)


def test_today_is_taken_in_the_tenant_zone(tenant):
    # 03:00 UTC on Nov 24 is still Nov 23 in New York.
    now = datetime.datetime(2026, 11, 24, 3, 0, tzinfo=datetime.UTC)
    assert access.today_for(tenant, now=now) == D(2026, 11, 23)
