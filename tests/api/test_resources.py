"""Every URL under the service root answers in OData JSON with OData-Version 4.0 (issue 19, point
1): property access (``Users(1)/Email``, ``…/$value``), to-one navigation (``Rewards(1)/Plan``,
and on through it), ``$batch`` (501), unknown paths (404), the root without its slash, and a
crash (500) — never an HTML page, not even Django's debug page."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from api import edm
from api.services import create_api_key
from tests.factories import UserFactory, member
from tests.plans.factories import PlanFactory, RewardFactory


def odata_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response["OData-Version"] == "4.0"
    return json.loads(response.content)["error"]


@pytest.fixture
def world(tenant, admin_member):
    boss = member(tenant, "Manager", user=UserFactory(email="boss@acme.test", full_name="Bea Boss"))
    rep = member(tenant, "Sales Rep", user=UserFactory(email="rep@acme.test"), manager=boss, title="")
    plan = PlanFactory(tenant=tenant, name="Q4 Kicker", created_by=boss.user)
    reward = RewardFactory(plan=plan, user=rep.user, amount=Decimal("12.50"))
    loose = RewardFactory(plan=None, tenant=tenant, user=rep.user, amount=Decimal("-3.00"), recoverable=True)
    return {"boss": boss, "rep": rep, "plan": plan, "reward": reward, "loose": loose}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True  # the debug page listed the URL patterns: it must never answer here


@pytest.mark.django_db
@pytest.mark.usefixtures("debug")
class TestEveryUrlAnswersOData:
    @pytest.mark.parametrize(
        ("path", "status", "code"),
        [
            ("$batch", 501, "NotImplemented"),
            ("Users/Foo/Bar", 404, "NotFound"),
            ("Users/", 404, "NotFound"),
            ("Nope(1)/Email", 404, "NotFound"),
            ("Users(1)/Nope", 404, "NotFound"),
            ("Users/$count/$value", 404, "NotFound"),
            ("$crossjoin(Users,Plans)", 501, "NotImplemented"),
            ("$all", 501, "NotImplemented"),
            ("Users(1)/$ref", 501, "NotImplemented"),
            ("Users(1)/$count", 404, "NotFound"),
            ("Users/$ref", 501, "NotImplemented"),
            ("$metadata/Extra", 404, "NotFound"),
        ],
    )
    def test_unknown_and_unimplemented_paths(self, odata, world, path, status, code):
        assert odata_error(odata.get(path), status)["code"] == code

    def test_batch_by_post_is_501_too(self, odata):
        response = odata.client.post(
            odata.url("$batch"),
            data="--batch_1--",
            content_type="multipart/mixed;boundary=batch_1",
            headers={"Authorization": f"Bearer {odata.key}", "Accept": "multipart/mixed"},
        )
        assert "$batch" in odata_error(response, 501)["message"]

    def test_an_unknown_path_is_404_whatever_the_client_accepts(self, odata):
        assert odata_error(odata.get("Users/Foo/Bar", Accept="text/html"), 404)["code"] == "NotFound"

    def test_without_a_key_every_path_is_a_401_in_odata_json(self, client, tenant):
        root = reverse("api:service_root", kwargs={"tenant_slug": tenant.slug})
        for path in ("$batch", "Users/Foo/Bar", "Users(1)/Email", "Users(1)/Email/$value"):
            assert odata_error(client.get(root + path), 401)["code"] == "Unauthorized"
        assert odata_error(client.get(root.rstrip("/")), 401)["code"] == "Unauthorized"

    def test_the_root_without_its_slash_is_the_service_document(self, odata):
        response = odata.client.get(odata.url().rstrip("/"), headers={"Authorization": f"Bearer {odata.key}"})
        assert response.status_code == 200 and response["OData-Version"] == "4.0"
        body = json.loads(response.content)
        # Relative set URLs resolve against the context URL, which keeps the slash.
        assert body["@odata.context"] == "http://testserver/w/acme-test/odata/$metadata"
        assert {"name": "Users", "kind": "EntitySet", "url": "Users"} in body["value"]

    def test_a_crash_is_a_500_in_odata_json(self, odata, monkeypatch):
        def broken(tenant):
            raise RuntimeError("boom")

        monkeypatch.setattr(edm.get_set("Teams"), "queryset", broken)
        odata.client.raise_request_exception = False
        error = odata_error(odata.get("Teams"), 500)
        assert error["code"] == "InternalServerError" and "boom" not in error["message"]


@pytest.mark.django_db
class TestPropertyAccess:
    def test_a_property_as_json(self, odata, world):
        rep = world["rep"].user
        response = odata.get(f"Users({rep.pk})/Email")
        assert response.status_code == 200 and response["OData-Version"] == "4.0"
        assert response["Content-Type"].startswith("application/json;odata.metadata=minimal")
        body = json.loads(response.content)
        assert body == {
            "@odata.context": f"http://testserver/w/acme-test/odata/$metadata#Users({rep.pk})/Email",
            "value": "rep@acme.test",
        }
        assert odata.json(f"Rewards({world['reward'].pk})/Amount")["value"] == Decimal("12.50")

    def test_a_raw_value(self, odata, world):
        response = odata.get(f"Users({world['rep'].user_id})/Email/$value")
        assert response.status_code == 200 and response.content == b"rep@acme.test"
        assert response["Content-Type"].startswith("text/plain")
        assert odata.get(f"Rewards({world['reward'].pk})/Amount/$value").content == b"12.50"
        assert odata.get(f"Users({world['rep'].user_id})/IsActive/$value").content == b"true"

    def test_a_null_property_is_204(self, odata, world):
        for path in (f"Users({world['boss'].user_id})/ManagerId", f"Users({world['boss'].user_id})/ManagerId/$value"):
            response = odata.get(path)
            assert response.status_code == 204 and response.content == b""

    def test_errors(self, odata, world):
        rep = world["rep"].user_id
        assert odata_error(odata.get("Users(999999)/Email"), 404)["code"] == "NotFound"
        assert odata_error(odata.get(f"Users({rep})/Email/Foo"), 404)["code"] == "NotFound"
        assert odata_error(odata.get(f"Users({rep})/Email", {"$filter": "Id eq 1"}), 400)["target"] == "$filter"
        assert odata_error(odata.get(f"Users({rep})/Email", {}, Accept="application/xml"), 406)

    def test_another_workspaces_row_is_404(self, odata, other_tenant):
        foreign = member(other_tenant, "Sales Rep")
        assert odata_error(odata.get(f"Users({foreign.user_id})/Email"), 404)["code"] == "NotFound"
        plan = PlanFactory(tenant=other_tenant)
        reward = RewardFactory(plan=plan)
        assert odata_error(odata.get(f"Rewards({reward.pk})/Plan"), 404)["code"] == "NotFound"


@pytest.mark.django_db
class TestNavigation:
    def test_to_one_navigation_is_the_target_entity(self, odata, world):
        body = odata.json(f"Rewards({world['reward'].pk})/Plan")
        assert body["@odata.context"].endswith("$metadata#Plans/$entity")
        assert body["Id"] == world["plan"].pk and body["Name"] == "Q4 Kicker"

    def test_options_apply_to_the_target(self, odata, world):
        body = odata.json(f"Rewards({world['reward'].pk})/Plan", {"$select": "Name", "$expand": "CreatedBy"})
        assert body["Name"] == "Q4 Kicker" and "Currency" not in body
        assert body["CreatedBy"]["Email"] == "boss@acme.test"

    def test_through_several_navigations_to_a_property(self, odata, world):
        reward = world["reward"].pk
        assert odata.json(f"Rewards({reward})/Plan/CreatedBy/Email")["value"] == "boss@acme.test"
        assert odata.get(f"Rewards({reward})/Plan/Name/$value").content == b"Q4 Kicker"
        assert odata.json(f"Users({world['rep'].user_id})/Manager")["Email"] == "boss@acme.test"

    def test_a_navigation_to_nothing_is_204(self, odata, world):
        assert odata.get(f"Rewards({world['loose'].pk})/Plan").status_code == 204
        assert odata.get(f"Users({world['boss'].user_id})/Manager/Email").status_code == 204

    def test_query_count_is_fixed(self, odata, world, django_assert_num_queries):
        # key with its workspace and membership, last-used stamp; then the reward's plan key and the plan
        with django_assert_num_queries(4):
            odata.json(f"Rewards({world['reward'].pk})/Plan")


@pytest.mark.django_db
def test_a_key_of_another_workspace_gets_404_on_every_new_url(client, tenant, other_tenant, outsider, world):
    key = create_api_key(tenant=other_tenant, user=outsider.user, name="B", actor=None).key
    root = reverse("api:service_root", kwargs={"tenant_slug": tenant.slug})
    reward = world["reward"].pk
    for path in (f"Rewards({reward})/Plan", f"Rewards({reward})/Amount/$value", "$batch", "Users/Foo/Bar"):
        response = client.get(root + path, headers={"Authorization": f"Bearer {key}"})
        assert odata_error(response, 404)["code"] == "NotFound", path
        assert b"Q4 Kicker" not in response.content
    response = client.get(root.rstrip("/"), headers={"Authorization": f"Bearer {key}"})
    assert odata_error(response, 404)["code"] == "NotFound"
