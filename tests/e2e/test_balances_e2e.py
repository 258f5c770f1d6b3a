"""Browser test of Clear: the admin opens Users > All Users, searches a rep, opens the Overview,
clicks Clear under Balance, confirms the dialog (which states amount and count), and sees the
balance at 0 and the message saying what changed."""

import csv
import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.balances.factories import RecoverableRewardFactory
from tests.e2e.test_platform_e2e import htmx_ready, log_in
from tests.factories import member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_clears_a_reps_balance(page, live_server, tenant, screenshot_dir):
    admin = member(tenant, "Administrator", user__email="ada@acme-test.test", user__full_name="Ada Admin")
    rep = member(tenant, "Sales Rep", user__email="riley@acme-test.test", user__full_name="Riley Rep")
    for i in range(4):
        other = member(tenant, "Sales Rep", user__email=f"rep{i}@acme-test.test")
        RecoverableRewardFactory(member=other, amount=Decimal("100.00") * (i + 1))
    RecoverableRewardFactory(member=rep, amount=Decimal("2000.00"), reason="Recoverable draw — June 2026")
    RecoverableRewardFactory(member=rep, amount=Decimal("-750.00"), reason="Repaid from Q3 commissions")
    RecoverableRewardFactory(member=rep, amount=Decimal("300.00"), currency="EUR", reason="Relocation advance")

    log_in(page, live_server, admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="All Users").click()
    expect(page.get_by_role("heading", name="All Users")).to_be_visible()
    expect(page.locator("#row-count")).to_have_text("6 rows")

    htmx_ready(page)
    search = page.get_by_placeholder("Search…")
    # Typed as a person types: the live search sends one request once the typing pauses and
    # htmx swaps the table in place. (fill() and Enter sent two, the form's submit and, 400 ms
    # later, the keyup's: the second swap could replace the row under the next click.)
    search.press_sequentially("riley")
    expect(page.locator("#row-count")).to_have_text("1 row")
    # The next click leaves the box: its change event asks for nothing new (portal.js), so no late
    # swap replaces the row's link under the click.
    row = page.locator("table.table tbody tr").first
    expect(row).to_contain_text("USD 1,250.00")
    expect(row).to_contain_text("EUR 300.00")
    page.screenshot(path=str(screenshot_dir / "balances-all-users.png"), full_page=True)

    page.get_by_role("link", name="riley@acme-test.test").click()
    expect(page.get_by_role("heading", name="Riley Rep")).to_be_visible()
    expect(page.get_by_role("link", name="Overview")).to_have_class(re.compile("active"))
    balance = page.locator("#balance")
    expect(balance).to_contain_text("USD 1,250.00")
    expect(balance).to_contain_text("EUR 300.00")
    page.screenshot(path=str(screenshot_dir / "balances-overview.png"), full_page=True)

    balance.get_by_role("link", name="Clear").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("EUR 300.00, USD 1,250.00 from 3 recoverable rewards")
    page.screenshot(path=str(screenshot_dir / "balances-clear-dialog.png"))
    dialog.get_by_role("button", name="Clear").click()

    expect(page.locator(".message-success")).to_contain_text(
        "Cleared 3 recoverable rewards of Riley Rep (EUR 300.00, USD 1,250.00). The balance is now 0."
    )
    expect(balance).to_contain_text("USD 0.00")
    expect(page.locator("#cleared-rewards")).to_contain_text("Relocation advance")
    expect(page.locator("#recoverable-rewards")).to_contain_text("nothing is owed")
    page.screenshot(path=str(screenshot_dir / "balances-cleared.png"), full_page=True)

    # Undo clear from the Cleared history: the same balance as before the Clear.
    page.locator("#clear-list").get_by_role("link", name="Undo clear").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("3 rewards become recoverable again: EUR 300.00, USD 1,250.00.")
    expect(dialog).to_contain_text("Balance in USD: USD 0.00 now, USD 1,250.00 after")
    page.screenshot(path=str(screenshot_dir / "balances-undo-clear-dialog.png"))
    dialog.get_by_role("button", name="Undo clear").click()

    expect(page.locator(".message-success")).to_contain_text("3 rewards owed again (EUR 300.00, USD 1,250.00).")
    expect(balance).to_contain_text("USD 1,250.00")
    expect(balance).to_contain_text("EUR 300.00")
    expect(page.locator("#recoverable-rewards")).to_contain_text("Relocation advance")
    expect(page.locator("#clear-list")).to_contain_text("Undone")


def test_all_users_sorted_by_owed_balance_lists_everyone_and_exports_that_order(page, live_server, tenant):
    """Clicking Owed USD sorts by the balance (summed for every user in one pass): those owing
    most first on the second click, members owing nothing still listed, and Export CSV holds the
    rows in the order on screen."""
    admin = member(tenant, "Administrator", user__email="ada@acme-test.test")
    for i, amount in enumerate(["300.00", "-50.00", "1200.00"]):
        rep = member(tenant, "Sales Rep", user__email=f"rep{i}@acme-test.test")
        RecoverableRewardFactory(member=rep, amount=Decimal(amount))
    member(tenant, "Sales Rep", user__email="zoe@acme-test.test")  # owes nothing

    log_in(page, live_server, admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="All Users").click()
    htmx_ready(page)
    emails = page.locator("#table-container tbody tr td:first-child")
    header = page.get_by_role("link", name="Owed USD")
    header.click()  # ascending
    expect(emails.first).to_have_text("rep1@acme-test.test")
    htmx_ready(page)
    page.get_by_role("link", name="Owed USD").click()  # descending
    expected = ["rep2@acme-test.test", "rep0@acme-test.test", "zoe@acme-test.test", "ada@acme-test.test"]
    expect(emails).to_have_text([*expected, "rep1@acme-test.test"])
    expect(page.locator("#row-count")).to_have_text("5 rows")

    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(info.value.path().read_bytes().decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [*expected, "rep1@acme-test.test"]
    assert rows[1][4] == "1200.00" and rows[3][4] == "0.00"
