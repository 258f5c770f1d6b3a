import io

import pytest
from django.core.management import call_command

from enrollments.models import PlanEnrollment
from enrollments.selectors import enrollment_counts, my_plans
from plans.models import EnrollmentOption, Plan, Reward
from tenancy.models import Tenant, User


@pytest.mark.django_db
def test_seed_demo_adds_plans_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    acme = Tenant.objects.get(slug="acme")
    plans = Plan.objects.filter(tenant=acme)
    assert {p.enrollment_option for p in plans} == set(EnrollmentOption.values)
    enterprise = plans.get(name="FY26 Enterprise Commission Plan")
    counts = enrollment_counts(plan=enterprise)
    assert counts["total"] == 200 and 0 < counts["enrolled"] < 200
    assert PlanEnrollment.objects.filter(plan=enterprise, reset_at__isnull=False).count() == 199
    assert Reward.objects.filter(tenant=acme, released=True).exists()
    rep = User.objects.get(email="rep@acme.test")
    assert enterprise in my_plans(tenant=acme, user=rep)
    assert Plan.objects.filter(tenant__slug="globex").count() == 1

    before = (Plan.objects.count(), PlanEnrollment.objects.count(), Reward.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    after = (Plan.objects.count(), PlanEnrollment.objects.count(), Reward.objects.count(), User.objects.count())
    assert before == after


@pytest.mark.postgres
@pytest.mark.django_db
def test_seed_demo_leaves_planner_statistics_on_postgresql():
    """Freshly loaded, a table has no statistics (reltuples -1) until autovacuum analyzes it, and
    the demo's pages ran on guessed plans until then."""
    from django.db import connection

    call_command("seed_demo", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN ('plans_plan', 'plans_planbeneficiary')"
        )
        tuples = dict(cursor.fetchall())
    assert tuples["plans_plan"] >= 5 and tuples["plans_planbeneficiary"] > 0
