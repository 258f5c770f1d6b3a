"""Browser test of the platform: log in as the admin, land in the workspace, open Activity, filter."""

import re

import pytest
from playwright.sync_api import expect

from activity.services import record
from tests.factories import PASSWORD, member
from tests.plans.factories import PlanFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def htmx_ready(page):
    """Wait until htmx has bound the page: a change made earlier (a filter picked right after the
    page appeared) would send no request."""
    page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")


def htmx_settled(page):
    """Wait until htmx has finished a swap (a dialog just drawn into #modal): its new elements
    listen only once htmx has processed and settled them."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def test_admin_logs_in_and_filters_activity(page, live_server, tenant, screenshot_dir):
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test", user__full_name="Ada Admin")
    for i in range(3):
        record(tenant=tenant, actor=admin.user, action="update", target="Plan", label=f"Plan {i}")
    record(tenant=tenant, actor=None, action="delete", target="Calculation", label="Q3 run")

    log_in(page, live_server, admin.user.email)
    expect(page).to_have_url(re.compile(rf"/w/{tenant.slug}/$"))
    expect(page.locator(".workspace-name")).to_contain_text(tenant.name)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity log").click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    expect(page.locator("#row-count")).to_have_text("4 rows")

    htmx_ready(page)
    page.get_by_label("Action").select_option("delete")  # htmx swaps the table in place
    expect(page.locator("#row-count")).to_have_text("1 row")
    expect(page.locator("table.table tbody")).to_contain_text("Q3 run")
    expect(page).to_have_url(re.compile(r"action=delete"))
    page.screenshot(path=str(screenshot_dir / "activity-filtered.png"), full_page=True)


def test_a_search_typed_before_htmx_bound_the_page_still_filters(page, live_server, tenant):
    """A fast typist (or the browser restoring the form on Back) fills the search before the
    deferred scripts run: the list must not stay unfiltered under a filled-in search box."""
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test")
    PlanFactory(tenant=tenant, name="FY26 SDR Plan")
    PlanFactory(tenant=tenant, name="FY26 Enterprise Commission Plan")
    log_in(page, live_server, admin.user.email)
    expect(page).to_have_url(re.compile(rf"/w/{tenant.slug}/$"))

    held = []
    page.route("**/htmx.min.js", lambda route: held.append(route))  # hold htmx until we have typed
    page.goto(f"{live_server.url}/w/{tenant.slug}/plans/", wait_until="commit")
    page.get_by_placeholder("Search…").fill("enterprise")
    expect(page.locator("#row-count")).to_have_text("2 rows")
    assert len(held) == 1  # the page was parsed while htmx was held: nothing could listen yet
    held[0].continue_()
    expect(page.locator("#row-count")).to_have_text("1 row")
    expect(page).to_have_url(re.compile(r"q=enterprise"))


def test_a_typed_search_is_asked_for_once_and_the_next_click_lands(page, live_server, tenant):
    """Typing a search sends it once the typing pauses. Leaving the box (its change event) or
    pressing Enter must not ask for the same list again: that late swap replaced the Export link
    between a click's press and release, and no file came. A new value is asked for."""
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test")
    PlanFactory(tenant=tenant, name="FY26 SDR Plan")
    PlanFactory(tenant=tenant, name="FY26 Enterprise Commission Plan")
    log_in(page, live_server, admin.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/plans/")
    htmx_ready(page)
    asked = []
    page.on("request", lambda r: r.headers.get("hx-request") and "q=" in r.url and asked.append(r.url))

    search = page.get_by_placeholder("Search…")
    search.press_sequentially("enterprise")
    expect(page.locator("#row-count")).to_have_text("1 row")
    htmx_settled(page)
    search.press("Enter")
    search.blur()
    htmx_settled(page)
    assert [u.split("?")[1].split("&")[0] for u in asked] == ["q=enterprise"]

    with page.expect_download() as info:  # straight after the search, as a person clicks
        page.get_by_role("link", name="Export CSV").click()
    assert b"Enterprise" in info.value.path().read_bytes()

    search.fill("sdr")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#table-container")).to_contain_text("FY26 SDR Plan")
    assert [u.split("?")[1].split("&")[0] for u in asked] == ["q=enterprise", "q=sdr"]
