"""Browser tests of the partner enrollment pages: a partner manager edits an enrollment's tier
and enrollment date, sees the pending recalculation, presses Recalculate and sees Last
Calculated change; a partner user views the partner portal."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import PartnerEnrollment
from tests.factories import member
from tests.partners.factories import PartnerEnrollmentFactory, enrolled_partner, program_with_criteria

from .test_platform_e2e import htmx_ready, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_partner_manager_edits_tier_and_date_then_recalculates(page, live_server, tenant, screenshot_dir):
    program = program_with_criteria(tenant)
    enrollment = enrolled_partner(program)
    renewed = enrolled_partner(program, account_name="Northwind Traders", registrations=4)
    PartnerEnrollment.objects.filter(pk=renewed.pk).update(expiration_date=dt.date(2027, 12, 31))
    PartnerEnrollment.objects.filter(pk=enrollment.pk).update(last_calculated=timezone.now() - dt.timedelta(days=3))
    manager = member(
        tenant, "Partner Program Tiers Access", user__email="partners@acme-test.test", user__full_name="Pat Partners"
    )

    log_in(page, live_server, manager.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partner Program Tiers").click()
    page.get_by_role("navigation", name="Partner Program Tiers").get_by_role("link", name="Enrollments").click()
    expect(page.locator("#row-count")).to_have_text("2 rows")
    page.get_by_role("link", name="Prairie Systems").click()
    expect(page.get_by_role("heading", name=re.compile("Prairie Systems"))).to_be_visible()
    old_last = page.locator("#last-calculated").inner_text()
    expect(page.locator("#progress-headline")).to_have_text("66% to Build")

    page.get_by_role("link", name="Edit").click()
    dialog = page.locator("#edit-enrollment-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("combobox", name="Tier").select_option(label="Scale")
    dialog.get_by_label("Enrollment date").fill("2025-10-01")
    dialog.get_by_label("Reason for the tier change").fill("Strategic partner for the EMEA launch")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#unmet-warning")).to_contain_text("does not meet every criterion of Scale")
    page.get_by_role("button", name="Advance anyway").click()

    # The edit recomputes at once: the page never shows the old progress next to the new tier.
    expect(page.locator(".messages")).to_contain_text("Progress recalculated:")
    expect(page.locator("#recalc-notice")).to_have_count(0)
    expect(page.locator("#progress-headline")).to_have_text(re.compile(r"\d+% to Elevate"))
    expect(page.locator("#current-tier")).to_have_text("Scale")
    expect(page.locator("#enrollment-date")).to_have_text("10/01/2025")
    expect(page.locator("#tier-history")).to_contain_text("Strategic partner for the EMEA launch")
    expect(page.locator("#tier-history")).to_contain_text("Pat Partners")

    page.get_by_role("button", name="Recalculate").click()
    expect(page.locator("#enrollment-live")).to_contain_text("Recalculated just now")
    expect(page.locator("#last-calculated")).not_to_have_text(old_last)
    expect(page.locator("#progress-headline")).to_have_text(re.compile(r"\d+% to Elevate"))
    enrollment.refresh_from_db()
    local = timezone.localtime(enrollment.last_calculated, tenant.zone)
    expect(page.locator("#last-calculated")).to_have_text(local.strftime("%m/%d/%Y %I:%M %p"))

    # Copied by hand to docs/screenshots/ for the README.
    page.screenshot(path=str(screenshot_dir / "partners-enrollment-details.png"), full_page=True)

    page.get_by_role("link", name="Global Partner Program").first.click()
    page.get_by_role("navigation", name="Program sections").get_by_role("link", name="Enrollments").click()
    expect(page.get_by_role("heading", name="Tier distribution")).to_be_visible()
    page.get_by_role("link", name=re.compile("Expiring within 90 days")).click()
    expect(page.locator("#row-count")).to_have_text("1 row")
    page.screenshot(path=str(screenshot_dir / "partners-program-enrollments.png"), full_page=True)


def test_partner_user_views_the_portal(page, live_server, tenant, screenshot_dir):
    program = program_with_criteria(tenant)
    enrollment = enrolled_partner(program)
    enrolled_partner(program, account_name="Competitor Inc")
    user = enrollment.primary_partner_user.user

    log_in(page, live_server, user.email)
    expect(page.get_by_role("heading", name="Partner program")).to_be_visible()  # home panel
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partner portal").click()
    expect(page.get_by_role("heading", name="Global Partner Program")).to_be_visible()
    expect(page.locator("#progress-headline")).to_have_text("66% to Build")
    expect(page.locator(".tier-map li.current")).to_contain_text("Launch")
    expect(page.get_by_text("What Build adds")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Competitor Inc")
    expect(page.get_by_role("button", name="Recalculate")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "partners-portal.png"), full_page=True)


def test_a_search_on_an_accounts_enrollments_stays_on_that_account(page, live_server, tenant):
    """Enrollment Details links to the account's enrollments; a search typed there searches that
    account's, not every partner's (the form carries the account: no filter field holds it)."""
    program = program_with_criteria(tenant)
    mine = enrolled_partner(program)
    enrolled_partner(program, account_name="Prairie Systems West")
    PartnerEnrollmentFactory(program=program_with_criteria(tenant, name="Second program"), account=mine.account)
    manager = member(tenant, "Partner Program Tiers Access", user__email="partners@acme-test.test")

    log_in(page, live_server, manager.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/partners/enrollments/{mine.pk}/")
    page.locator("dt:text-is('Partner account') + dd a").click()
    expect(page.locator("#row-count")).to_have_text("2 rows")
    htmx_ready(page)
    page.get_by_placeholder("Search…").press_sequentially("Prairie")
    expect(page).to_have_url(re.compile(r"q=Prairie"))
    expect(page).to_have_url(re.compile(rf"account={mine.account_id}"))
    expect(page.locator("#row-count")).to_have_text("2 rows")  # not the West account's third
    page.get_by_role("link", name="Reset").click()
    expect(page).to_have_url(re.compile(rf"\?account={mine.account_id}$"))
