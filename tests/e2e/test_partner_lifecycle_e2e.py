"""Browser test of an enrollment's lifecycle: a partner manager enrolls an account from its page,
ends the enrollment with a reason, enrolls the account again, and deletes the old enrollment
after reading what goes with it."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import member
from tests.partners.factories import LeadFactory, PartnerAccountFactory, PartnerUserFactory, program_with_criteria

from .test_platform_e2e import htmx_ready, htmx_settled, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_partner_manager_enrolls_ends_re_enrolls_and_deletes(page, live_server, tenant, screenshot_dir):
    program_with_criteria(tenant)
    program_with_criteria(tenant, name="Reseller Program")
    account = PartnerAccountFactory(tenant=tenant, name="Harbor Networks")
    PartnerUserFactory(
        account=account, is_partner_admin=True, user__email="pat@harbor.test", user__full_name="Pat Harbor"
    )
    PartnerUserFactory(account__tenant=tenant, user__email="someone@elsewhere.test")
    for _ in range(5):
        LeadFactory(account=account)
    manager = member(tenant, "Partner Program Tiers Access", user__email="partners@acme-test.test")

    log_in(page, live_server, manager.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partner Program Tiers").click()
    page.get_by_role("navigation", name="Partner Program Tiers").get_by_role("link", name="Partner accounts").click()
    page.get_by_role("link", name="Harbor Networks").click()
    expect(page.get_by_role("status")).to_contain_text("Showing the enrollments of Harbor Networks")
    htmx_ready(page)

    page.get_by_role("link", name="Enroll partner").click()
    dialog = page.locator("#enroll-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Primary partner user")).not_to_contain_text("someone@elsewhere.test")
    htmx_settled(page)
    dialog.get_by_label("Program").select_option(label="Global Partner Program")
    # The dialog is drawn again for that program: only its tiers are offered.
    expect(page.locator("#enroll-dialog").get_by_label("Starting tier")).not_to_contain_text("Reseller Program")
    dialog = page.locator("#enroll-dialog")
    dialog.get_by_label("Primary partner user").select_option(label="Pat Harbor (pat@harbor.test) · partner admin")
    dialog.get_by_label("Enrollment date").fill("2026-01-01")
    dialog.get_by_label("Expiration date").fill("2026-12-31")
    dialog.get_by_role("button", name="Enroll").click()

    expect(page.locator(".messages")).to_contain_text("Enrolled Harbor Networks in Global Partner Program")
    expect(page.locator("#progress-headline")).to_have_text(re.compile(r"\d+% to Build"))
    expect(page.locator("#last-calculated")).not_to_have_text("")

    page.get_by_role("link", name="End", exact=True).click()
    end = page.locator("#end-dialog")
    end.get_by_role("button", name="End enrollment").click()
    expect(end.get_by_role("alert")).to_contain_text("Say why the enrollment ends")
    page.locator("#end-dialog").get_by_label("Reason").fill("Contract not renewed")
    page.locator("#end-dialog").get_by_role("button", name="End enrollment").click()
    expect(page.locator("#ended-notice")).to_contain_text("Contract not renewed")
    expect(page.locator("#expiration-date")).to_have_text("11/23/2026")

    page.locator("#ended-notice").get_by_role("link", name="Enrollments of Harbor Networks").click()
    htmx_ready(page)
    page.get_by_role("link", name="Enroll partner").click()
    dialog = page.locator("#enroll-dialog")
    htmx_settled(page)
    dialog.get_by_label("Program").select_option(label="Global Partner Program")
    dialog = page.locator("#enroll-dialog")
    expect(dialog.get_by_label("Starting tier")).not_to_contain_text("Reseller Program")
    dialog.get_by_label("Primary partner user").select_option(label="Pat Harbor (pat@harbor.test) · partner admin")
    dialog.get_by_label("Enrollment date").fill("2026-11-23")
    dialog.get_by_label("Expiration date").fill("2027-11-22")
    dialog.get_by_role("button", name="Enroll").click()
    expect(page.locator(".messages")).to_contain_text("Enrolled Harbor Networks")
    expect(page.locator("#ended-notice")).to_have_count(0)

    page.get_by_role("link", name="Harbor Networks", exact=True).first.click()
    expect(page.locator("#row-count")).to_have_text("2 rows")
    expect(page.locator("#table-container")).to_contain_text("Ended")
    page.screenshot(path=str(screenshot_dir / "partners-account-enrollments.png"), full_page=True)

    page.locator("#table-container tr", has_text="Ended").get_by_role("link", name="Harbor Networks").click()
    page.get_by_role("link", name="Delete").click()
    confirm = page.locator("#confirm-dialog")
    expect(confirm).to_contain_text("its progress history: 1 recorded progress change")
    expect(confirm).to_contain_text("its custom-criterion marks: 0 marks")
    confirm.get_by_role("button", name="Delete enrollment").click()
    expect(page.locator(".messages")).to_contain_text("Deleted enrollment")
    expect(page.locator("#row-count")).to_have_text("1 row")


def test_partner_manager_bulk_enrolls_from_a_csv(page, live_server, tenant, tmp_path, celery_worker):
    program_with_criteria(tenant)
    for name, email in (("Harbor Networks", "pat@harbor.test"), ("Lakeside IT", "lee@lakeside.test")):
        PartnerUserFactory(account__tenant=tenant, account__name=name, user__email=email)
    manager = member(tenant, "Partner Program Tiers Access", user__email="partners@acme-test.test")
    header = "program,account,primary_partner_user,tier,enrollment_date,expiration_date\n"
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text(header + "Global Partner Program,Harbor Networks,lee@lakeside.test,,2026-01-01,2026-12-31\n")
    good.write_text(
        header
        + "Global Partner Program,Harbor Networks,pat@harbor.test,,2026-01-01,2026-12-31\n"
        + "Global Partner Program,Lakeside IT,lee@lakeside.test,Build,2026-01-01,2026-12-31\n"
    )

    log_in(page, live_server, manager.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partner Program Tiers").click()
    page.get_by_role("navigation", name="Partner Program Tiers").get_by_role("link", name="Enrollments").click()
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("File").set_input_files(str(bad))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-preview")).to_contain_text("lee@lakeside.test is not a user of Harbor Networks")
    expect(page.locator("#confirm-import")).to_have_count(0)
    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("File").set_input_files(str(good))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".job-result")).to_contain_text("Ready: 2 new")
    page.get_by_role("button", name="Import 2 rows").click()
    # The import runs as a background job: its result shows where the bar was.
    expect(page.locator(".job-result")).to_contain_text("Imported enrollments: 2 new", timeout=30_000)
    page.get_by_role("link", name="See the imported rows").click()
    expect(page.locator("#row-count")).to_have_text("2 rows")
    expect(page.locator("#table-container")).to_contain_text(re.compile(r"\d+% to Scale"))
