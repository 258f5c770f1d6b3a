"""Browser test of the partner program configuration: Setup > Partner Management > Partner
Program Tiers, open a program, add a criterion (a decreasing threshold gets a field error), see
the criteria and benefits; then import opportunities with a preview."""

import pytest
from playwright.sync_api import expect

from partners.models import CriterionKind
from tests.factories import member
from tests.partners.factories import (
    BenefitFactory,
    CriterionFactory,
    PartnerAccountFactory,
    PartnerEnrollmentFactory,
    PartnerProgramFactory,
    set_thresholds,
)

from .test_platform_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_partner_manager_configures_a_program(page, live_server, tenant, screenshot_dir, tmp_path, celery_worker):
    manager = member(tenant, "Partner Program Tiers Access", user__email="parker@acme-test.test")
    program = PartnerProgramFactory(tenant=tenant, name="Global Partner Program")
    revenue = CriterionFactory(
        program=program,
        name="Annual Partner Revenue",
        kind=CriterionKind.REVENUE,
        conditions=[{"field": "stage", "op": "=", "value": "closed_won"}],
    )
    set_thresholds(revenue, [25_000, 100_000, 500_000, 1_000_000])
    tiers = list(program.tiers.order_by("position"))
    for name, values in (
        ("Partner Portal Access", ["Yes", "Yes", "Yes", "Yes"]),
        ("Margin Uplift", ["", "5%", "10%", "15%"]),
        ("MDF Allocation", ["", "$5,000", "$20,000", "$50,000"]),
    ):
        benefit = BenefitFactory(tenant=tenant, name=name)
        for tier, value in zip(tiers, values, strict=True):
            if value:
                benefit.tier_values.create(tenant=tenant, tier=tier, value=value)
    PartnerEnrollmentFactory(program=program, account=PartnerAccountFactory(tenant=tenant, name="Northwind Traders"))

    page.set_viewport_size({"width": 1440, "height": 1000})
    log_in(page, live_server, manager.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partner Program Tiers").click()
    page.get_by_role("link", name="Global Partner Program").click()
    expect(page.get_by_role("heading", name="Criteria")).to_be_visible()

    page.get_by_role("link", name="Add criterion").click()
    page.get_by_label("Name").fill("Deal Registrations")
    page.get_by_label("Kind").select_option(CriterionKind.APPROVED_REGISTRATIONS)
    page.get_by_label("Rollup field").select_option("")
    page.get_by_label("Attainment date field").select_option("approval_date")
    for tier, value in zip(tiers, ["3", "10", "5", "50"], strict=True):
        page.get_by_label(f"{tier.name} threshold (>=)").fill(value)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field-error")).to_contain_text("Must be at least 10 (the Build threshold).")
    page.get_by_label("Scale threshold (>=)").fill("25")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("Added criterion Deal Registrations")
    criteria = page.locator("#criteria table")
    expect(criteria).to_contain_text("Deal Registrations")
    expect(criteria).to_contain_text("stage = Closed Won")
    expect(page.locator("#benefits table")).to_contain_text("$50,000")
    page.screenshot(path=str(screenshot_dir / "partners-program.png"), full_page=True)

    csv = tmp_path / "opportunities.csv"
    csv.write_text(
        "account,name,amount,currency,stage,close_date\n"
        "Northwind Traders,Fabrikam renewal,125000,USD,Closed Won,2026-03-01\n"
        "Nowhere Inc,Bad row,abc,USD,Won,2026-13-01\n"
    )
    page.get_by_role("link", name="Opportunities").click()
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("File").set_input_files(str(csv))
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("2 rows: 1 new, 0 updated, 0 unchanged, 1 with errors.")
    expect(preview).to_contain_text("“Nowhere Inc” not found in this workspace.")
    page.screenshot(path=str(screenshot_dir / "partners-import-preview.png"), full_page=True)
