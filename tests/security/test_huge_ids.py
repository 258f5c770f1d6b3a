"""Ids beyond 64 bits in multi-select fields and ticked rows get a field error or are ignored,
never a 500 (SQLite raises OverflowError on them in an IN list; issue 18, item 7)."""

import pytest
from django.urls import reverse

from activity.models import ActivityEntry
from tests.conftest import login
from tests.courses.factories import (
    CourseEnrollmentFactory,
    CourseFactory,
    CourseVersionFactory,
    SalesOrderFactory,
    UserGroupFactory,
)
from tests.factories import member
from tests.plans.factories import PlanFactory, TeamFactory

HUGE = str(2**64)


def _forms(tenant):
    plan = PlanFactory(tenant=tenant)
    team = TeamFactory(tenant=tenant)
    course = CourseFactory(tenant=tenant)
    CourseVersionFactory(tenant=tenant, course=course)
    group = UserGroupFactory(tenant=tenant)
    order = SalesOrderFactory(tenant=tenant)
    kw = {"tenant_slug": tenant.slug}
    return {
        "beneficiary_add": (reverse("plans:beneficiary_add", kwargs={**kw, "plan_id": plan.pk}), {"users": [HUGE]}),
        "beneficiary_add_team": (
            reverse("plans:beneficiary_add", kwargs={**kw, "plan_id": plan.pk}),
            {"teams": [HUGE]},
        ),
        "team_create": (reverse("plans:team_create", kwargs=kw), {"name": "T", "users": [HUGE]}),
        "team_edit": (reverse("plans:team_edit", kwargs={**kw, "team_id": team.pk}), {"name": "T", "users": [HUGE]}),
        "enroll": (
            reverse("courses:enroll", kwargs={**kw, "course_id": course.pk}),
            {"learners": [HUGE], "sales_order": order.pk},
        ),
        "user_group_add": (reverse("courses:user_group_add", kwargs=kw), {"name": "G", "learners": [HUGE]}),
        "user_group_edit": (
            reverse("courses:user_group_edit", kwargs={**kw, "user_group_id": group.pk}),
            {"name": "G", "learners": [HUGE]},
        ),
    }


FORMS = [
    "beneficiary_add",
    "beneficiary_add_team",
    "team_create",
    "team_edit",
    "enroll",
    "user_group_add",
    "user_group_edit",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORMS)
def test_an_id_beyond_64_bits_is_a_field_error(client, tenant, admin_member, name):
    url, data = _forms(tenant)[name]
    login(client, admin_member)
    before = ActivityEntry.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors, "the form must refuse the id"
    assert ActivityEntry.objects.count() == before


@pytest.mark.django_db
def test_a_ticked_row_beyond_64_bits_is_ignored(client, tenant, admin_member):
    enrollment = CourseEnrollmentFactory(tenant=tenant, learner=member(tenant, "Learner"))
    course = enrollment.version.course
    login(client, admin_member)
    url = reverse("courses:enrollments_edit", kwargs={"tenant_slug": tenant.slug, "course_id": course.pk})
    response = client.get(url, {"enrollment": [HUGE, str(enrollment.pk)]})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"action": "enroll"}])
def test_editing_with_no_learner_ticked_is_a_form_error(client, tenant, admin_member, data):
    """Found by the junk walker: a POST without a ticked row was a 500 (AttributeError)."""
    course = CourseFactory(tenant=tenant)
    login(client, admin_member)
    url = reverse("courses:enrollments_edit", kwargs={"tenant_slug": tenant.slug, "course_id": course.pk})
    response = client.post(url, data)
    assert response.status_code == 422
    assert "Select at least one learner." in response.context["form"].non_field_errors()
