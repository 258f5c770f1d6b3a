"""JSON as strict clients ask for it (issue 19): ``IEEE754Compatible=true`` (point 2),
``odata.metadata=full`` and ``none`` (point 3); the Capabilities vocabulary in $metadata (point 6,
point 9's AsynchronousRequestsSupported); and OData-MaxVersion (point 9)."""

import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from api.expressions import FILTER_FUNCTIONS
from tests.factories import UserFactory, member
from tests.plans.factories import PlanFactory, RewardFactory

NS = {"edmx": "http://docs.oasis-open.org/odata/ns/edmx", "edm": "http://docs.oasis-open.org/odata/ns/edm"}
CAP = "Org.OData.Capabilities.V1."
ROOT = "http://testserver/w/acme-test/odata/"


@pytest.fixture
def world(tenant, admin_member):
    boss = member(tenant, "Manager", user=UserFactory(email="boss@acme.test"))
    rep = member(tenant, "Sales Rep", user=UserFactory(email="rep@acme.test"), manager=boss)
    plan = PlanFactory(tenant=tenant, name="Q4 Kicker", commission_rate=Decimal("7.500"))
    reward = RewardFactory(plan=plan, user=rep.user, amount=Decimal("123456789012.35"))
    return {"boss": boss, "rep": rep, "plan": plan, "reward": reward}


def body_of(response):
    assert response.status_code == 200, response.content[:300] if not response.streaming else ""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(raw, parse_float=Decimal)


@pytest.mark.django_db
class TestIEEE754Compatible:
    @pytest.mark.parametrize(
        ("params", "headers"),
        [
            ({}, {"Accept": "application/json;odata.metadata=minimal;IEEE754Compatible=true"}),
            ({"$format": "application/json;IEEE754Compatible=true"}, {}),
            ({}, {"Accept": "application/json;ieee754compatible=TRUE"}),
        ],
    )
    def test_int64_decimal_and_count_are_strings(self, odata, world, params, headers):
        response = odata.get("Rewards", {"$count": "true", "$expand": "Plan", **params}, **headers)
        assert "IEEE754Compatible=true" in response["Content-Type"]
        body = body_of(response)
        assert body["@odata.count"] == "1"
        row = body["value"][0]
        assert row["Id"] == str(world["reward"].pk) and row["UserId"] == str(world["rep"].user_id)
        assert row["Amount"] == "123456789012.35"
        assert row["Released"] is True and row["Currency"] == "USD"
        assert row["Plan"]["CommissionRate"] == "7.500" and row["Plan"]["Id"] == str(world["plan"].pk)

    def test_single_entity_and_property(self, odata, world):
        accept = {"Accept": "application/json;IEEE754Compatible=true"}
        assert body_of(odata.get(f"Rewards({world['reward'].pk})", **accept))["Amount"] == "123456789012.35"
        assert body_of(odata.get(f"Rewards({world['reward'].pk})/UserId", **accept))["value"] == str(
            world["rep"].user_id
        )

    def test_by_default_numbers_stay_numbers(self, odata, world):
        response = odata.get("Rewards", {"$count": "true"})
        assert "IEEE754Compatible=false" in response["Content-Type"]
        body = body_of(response)
        assert body["@odata.count"] == 1 and body["value"][0]["Amount"] == Decimal("123456789012.35")

    def test_a_bad_value_is_406(self, odata, world):
        response = odata.get("Rewards", {"$format": "application/json;IEEE754Compatible=maybe"})
        assert response.status_code == 406 and "IEEE754Compatible" in json.loads(response.content)["error"]["message"]


