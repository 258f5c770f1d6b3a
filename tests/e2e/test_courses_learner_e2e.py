"""Browser tests of issue 8: a client admin filters Enrollment Expired on the dashboard and sees
only orange-labelled expired learners; an expired learner logs in, sees that their course has
expired, opens Results and is refused Learn."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.courses.factories import YESTERDAY, UserGroupFactory, add_to_group, course_with_modules, enroll
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_client_admin_filters_enrollment_expired(page, live_server, tenant, screenshot_dir):
    admin = member(tenant, "Client Admin", user__email="clientadmin@acme-test.test", user__full_name="Cleo Admin")
    course = course_with_modules(tenant, modules=3, name="Negotiation Basics")
    other = course_with_modules(tenant, modules=2, name="Closing Skills")
    group = UserGroupFactory(tenant=tenant, name="West region")
    names = ["Ann Archer", "Bob Baker", "Cid Cole", "Dee Dunn", "Eve Evans", "Fay Fox", "Gus Grant"]
    people = [
        member(tenant, "Learner", user__email=f"{n.split()[0].lower()}@acme-test.test", user__full_name=n)
        for n in names
    ]
    add_to_group(group, *people[:4])
    enroll(course, people[0])
    enroll(
        course,
        people[1],
        status="X",
        end_date=YESTERDAY,
        expired_at=datetime.datetime(2026, 11, 20, 14, tzinfo=datetime.UTC),
    )
    enroll(course, people[2], end_date=YESTERDAY)  # expiry passed today, sweep not run yet
    enroll(other, people[3])
    enroll(
        other,
        people[4],
        manual=datetime.date(2026, 11, 1),
        status="X",
        expired_at=datetime.datetime(2026, 11, 2, 5, tzinfo=datetime.UTC),
    )
    enroll(course, people[5], status="U")  # unenrolled: never on the dashboard
    enroll(other, people[6])

    log_in(page, live_server, admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Client dashboard").click()
    expect(page.get_by_role("heading", name="Client dashboard")).to_be_visible()
    expect(page.locator("#row-count")).to_contain_text("6 rows")
    expect(page.locator("table.table tbody")).not_to_contain_text("Fay Fox")

    page.get_by_label("Enrollment Expired").check()  # htmx swaps the table in place
    expect(page.locator("#row-count")).to_contain_text("3 rows")
    expect(page).to_have_url(re.compile(r"expired=on"))
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(3)
    for i in range(3):
        badge = rows.nth(i).locator(".badge-expired")
        expect(badge).to_have_text("Expired")
        background = badge.evaluate("el => getComputedStyle(el).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    expect(page.locator("table.table tbody")).to_contain_text("Bob Baker")
    expect(page.locator("table.table tbody")).to_contain_text("Cid Cole")
    expect(page.locator("table.table tbody")).to_contain_text("Eve Evans")
    expect(page.locator("table.table tbody")).not_to_contain_text("Ann Archer")
    expect(page.locator("table.table tbody .badge-ok")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "courses-client-dashboard.png"), full_page=True)


def test_expired_learner_sees_message_opens_results_and_is_refused_learn(page, live_server, tenant, screenshot_dir):
    learner = member(tenant, "Learner", user__email="lee@acme-test.test", user__full_name="Lee Learner")
    version = course_with_modules(tenant, modules=3, name="Negotiation Basics")
    enroll(version, learner, end_date=YESTERDAY)  # expired today; the sweep has not run yet

    log_in(page, live_server, learner.user.email)
    expect(page).to_have_url(re.compile(rf"/w/{tenant.slug}/$"))
    message = page.locator("#course-expired-message")
    expect(message).to_contain_text("Your course has expired.")
    expect(message).to_contain_text("Negotiation Basics")
    page.screenshot(path=str(screenshot_dir / "courses-expired-learner-home.png"), full_page=True)

    message.get_by_role("link", name="see your results").click()
    expect(page.get_by_role("heading", name="Negotiation Basics")).to_be_visible()
    expect(page.locator("#results")).to_contain_text("Module 1")
    expect(page.locator(".tabs a.active")).to_have_text("Results")

    response = page.goto(f"{live_server.url}/w/{tenant.slug}/learning/my/{version.course_id}/learn/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Your access to this course has expired")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "courses-learn-refused.png"), full_page=True)
