"""Query options and their errors, on the Users set (the framework is the same for every set)."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from api.expressions import rewrite_single_item_in
from tests.factories import UserFactory, member


@pytest.fixture
def people(tenant, admin_member):
    """admin + 5 members with known names, titles, roles and join dates."""
    admin_member.user.full_name = "Ada Admin"  # not a random name that could match the filters below
    admin_member.user.save()
    boss = member(tenant, "Manager", user=UserFactory(email="boss@acme.test", full_name="Bea Boss"), title="Head")
    rows = [
        ("ann@acme.test", "Ann Lee", "Sales Rep", "Rep", True, 2025),
        ("bob@acme.test", "Bob O'Neil", "Sales Rep", "Senior Rep", True, 2024),
        ("cy@acme.test", "Cy Young", "Learner", "", False, 2026),
        ("dee@acme.test", "Dee Lee", "Sales Rep", "Rep", True, 2023),
    ]
    out = {"boss": boss, "admin": admin_member}
    for email, name, role, title, active, year in rows:
        m = member(
            tenant,
            role,
            user=UserFactory(email=email, full_name=name),
            title=title,
            is_active=active,
            manager=boss if role == "Sales Rep" else None,
        )
        m.created_at = dt.datetime(year, 3, 1, 12, tzinfo=dt.UTC)
        m.save()
        out[email.split("@")[0]] = m
    return out


def emails(body):
    return [row["Email"] for row in body["value"]]


@pytest.mark.django_db
class TestFilter:
    @pytest.mark.parametrize(
        ("expression", "expected"),
        [
            ("Email eq 'ann@acme.test'", ["ann@acme.test"]),
            ("Role ne 'Sales Rep' and Role ne 'Administrator'", ["boss@acme.test", "cy@acme.test"]),
            ("MemberSince gt 2024-06-01T00:00:00Z and MemberSince lt 2026-01-01", ["ann@acme.test"]),
            ("MemberSince ge 2025-03-01T12:00:00Z and MemberSince le 2025-03-01T12:00:00Z", ["ann@acme.test"]),
            ("IsActive eq false", ["cy@acme.test"]),
            ("not (IsActive eq true)", ["cy@acme.test"]),
            ("(Title eq 'Rep' or Title eq 'Head') and FullName ne 'Dee Lee'", ["ann@acme.test", "boss@acme.test"]),
            ("Email in ('ann@acme.test', 'cy@acme.test')", ["ann@acme.test", "cy@acme.test"]),
            ("Email in ('bob@acme.test')", ["bob@acme.test"]),
            ("contains(FullName, 'Lee')", ["ann@acme.test", "dee@acme.test"]),
            ("startswith(Email, 'bo')", ["bob@acme.test", "boss@acme.test"]),
            ("endswith(FullName, 'Young')", ["cy@acme.test"]),
            ("FullName eq 'Bob O''Neil'", ["bob@acme.test"]),
            ("ManagerId eq null and Role eq 'Sales Rep'", []),
            ("ManagerId ne null", ["ann@acme.test", "bob@acme.test", "dee@acme.test"]),
            ("Manager/Email eq 'boss@acme.test' and Title eq 'Senior Rep'", ["bob@acme.test"]),
            ("tolower(FullName) eq 'ann lee'", ["ann@acme.test"]),
        ],
    )
    def test_expressions(self, odata, people, expression, expected):
        body = odata.json("Users", {"$filter": expression, "$orderby": "Email"})
        assert emails(body) == expected

    def test_number_literals(self, odata, people):
        ann = people["ann"].user_id
        assert emails(odata.json("Users", {"$filter": f"Id eq {ann}"})) == ["ann@acme.test"]
        assert len(odata.json("Users", {"$filter": f"Id gt {ann} and Id le {ann + 1}"})["value"]) == 1

    @pytest.mark.parametrize(
        ("expression", "fragment"),
        [
            ("Email eq", "Failed to parse"),
            ("Password eq 'x'", "no property “Password”"),
            ("password eq 'x'", "no property"),
            ("Email eq 3", "cannot compare"),
            ("IsActive eq 'yes'", "cannot compare"),
            ("MemberSince gt 'yesterday'", "cannot compare"),
            ("Manager/Password eq 'x'", "no property path"),
            ("Role/Name eq 'x'", "no property path"),
            ("frobnicate(Email)", "frobnicate"),
            ("Email", "not a condition"),
            ("", "empty"),
            ("MemberSince gt 2026-13-45", ""),
        ],
    )
    def test_bad_filters_get_400_naming_the_option(self, odata, people, expression, fragment):
        error = odata.json("Users", {"$filter": expression}, status=400)["error"]
        assert error["target"] == "$filter" and error["message"].startswith("$filter")
        assert fragment in error["message"]

    def test_single_item_in_is_rewritten(self):
        assert rewrite_single_item_in("A in ('x') and B in (1, 2)").split() == "A eq 'x' and B in (1, 2)".split()
        assert rewrite_single_item_in("Name eq ' in (''y'')'") == "Name eq ' in (''y'')'"


@pytest.mark.django_db
class TestShape:
    def test_select_returns_only_those_properties_plus_the_key(self, odata, people):
        body = odata.json("Users", {"$select": "Email,Role", "$filter": "Email eq 'ann@acme.test'"})
        assert body["value"] == [{"Id": people["ann"].user_id, "Email": "ann@acme.test", "Role": "Sales Rep"}]
        assert body["@odata.context"].endswith("$metadata#Users(Id,Email,Role)")

    def test_select_star(self, odata, people):
        row = odata.json("Users", {"$select": "*", "$top": "1"})["value"][0]
        assert set(row) == {"Id", "Email", "FullName", "Role", "IsActive", "Title", "ManagerId", "MemberSince"}

    def test_types_are_serialized_as_odata_json(self, odata, people):
        row = odata.json(f"Users({people['ann'].user_id})")
        assert row["MemberSince"] == "2025-03-01T12:00:00Z"
        assert row["IsActive"] is True and row["ManagerId"] == people["boss"].user_id

    def test_expand_joins_the_navigation_in_the_same_query(self, odata, people, django_assert_num_queries):
        with django_assert_num_queries(3):  # key with its workspace and membership, last-used, page
            body = odata.json("Users", {"$expand": "Manager", "$select": "Email", "$orderby": "Email"})
        by_email = {row["Email"]: row for row in body["value"]}
        assert by_email["ann@acme.test"]["Manager"] == {
            "Id": people["boss"].user_id,
            "Email": "boss@acme.test",
            "FullName": "Bea Boss",
        }
        assert by_email["cy@acme.test"]["Manager"] is None
        assert "Manager()" in body["@odata.context"]

    def test_expand_on_a_single_entity(self, odata, people):
        row = odata.json(f"Users({people['bob'].user_id})", {"$expand": "Manager"})
        assert row["Manager"]["Email"] == "boss@acme.test"

    @pytest.mark.parametrize(
        ("option", "value"),
        [
            ("$select", "Email,Password"),
            ("$expand", "Role"),
            ("$orderby", "Password"),
            ("$orderby", "Email sideways"),
            ("$top", "-1"),
            ("$top", "ten"),
            ("$skip", "1.5"),
            ("$count", "yes"),
            ("$skiptoken", "abc"),
            ("$frobnicate", "1"),
        ],
    )
    def test_bad_options_get_400_naming_the_option(self, odata, people, option, value):
        error = odata.json("Users", {option: value}, status=400)["error"]
        assert error["target"] == option and option in error["message"]

    def test_custom_query_options_are_ignored(self, odata, people):
        assert len(odata.json("Users", {"utm_source": "excel"})["value"]) == 6


@pytest.mark.django_db
class TestOrderAndPaging:
    def test_orderby_several_keys(self, odata, people):
        body = odata.json("Users", {"$orderby": "Role desc, Title asc,Email desc", "$select": "Email"})
        assert emails(body) == [
            "dee@acme.test",
            "ann@acme.test",
            "bob@acme.test",
            "boss@acme.test",
            "cy@acme.test",
            odata_admin_email(people),
        ]

    def test_orderby_navigation_property(self, odata, people):
        body = odata.json("Users", {"$orderby": "Manager/Email desc,Email", "$filter": "ManagerId ne null"})
        assert emails(body) == ["ann@acme.test", "bob@acme.test", "dee@acme.test"]

    def test_top_skip_and_count(self, odata, people):
        body = odata.json("Users", {"$orderby": "Email", "$top": "2", "$skip": "1", "$count": "true"})
        assert body["@odata.count"] == 6
        assert emails(body) == ["bob@acme.test", "boss@acme.test"]
        assert "@odata.nextLink" not in body  # $top satisfied

    def test_count_false_and_empty_result(self, odata, people):
        body = odata.json("Users", {"$count": "false", "$filter": "Email eq 'none@x'"})
        assert body["value"] == [] and "@odata.count" not in body

    def test_count_segment_with_filter(self, odata, people):
        response = odata.get("Users/$count", {"$filter": "Role eq 'Sales Rep'"})
        assert response.status_code == 200 and response.content == b"3"
        assert response["Content-Type"].startswith("text/plain")
        assert odata.json("Users/$count", {"$filter": "Nope eq 1"}, status=400)["error"]["target"] == "$filter"

    @override_settings(ODATA_PAGE_SIZE=2)
    def test_server_paging_by_key_follows_next_links(self, odata, people, client):
        seen, url, pages = [], odata.url("Users"), 0
        body = odata.json("Users", {"$count": "true"})
        while True:
            pages += 1
            assert body["@odata.count"] == 6
            seen.extend(row["Id"] for row in body["value"])
            if "@odata.nextLink" not in body:
                break
            link = urlsplit(body["@odata.nextLink"])
            assert link.path == url and "$skiptoken" in parse_qs(link.query)
            body = odata.json("Users", {k: v[0] for k, v in parse_qs(link.query).items()})
        assert pages == 3 and seen == sorted(seen) and len(set(seen)) == 6

    @override_settings(ODATA_PAGE_SIZE=2)
    def test_server_paging_with_orderby_and_top_uses_skip(self, odata, people):
        body = odata.json("Users", {"$orderby": "Email desc", "$top": "5"})
        got = emails(body)
        while "@odata.nextLink" in body:
            query = {k: v[0] for k, v in parse_qs(urlsplit(body["@odata.nextLink"]).query).items()}
            assert "$skip" in query
            body = odata.json("Users", query)
            got.extend(emails(body))
        everyone = sorted((m.user.email for m in people.values()), reverse=True)
        assert got == everyone[:5]

    @override_settings(ODATA_PAGE_SIZE=4)
    def test_top_above_the_page_size_is_capped(self, odata, people):
        body = odata.json("Users", {"$top": "1000"})
        assert len(body["value"]) == 4
        assert parse_qs(urlsplit(body["@odata.nextLink"]).query)["$top"] == ["996"]


def odata_admin_email(people):
    return people["admin"].user.email


@pytest.mark.django_db
class TestDocuments:
    def test_service_document(self, odata, people):
        body = odata.json()
        assert body["@odata.context"] == "http://testserver/w/acme-test/odata/$metadata"
        assert {"name": "Users", "kind": "EntitySet", "url": "Users"} in body["value"]

    def test_metadata_is_edmx_4(self, odata):
        import xml.etree.ElementTree as ET

        response = odata.get("$metadata")
        assert response["Content-Type"].startswith("application/xml")
        root = ET.fromstring(response.content)  # noqa: S314 - our own test server's document
        ns = {"edmx": "http://docs.oasis-open.org/odata/ns/edmx", "edm": "http://docs.oasis-open.org/odata/ns/edm"}
        assert root.get("Version") == "4.0"
        user = root.find(".//edm:EntityType[@Name='User']", ns)
        assert user.find("edm:Key/edm:PropertyRef", ns).get("Name") == "Id"
        props = {p.get("Name"): p.attrib for p in user.findall("edm:Property", ns)}
        assert props["Email"]["Type"] == "Edm.String" and props["Email"]["MaxLength"] == "254"
        assert props["MemberSince"]["Type"] == "Edm.DateTimeOffset"
        assert props["IsActive"]["Type"] == "Edm.Boolean" and props["Id"]["Type"] == "Edm.Int64"
        nav = user.find("edm:NavigationProperty[@Name='Manager']", ns)
        assert nav.get("Type") == "Portal.User"
        assert root.find(".//edm:EntitySet[@Name='Users']", ns).get("EntityType") == "Portal.User"

    def test_single_entity_and_its_errors(self, odata, people):
        ann = people["ann"].user_id
        body = odata.json(f"Users({ann})")
        assert body["@odata.context"].endswith("$metadata#Users/$entity") and body["Email"] == "ann@acme.test"
        assert odata.json(f"Users(Id={ann})")["Id"] == ann
        assert odata.json("Users(999999)", status=404)["error"]["code"] == "NotFound"
        assert odata.json("Users('x')", status=400)["error"]["target"] == "key"
        assert odata.json(f"Users({ann})", {"$filter": "Id eq 1"}, status=400)["error"]["target"] == "$filter"

    def test_unknown_entity_set_gets_404(self, odata):
        for path in ("Nope", "Nope(1)", "Nope/$count"):
            assert odata.json(path, status=404)["error"]["code"] == "NotFound"