@pytest.mark.django_db
class TestMetadataLevels:
    def test_full_has_ids_types_edit_and_navigation_links(self, odata, world):
        rep = world["rep"].user_id
        response = odata.get(
            "Users", {"$filter": f"Id eq {rep}", "$expand": "Manager"}, Accept=("application/json;odata.metadata=full")
        )
        assert "odata.metadata=full" in response["Content-Type"]
        body = body_of(response)
        assert body["@odata.context"].startswith(ROOT + "$metadata#Users(") and body["@odata.context"].endswith(
            ",Manager())"
        )
        row = body["value"][0]
        assert row["@odata.type"] == "#Portal.User"
        assert row["@odata.id"] == f"{ROOT}Users({rep})"
        assert row["@odata.editLink"] == f"Users({rep})"
        assert row["Id@odata.type"] == "#Int64" and row["MemberSince@odata.type"] == "#DateTimeOffset"
        assert "Email@odata.type" not in row  # a string is a string
        assert row["Manager@odata.navigationLink"] == f"Users({rep})/Manager"
        assert row["Manager"]["@odata.id"] == f"{ROOT}Users({world['boss'].user_id})"

    def test_full_links_lead_where_they_say(self, odata, world):
        row = body_of(odata.get(f"Rewards({world['reward'].pk})", {"$format": "application/json;odata.metadata=full"}))
        assert row["Amount@odata.type"] == "#Decimal"
        assert odata.json(row["@odata.editLink"])["Id"] == world["reward"].pk
        assert odata.json(row["Plan@odata.navigationLink"])["Name"] == "Q4 Kicker"

    def test_full_string_keys_are_quoted(self, odata, world):
        RewardFactory(plan=None, tenant=world["plan"].tenant, user=world["rep"].user, recoverable=True)
        row = body_of(odata.get("RecoverableBalances", Accept="application/json;odata.metadata=full"))["value"][0]
        assert row["@odata.editLink"] == f"RecoverableBalances('{world['rep'].user_id}-USD')"
        assert odata.json(row["@odata.editLink"])["Currency"] == "USD"

    def test_none_omits_the_context(self, odata, world):
        response = odata.get("Users", {"$count": "true"}, Accept="application/json;odata.metadata=none")
        assert "odata.metadata=none" in response["Content-Type"]
        body = body_of(response)
        assert "@odata.context" not in body and body["@odata.count"] == 3
        assert "@odata.id" not in body["value"][0]
        for path in ("", f"Users({world['rep'].user_id})", f"Users({world['rep'].user_id})/Email"):
            assert "@odata.context" not in body_of(odata.get(path, {"$format": "application/json;odata.metadata=none"}))

    def test_minimal_is_the_default_and_unknown_levels_are_406(self, odata, world):
        body = body_of(odata.get("Users"))
        assert "@odata.context" in body and "@odata.id" not in body["value"][0]
        response = odata.get("Users", Accept="application/json;odata.metadata=verbose")
        assert (
            response.status_code == 406 and "odata.metadata=verbose" in json.loads(response.content)["error"]["message"]
        )
        # A later acceptable range still wins.
        assert odata.get("Users", Accept="application/json;odata.metadata=verbose, */*;q=0.5").status_code == 200


@pytest.fixture
def csdl(odata):
    response = odata.get("$metadata")
    return ET.fromstring(response.content)  # noqa: S314 - our own test server's document


def terms(element) -> dict:
    return {a.get("Term").removeprefix(CAP): a for a in element.findall("edm:Annotation", NS)}


def record(annotation) -> dict:
    return {
        p.get("Property"): p.get("Bool") or p.get("Int") for p in annotation.findall("edm:Record/edm:PropertyValue", NS)
    }


@pytest.mark.django_db
class TestCapabilities:
    def test_container_declares_no_batch_and_no_async(self, csdl):
        container = terms(csdl.find(".//edm:EntityContainer", NS))
        assert container["BatchSupported"].get("Bool") == "false"
        assert record(container["BatchSupport"]) == {"Supported": "false"}
        assert "AsynchronousRequestsSupported" not in container
        formats = [s.text for s in container["SupportedFormats"].findall("edm:Collection/edm:String", NS)]
        assert "application/json;odata.metadata=full;IEEE754Compatible=true" in formats

    def test_each_set_declares_what_it_supports(self, csdl):
        sets = csdl.findall(".//edm:EntitySet", NS)
        assert len(sets) >= 10
        for entity_set in sets:
            found = terms(entity_set)
            assert record(found["InsertRestrictions"]) == {"Insertable": "false"}
            assert record(found["UpdateRestrictions"]) == {"Updatable": "false"}
            assert record(found["DeleteRestrictions"]) == {"Deletable": "false"}
            assert found["TopSupported"].get("Bool") == found["SkipSupported"].get("Bool") == "true"
            assert record(found["SearchRestrictions"]) == {"Searchable": "false"}
            assert record(found["ExpandRestrictions"]) == {"Expandable": "true", "MaxLevels": "1"}
            functions = [s.text for s in found["FilterFunctions"].findall("edm:Collection/edm:String", NS)]
            assert functions == list(FILTER_FUNCTIONS)

    def test_the_vocabulary_is_referenced(self, csdl):
        include = csdl.find("edmx:Reference/edmx:Include", NS)
        assert include.get("Namespace") == "Org.OData.Capabilities.V1"


@pytest.mark.django_db
class TestVersions:
    @pytest.mark.parametrize("version", ["3.0", "2.0", " 3.0 "])
    def test_a_client_below_4_is_refused_naming_the_version(self, odata, version):
        response = odata.get("Users", **{"OData-MaxVersion": version})
        assert response.status_code == 400
        error = json.loads(response.content)["error"]
        assert version.strip() in error["message"] and "4.0" in error["message"]

    @pytest.mark.parametrize("version", ["4.0", "4.01"])
    def test_4_and_above_are_served_in_4_0(self, odata, version):
        response = odata.get("Users", **{"OData-MaxVersion": version})
        assert response.status_code == 200 and response["OData-Version"] == "4.0"

    def test_a_malformed_version_is_400(self, odata):
        assert odata.get("Users", **{"OData-MaxVersion": "four"}).status_code == 400
