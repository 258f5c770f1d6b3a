"""The NetSuite client and sync against a local fake server: paging, incremental by last
modified date with the overlap, the TBA and OAuth 2.0 auth headers, error pages, retries."""

import datetime

import pytest

from activity.models import ActivityEntry
from courses.models import CourseEnrollment, NetSuiteConnection, SalesOrder
from courses.netsuite import NetSuiteClient, NetSuiteError
from courses.services.sales_orders import sync_sales_orders
from tests.clock import FROZEN_AT

from .factories import CourseEnrollmentFactory, SalesOrderFactory
from .fake_netsuite import FakeNetSuite, record

pytestmark = pytest.mark.django_db
NOW = FROZEN_AT


@pytest.fixture
def fake(httpserver):
    return FakeNetSuite(httpserver)


def connect(tenant, fake, **kwargs):
    defaults = {
        "account_id": "1234567_SB1",
        "base_url": fake.url,
        "consumer_key": "ck",
        "consumer_secret": "cs",
        "token_id": "tid",
        "token_secret": "ts",
    }
    return NetSuiteConnection.objects.create(tenant=tenant, **{**defaults, **kwargs})


def client(conn, *, waits=None, **kwargs):
    """A client whose backoff waits are recorded in ``waits`` instead of slept."""
    sleep = waits.append if waits is not None else (lambda seconds: None)
    return NetSuiteClient(conn, page_size=kwargs.pop("page_size", 2), sleep=sleep, **kwargs)


def orders(n, *, modified="2026-11-20T10:00:00Z"):
    return [record(100 + i, f"SO-{100 + i}", "2027-06-30", modified=modified) for i in range(n)]


def test_first_sync_reads_every_page(tenant, fake):
    fake.add(*orders(5))
    conn = connect(tenant, fake)
    result = sync_sales_orders(tenant=tenant, client=client(conn), now=NOW)
    assert (len(result.created), len(result.updated), result.error) == (5, 0, "")
    offsets = [r.args.get("offset") for r in fake.requests if r.path.endswith("salesOrder")]
    assert offsets == ["0", "2", "4"]
    order = SalesOrder.objects.get(tran_id="SO-100")
    assert (order.netsuite_id, order.customer, order.end_date, order.source) == (
        "100",
        "Acme Corp",
        datetime.date(2027, 6, 30),
        "netsuite",
    )
    conn.refresh_from_db()
    assert conn.synced_through == datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
    assert ActivityEntry.objects.get(tenant=tenant, verb="synced from NetSuite").count == 5


def test_incremental_sync_asks_from_the_high_water_mark_minus_overlap(tenant, fake):
    fake.add(*orders(3))
    conn = connect(tenant, fake)
    sync_sales_orders(tenant=tenant, client=client(conn), now=NOW)
    fake.requests.clear()
    fake.add(record(200, "SO-200", "2027-01-31", modified="2026-11-23T16:30:00Z"))
    conn.refresh_from_db()
    result = sync_sales_orders(tenant=tenant, client=client(conn), now=NOW)
    listing = [r for r in fake.requests if r.path.endswith("salesOrder")]
    assert listing[0].args["q"] == 'lastModifiedDate ON_OR_AFTER "11/20/2026 09:50 AM"'
    assert (len(result.created), len(result.updated)) == (1, 0)
    conn.refresh_from_db()
    assert conn.synced_through == datetime.datetime(2026, 11, 23, 16, 30, tzinfo=datetime.UTC)


def test_rerunning_a_sync_changes_nothing(tenant, fake):
    fake.add(*orders(3))
    conn = connect(tenant, fake)
    sync_sales_orders(tenant=tenant, client=client(conn), now=NOW)
    snapshot = list(SalesOrder.objects.values())
    conn.refresh_from_db()
    result = sync_sales_orders(tenant=tenant, client=client(conn), now=NOW + datetime.timedelta(minutes=5))
    assert result.changed == 0
    assert list(SalesOrder.objects.values()) == snapshot
    assert ActivityEntry.objects.filter(tenant=tenant).count() == 1


