"""A small client for NetSuite's REST record service (``/services/rest/record/v1/salesOrder``).

Authentication per tenant (``NetSuiteConnection.auth_method``):
- token-based authentication: OAuth 1.0 signed with HMAC-SHA256, ``realm`` = the account id
  (requests-oauthlib does the signing);
- OAuth 2.0 client credentials: a bearer token fetched from the account's token endpoint
  (requests-oauthlib), fetched again when NetSuite answers 401.

Collection queries return ids only (that is how the record service pages), so the client lists
the ids modified since a time, page by page (``limit``/``offset`` until ``hasMore`` is false),
then reads each record. Connection errors, 429 and 5xx answers are retried with exponential
backoff (tenacity); any other error page raises ``NetSuiteError`` with NetSuite's detail.
"""

import datetime
import logging
import time
from collections.abc import Callable, Iterator

import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth1, OAuth2Session
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from .models import AuthMethod, NetSuiteConnection

logger = logging.getLogger(__name__)

RECORD_PATH = "/services/rest/record/v1/salesOrder"
TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # noqa: S105 - a URL path, not a secret
TIMEOUT = (5, 60)


class NetSuiteError(Exception):
    """NetSuite refused the request (after retries, where retrying made sense)."""


class RetryableError(NetSuiteError):
    pass


def error_detail(response: requests.Response) -> str:
    """NetSuite's error page is JSON with ``title`` and ``o:errorDetails``; fall back to text."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    details = "; ".join(d.get("detail", "") for d in body.get("o:errorDetails", []) if d.get("detail"))
    return f"HTTP {response.status_code} {body.get('title', '')}: {details}".strip(": ")


class NetSuiteClient:
    def __init__(
        self,
        connection: NetSuiteConnection,
        *,
        session: requests.Session | None = None,
        page_size: int = 1000,
        attempts: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.connection = connection
        self.session = session or requests.Session()
        self.page_size = page_size
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep  # injectable, so tests check the backoff without waiting for it
        self._token: str | None = None
        # What a sync reports: list pages read, and on_record(done, total) as each order arrives.
        self.pages_fetched = 0
        self.on_record: Callable[[int, int], None] | None = None

    # --- auth -------------------------------------------------------------------------------

    def _oauth1(self) -> OAuth1:
        c = self.connection
        return OAuth1(
            client_key=c.consumer_key,
            client_secret=c.consumer_secret,
            resource_owner_key=c.token_id,
            resource_owner_secret=c.token_secret,
            signature_method=SIGNATURE_HMAC_SHA256,
            realm=c.account_id,
        )

    def _bearer(self, *, refresh: bool = False) -> str:
        if self._token is None or refresh:
            c = self.connection
            oauth = OAuth2Session(client=BackendApplicationClient(client_id=c.client_id))
            token = oauth.fetch_token(
                token_url=c.api_root + TOKEN_PATH,
                client_id=c.client_id,
                client_secret=c.client_secret,
                timeout=TIMEOUT,
            )
            self._token = token["access_token"]
        return self._token

    # --- HTTP ------------------------------------------------------------------------------

    def _get_once(self, url: str, params: dict | None) -> dict:
        kwargs: dict = {"params": params, "timeout": TIMEOUT, "headers": {"Accept": "application/json"}}
        if self.connection.auth_method == AuthMethod.TBA:
            kwargs["auth"] = self._oauth1()
        else:
            kwargs["headers"]["Authorization"] = f"Bearer {self._bearer()}"
        try:
            response = self.session.get(url, **kwargs)
            if response.status_code == 401 and self.connection.auth_method == AuthMethod.OAUTH2:
                kwargs["headers"]["Authorization"] = f"Bearer {self._bearer(refresh=True)}"
                response = self.session.get(url, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise RetryableError(f"NetSuite did not answer: {exc.__class__.__name__}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(error_detail(response))
        if response.status_code >= 400:
            raise NetSuiteError(error_detail(response))
        return response.json()

    def get(self, url: str, params: dict | None = None) -> dict:
        retrying = Retrying(
            retry=retry_if_exception_type(RetryableError),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff, max=30),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(self._get_once, url, params)

    # --- sales orders -------------------------------------------------------------------------

    def modified_ids(self, since: datetime.datetime | None) -> Iterator[str]:
        """Ids of sales orders modified on or after ``since`` (all when None), page by page."""
        params: dict = {"limit": self.page_size, "offset": 0}
        if since is not None:
            stamp = since.astimezone(datetime.UTC).strftime("%m/%d/%Y %I:%M %p")
            params["q"] = f'lastModifiedDate ON_OR_AFTER "{stamp}"'
        url = self.connection.api_root + RECORD_PATH
        while True:
            page = self.get(url, params)
            self.pages_fetched += 1
            items = page.get("items", [])
            for item in items:
                yield str(item["id"])
            if not page.get("hasMore") or not items:
                return
            params = {**params, "offset": params["offset"] + len(items)}

    def sales_order(self, netsuite_id: str) -> dict:
        return self.get(f"{self.connection.api_root}{RECORD_PATH}/{netsuite_id}")

    def modified_sales_orders(self, since: datetime.datetime | None) -> list[dict]:
        ids = list(self.modified_ids(since))
        records = []
        for netsuite_id in ids:
            records.append(self.sales_order(netsuite_id))
            if self.on_record:
                self.on_record(len(records), len(ids))
        return records


def parse_sales_order(record: dict) -> dict:
    """A NetSuite salesOrder record -> SalesOrder field values (``end_date`` None when missing)."""

    def ref(value):
        return (value or {}).get("refName", "") if isinstance(value, dict) else (value or "")

    def date(value):
        return datetime.date.fromisoformat(value[:10]) if value else None

    modified = record.get("lastModifiedDate")
    return {
        "netsuite_id": str(record["id"]),
        "tran_id": str(record.get("tranId") or record["id"]),
        "customer": ref(record.get("entity"))[:200],
        "start_date": date(record.get("startDate")),
        "end_date": date(record.get("endDate")),
        "status": ref(record.get("status"))[:64],
        "last_modified": datetime.datetime.fromisoformat(modified.replace("Z", "+00:00")) if modified else None,
    }
