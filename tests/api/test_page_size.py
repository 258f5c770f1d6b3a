"""Server-driven paging: the default page size, a client's ``Prefer: odata.maxpagesize`` (smaller
pages on request, as Dataverse and Business Central answer it), and the streamed collection's
chunks, which must join to the same JSON whatever their size."""

import json
from operator import itemgetter
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from api.serialize import CHUNK_ROWS, collection
from tests.api.conftest import members


def follow(odata, body, **headers):
    """Every page's ids, following nextLink with the same headers."""
    pages = [[row["Id"] for row in body["value"]]]
    while "@odata.nextLink" in body:
        query = {k: v[0] for k, v in parse_qs(urlsplit(body["@odata.nextLink"]).query).items()}
        body = odata.json("Users", query, **headers)
        pages.append([row["Id"] for row in body["value"]])
    return pages


def test_default_page_size_is_5000():
    assert settings.ODATA_PAGE_SIZE == 5000


@pytest.mark.django_db
class TestMaxPageSize:
    @pytest.fixture
    def ids(self, tenant, admin_member, settings):
        """Seven users (the admin and six members) in pages of at most 4."""
        settings.ODATA_PAGE_SIZE = 4
        return sorted([admin_member.user_id, *(m.user_id for m in members(tenant, 6))])

    def test_a_smaller_preference_is_applied_and_said_so(self, odata, ids):
        response = odata.get("Users", Prefer="odata.maxpagesize=3")
        assert response["Preference-Applied"] == "odata.maxpagesize=3"
        body = json.loads(b"".join(response.streaming_content))
        pages = follow(odata, body, Prefer="odata.maxpagesize=3")
        assert [len(p) for p in pages] == [3, 3, 1]
        assert sum(pages, []) == ids

    def test_without_preference_pages_hold_the_server_size(self, odata, ids):
        response = odata.get("Users")
        assert "Preference-Applied" not in response
        assert [len(p) for p in follow(odata, json.loads(b"".join(response.streaming_content)))] == [4, 3]

    @pytest.mark.parametrize("prefer", ["odata.maxpagesize=10", "odata.maxpagesize=4"])
    def test_a_preference_at_or_above_the_server_size_changes_nothing(self, odata, ids, prefer):
        response = odata.get("Users", Prefer=prefer)
        assert "Preference-Applied" not in response
        assert len(json.loads(b"".join(response.streaming_content))["value"]) == 4

    @pytest.mark.parametrize(
        "prefer",
        [
            "maxpagesize=2",  # OData 4.01: without the prefix
            "ODATA.MaxPageSize=2",  # preference names are case-insensitive
            'odata.maxpagesize="2"',
            "return=minimal, odata.maxpagesize=2",
            "odata.allow-entityreferences,odata.maxpagesize=2;foo=bar",
        ],
    )
    def test_spellings(self, odata, ids, prefer):
        response = odata.get("Users", Prefer=prefer)
        assert response["Preference-Applied"] == "odata.maxpagesize=2"
        assert len(json.loads(b"".join(response.streaming_content))["value"]) == 2

    @pytest.mark.parametrize("prefer", ["odata.maxpagesize=0", "odata.maxpagesize=-1", "odata.maxpagesize=abc", "x"])
    def test_an_unreadable_preference_is_ignored(self, odata, ids, prefer):
        response = odata.get("Users", Prefer=prefer)
        assert response.status_code == 200 and "Preference-Applied" not in response
        assert len(json.loads(b"".join(response.streaming_content))["value"]) == 4

    def test_top_and_the_preference_together(self, odata, ids):
        body = odata.json("Users", {"$top": "5"}, Prefer="odata.maxpagesize=2")
        assert len(body["value"]) == 2
        assert parse_qs(urlsplit(body["@odata.nextLink"]).query)["$top"] == ["3"]
        assert sum(follow(odata, body, Prefer="odata.maxpagesize=2"), []) == ids[:5]

    def test_orderby_pages_by_skip_in_the_preferred_size(self, odata, ids):
        body = odata.json("Users", {"$orderby": "Email"}, Prefer="odata.maxpagesize=3")
        query = parse_qs(urlsplit(body["@odata.nextLink"]).query)
        assert len(body["value"]) == 3 and query["$skip"] == ["3"]


@pytest.mark.parametrize("n", [0, 1, CHUNK_ROWS - 1, CHUNK_ROWS, CHUNK_ROWS + 1, 2 * CHUNK_ROWS + 7])
def test_chunks_join_to_one_document(n):
    rows = [(i, json.dumps({"Id": i})) for i in range(n)]
    chunks = list(collection('"@odata.context":"c",', rows, itemgetter(1), ',"@odata.nextLink":"n"'))
    assert "".join(chunks) == (
        '{"@odata.context":"c","value":[' + ",".join(r[1] for r in rows) + '],"@odata.nextLink":"n"}'
    )
    assert len(chunks) == 2 + -(-n // CHUNK_ROWS)  # head, one per CHUNK_ROWS rows, tail