def test_end_date_moved_in_netsuite_moves_enrollments(tenant, fake):
    fake.add(record(300, "SO-300", "2026-11-01", modified="2026-11-01T10:00:00Z"))
    conn = connect(tenant, fake)
    sync_sales_orders(tenant=tenant, client=client(conn), now=NOW)
    order = SalesOrder.objects.get(netsuite_id="300")
    swept = CourseEnrollmentFactory(tenant=tenant, sales_order=order, status="X")
    fake.add(record(300, "SO-300", "2027-03-31", modified="2026-11-23T12:00:00Z"))
    conn.refresh_from_db()
    result = sync_sales_orders(tenant=tenant, client=client(conn), now=NOW)
    assert (len(result.updated), result.enrollments_changed) == (1, 1)
    assert CourseEnrollment.objects.get(pk=swept.pk).status == "E"


def test_hand_entered_order_is_adopted_by_transaction_number(tenant, fake):
    manual = SalesOrderFactory(tenant=tenant, tran_id="SO-100", netsuite_id="", end_date=datetime.date(2027, 1, 1))
    fake.add(*orders(1))
    sync_sales_orders(tenant=tenant, client=client(connect(tenant, fake)), now=NOW)
    manual.refresh_from_db()
    assert (manual.netsuite_id, manual.end_date, SalesOrder.objects.count()) == ("100", datetime.date(2027, 6, 30), 1)


def test_tba_signs_with_hmac_sha256_and_the_account_realm(tenant, fake):
    fake.add(*orders(1))
    conn = connect(tenant, fake)
    client(conn).sales_order("100")
    header = fake.requests[-1].headers["Authorization"]
    assert header.startswith("OAuth ")
    assert 'realm="1234567_SB1"' in header
    assert 'oauth_signature_method="HMAC-SHA256"' in header
    assert 'oauth_consumer_key="ck"' in header
    assert 'oauth_token="tid"' in header


def test_oauth2_client_credentials_fetches_a_bearer_token(tenant, fake, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake server speaks plain HTTP
    fake.add(*orders(3))
    conn = connect(tenant, fake, auth_method="oauth2", client_id="cid", client_secret="csecret")  # noqa: S106
    result = sync_sales_orders(tenant=tenant, client=client(conn), now=NOW)
    assert len(result.created) == 3
    assert fake.tokens_issued == 1
    api = [r for r in fake.requests if "record" in r.path]
    assert {r.headers["Authorization"] for r in api} == {"Bearer token-1"}


def test_server_errors_are_retried_with_backoff(tenant, fake):
    fake.add(*orders(1))
    fake.fail_next = [503, 429]
    conn = connect(tenant, fake)
    waits = []
    result = sync_sales_orders(tenant=tenant, client=client(conn, waits=waits), now=NOW)
    assert (len(result.created), result.error) == (1, "")
    assert waits == [0.5, 1.0]  # exponential backoff: 0.5 s, then 1 s


def test_error_page_after_retries_changes_nothing_and_is_kept(tenant, fake):
    fake.add(*orders(3))
    fake.fail_next = [500] * 4  # every attempt of the first page fails
    conn = connect(tenant, fake)
    waits = []
    result = sync_sales_orders(tenant=tenant, client=client(conn, attempts=4, waits=waits), now=NOW)
    assert waits == [0.5, 1.0, 2.0]  # three waits between four attempts, never slept
    assert "HTTP 500" in result.error and "fake failure 500" in result.error
    assert not SalesOrder.objects.exists()
    conn.refresh_from_db()
    assert conn.synced_through is None
    assert "fake failure" in conn.last_error


def test_client_error_is_not_retried(tenant, fake):
    conn = connect(tenant, fake, token_id="")
    fake.fail_next = [400]
    with pytest.raises(NetSuiteError, match="HTTP 400 Error: fake failure 400"):
        list(client(conn).modified_ids(None))
    assert len(fake.requests) == 1


def test_error_midway_keeps_earlier_pages_unapplied(tenant, fake):
    fake.add(*orders(5))
    conn = connect(tenant, fake)
    c = client(conn, attempts=1)
    original = c.get
    calls = {"n": 0}

    def flaky(url, params=None):
        calls["n"] += 1
        if calls["n"] == 2:
            raise NetSuiteError("HTTP 400 Bad Request: Invalid search query.")
        return original(url, params)

    c.get = flaky
    result = sync_sales_orders(tenant=tenant, client=c, now=NOW)
    assert result.error
    assert not SalesOrder.objects.exists()


def test_without_a_connection_nothing_happens(tenant):
    assert "no NetSuite connection" in sync_sales_orders(tenant=tenant).error
