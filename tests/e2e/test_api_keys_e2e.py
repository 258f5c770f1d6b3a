"""Browser test of Settings > API keys: create a key (shown once), use it on the OData feed,
revoke it through the confirm dialog, and see the feed refuse it."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.test_platform_e2e import log_in
from tests.factories import member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_creates_uses_and_revokes_a_key(page, live_server, tenant, screenshot_dir):
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test", user__full_name="Ada Admin")
    member(tenant, "Sales Rep", user__email="rep@acme-test.test")
    log_in(page, live_server, admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    page.get_by_role("link", name="New API key").click()
    page.get_by_label("Name").fill("Power BI dashboard")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_text("shown only once")).to_be_visible()
    key = page.locator("#api-key").inner_text().strip()
    assert key.startswith("odk_")
    page.screenshot(path=str(screenshot_dir / "api-key-created.png"), full_page=True)

    feed = page.locator("dd code").nth(1).inner_text().strip()
    response = requests.get(
        feed + "Users", params={"$select": "Email"}, headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert response.status_code == 200
    assert {"rep@acme-test.test", "admin@acme-test.test"} <= {row["Email"] for row in response.json()["value"]}

    page.get_by_role("link", name="Done").click()
    expect(page.locator("table.table tbody")).to_contain_text("Power BI dashboard")
    expect(page.locator("table.table tbody")).to_contain_text("Active")
    page.screenshot(path=str(screenshot_dir / "api-keys.png"), full_page=True)
    page.get_by_role("link", name="Revoke").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("will stop working at once")
    dialog.get_by_role("button", name="Revoke").click()
    expect(page.locator("#messages")).to_contain_text("Revoked API key")
    expect(page.locator("table.table tbody")).to_contain_text("Revoked")
    expect(page).to_have_url(re.compile(r"/settings/api-keys/$"))
    assert requests.get(feed, headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code == 401
