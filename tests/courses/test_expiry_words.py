"""Issue 16 §1: one meaning for every expiry date. The rule (courses.access): the date — manual
or the sales order's end — is the last day of access; access ends at 00:00 the next day in the
workspace's time zone. Every page says "last day of access"; a hand-expired enrollment shows the
day it was expired; the Users panel counts only those Edit changes; My courses only for members
with a course; a sales-order row ending before it starts gets a row error in words."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import tablib
import time_machine
from django.urls import reverse

from courses import access
from courses.models import CourseEnrollment
from courses.services.expiry import expire_due_enrollments
from courses.services.sales_orders import SalesOrderImporter
from tests.conftest import login
from tests.factories import member

from .factories import CourseEnrollmentFactory, SalesOrderFactory, course_with_modules, enroll

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
LAST_DAY = dt.date(2026, 12, 16)


def url(tenant, name, **kwargs):
    return reverse(f"courses:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def version(tenant):
    return course_with_modules(tenant, modules=2, name="Negotiation Basics")


@pytest.fixture
def learner(tenant):
    return member(tenant, "Learner", user__full_name="Lee Learner")


@pytest.mark.parametrize("which", ["manual", "sales_order"])
@pytest.mark.parametrize(
    ("local", "opens"),
    [
        (dt.datetime(2026, 12, 16, 23, 59, tzinfo=NY), True),  # the last day, one minute before midnight
        (dt.datetime(2026, 12, 17, 0, 0, tzinfo=NY), False),  # the first day without access
    ],
)
def test_the_date_is_the_last_day_of_access_in_the_workspace_zone(
    client, tenant, version, learner, which, local, opens
):
    """23:59 on the date (New York) opens Learn; 00:00 the next day refuses it — for the manual
    date and the sales order's end date alike, on the page, in the sweep and in the list."""
    if which == "manual":
        enrollment = enroll(version, learner, end_date=dt.date(2027, 6, 30), manual=LAST_DAY)
    else:
        enrollment = enroll(version, learner, end_date=LAST_DAY)
    with time_machine.travel(local, tick=False):
        login(client, learner)
        response = client.get(url(tenant, "learner_learn", course_id=version.course_id))
        assert response.status_code == (200 if opens else 403)
        swept = expire_due_enrollments(tenant=tenant)
        listed = access.with_effective_status(
            CourseEnrollment.objects.filter(pk=enrollment.pk), today=access.today_for(tenant)
        ).get()
    assert swept == (0 if opens else 1)
    assert listed.effective_status == ("E" if opens else "X")
    if opens:
        assert "Your last day of access: 12/16/2026" in response.content.decode()
    else:
        assert "Your last day of access was 12/16/2026" in response.content.decode()


def test_hand_expired_shows_the_day_it_was_expired_not_the_sales_order_end(client, tenant, version, learner):
    expired_at = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
    enroll(version, learner, end_date=LAST_DAY, status="X", expired_by_hand=True, expired_at=expired_at)
    login(client, learner)
    results = client.get(url(tenant, "learner_results", course_id=version.course_id)).content.decode()
    refused = client.get(url(tenant, "learner_learn", course_id=version.course_id)).content.decode()
    mine = client.get(url(tenant, "learner_courses")).content.decode()
    for body in (results, refused, mine):
        assert "Your access ended on 11/20/2026 (expired by hand)" in body
        assert "12/16/2026" not in body
        assert "Access until" not in body


def test_hand_expired_in_users_panel_dashboard_and_report(admin_client, tenant, version, learner):
    expired_at = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
    enroll(version, learner, end_date=LAST_DAY, status="X", expired_by_hand=True, expired_at=expired_at)
    panel = admin_client.get(url(tenant, "course_detail", course_id=version.course_id)).content.decode()
    assert "Last day of access" in panel and "11/20/2026" in panel and "expired by hand" in panel
    dashboard = admin_client.get(url(tenant, "client_dashboard")).content.decode()
    assert "Access ended on 11/20/2026 (expired by hand)" in dashboard
    report = admin_client.get(url(tenant, "organization_report")).getvalue().decode().lstrip("\ufeff")
    header, row = report.splitlines()[:2]
    assert "Last day of access" in header.split(",")
    assert dict(zip(header.split(","), row.split(","), strict=True))["Last day of access"] == "11/20/2026"


def test_edit_dialog_and_panel_use_the_same_words(admin_client, tenant, version, learner):
    enroll(version, learner, end_date=LAST_DAY)
    dialog = admin_client.get(
        url(tenant, "enrollments_edit", course_id=version.course_id), {"all_matching": "1"}
    ).content.decode()
    assert "Last day of access" in dialog and "expire on this date" not in dialog
    panel = admin_client.get(url(tenant, "course_detail", course_id=version.course_id)).content.decode()
    assert "Last day of access" in panel and ">Expires<" not in panel


def test_every_active_learner_matching_counts_whom_edit_changes(admin_client, tenant, version):
    learners = [member(tenant, "Learner") for _ in range(4)]
    for m in learners:
        enroll(version, m)
    learners[0].is_active = False
    learners[0].save()
    panel = admin_client.get(url(tenant, "course_detail", course_id=version.course_id))
    assert panel.context["table"].paginator.count == 4
    assert "Every active learner matching (3 learners)" in panel.content.decode()
    dialog = admin_client.get(url(tenant, "enrollments_edit", course_id=version.course_id), {"all_matching": "1"})
    assert dialog.context["count"] == 3


def test_my_courses_only_in_the_menu_of_members_with_a_course(client, tenant, version):
    client_admin = member(tenant, "Client Admin")
    login(client, client_admin)
    assert "My courses" not in client.get(url(tenant, "client_dashboard")).content.decode()
    enroll(version, client_admin)
    assert "My courses" in client.get(url(tenant, "client_dashboard")).content.decode()
    admin = member(tenant, "Administrator")
    login(client, admin)
    assert ">My courses<" not in client.get(url(tenant, "course_list")).content.decode()


def test_unenrolled_learner_has_no_my_courses_entry(client, tenant, version, learner):
    enroll(version, learner, status="U")
    login(client, learner)
    home = client.get(reverse("workspace_home", kwargs={"tenant_slug": tenant.slug})).content.decode()
    assert "My courses" not in home


def test_sales_order_row_ending_before_it_starts_gets_a_row_error_in_words(tenant, admin_member):
    dataset = tablib.Dataset(["SO-1", "2026-12-01", "2026-11-01"], headers=["tran_id", "start_date", "end_date"])
    (row,) = SalesOrderImporter(tenant, admin_member.user).run(dataset, dry_run=True, lines=[2])
    assert row == ("invalid", ["The end date is before the start date."])
    assert "Constraint" not in " ".join(row[1])


def test_model_check_refuses_end_before_start_in_words(tenant):
    order = SalesOrderFactory.build(tenant=tenant, start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 11, 1))
    with pytest.raises(Exception, match="The end date is before the start date."):
        order.full_clean()


def test_access_line_words(tenant):
    e = CourseEnrollmentFactory(tenant=tenant, sales_order__end_date=LAST_DAY)
    assert access.access_line(e, status="E", zone=NY) == "Last day of access: 12/16/2026"
    assert access.access_line(e, status="X", zone=NY) == "Last day of access was 12/16/2026"
