"""The manager's Coach page: team members (manager relation on membership) with each one's
enrollment status per course, "Expired" for expired ones (before the sweep too)."""

import pytest
from django.urls import reverse

from tests.conftest import login
from tests.factories import member

from .factories import YESTERDAY, course_with_modules, enroll

pytestmark = pytest.mark.django_db


def coach_url(tenant):
    return reverse("courses:coach", kwargs={"tenant_slug": tenant.slug})


def _rows(body, email):
    return [line for line in body.split("<tr") if f'data-member="{email}"' in line]


def test_manager_sees_team_status_with_expired(client, tenant):
    manager = member(tenant, "Manager")
    a = member(tenant, "Learner", manager=manager, user__email="ann@example.test")
    b = member(tenant, "Learner", manager=manager, user__email="bob@example.test")
    c = member(tenant, "Learner", manager=manager, user__email="cat@example.test")
    stranger = member(tenant, "Learner", user__email="stranger@example.test")
    course1 = course_with_modules(tenant, modules=1, name="Course One")
    course2 = course_with_modules(tenant, modules=1, name="Course Two")
    enroll(course1, a)
    enroll(course2, a, status="X", end_date=YESTERDAY)
    enroll(course1, b, end_date=YESTERDAY)  # past expiry, not swept yet
    enroll(course1, c, status="U")
    enroll(course1, stranger)

    body = login(client, manager).get(coach_url(tenant)).content.decode()
    assert "stranger@example.test" not in body
    ann = _rows(body, "ann@example.test")
    assert "Course One" in ann[0] and "badge-ok" in ann[0]
    assert "Course Two" in ann[1] and '<span class="badge badge-expired">Expired</span>' in ann[1]
    assert '<span class="badge badge-expired">Expired</span>' in _rows(body, "bob@example.test")[0]
    assert "Unenrolled" in _rows(body, "cat@example.test")[0]


def test_coach_needs_the_coach_capability(client, tenant):
    assert login(client, member(tenant, "Learner")).get(coach_url(tenant)).status_code == 403


def test_coach_query_count_is_fixed(client, tenant, django_assert_num_queries):
    manager = member(tenant, "Manager")
    course = course_with_modules(tenant, modules=1)
    login(client, manager)

    def add(n):
        for _ in range(n):
            enroll(course, member(tenant, "Learner", manager=manager))

    add(3)
    with django_assert_num_queries(QUERIES):
        client.get(coach_url(tenant))
    add(6)
    with django_assert_num_queries(QUERIES):
        client.get(coach_url(tenant))


# Session, membership with its user (middleware), team members, their enrollments.
QUERIES = 4
