"""Query options as strict clients send them (issue 19): OData 4.01 names without ``$`` and in any
case are read, never silently ignored (point 4); features the service does not implement answer
501, not a misleading 400 (point 5); string functions compare with case on every database
(point 7); and every function $metadata declares works (point 6)."""

import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from api.expressions import FILTER_FUNCTIONS
from tests.factories import UserFactory, member
from tests.plans.factories import SalesTransactionFactory


@pytest.fixture
def people(tenant, admin_member):
    admin_member.user.email = "admin@acme.test"
    admin_member.user.save()
    for email, role in [("ann@acme.test", "Sales Rep"), ("bob@acme.test", "Sales Rep"), ("cy@acme.test", "Learner")]:
        member(tenant, role, user=UserFactory(email=email))


def emails(body):
    return sorted(row["Email"] for row in body["value"])


@pytest.mark.django_db
class TestOptionNames:
    @pytest.mark.parametrize("name", ["filter", "$FILTER", "Filter", "$Filter"])
    def test_4_01_and_case_insensitive_filter_is_applied(self, odata, people, name):
        body = odata.json("Users", {name: "Role eq 'Sales Rep'"})
        assert emails(body) == ["ann@acme.test", "bob@acme.test"]

    def test_every_option_without_dollar(self, odata, people):
        body = odata.json(
            "Users",
            {"filter": "Role eq 'Sales Rep'", "select": "Email", "orderby": "Email desc", "top": "1", "count": "true"},
        )
        assert body["value"] == [{"Id": body["value"][0]["Id"], "Email": "bob@acme.test"}]
        assert body["@odata.count"] == 2
        assert odata.get("Users/$count", {"FILTER": "Role eq 'Learner'"}).content == b"1"

    @pytest.mark.parametrize(
        ("query", "target"),
        [
            ("$filter=Role%20eq%20'Learner'&filter=Role%20eq%20'Sales%20Rep'", "$filter"),
            ("$top=1&$TOP=2", "$top"),
            ("skip=1&$skip=2", "$skip"),
            ("$top=1&$top=2", "$top"),
        ],
    )
    def test_an_option_given_twice_is_refused(self, odata, people, query, target):
        response = odata.client.get(odata.url("Users") + "?" + query, headers={"Authorization": f"Bearer {odata.key}"})
        assert response.status_code == 400
        error = json.loads(response.content)["error"]
        assert error["target"] == target and "more than once" in error["message"]

    @override_settings(ODATA_PAGE_SIZE=2)
    def test_next_links_replace_the_clients_spelling(self, odata, people):
        body = odata.json("Users", {"top": "3", "orderby": "Email"})
        query = parse_qs(urlsplit(body["@odata.nextLink"]).query)
        assert "top" not in query and query["$top"] == ["1"] and query["$skip"] == ["2"]
        rest = odata.json("Users", {k: v[0] for k, v in query.items()})
        assert emails(body) + emails(rest) == ["admin@acme.test", "ann@acme.test", "bob@acme.test"]

    def test_unknown_dollar_options_are_refused_and_custom_ones_ignored(self, odata, people):
        assert odata.json("Users", {"$frobnicate": "1"}, status=400)["error"]["target"] == "$frobnicate"
        assert len(odata.json("Users", {"frobnicate": "1"})["value"]) == 4


@pytest.mark.django_db
class TestNotImplemented:
    @pytest.mark.parametrize(
        ("option", "value"),
        [
            ("$apply", "groupby((Role))"),
            ("$search", "ann"),
            ("search", "ann"),
            ("$compute", "length(Email) as L"),
            ("$levels", "2"),
            ("$expand", "Manager($select=Email)"),
            ("$expand", "Manager/Manager"),
            ("$filter", "Manager/any(m: m/Email eq 'x')"),
            ("$filter", "Manager/all(m: m/Email eq 'x')"),
            ("$filter", "matchesPattern(Email, '^a')"),
            ("$filter", "fractionalseconds(MemberSince) eq 0"),
        ],
    )
    def test_unimplemented_features_answer_501(self, odata, people, option, value):
        error = odata.json("Users", {option: value}, status=501)["error"]
        canonical = "$" + option.lstrip("$")
        assert error["code"] == "NotImplemented" and error["target"] == canonical
        assert "not implemented" in error["message"] and "not a condition" not in error["message"]

    def test_an_unknown_function_is_still_a_400(self, odata, people):
        error = odata.json("Users", {"$filter": "frobnicate(Email)"}, status=400)["error"]
        assert "frobnicate" in error["message"]


