"""The browser sweep: every demo login follows the links a person can follow from the home page
(breadth first, one page per kind of page, never a destructive button) and every page must
answer without an error, log no JavaScript error, show no template syntax, keep each submit
button inside its form, meet WCAG 2.x AA with and without its dialogs open and fit a phone and a
200% zoom (tests/e2e/a11y.py), and have export links that download exactly the rows the list
shows, as loaded and again after a search. One walk does all of it: each page is loaded once.

Export links once read ``??export=csv``, which dropped every filter: server-side tests that
built ``?export=csv`` by hand could not see it."""

import csv
import io
import re
from collections import Counter

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tenancy.demo import DEMO_LOGINS

from .a11y import DESKTOP, IMPACTS, check_dialogs, check_narrow, violations
from .crawl import crawl, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Kinds of page (URL names) each login reaches today by following links (issue 16: a course's
# Versions and the version editor, and Settings > Notices, for administrators; My courses only
# for members enrolled in a course, so not for the demo client admin): the sweep fails when
# a login reaches fewer, so a broken menu or a lost link does not shrink the sweep unnoticed.
MIN_PAGES = {
    "admin@acme.test": 106,
    "partners@acme.test": 53,
    "clientadmin@acme.test": 3,
    "manager@acme.test": 6,
    "learner@acme.test": 5,
    "partner@acme.test": 3,
    "rep@acme.test": 5,
    "admin@globex.test": 93,
}
MIN_EXPORTS = {"admin@acme.test": 88, "partners@acme.test": 40, "clientadmin@acme.test": 4, "admin@globex.test": 88}

TEMPLATE_SYNTAX = ("{#", "#}", "{%", "%}", "{{", "}}")


def download_rows(page, link) -> list[list[str]]:
    # Playwright's default 30 s: on two busy cores the browser tests share with two live
    # servers, 10 s once ran out for a small CSV (the server had answered nothing worse than
    # slowly); a link that never downloads still fails, 30 s later.
    with page.expect_download(timeout=30_000) as info:
        link.click()
    body = info.value.path().read_bytes()
    if info.value.suggested_filename.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return rows[1:]  # the header


def shown_count(page) -> int | None:
    counter = page.locator("#row-count")
    if counter.count() != 1:
        return None
    match = re.match(r"(\d+)", counter.inner_text().replace(",", ""))
    return int(match.group(1)) if match else None


def first_row_text(page) -> str:
    rows = page.locator("#table-container table tbody tr")
    return rows.first.inner_text() if rows.count() else ""


def check_exports(page, url, problems) -> int:
    """Each export link against the list it sits under; then once more after a search."""
    checked = 0
    for searched in (False, True):
        if searched:
            box = page.locator("form.filters input[type=search]")
            words = re.findall(r"[A-Za-z]{4,}", first_row_text(page))
            if box.count() != 1 or not words:
                break
            page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")
            # Typed as a person types: htmx sends the search once the typing pauses, and pushes it
            # to the address bar after the swap, so the list is final once the URL carries it.
            box.press_sequentially(words[0])
            try:
                expect(page).to_have_url(re.compile(rf"[?&]q={words[0]}(&|$)"))
            except AssertionError:
                problems.append(f"{url}: searching for {words[0]!r} changed nothing")
                break
            # Clicking an export link leaves the box: its change event must ask for nothing new
            # (a late swap would replace the link mid-click, and no file would come).
        links = page.locator("a[href*='export=']")
        expected = shown_count(page)
        first = first_row_text(page)
        for i in range(links.count()):
            link = links.nth(i)
            label = link.inner_text().strip()
            where = f"{url} {label}{' after a search' if searched else ''}"
            try:
                rows = download_rows(page, link)
            except PlaywrightError as exc:
                problems.append(f"{where}: no file downloaded ({link.get_attribute('href')}): {exc.message[:120]}")
                continue
            checked += 1
            if expected is not None and len(rows) != expected:
                problems.append(f"{where}: {len(rows)} rows in the file, {expected} on the page")
            if rows and expected:
                cell = next((c for c in rows[0] if c and not re.fullmatch(r"[\d.,: /APM-]+", c)), "")
                if cell and cell not in first:
                    problems.append(f"{where}: first row {cell!r} is not the list's first row {first[:80]!r}")
    return checked


def check_page(page, url, problems):
    text = page.locator("body").inner_text()
    for token in TEMPLATE_SYNTAX:
        if token in text:
            problems.append(f"{url}: template syntax {token!r} shows on the page")
    orphans = page.evaluate(
        """() => [...document.querySelectorAll("button[type=submit], input[type=submit]")]
                 .filter(b => !b.form).map(b => b.outerHTML.slice(0, 80))"""
    )
    problems.extend(f"{url}: submit button outside any form: {html}" for html in orphans)
    empty_forms = page.evaluate(
        """() => [...document.querySelectorAll("form")]
                 .filter(f => !f.querySelector("button:not([type=button]), input[type=submit]"))
                 .filter(f => !f.hasAttribute("hx-trigger"))
                 .map(f => f.getAttribute("action") || f.getAttribute("hx-get") || "(this page)")"""
    )
    problems.extend(f"{url}: a form with no submit button ({action})" for action in empty_forms)


class Walk:
    """What one login's walk found."""

    def __init__(self):
        self.visited: list[str] = []
        self.exports = 0
        self.dialogs = 0
        self.impacts: Counter = Counter()
        self.problems: list[str] = []


def sweep(page, base, email, axe) -> Walk:
    walk, bad_responses, opened = Walk(), [], set()
    problems = walk.problems
    page.on(
        "response", lambda r: r.status >= 400 and r.url.startswith(base) and bad_responses.append(f"{r.status} {r.url}")
    )
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error on {page.url}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"JavaScript error on {page.url}: {e}"))
    log_in(page, base, email)
    for url, kind in crawl(page, base, problems):
        walk.visited.append(kind)
        check_page(page, url, problems)
        # Accessibility on the page as loaded, before the export check searches it.
        violations(axe, page, url, walk.impacts, problems)
        check_narrow(page, url, problems)
        walk.dialogs += check_dialogs(axe, page, url, opened, walk.impacts, problems)
        if page.locator("a[href*='export=']").count():
            walk.exports += check_exports(page, url, problems)
    problems.extend(bad_responses)
    return walk


