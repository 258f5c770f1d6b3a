"""Following every link a demo login can follow, breadth first, one page per kind of page (URL
name), never a destructive button: the browser sweep (test_sweep_e2e.py) walks the portal with
it, checking each page once for errors, accessibility and exports."""

import re
from collections import deque
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from tenancy.demo import DEMO_PASSWORD

SKIP_PATH = re.compile(r"^/(static|media|admin)/|/odata/|^/accounts/(logout|password)")


def log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/w/[\w-]+/"))


def kind_of(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def crawl(page, base, problems: list[str]) -> Iterator[tuple[str, str]]:
    """Yield (url, kind) for each kind of page reachable from the page the browser is on, once it
    has loaded; the links are read when the caller is done with the page, so what it did there
    (a search) counts. A page that answers an error goes to `problems` instead."""
    queue, seen_kinds = deque([page.url]), set()
    while queue:
        url = queue.popleft()
        path = urlparse(url).path
        kind = kind_of(path)
        if kind is None or kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        response = page.goto(url)
        if response is None or response.status >= 400:
            problems.append(f"{url}: answered {response.status if response else 'nothing'}")
            continue
        # The page has loaded (goto waits for it); htmx binds at once (no panel loads lazily).
        # Waiting for the network to idle instead cost half a second a page.
        page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")
        yield url, kind
        for href in page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.href)"):
            target = urlparse(href)
            if href.startswith(base) and not SKIP_PATH.search(target.path) and "export" not in parse_qs(target.query):
                queue.append(f"{base}{target.path}")
