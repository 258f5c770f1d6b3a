"""Browser test of issue 16: the client admin ticks "Expiring within N days" beside Enrollment
Expired and sees only the learners whose last day of access is within the workspace's N days
(here 10), with their last day; expired and later ones are gone."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.clock import TODAY
from tests.courses.factories import YESTERDAY, course_with_modules, enroll
from tests.e2e.test_courses_learner_e2e import log_in
from tests.factories import member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_client_admin_filters_expiring_within_n_days(page, live_server, tenant, screenshot_dir):
    tenant.course_expiry_notice_days = 10
    tenant.save()
    admin = member(tenant, "Client Admin", user__email="clientadmin@acme-test.test")
    course = course_with_modules(tenant, modules=2, name="Negotiation Basics")
    soon = TODAY + datetime.timedelta(days=10)
    for name, kwargs in [
        ("Ann Soon", {"end_date": soon}),
        ("Bob Today", {"end_date": TODAY}),
        ("Cid Later", {"end_date": TODAY + datetime.timedelta(days=11)}),
        ("Dee Gone", {"end_date": YESTERDAY}),
        ("Eve Manual", {"end_date": TODAY + datetime.timedelta(days=200), "manual": soon}),
    ]:
        person = member(
            tenant, "Learner", user__email=f"{name.split()[0].lower()}@acme-test.test", user__full_name=name
        )
        enroll(course, person, **kwargs)

    log_in(page, live_server, admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Client dashboard").click()
    expect(page.locator("#row-count")).to_contain_text("5 rows")
    box = page.get_by_label("Expiring within 10 days")
    expect(box).to_be_visible()
    box.check()  # htmx swaps the table in place
    expect(page).to_have_url(re.compile(r"expiring=on"))
    expect(page.locator("#row-count")).to_contain_text("3 rows")
    body = page.locator("table.table tbody")
    for name in ("Ann Soon", "Bob Today", "Eve Manual"):
        expect(body).to_contain_text(name)
    for name in ("Cid Later", "Dee Gone"):
        expect(body).not_to_contain_text(name)
    expect(body).to_contain_text(f"Last day of access: {soon:%m/%d/%Y}")
    page.screenshot(path=str(screenshot_dir / "courses-dashboard-expiring.png"), full_page=True)
