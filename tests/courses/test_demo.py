"""The demo data: every state is there, learner@acme.test's only course is expired, idempotent."""

import pytest
from django.core.management import call_command

from courses.models import CourseEnrollment, ModuleProgress, SalesOrder, UserGroupMember
from tenancy.models import Membership

pytestmark = pytest.mark.django_db


def counts():
    return (
        CourseEnrollment.objects.count(),
        ModuleProgress.objects.count(),
        SalesOrder.objects.count(),
        UserGroupMember.objects.count(),
    )


def test_seed_demo_courses(capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first

    acme = CourseEnrollment.objects.filter(tenant__slug="acme")
    assert set(acme.values_list("status", flat=True)) == {"E", "U", "X"}
    assert acme.values("learner").distinct().count() > 290
    assert Membership.objects.filter(tenant__slug="acme", user__email__startswith="learner", is_active=False).exists()
    lee = acme.filter(learner__user__email="learner@acme.test")
    assert list(lee.values_list("status", flat=True)) == ["X"]
    assert ModuleProgress.objects.filter(learner__user__email="learner@acme.test").count() == 3
    assert Membership.objects.filter(tenant__slug="acme", manager__user__email="manager@acme.test").count() >= 8
