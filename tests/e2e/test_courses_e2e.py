"""Browser test of the Learning tab: open a course, Search For a user group, select learners,
Edit, pick a sales order and a date, save, see the statuses; then expire one."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from courses.models import CourseEnrollment
from tests.courses.factories import (
    CourseFactory,
    CourseVersionFactory,
    LearnerFactory,
    ModuleFactory,
    SalesOrderFactory,
    UserGroupFactory,
    add_to_group,
)
from tests.factories import member

from .test_platform_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_bulk_edits_enrollments_of_a_user_group(page, live_server, tenant, screenshot_dir):
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test", user__full_name="Ada Admin")
    course = CourseFactory(tenant=tenant, name="Consultative Selling")
    version = CourseVersionFactory(tenant=tenant, course=course)
    for i in range(3):
        ModuleFactory(tenant=tenant, version=version, position=i + 1)
    current = SalesOrderFactory(tenant=tenant, tran_id="SO-10482", end_date=datetime.date(2027, 1, 31))
    SalesOrderFactory(
        tenant=tenant, tran_id="SO-10560", customer="Acme Enterprise", end_date=datetime.date(2027, 12, 31)
    )
    east = UserGroupFactory(tenant=tenant, name="East Region")
    names = ["Ava Shah", "Ben Brooks", "Chloe Nguyen", "Dev Okafor", "Elena Rossi", "Finn Kim"]
    learners = [
        LearnerFactory(tenant=tenant, user__email=f"{n.split()[0].lower()}@acme-test.test", user__full_name=n)
        for n in names
    ]
    learners[3].is_active = False
    learners[3].save()
    add_to_group(east, *learners[:4])
    CourseEnrollment.objects.bulk_create(
        CourseEnrollment(tenant=tenant, learner=m, course=course, version=version, sales_order=current)
        for m in learners
    )

    log_in(page, live_server, admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses", exact=True).click()
    page.get_by_role("link", name="Consultative Selling").click()
    expect(page.get_by_role("heading", name="Consultative Selling")).to_be_visible()
    expect(page.locator("#row-count")).to_have_text("6 rows")

    page.get_by_label("User group").select_option(label="East Region")  # Search For: htmx swaps the table
    expect(page.locator("#row-count")).to_have_text("4 rows")
    expect(page).to_have_url(re.compile(r"user_group="))
    inactive = page.locator("tr.inactive")
    expect(inactive).to_have_count(1)
    expect(inactive.locator("input[type=checkbox]")).to_be_disabled()

    page.get_by_label("Select all on this page").check()
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#edit-selected").click()
    dialog = page.locator("#edit-dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Edit 3 enrollments")
    dialog.get_by_label("Sales order", exact=True).select_option(
        label="SO-10560 — Acme Enterprise (last day 12/31/2027)"
    )
    dialog.get_by_label("Last day of access", exact=True).fill("2027-03-31")
    dialog.get_by_role("button", name="Apply to 3 learners").click()

    expect(page.locator(".message")).to_have_text("Updated 3 enrollments in Consultative Selling.")
    expect(page).to_have_url(re.compile(r"user_group="))  # back to the same search
    rows = page.locator("table.table tbody tr")
    for name in names[:3]:
        row = rows.filter(has_text=name)
        expect(row).to_contain_text("SO-10560")
        expect(row).to_contain_text("03/31/2027")
        expect(row.locator(".badge")).to_have_text("E")

    page.wait_for_function("() => window.htmx !== undefined")  # the reloaded page's htmx is bound
    rows.filter(has_text="Chloe Nguyen").get_by_role("checkbox").check()
    page.locator("#edit-selected").click()
    expect(page.locator("#edit-dialog").get_by_role("heading")).to_have_text("Edit 1 enrollment")
    expect(rows.filter(has_text="Chloe Nguyen").get_by_role("checkbox")).to_be_checked()  # ticking kept the table
    page.locator("#edit-dialog").get_by_label("Expire (X)").check()
    page.locator("#edit-dialog").get_by_role("button", name="Apply to 1 learner").click()
    expect(page.locator(".message")).to_have_text("Expired 1 enrollment in Consultative Selling.")
    expect(rows.filter(has_text="Chloe Nguyen").locator(".badge")).to_have_text("X")
    # Expired by hand: the row shows the day it was expired, not the sales order's end.
    expect(rows.filter(has_text="Chloe Nguyen")).to_contain_text("11/23/2026 expired by hand")
    expect(rows.filter(has_text="Dev Okafor").locator(".badge")).to_have_text("E")
    page.screenshot(path=str(screenshot_dir / "courses-users-panel.png"), full_page=True)

    assert CourseEnrollment.objects.filter(sales_order__tran_id="SO-10560").count() == 3
    assert CourseEnrollment.objects.get(learner=learners[2]).status == "X"