# The logins are walked in four tests, so that `pytest -n 2` spreads them over its workers (the
# slow tests start first, tests/conftest.py): the acme and globex administrators and the acme
# partner manager alone (about a hundred, ninety and fifty kinds of page), the other logins
# together (twenty-odd). Each test seeds the demo again (a couple of seconds).
ALONE = {"acme-admin": "admin@acme.test", "globex-admin": "admin@globex.test", "acme-partners": "partners@acme.test"}
GROUPS = {name: (email,) for name, email in ALONE.items()} | {
    "the-others": tuple(email for _, email, _, _ in DEMO_LOGINS if email not in ALONE.values())
}
ORDER = [email for _, email, _, _ in DEMO_LOGINS]


@pytest.mark.parametrize("emails", list(GROUPS.values()), ids=list(GROUPS))
def test_every_demo_login_clicks_through_every_page_it_can_reach(browser, live_server, record_property, emails):
    call_command("seed_demo", verbosity=0)
    axe = Axe()
    report, failures = [], []
    for email in emails:
        context = browser.new_context(accept_downloads=True, viewport=DESKTOP)
        walk = sweep(context.new_page(), live_server.url, email, axe)
        context.close()
        impacts = "  ".join(f"{impact} {walk.impacts[impact]}" for impact in IMPACTS)
        report.append(
            (
                ORDER.index(email),
                f"{email:24} {len(walk.visited):3} pages {walk.dialogs:3} dialogs {walk.exports:3} exports  {impacts}",
            )
        )
        if len(walk.visited) < MIN_PAGES[email]:
            failures.append(f"{email} reached {len(walk.visited)} kinds of page, fewer than {MIN_PAGES[email]}")
        if walk.exports < MIN_EXPORTS.get(email, 0):
            failures.append(f"{email} checked {walk.exports} export links, fewer than {MIN_EXPORTS[email]}")
        failures.extend(f"{email}: {p}" for p in walk.problems)
    # Printed at the end of the run, one line per login (tests/conftest.py): a worker of
    # `pytest -n` has no terminal of its own.
    record_property("summary", ("Browser sweep (axe-core WCAG 2.x A/AA: elements failing by impact)", report))
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