@pytest.fixture
def customers(tenant):
    for customer in ["Cyberdyne Systems"] * 3 + ["Initech", "cyberpunk bar"]:
        SalesTransactionFactory(tenant=tenant, customer=customer)


@pytest.mark.django_db
class TestStringFunctionsHaveCase:
    """As on PostgreSQL, on SQLite too (the suite runs on both)."""

    @pytest.mark.parametrize(
        ("expression", "count"),
        [
            ("contains(Customer,'cyber')", 1),
            ("contains(Customer,'Cyber')", 3),
            ("contains(Customer,'SYSTEMS')", 0),
            ("startswith(Customer,'cyber')", 1),
            ("startswith(Customer,'CYBER')", 0),
            ("endswith(Customer,'systems')", 0),
            ("endswith(Customer,'Systems')", 3),
            ("contains(tolower(Customer),'cyber')", 4),
            ("not contains(Customer,'Cyber')", 2),
            ("contains(Customer,'')", 5),
            ("endswith(Customer,'')", 5),
            ("contains(Customer,'_') or contains(Customer,'%')", 0),
            ("Customer eq 'cyberdyne systems'", 0),
            ("contains(Customer,'Cyber') eq true", 3),
        ],
    )
    def test_case_sensitive(self, odata, customers, expression, count):
        assert odata.get("Transactions/$count", {"$filter": expression}).content == str(count).encode()


SAMPLES = {
    "contains": "contains(Email,'ann')",
    "startswith": "startswith(Email,'ann')",
    "endswith": "endswith(Email,'ann@acme.test')",
    "tolower": "tolower(Email) eq 'ann@acme.test'",
    "toupper": "toupper(Email) eq 'ANN@ACME.TEST'",
    "trim": "trim(Email) eq 'ann@acme.test'",
    "length": "length(Email) eq 13 and startswith(Email,'a')",
    "indexof": "indexof(Email,'@') eq 3 and startswith(Email,'a')",
    "substring": "substring(Email,0,3) eq 'ann'",
    "concat": "concat(Email,'!') eq 'ann@acme.test!'",
    "year": "year(MemberSince) eq 2026 and Email eq 'ann@acme.test'",
    "month": "month(MemberSince) eq 11 and Email eq 'ann@acme.test'",
    "day": "day(MemberSince) ge 1 and Email eq 'ann@acme.test'",
    "hour": "hour(MemberSince) ge 0 and Email eq 'ann@acme.test'",
    "minute": "minute(MemberSince) ge 0 and Email eq 'ann@acme.test'",
    "second": "second(MemberSince) ge 0 and Email eq 'ann@acme.test'",
    "date": "date(MemberSince) ge 2026-01-01 and Email eq 'ann@acme.test'",
    "time": "time(MemberSince) ge 00:00:00 and Email eq 'ann@acme.test'",
    "now": "MemberSince le now() and Email eq 'ann@acme.test'",
    "round": "round(Amount) eq 13",
    "floor": "floor(Amount) eq 12",
    "ceiling": "ceiling(Amount) eq 13",
}


def test_every_declared_filter_function_has_a_sample():
    assert set(SAMPLES) == set(FILTER_FUNCTIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("function", FILTER_FUNCTIONS)
def test_every_declared_filter_function_works(odata, people, tenant, function):
    if function in ("round", "floor", "ceiling"):
        SalesTransactionFactory(tenant=tenant, amount=Decimal("12.50"))
        SalesTransactionFactory(tenant=tenant, amount=Decimal("99.00"))
        assert odata.get("Transactions/$count", {"$filter": SAMPLES[function]}).content == b"1"
        return
    assert emails(odata.json("Users", {"$filter": SAMPLES[function]})) == ["ann@acme.test"]
