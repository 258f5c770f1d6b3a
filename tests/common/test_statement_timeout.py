"""No web request holds the database for minutes: a statement over the limit is cancelled, the
transaction rolls back and the user gets 503 "this took too long, nothing was changed", on
SQLite (the progress handler) and PostgreSQL (statement_timeout) alike; workers take their own
limit."""

import importlib
import logging

import pytest
from django.db import connection

from activity.models import ActivityEntry
from common import statement_timeout
from common.statement_timeout import postgres_options

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def limit():
    """Set this process's limit for the test, then put the setting's back."""

    def set_limit(seconds):
        statement_timeout.use(seconds)

    saved = statement_timeout.current()
    yield set_limit
    statement_timeout.use(saved)


@pytest.mark.urls("tests.common.slow_urls")
def test_a_statement_over_the_limit_answers_503_and_changes_nothing(client, tenant, limit, caplog):
    limit(0.05)
    with caplog.at_level(logging.ERROR, logger="common.busy"):
        response = client.get(f"/slow/{tenant.slug}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "This took too long" in html
    assert "longer than 0.05 seconds" in html
    assert "Nothing was changed." in html
    assert not ActivityEntry.objects.filter(tenant=tenant, verb="tried").exists()
    assert "Statement timeout on GET /slow/" in caplog.text
    # The same request under htmx opens the dialog instead of replacing the page.
    response = client.get(f"/slow/{tenant.slug}/", headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response["HX-Retarget"] == "#modal"
    assert 'id="busy-dialog"' in response.content.decode()


@pytest.mark.urls("tests.common.slow_urls")
def test_without_a_limit_the_statement_runs_to_its_end(client, tenant, limit):
    """What a worker gets by default (WORKER_STATEMENT_TIMEOUT = 0). A shorter statement keeps
    the test quick: it must finish, not be cut."""
    limit(0)
    from tests.common import slow_urls

    saved = dict(slow_urls.SLOW_SQL)
    slow_urls.SLOW_SQL.update(
        sqlite=saved["sqlite"].replace("50000000", "200000"),
        postgresql=saved["postgresql"].replace("500000000", "2000000"),
    )
    try:
        response = client.get(f"/slow/{tenant.slug}/")
    finally:
        slow_urls.SLOW_SQL.update(saved)
    assert response.status_code == 200
    assert ActivityEntry.objects.filter(tenant=tenant, verb="tried").exists()


def test_web_processes_take_the_setting_and_postgresql_connections_start_with_it(settings, limit):
    import config.wsgi  # what gunicorn and runserver load

    importlib.reload(config.wsgi)  # run it again, should another test have imported it already

    assert statement_timeout.current() == settings.STATEMENT_TIMEOUT == 30
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
    limit(0)  # what config.celery does when a worker starts (WORKER_STATEMENT_TIMEOUT)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_the_startup_options_keep_the_others_and_replace_an_earlier_limit():
    assert postgres_options("", 30) == "-c statement_timeout=30000"
    assert postgres_options("-c search_path=portal -c statement_timeout=5", 0.5) == (
        "-c search_path=portal -c statement_timeout=500"
    )
    assert postgres_options("-csearch_path=x -cstatement_timeout=9", 1) == "-csearch_path=x -c statement_timeout=1000"
