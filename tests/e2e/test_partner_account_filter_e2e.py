"""Browser test of the partner data lists' Account filter: the box suggests the workspace's
accounts as one types (fetched on demand, none rendered with the page: a program can hold
thousands), and the name chosen filters the list."""

import pytest
from playwright.sync_api import expect

from tests.factories import member
from tests.partners.factories import OpportunityFactory, PartnerAccountFactory

from .suggestions import choose_suggested
from .test_platform_e2e import htmx_ready, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_filters_opportunities_by_an_account_suggested_as_they_type(page, live_server, tenant):
    harbor = PartnerAccountFactory(tenant=tenant, name="Harbor Systems", region="EMEA")
    summit = PartnerAccountFactory(tenant=tenant, name="Summit Partners", region="APAC")
    OpportunityFactory(account=harbor, name="Harbor renewal")
    OpportunityFactory(account=summit, name="Summit expansion")
    for i in range(30):
        PartnerAccountFactory(tenant=tenant, name=f"Reseller {i}")
    manager = member(tenant, "Partner Program Tiers Access", user__email="partners@acme-test.test")

    log_in(page, live_server, manager.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partner Program Tiers").click()
    page.get_by_role("navigation", name="Partner Program Tiers").get_by_role("link", name="Opportunities").click()
    htmx_ready(page)
    expect(page.locator("#row-count")).to_contain_text("2 rows")
    choose_suggested(page, label="Account", typed="harb", value="Harbor Systems", shown="Harbor Systems, EMEA", count=1)
    expect(page.locator("#row-count")).to_contain_text("1 row")
    body = page.locator("table.table tbody")
    expect(body).to_contain_text("Harbor renewal")
    expect(body).not_to_contain_text("Summit expansion")
