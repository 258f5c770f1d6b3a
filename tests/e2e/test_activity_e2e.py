"""Browser test of the activity log's Actor filter: the box suggests members as one types
(fetched on demand, not rendered with every page), namesakes told apart by email, and the email
chosen filters the list."""

import pytest
from playwright.sync_api import expect

from activity.services import record
from tests.e2e.test_platform_e2e import htmx_ready, log_in
from tests.factories import member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_filters_the_activity_log_by_an_actor_suggested_as_they_type(page, live_server, tenant):
    admin = member(tenant, "Administrator", user__email="ada@acme-test.test", user__full_name="Ada Admin")
    first = member(tenant, "Sales Rep", user__full_name="Sam Lee", user__email="sam.lee@acme-test.test")
    second = member(tenant, "Sales Rep", user__full_name="Sam Lee", user__email="sam.lee2@acme-test.test")
    for i in range(30):
        # Names of their own: a random one ("Samantha …") would match the "sam" typed below.
        member(tenant, "Sales Rep", user__email=f"rep{i}@acme-test.test", user__full_name=f"Rep Number {i}")
    record(tenant=tenant, actor=first.user, action="update", target="Plan", label="by the first Sam")
    record(tenant=tenant, actor=second.user, action="update", target="Plan", label="by the second Sam")

    log_in(page, live_server, admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    htmx_ready(page)
    options = page.locator("#id_actor-options option")
    expect(options).to_have_count(0)  # nothing rendered with the page

    actor = page.get_by_label("Actor")
    actor.press_sequentially("sam")
    expect(options).to_have_count(2)
    expect(options.and_(page.locator("[value='sam.lee@acme-test.test']"))).to_have_text("Sam Lee")
    expect(options.and_(page.locator("[value='sam.lee2@acme-test.test']"))).to_have_text("Sam Lee")

    actor.fill("sam.lee2@acme-test.test")
    actor.press("Tab")  # the change submits the filters
    expect(page.locator("#row-count")).to_have_text("1 row")
    expect(page.locator("table.table tbody")).to_contain_text("by the second Sam")
    expect(page.locator("table.table tbody")).not_to_contain_text("by the first Sam")
