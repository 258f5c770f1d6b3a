"""A write that waits too long for the database answers 503 "busy, nothing was changed", on
SQLite (busy timeout) and PostgreSQL (lock timeout) alike: never a stack trace, never a half write."""

import pytest
from django.db import OperationalError, connection, connections
from django.urls import reverse

from activity.models import ActivityEntry
from common.busy import is_busy
from enrollments.models import PlanEnrollment
from tests.conftest import login
from tests.factories import member
from tests.plans.factories import BeneficiaryFactory, EnrollmentFactory, PlanFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plan(tenant):
    plan = PlanFactory(tenant=tenant)
    for _ in range(2):
        EnrollmentFactory(plan=plan, user=BeneficiaryFactory(plan=plan).user)
    return plan


@pytest.fixture
def signed_in(client, tenant):
    return login(client, member(tenant, "Administrator"))


@pytest.fixture
def locked(plan, signed_in):
    """Another connection holds the plan's lock (on SQLite: the write lock) and this one gives up
    after a fraction of a second. Everything the test needs is written before."""
    holder = connections.create_connection("default")
    connection.close()
    if connection.vendor == "sqlite":
        options = connection.settings_dict["OPTIONS"]
        saved = options.get("timeout")
        options["timeout"] = 0.2
        holder.cursor().execute("BEGIN IMMEDIATE")
    else:
        holder.set_autocommit(False)
        holder.cursor().execute("SELECT 1 FROM plans_plan WHERE id = %s FOR UPDATE", [plan.pk])
        connection.ensure_connection()
        connection.cursor().execute("SET lock_timeout = '200ms'")
    yield
    holder.rollback() if connection.vendor != "sqlite" else holder.cursor().execute("ROLLBACK")
    holder.close()
    connection.close()
    if connection.vendor == "sqlite":
        options["timeout"] = saved


def test_reset_while_the_database_is_busy_answers_503_and_changes_nothing(client, tenant, plan, locked):
    url = reverse("enrollments:reset_enrollments", kwargs={"tenant_slug": tenant.slug, "plan_id": plan.pk})

    response = client.post(url)
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "The database is busy" in html and "Nothing was changed." in html and "Traceback" not in html

    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#modal", "innerHTML")
    assert response["HX-Push-Url"] == "false"  # the list under the dialog did not change
    assert response.content.decode().lstrip().startswith('<dialog class="confirm-dialog" id="busy-dialog"')


def test_nothing_was_written(client, tenant, plan, locked):
    url = reverse("enrollments:reset_enrollments", kwargs={"tenant_slug": tenant.slug, "plan_id": plan.pk})
    assert client.post(url).status_code == 503
    connection.close()  # drop the short wait; read what is committed
    assert PlanEnrollment.objects.filter(plan=plan, reset_at__isnull=True).count() == 2
    assert not ActivityEntry.objects.filter(verb="reset enrollments").exists()


def test_other_database_errors_stay_errors():
    assert is_busy(OperationalError("database is locked"))
    assert not is_busy(OperationalError("no such table: plans_plan"))
    assert not is_busy(ValueError("database is locked"))
