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


def _plans_page(page, live_server, tenant):
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test")
    PlanFactory(tenant=tenant, name="FY26 SDR Plan")
    PlanFactory(tenant=tenant, name="FY26 Enterprise Commission Plan")
    log_in(page, live_server, admin.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/plans/")
    htmx_ready(page)
    asked = []  # the searches the list asked the server for, in order
    page.on("request", lambda r: r.headers.get("hx-request") and "q=" in r.url and asked.append(_q(r.url)))
    return asked


def _q(url: str) -> str:
    return next(p for p in url.split("?", 1)[1].split("&") if p.startswith("q="))


def test_a_typed_search_is_asked_for_once_and_the_next_click_lands(page, live_server, tenant):
    """Typing a search sends it once the typing pauses. Leaving the box (its change event) or
    pressing Enter must not ask for the same list again: that late swap replaced the Export link
    between a click's press and release, and no file came."""
    asked = _plans_page(page, live_server, tenant)
    search = page.get_by_placeholder("Search…")
    search.press_sequentially("enterprise")
    expect(page.locator("#row-count")).to_have_text("1 row")
    with page.expect_download() as info:  # straight away: the click takes the focus from the box
        page.get_by_role("link", name="Export CSV").click()
    assert b"Enterprise" in info.value.path().read_bytes() and b"SDR" not in info.value.path().read_bytes()
    search.press("Enter")
    htmx_settled(page)
    assert asked == ["q=enterprise"]

    search.fill("sdr")
    page.get_by_role("button", name="Filter").click()  # a new value: asked for once
    expect(page.locator("#table-container")).to_contain_text("FY26 SDR Plan")
    assert asked == ["q=enterprise", "q=sdr"]


def test_a_search_typed_while_another_is_on_its_way_is_still_sent(page, live_server, tenant):
    """htmx queues a request made while the form's last one is in flight: the queued one must go
    once the first comes back, not be taken for a repeat."""
    asked = _plans_page(page, live_server, tenant)
    held = []
    page.route("**/plans/?q=sdr*", lambda route: held.append(route))
    # Every search the form tries to send (htmx:confirm comes before htmx queues a request).
    page.evaluate(
        "() => { window.tried = []; document.addEventListener('htmx:confirm', "
        "e => window.tried.push(new FormData(e.detail.elt).get('q'))); }"
    )
    search = page.get_by_placeholder("Search…")
    search.press_sequentially("sdr")
    page.wait_for_function("() => document.querySelector('form.filters.htmx-request') !== null")
    search.fill("")
    search.press_sequentially("enterprise")
    # The typing paused: the search is queued behind the held request, not yet sent.
    page.wait_for_function("() => window.tried.includes('enterprise')")
    assert len(held) == 1 and asked == ["q=sdr"]
    held[0].continue_()
    expect(page.locator("#row-count")).to_have_text("1 row")
    expect(page.locator("#table-container")).to_contain_text("Enterprise")
    expect(page).to_have_url(re.compile(r"q=enterprise"))
    assert asked == ["q=sdr", "q=enterprise"]


def test_after_a_failed_search_or_back_the_same_search_can_be_asked_again(page, live_server, tenant):
    asked = _plans_page(page, live_server, tenant)
    search = page.get_by_placeholder("Search…")
    search.press_sequentially("sdr")
    expect(page.locator("#row-count")).to_have_text("1 row")
    failing = "**/plans/?q=enterprise*"
    page.route(failing, lambda route: route.fulfill(status=500, body="boom"))
    search.fill("enterprise")
    search.press("Enter")
    htmx_settled(page)
    expect(page.locator("#table-container")).to_contain_text("SDR")  # the failed list is not shown
    page.unroute(failing)
    search.press("Enter")  # the same search again: the list on screen is still the SDR one
    expect(page.locator("#table-container")).to_contain_text("Enterprise")
    assert asked == ["q=sdr", "q=enterprise", "q=enterprise"]

    page.go_back()  # the SDR list and its address again
    expect(page).to_have_url(re.compile(r"q=sdr"))
    htmx_settled(page)
    search = page.get_by_placeholder("Search…")
    search.fill("enterprise")
    search.press("Enter")
    expect(page.locator("#table-container")).to_contain_text("Enterprise")
    expect(page).to_have_url(re.compile(r"q=enterprise"))


def test_filter_pressed_on_a_fresh_list_asks_for_nothing_until_a_filter_changes(page, live_server, tenant):
    """The page was drawn for its address with its form's defaults (the Active select says
    "Unknown", which the address leaves out): Filter with nothing changed would fetch the same
    list."""
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test")
    member(tenant, "Sales Rep", user__email="gone@acme-test.test", is_active=False)
    log_in(page, live_server, admin.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/settings/members/")
    expect(page.locator("#row-count")).to_have_text("2 rows")
    htmx_ready(page)
    sent = []
    page.on("request", lambda r: r.headers.get("hx-request") and "/members/?" in r.url and sent.append(r.url))
    page.get_by_role("button", name="Filter").click()
    htmx_settled(page)
    assert sent == []
    page.get_by_label("Active").select_option(label="No")
    expect(page.locator("#row-count")).to_have_text("1 row")
    assert len(sent) == 1
