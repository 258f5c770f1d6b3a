"""Browser test of Reset Enrollments, as the seed describes it: Plans > All Plans, search the
plan, open it, Beneficiaries tab, Reset Enrollments, confirm; every beneficiary is not enrolled."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import member
from tests.plans.factories import PlanDocumentFactory, PlanFactory, TeamFactory, TeamMemberFactory
from tests.plans.helpers import bulk_beneficiaries, bulk_reps

from .test_platform_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_resets_enrollments_of_a_plan(page, live_server, tenant, screenshot_dir):
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test", user__full_name="Ada Admin")
    PlanFactory(tenant=tenant, name="FY26 SDR Plan")
    plan = PlanFactory(tenant=tenant, name="FY26 Enterprise Commission Plan")
    PlanDocumentFactory(plan=plan)
    reps = bulk_reps(tenant, 18)
    bulk_beneficiaries(plan, reps[:12], enroll_every=2)  # 6 of 12 enrolled directly
    team = TeamFactory(tenant=tenant, name="West Coast")
    for user in reps[12:]:
        TeamMemberFactory(team=team, user=user)
    plan.beneficiaries.create(tenant=tenant, team=team)
    plan.enrollments.create(tenant=tenant, user=reps[12], method="checkbox")  # a team member: 7 of 18

    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server, admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="All Plans").click()
    expect(page.get_by_role("heading", name="All Plans")).to_be_visible()
    expect(page.locator("#row-count")).to_have_text("2 rows")
    page.get_by_placeholder("Search…").press_sequentially("enterprise")  # htmx filters as one types
    expect(page.locator("#row-count")).to_have_text("1 row")
    page.get_by_role("link", name="FY26 Enterprise Commission Plan").click()

    page.get_by_role("navigation", name="Plan").get_by_role("link", name="Beneficiaries").click()
    expect(page.locator("#enrolled-count")).to_have_text("7 of 18 enrolled")
    page.get_by_role("link", name="Reset Enrollments").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Reset 7 enrollments of FY26 Enterprise Commission Plan?")
    page.screenshot(path=str(screenshot_dir / "plans-reset-dialog.png"))
    dialog.get_by_role("button", name="Reset Enrollments").click()

    expect(page.locator(".messages")).to_contain_text("Reset 7 enrollments")
    expect(page.locator("#enrolled-count")).to_have_text("0 of 18 enrolled")
    statuses = page.locator("table.table tbody .status")
    expect(statuses).to_have_count(18)
    for text in statuses.all_inner_texts():
        assert text == "Not yet enrolled"
    expect(page).to_have_url(re.compile(rf"/plans/{plan.pk}/beneficiaries/$"))
    page.screenshot(path=str(screenshot_dir / "plans-beneficiaries.png"), full_page=True)


def test_admin_undoes_a_reset_and_gets_the_same_enrolled_count(page, live_server, tenant, screenshot_dir):
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test", user__full_name="Ada Admin")
    plan = PlanFactory(tenant=tenant, name="FY26 Enterprise Commission Plan")
    PlanDocumentFactory(plan=plan)
    bulk_beneficiaries(plan, bulk_reps(tenant, 12), enroll_every=3)  # 4 of 12 enrolled

    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server, admin.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/plans/{plan.pk}/beneficiaries/")
    expect(page.locator("#enrolled-count")).to_have_text("4 of 12 enrolled")
    expect(page.locator("#undo-reset")).to_have_count(0)
    page.get_by_role("link", name="Reset Enrollments").click()
    page.locator("dialog#confirm-dialog").get_by_role("button", name="Reset Enrollments").click()
    expect(page.locator("#enrolled-count")).to_have_text("0 of 12 enrolled")

    page.get_by_role("link", name="Undo reset").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("4 acceptances come back as current enrollments.")
    page.screenshot(path=str(screenshot_dir / "plans-undo-reset-dialog.png"))
    dialog.get_by_role("button", name="Undo reset").click()

    expect(page.locator(".messages")).to_contain_text("4 enrollments restored.")
    expect(page.locator("#enrolled-count")).to_have_text("4 of 12 enrolled")
    expect(page.locator("#undo-reset")).to_have_count(0)
    page.get_by_role("navigation", name="Plan").get_by_role("link", name="Enrollment history").click()
    expect(page.locator("#reset-list")).to_contain_text("Undone")
    page.screenshot(path=str(screenshot_dir / "plans-undo-reset-history.png"), full_page=True)


def test_rep_enrolls_by_typed_signature(page, live_server, tenant, screenshot_dir):
    rep = member(tenant, "Sales Rep", user__email="riley@acme-test.test", user__full_name="Riley Rep")
    plan = PlanFactory(tenant=tenant, name="FY26 SDR Signature Plan", enrollment_option="signature")
    PlanDocumentFactory(plan=plan, body="1. Commission. The plan pays 2.5% on sourced sales.")
    plan.beneficiaries.create(tenant=tenant, user=rep.user)

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, rep.user.email)
    expect(page.locator("#plans-to-enroll")).to_contain_text("FY26 SDR Signature Plan")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My plans").click()
    expect(page.locator(".my-plan")).to_contain_text("Not yet enrolled")
    page.get_by_role("link", name="Enroll").click()
    expect(page.get_by_text("The plan pays 2.5% on sourced sales.")).to_be_visible()

    page.get_by_label("Type your full name to sign").fill("Someone Else")
    page.get_by_role("button", name="Enroll").click()
    expect(page.locator(".field-error")).to_contain_text("must match your name: Riley Rep")
    page.get_by_label("Type your full name to sign").fill("Riley Rep")
    page.get_by_role("button", name="Enroll").click()
    expect(page.locator(".messages")).to_contain_text("You are enrolled in FY26 SDR Signature Plan")
    expect(page.locator("#my-status")).to_contain_text("Enrolled")
    page.screenshot(path=str(screenshot_dir / "plans-my-plan-enrolled.png"), full_page=True)
