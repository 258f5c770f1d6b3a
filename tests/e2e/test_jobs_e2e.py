"""A person imports a CSV of opportunities: the page answers at once with a progress bar, the bar
moves while a Celery worker checks the rows, reaches 100% and shows the preview; Confirm starts
the import, whose bar reaches 100% and shows the result. The worker is a real one (a thread of
this process) on the in-memory broker, as `make run` runs one on its filesystem broker."""

import re
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from courses.models import SalesOrder
from jobs.progress import Progress
from partners.models import Opportunity
from tests.conftest import is_postgres
from tests.factories import member
from tests.partners.factories import PartnerAccountFactory

from .a11y import WCAG_AA
from .test_platform_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# About 3.3 MB, the size whose confirmation used to fail with 400 RequestDataTooBig.
ROWS = 40_000


def _csv(tmp_path):
    lines = ["account,owner,name,amount,currency,stage,close_date"]
    lines += [f"Northwind,,Deal {i},{1000 + i},USD,Closed Won,2026-03-01" for i in range(ROWS)]
    path = tmp_path / "opportunities.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


class Midway:
    """Holds the worker at its first report between 0 and 100% until the page has shown that
    figure, then lets it go on: the bar is seen moving however fast the machine checks the rows,
    without sleeping. The worker is a thread of this process, so it runs the patched method."""

    def __init__(self, monkeypatch):
        self._armed = False
        self._reached = threading.Event()
        self._release = threading.Event()
        written = Progress._write

        def _write(progress):
            written(progress)
            if self._armed and progress.total and 0 < progress.done < progress.total:
                self._armed = False
                self._reached.set()
                self._release.wait(timeout=120)

        monkeypatch.setattr(Progress, "_write", _write)

    def arm(self):
        self._reached.clear()
        self._release.clear()
        self._armed = True

    def release(self):
        self._armed = False
        self._release.set()

    def held(self) -> bool:
        return self._reached.wait(timeout=60)


@pytest.fixture
def midway(monkeypatch):
    gate = Midway(monkeypatch)
    yield gate
    gate.release()  # never leave the worker waiting on a failed test


def _watch_the_bar(page, done_text, *, midway=None, screenshot=None):
    bar = page.get_by_role("progressbar")
    expect(bar).to_be_visible()
    if midway:  # between 0 and 100: the bar moves while the worker runs (htmx polls it every second)
        assert midway.held(), "the worker never reported a figure between 0 and 100%"
        expect(bar).to_have_attribute("aria-valuenow", re.compile(r"^[1-9]\d?$"), timeout=30_000)
        if screenshot:
            page.screenshot(path=str(screenshot))
        midway.release()
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=120_000)
    expect(page.locator(".job-result")).to_contain_text(done_text, timeout=10_000)


def test_import_with_a_live_progress_bar(page, live_server, tenant, celery_worker, tmp_path, screenshot_dir, midway):
    PartnerAccountFactory(tenant=tenant, name="Northwind")
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test", user__full_name="Ada Admin")
    log_in(page, live_server, admin.user.email)
    page.goto(f"{live_server.url}/w/{tenant.slug}/partners/opportunities/import/")
    page.get_by_label("File").set_input_files(str(_csv(tmp_path)))
    midway.arm()
    page.get_by_role("button", name="Preview").click()

    expect(page).to_have_url(re.compile(r"\?job=\d+$"))
    _watch_the_bar(page, f"Ready: {ROWS} new", midway=midway, screenshot=screenshot_dir / "jobs-import-running.png")
    page.screenshot(path=str(screenshot_dir / "jobs-import-preview.png"), full_page=True)
    page.reload()  # the job is in the URL: a reload finds the finished preview again
    expect(page.locator(".job-result")).to_contain_text(f"Ready: {ROWS} new")
    assert not Opportunity.objects.exists()

    # The import writes every row in one transaction. PostgreSQL shows its progress through a
    # second connection; SQLite has one writer at a time, so there the bar moves at the commit.
    if is_postgres():
        midway.arm()
    page.get_by_role("button", name=f"Import {ROWS} rows").click()
    expect(page.locator(".job-status")).to_contain_text("Importing (all rows or none)", timeout=30_000)
    _watch_the_bar(
        page, f"Imported opportunities: {ROWS} new, 0 updated, 0 unchanged.", midway=midway if is_postgres() else None
    )
    assert Opportunity.objects.filter(tenant=tenant).count() == ROWS
    page.get_by_role("link", name="See the imported rows").click()
    expect(page.locator("#row-count")).to_have_text(f"{ROWS} rows")

    page.goto(f"{live_server.url}/w/{tenant.slug}/settings/jobs/")
    expect(page.locator("table")).to_contain_text("Import opportunities: preview")
    expect(page.locator("table")).to_contain_text(f"Imported opportunities: {ROWS} new")


def _no_wcag_violations(page):
    # Checked on the page as drawn: with its stylesheet not yet applied, links are their bare
    # text and axe finds their targets too small (CI failed so once, right after a click).
    page.wait_for_load_state("load")
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    assert not found, [(v["id"], [n["html"][:120] for n in v["nodes"][:3]]) for v in found]


def test_sales_order_import_runs_as_jobs(page, live_server, tenant, celery_worker, tmp_path, screenshot_dir):
    admin = member(tenant, "Administrator", user__email="admin@acme-test.test", user__full_name="Ada Admin")
    log_in(page, live_server, admin.user.email)
    path = tmp_path / "orders.csv"
    path.write_text("tran_id,customer,end_date\n" + "".join(f"SO-{i},Acme,2027-01-31\n" for i in range(300)))
    page.goto(f"{live_server.url}/w/{tenant.slug}/learning/sales-orders/")
    page.get_by_role("link", name="Import CSV").click()
    expect(page).to_have_url(re.compile(r"/sales-orders/import/$"))  # the import page, not the list
    _no_wcag_violations(page)
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()
    expect(page).to_have_url(re.compile(r"\?job=\d+$"))
    _watch_the_bar(page, "Ready: 300 new")
    page.get_by_role("button", name="Import 300 rows").click()
    _watch_the_bar(page, "Imported sales orders: 300 new, 0 updated, 0 unchanged.")
    page.screenshot(path=str(screenshot_dir / "jobs-sales-order-import.png"), full_page=True)
    _no_wcag_violations(page)
    assert SalesOrder.objects.filter(tenant=tenant).count() == 300
    page.get_by_role("link", name="See the imported rows").click()
    expect(page.locator("#row-count")).to_have_text("300 rows")
