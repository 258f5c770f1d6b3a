"""A list page kept (common.regions) shows another member's change on the next visit: two admins
in two browsers, one renames a plan, the other's All Plans page shows the new name at once."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import member
from tests.plans.factories import PlanFactory

from .test_platform_e2e import htmx_ready, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_kept_list_shows_another_members_change_at_once(page, browser, live_server, tenant):
    ada = member(tenant, "Administrator", user__email="ada@acme-test.test", user__full_name="Ada Admin")
    bob = member(tenant, "Administrator", user__email="bob@acme-test.test", user__full_name="Bob Admin")
    PlanFactory(tenant=tenant, name="FY26 SDR Plan")

    log_in(page, live_server, ada.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="All Plans").click()
    table = page.locator("table.table tbody")
    expect(table).to_contain_text("FY26 SDR Plan")
    htmx_ready(page)
    page.get_by_placeholder("Search…").press_sequentially("SDR")  # the table's htmx swap, kept
    expect(page).to_have_url(re.compile(r"\?q=SDR&"))
    page.reload()  # the page of that search, kept
    page.reload()  # ... and served from what was kept
    expect(table).to_contain_text("FY26 SDR Plan")

    other = browser.new_context()
    try:
        bobs = other.new_page()
        log_in(bobs, live_server, bob.user.email)
        bobs.get_by_role("navigation", name="Main").get_by_role("link", name="All Plans").click()
        bobs.get_by_role("link", name="FY26 SDR Plan").click()
        bobs.get_by_role("link", name="Edit", exact=True).click()
        bobs.get_by_label("Name").fill("FY26 SDR Plan (revised)")
        bobs.get_by_role("button", name="Save").click()
        expect(bobs.locator(".messages")).to_contain_text("Saved")
    finally:
        other.close()

    page.reload()
    expect(table).to_contain_text("FY26 SDR Plan (revised)")
    page.get_by_role("link", name="Reset").click()
    expect(table).to_contain_text("FY26 SDR Plan (revised)")
    htmx_ready(page)
    page.get_by_placeholder("Search…").press_sequentially("SDR")  # the swap kept before the change
    expect(page).to_have_url(re.compile(r"\?q=SDR&"))
    expect(table).to_contain_text("FY26 SDR Plan (revised)")
