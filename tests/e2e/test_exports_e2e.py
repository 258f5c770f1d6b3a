"""Export buttons, clicked as a person clicks them: the file holds exactly the rows the filtered
list shows. (The link once read ``??export=csv``, which drops the search: a server-side test
that builds ``?export=csv`` by hand could not see it.)"""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.balances.factories import RecoverableRewardFactory
from tests.e2e.test_platform_e2e import htmx_ready, log_in
from tests.factories import member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def download(page, label: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=label).click()
    file = info.value
    return file.suggested_filename, file.path().read_bytes()


def test_all_users_exports_exactly_the_searched_rows(page, live_server, tenant):
    admin = member(tenant, "Administrator", user__email="ada@acme-test.test")
    for i in range(4):
        rep = member(tenant, "Sales Rep", user__email=f"rep{i}@acme-test.test", user__full_name=f"Rep Number{i}")
        RecoverableRewardFactory(member=rep, amount=Decimal("100.00"))
    member(tenant, "Sales Rep", user__email="rhea@acme-test.test", user__full_name="Rhea Lee")

    log_in(page, live_server, admin.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="All Users").click()
    expect(page.locator("#row-count")).to_have_text("6 rows")
    name, body = download(page, "Export CSV")
    assert name.endswith(".csv") and len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) == 1 + 6

    htmx_ready(page)
    search = page.get_by_placeholder("Search…")
    search.press_sequentially("rhea")  # one live-search request once the typing pauses
    expect(page.locator("#row-count")).to_have_text("1 row")
    name, body = download(page, "Export CSV")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 2 and "rhea@acme-test.test" in rows[1]

    name, body = download(page, "Export XLSX")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert name.endswith(".xlsx") and len(values) == 2 and "rhea@acme-test.test" in values[1]
