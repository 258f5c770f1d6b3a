"""The beat tasks and the management commands."""

import datetime
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from activity.models import ActivityEntry
from courses.models import CourseEnrollment, NetSuiteConnection, SalesOrder
from courses.tasks import expire_due_enrollments_task, expire_enrollments

from .factories import CourseEnrollmentFactory
from .fake_netsuite import FakeNetSuite, record

pytestmark = pytest.mark.django_db
ENDED = datetime.date(2026, 1, 31)


def test_command_expires_in_every_tenant(tenant, other_tenant):
    CourseEnrollmentFactory.create_batch(2, tenant=tenant, sales_order__end_date=ENDED)
    CourseEnrollmentFactory(tenant=other_tenant, manual_expiration_date=ENDED)
    CourseEnrollmentFactory(tenant=other_tenant)
    out = StringIO()
    call_command("expire_enrollments", stdout=out)
    assert "acme-test: expired 2 enrollments" in out.getvalue()
    assert "lear-corp: expired 1 enrollment\n" in out.getvalue()
    assert CourseEnrollment.objects.filter(status="X").count() == 3
    out = StringIO()
    call_command("expire_enrollments", "--tenant", tenant.slug, stdout=out)
    assert out.getvalue() == "acme-test: expired 0 enrollments\n"


def test_command_rejects_unknown_tenant():
    with pytest.raises(CommandError, match="No workspace"):
        call_command("expire_enrollments", "--tenant", "nope")


def test_task_runs_one_tenant(tenant, other_tenant):
    CourseEnrollmentFactory(tenant=tenant, sales_order__end_date=ENDED)
    foreign = CourseEnrollmentFactory(tenant=other_tenant, sales_order__end_date=ENDED)
    assert expire_enrollments(tenant.pk) == {tenant.slug: 1}
    assert CourseEnrollment.objects.get(pk=foreign.pk).status == "E"


def test_sync_command_against_the_fake_server(tenant, httpserver):
    fake = FakeNetSuite(httpserver)
    fake.add(record(1, "SO-1", "2027-01-31", modified="2026-11-20T10:00:00Z"))
    creds = {"consumer_key": "k", "consumer_secret": "s", "token_id": "t", "token_secret": "u"}
    NetSuiteConnection.objects.create(tenant=tenant, account_id="1234567", base_url=fake.url, **creds)
    out = StringIO()
    call_command("sync_sales_orders", stdout=out)
    assert out.getvalue() == "acme-test: Synced sales orders: 1 new, 0 updated.\n"
    assert SalesOrder.objects.get().tran_id == "SO-1"


def test_sync_command_fails_loudly(tenant, httpserver):
    fake = FakeNetSuite(httpserver)
    fake.fail_next = [403]
    NetSuiteConnection.objects.create(tenant=tenant, account_id="1234567", base_url=fake.url, consumer_key="k")
    with pytest.raises(CommandError):
        call_command("sync_sales_orders", "--tenant", tenant.slug, stdout=StringIO())


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_sweep_task_through_a_real_worker(tenant, celery_redis_worker):
    CourseEnrollmentFactory.create_batch(3, tenant=tenant, sales_order__end_date=ENDED)
    expire_due_enrollments_task.delay(tenant.pk)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and CourseEnrollment.objects.filter(status="X").count() < 3:
        time.sleep(0.2)
    assert CourseEnrollment.objects.filter(status="X").count() == 3
    assert ActivityEntry.objects.get(tenant=tenant, verb="expired (sweep)").count == 3
