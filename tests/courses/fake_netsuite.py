"""A local stand-in for NetSuite's REST record service (pytest-httpserver): NetSuite-shaped JSON,
paging by limit/offset with hasMore, a lastModifiedDate filter, record reads, an OAuth 2.0 token
endpoint, and switchable failures. Never the internet."""

import datetime
import json
import re
from dataclasses import dataclass, field

from werkzeug import Request, Response

RECORD = "/services/rest/record/v1/salesOrder"
TOKEN = "/services/rest/auth/oauth2/v1/token"  # noqa: S105


def record(ns_id, tran_id, end, *, modified, start="2026-01-01", customer="Acme Corp", status="Pending Billing"):
    return {
        "links": [{"rel": "self", "href": f"https://1234567.suitetalk.api.netsuite.com{RECORD}/{ns_id}"}],
        "id": str(ns_id),
        "tranId": tran_id,
        "entity": {"id": "77", "refName": customer},
        "startDate": start,
        "endDate": end,
        "status": {"id": "F", "refName": status},
        "lastModifiedDate": modified,
    }


def error_page(status, title, detail, code="INVALID_PARAMETER"):
    body = {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": title,
        "status": status,
        "o:errorDetails": [{"detail": detail, "o:errorCode": code}],
    }
    return Response(json.dumps(body), status=status, content_type="application/vnd.oracle.resource+json; type=error")


@dataclass
class FakeNetSuite:
    server: object
    records: dict = field(default_factory=dict)
    fail_next: list = field(default_factory=list)  # statuses to answer with, one per request
    requests: list = field(default_factory=list)
    tokens_issued: int = 0

    def __post_init__(self):
        self.server.expect_request(re.compile(rf"^{RECORD}.*")).respond_with_handler(self.handle)
        self.server.expect_request(TOKEN, method="POST").respond_with_handler(self.token)

    @property
    def url(self):
        return self.server.url_for("").rstrip("/")

    def add(self, *recs):
        for r in recs:
            self.records[r["id"]] = r

    def token(self, request: Request):
        self.requests.append(request)
        if "grant_type=client_credentials" not in request.get_data(as_text=True):
            return error_page(400, "Bad Request", "unsupported grant")
        self.tokens_issued += 1
        body = {"access_token": f"token-{self.tokens_issued}", "token_type": "bearer", "expires_in": 3600}
        return Response(json.dumps(body), content_type="application/json")

    def handle(self, request: Request):
        self.requests.append(request)
        if self.fail_next:
            status = self.fail_next.pop(0)
            return error_page(status, "Service Unavailable" if status >= 500 else "Error", f"fake failure {status}")
        if not request.headers.get("Authorization"):
            return error_page(401, "Unauthorized", "Invalid login attempt.", "INVALID_LOGIN")
        path = request.path
        if path != RECORD:
            ns_id = path.rsplit("/", 1)[-1]
            if ns_id not in self.records:
                return error_page(404, "Not Found", f"Record {ns_id} not found.", "NONEXISTENT_ID")
            return Response(json.dumps(self.records[ns_id]), content_type="application/json")
        items = sorted(self.records.values(), key=lambda r: int(r["id"]))
        q = request.args.get("q")
        if q:
            m = re.fullmatch(r'lastModifiedDate ON_OR_AFTER "(\d\d/\d\d/\d{4} \d\d:\d\d [AP]M)"', q)
            if not m:
                return error_page(400, "Bad Request", "Invalid search query. Detailed unprocessed description.")
            since = datetime.datetime.strptime(m.group(1), "%m/%d/%Y %I:%M %p").replace(tzinfo=datetime.UTC)
            items = [r for r in items if datetime.datetime.fromisoformat(r["lastModifiedDate"]) >= since]
        limit, offset = int(request.args.get("limit", 1000)), int(request.args.get("offset", 0))
        page = items[offset : offset + limit]
        body = {
            "links": [],
            "count": len(page),
            "hasMore": offset + limit < len(items),
            "offset": offset,
            "totalResults": len(items),
            "items": [{"links": r["links"], "id": r["id"]} for r in page],
        }
        return Response(json.dumps(body), content_type="application/vnd.oracle.resource+json; type=collection")
