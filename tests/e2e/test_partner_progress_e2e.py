"""Browser test of "why does this partner show X?": from Enrollment Details a partner manager
opens the records behind the revenue value, reads the reasons and filters one."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from partners import services
from tests.factories import UserFactory, member
from tests.partners.factories import (
    CurrencyRateFactory,
    OpportunityFactory,
    PartnerEnrollmentFactory,
    program_with_criteria,
)

from .test_platform_e2e import htmx_ready, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_partner_manager_reads_why_the_revenue_shows_its_value(page, live_server, tenant, screenshot_dir):
    program = program_with_criteria(tenant)
    enrollment = PartnerEnrollmentFactory(program=program, account__name="Prairie Systems")
    pu = enrollment.primary_partner_user
    pu.is_partner_admin = False
    pu.save()
    account, mine = enrollment.account, pu.user
    CurrencyRateFactory(tenant=tenant, from_currency="EUR", to_currency="USD", date=dt.date(2026, 1, 1))
    OpportunityFactory(account=account, owner=mine, name="Fabrikam renewal", amount=Decimal("120000"))
    OpportunityFactory(account=account, owner=mine, name="Contoso EU", amount=Decimal("10000"), currency="EUR")
    OpportunityFactory(account=account, owner=UserFactory(), name="Colleague's deal", amount=Decimal("40000"))
    OpportunityFactory(
        account=account, owner=mine, name="Last year's", amount=Decimal("9000"), close_date=dt.date(2025, 11, 2)
    )
    for i in range(2):
        OpportunityFactory(account=account, owner=mine, name=f"London {i}", amount=Decimal("5000"), currency="GBP")
    services.recalculate_enrollment(enrollment)
    manager = member(tenant, "Partner Program Tiers Access", user__email="partners@acme-test.test")

    log_in(page, live_server, manager.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/")
    expect(page.locator("#missing-rates")).to_contain_text("2 deals in GBP have no rate on their date: not counted")
    page.locator("#criteria-table").get_by_role("link", name="USD 131,000.00").click()
    expect(page.get_by_role("heading", name="Why USD 131,000.00")).to_be_visible()
    summary = page.locator("#reason-summary")
    expect(summary.get_by_role("row", name=re.compile("^Counted"))).to_contain_text("USD 131,000.00")
    expect(summary.get_by_role("row", name=re.compile("Not visible"))).to_contain_text("USD 40,000.00")
    expect(summary.get_by_role("row", name=re.compile("No exchange rate"))).to_contain_text("2")
    page.screenshot(path=str(screenshot_dir / "partners-drilldown.png"), full_page=True)
    htmx_ready(page)
    summary.get_by_role("link", name="Outside the enrollment period (by the attainment date field)").click()
    expect(page.locator("#record-count")).to_have_text("1 record")
    expect(page.locator("#records-table")).to_contain_text("Last year's")
    expect(page.locator("#records-table")).not_to_contain_text("Fabrikam renewal")
    expect(page).to_have_url(re.compile(r"reason=period"))


def test_partner_manager_previews_an_edit_before_saving(page, live_server, tenant, screenshot_dir):
    program = program_with_criteria(tenant)
    enrollment = PartnerEnrollmentFactory(program=program, account__name="Prairie Systems")
    OpportunityFactory(account=enrollment.account, name="Fabrikam renewal", amount=Decimal("125000"))
    services.recalculate_enrollment(enrollment)
    manager = member(tenant, "Partner Program Tiers Access", user__email="partners@acme-test.test")

    log_in(page, live_server, manager.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/")
    htmx_ready(page)
    expect(page.locator("#progress-headline")).to_have_text("33% to Build")
    page.get_by_role("link", name="Edit").click()
    dialog = page.locator("#edit-enrollment-dialog")
    dialog.get_by_label("Joint Business Plan: met").check()
    expect(dialog.locator("#preview-headline")).to_have_text("33% to Build → 66% to Build")
    dialog.get_by_label("Enrollment date").fill("2026-04-01")
    expect(dialog.locator("#preview-headline")).to_have_text(re.compile(r"^33% to Build → 33% to Build\s*$"))
    expect(dialog.locator("#preview-criteria")).to_contain_text("USD 125,000.00 → USD 0.00")
    dialog.get_by_label("Enrollment date").fill("2026-01-01")
    dialog.get_by_role("combobox", name="Tier").select_option(label="Build")
    expect(dialog.locator("#preview-tier")).to_contain_text("Does not fully meet Build: Deal Registrations.")
    dialog.locator("#edit-preview").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "partners-edit-preview.png"))
    # Nothing was saved by previewing.
    dialog.get_by_role("link", name="Cancel").click()
    expect(page.locator("#progress-headline")).to_have_text("33% to Build")


def test_partner_manager_adds_the_missing_rate_from_the_notice(page, live_server, tenant):
    program = program_with_criteria(tenant)
    enrollment = PartnerEnrollmentFactory(program=program, account__name="Prairie Systems")
    for i, day in enumerate([dt.date(2026, 3, 2), dt.date(2026, 5, 9)]):
        OpportunityFactory(
            account=enrollment.account, name=f"London {i}", amount=Decimal("5000"), currency="GBP", close_date=day
        )
    services.recalculate_enrollment(enrollment)
    manager = member(tenant, "Partner Program Tiers Access", user__email="partners@acme-test.test")

    log_in(page, live_server, manager.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/")
    page.locator("#missing-rates").get_by_role("link", name="Currency rates").click()
    missing = page.locator("#missing-rates")
    row = missing.get_by_role("row", name=re.compile("GBP"))
    expect(row).to_contain_text("03/02/2026 – 05/09/2026")
    row.get_by_role("link", name="Add rate").click()
    expect(page.get_by_label("From currency")).to_have_value("GBP")
    expect(page.get_by_label("To currency")).to_have_value("USD")
    expect(page.get_by_label("Date")).to_have_value("2026-03-02")
    page.get_by_label("Rate").fill("1.25")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Created currency rate")).to_be_visible()
    expect(page.locator("#missing-rates")).to_have_count(0)
    page.goto(f"{live_server.url}/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/")
    expect(page.get_by_text("Recalculation pending")).to_be_visible()
