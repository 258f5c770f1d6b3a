"""The main list pages at demo scale, one user at a time: the server's own time per page.

The issue's target is under 10 ms of server time per page at demo scale, measured single-user
(``make loadtest`` measures the same pages under 50 users, through gunicorn). Here the pages are
requested through Django's test client inside the bench process, so the figure is the request
cycle alone (middleware, session, the view's queries, the template), without network or a
process in front. Each page is the median of 30 requests after one warm-up: the shared
machine's noise makes single requests swing by tens of percent.

Each page twice: rendered (no region kept, as every other bench measures pages) and kept (its
regions kept per workspace data version, common.regions, as a page is served once it was seen
and nothing in the workspace changed since)."""

import io
import statistics

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from bench.harness import Result, benchmark, measure
from bench.loadtest import LOGIN, pages

REQUESTS = 30
TARGET_SECONDS = 0.010


@benchmark("pages")
def demo_pages(scale):
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())  # demo size: the scale does not apply
    # As deployed (config/settings/production.py, CONN_MAX_AGE): each worker keeps its database
    # connection between requests. With the development default (0) the test client's
    # request_finished closed it, and every request measured a new connection and its setup.
    kept = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        return _pages()
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = kept


def _pages():
    client = Client()
    client.force_login(get_user_model().objects.get(email=LOGIN))
    results = []
    for name, path in pages():
        for how, keep in (("rendered", False), ("kept", True)):
            with override_settings(PORTAL_KEEP_REGIONS=keep):
                results.append(_page(client, f"pages (demo, one user): {name}, {how}", path))
    return results


def _page(client, operation: str, path: str) -> Result:
    response = client.get(path)  # warm up
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(REQUESTS):
        with measure() as request:
            response = client.get(path)
        assert response.status_code == 200
        times.append(request.seconds)
    rows = response.content.count(b"<tr ")  # the table's rows (the header row is a bare <tr>)
    median = statistics.median(times)
    target = f"< 10 ms server time: {'met' if median < TARGET_SECONDS else 'MISSED'}"
    return Result(operation, rows, median, request.queries, target=target)
