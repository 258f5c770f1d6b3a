"""Who may call the API: keys, revocation, role loss, deactivation, other tenants, rate limits,
and the methods and formats it refuses."""

import base64
import json

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import get_scope

from api import views
from api.auth import authenticate
from api.models import ApiKey
from api.services import create_api_key, revoke_api_key
from tenancy.models import Tenant
from tests.factories import RoleFactory, member


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)["error"]


@pytest.mark.django_db
class TestKeys:
    def test_missing_key_gets_401_with_an_odata_error(self, client, tenant):
        response = client.get(reverse("api:service_root", kwargs={"tenant_slug": tenant.slug}))
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert error_of(response)["code"] == "Unauthorized"

    @pytest.mark.parametrize("header", ["Bearer odk_not-a-key", "Basic dXNlcjpwYXNz", "Bearer ", "odk_x"])
    def test_unknown_or_malformed_key_gets_401(self, odata, header):
        response = odata.get("Users", Authorization=header)
        assert response.status_code == 401
        assert "message" in error_of(response)

    @pytest.mark.parametrize("user", ["powerbi", "", "admin@acme.test"])
    def test_http_basic_with_the_key_as_password(self, odata, user):
        # What Power BI's scheduled refresh stores: Basic credentials; any user name.
        token = base64.b64encode(f"{user}:{odata.key}".encode()).decode()
        response = odata.get("Users", Authorization=f"Basic {token}")
        assert response.status_code == 200 and response["OData-Version"] == "4.0"

    @pytest.mark.parametrize("credentials", ["{key}:", "{key}", "user:wrong", "not-base64!"])
    def test_basic_without_the_key_as_password_gets_401_with_both_challenges(self, odata, credentials):
        raw = credentials.format(key=odata.key)
        token = raw if raw == "not-base64!" else base64.b64encode(raw.encode()).decode()
        response = odata.get("Users", Authorization=f"Basic {token}")
        assert response.status_code == 401
        assert "Bearer" in response["WWW-Authenticate"] and "Basic" in response["WWW-Authenticate"]

    @pytest.mark.parametrize("name", ["api_key", "key", "access_token", "token", "apikey", "$key"])
    def test_a_key_in_the_url_is_never_accepted(self, client, tenant, api_key, name):
        url = reverse("api:entity_collection", kwargs={"tenant_slug": tenant.slug, "entity_set": "Users"})
        response = client.get(url, {name: api_key.key})
        assert response.status_code == 401
        assert error_of(response)["code"] == "Unauthorized"

    def test_a_session_is_not_enough(self, admin_client, tenant):
        response = admin_client.get(reverse("api:service_root", kwargs={"tenant_slug": tenant.slug}))
        assert response.status_code == 401

    def test_revoked_key_stops_at_once(self, odata, api_key, admin_member):
        assert odata.get("Users").status_code == 200
        revoke_api_key(api_key.api_key, actor=admin_member.user)
        response = odata.get("Users")
        assert response.status_code == 401 and "revoked" in error_of(response)["message"]

    def test_losing_the_administrator_role_stops_the_key(self, odata, tenant, admin_member):
        assert odata.get("Users").status_code == 200
        admin_member.role = RoleFactory(tenant=tenant, name="Sales Rep")
        admin_member.save()
        response = odata.get("Users")
        assert response.status_code == 401 and "administrator" in error_of(response)["message"]

    def test_role_losing_the_capability_stops_the_key(self, odata, tenant, admin_member):
        admin_member.role.capabilities = ["manage_plans"]
        admin_member.role.save()
        assert odata.get("Users").status_code == 401

    def test_deactivated_membership_stops_the_key(self, odata, admin_member):
        admin_member.is_active = False
        admin_member.save()
        assert odata.get("Users").status_code == 401

    def test_deactivated_user_stops_the_key(self, odata, admin_member):
        admin_member.user.is_active = False
        admin_member.user.save()
        assert odata.get("Users").status_code == 401

    def test_use_is_recorded_as_last_used(self, odata, api_key):
        assert ApiKey.objects.get().last_used_at is None
        odata.get("Users")
        first = ApiKey.objects.get().last_used_at
        assert first is not None
        odata.get("Users")
        assert ApiKey.objects.get().last_used_at == first  # at most once a minute


@pytest.mark.django_db
class TestIsolation:
    def test_key_of_another_tenant_gets_404_and_nothing(self, client, tenant, other_tenant, outsider):
        secret = member(tenant, "Sales Rep").user.email
        key = create_api_key(tenant=other_tenant, user=outsider.user, name="B", actor=None).key
        for name, kwargs in [
            ("api:service_root", {}),
            ("api:metadata", {}),
            ("api:entity_collection", {"entity_set": "Users"}),
            ("api:entity_count", {"entity_set": "Users"}),
            ("api:entity", {"entity_set": "Users", "entity_key": "1"}),
        ]:
            url = reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})
            response = client.get(
                url, {"$filter": "Id gt 0"} if "set" in str(kwargs) else {}, headers={"Authorization": f"Bearer {key}"}
            )
            assert response.status_code == 404, name
            assert secret.encode() not in response.content
            assert error_of(response)["code"] == "NotFound"

    def test_own_key_sees_only_own_tenant(self, odata, tenant, other_tenant, outsider):
        foreign = member(other_tenant, "Sales Rep")
        emails = {u["Email"] for u in odata.json("Users")["value"]}
        assert foreign.user.email not in emails and outsider.user.email not in emails
        odata.json(f"Users({foreign.user_id})", status=404)
        assert odata.json("Users", {"$filter": f"Id eq {foreign.user_id}", "$count": "true"})["@odata.count"] == 0
        assert odata.get("Users/$count").content == b"1"

    def test_user_in_both_tenants_shows_this_tenants_membership(self, odata, tenant, other_tenant):
        shared = member(other_tenant, "Administrator")
        member(tenant, "Sales Rep", user=shared.user)
        row = odata.json(f"Users({shared.user_id})")
        assert row["Role"] == "Sales Rep"
        assert odata.json("Users", {"$filter": "Role eq 'Administrator'", "$count": "true"})["@odata.count"] == 1

    def test_unknown_workspace_gets_404(self, client, api_key):
        response = client.get("/w/no-such-place/odata/Users", headers={"Authorization": f"Bearer {api_key.key}"})
        assert response.status_code == 404


@pytest.mark.django_db
class TestRefusals:
    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_writes_get_405_allowing_get_and_head(self, client, tenant, api_key, method):
        for path in ("", "Users", "Users(1)", "$metadata", "Users/$count", "Users(1)/Email", "Users/Foo/Bar"):
            url = reverse("api:service_root", kwargs={"tenant_slug": tenant.slug}) + path
            response = getattr(client, method)(
                url, data="{}", content_type="application/json", headers={"Authorization": f"Bearer {api_key.key}"}
            )
            assert response.status_code == 405, path
            assert response["Allow"] == "GET, HEAD"
            assert error_of(response)["code"] == "MethodNotAllowed"

    @pytest.mark.parametrize(
        ("path", "params", "accept"),
        [
            ("Users", {"$format": "xml"}, None),
            ("Users", {"$format": "atom"}, None),
            ("Users", {}, "application/xml"),
            ("", {}, "text/html"),
            ("$metadata", {}, "application/json"),
            ("$metadata", {"$format": "json"}, None),
            ("Users/$count", {}, "application/xml"),
        ],
    )
    def test_unsupported_formats_get_406(self, odata, path, params, accept):
        headers = {"Accept": accept} if accept else {}
        response = odata.get(path, params, **headers)
        assert response.status_code == 406
        assert error_of(response)["code"] == "NotAcceptable"

    @pytest.mark.parametrize(
        ("path", "params", "accept"),
        [
            ("Users", {"$format": "json"}, None),
            ("Users", {"$format": "application/json;odata.metadata=minimal"}, None),
            ("Users", {}, "application/json;odata.metadata=minimal"),
            ("Users", {}, "*/*"),
            ("$metadata", {}, "application/xml"),
            ("Users/$count", {}, "text/plain"),
            # What Power BI's OData connector sends.
            (
                "$metadata",
                {},
                "application/json;odata.metadata=minimal;q=1.0,application/json;odata=minimalmetadata;q=0.9,"
                "application/atomsvc+xml;q=0.8,application/atom+xml;q=0.8,application/xml;q=0.7,text/plain;q=0.7",
            ),
            ("Users", {}, "application/json;odata.metadata=minimal;q=1.0,application/xml;q=0.7"),
        ],
    )
    def test_supported_formats(self, odata, path, params, accept):
        headers = {"Accept": accept} if accept else {}
        response = odata.get(path, params, **headers)
        assert response.status_code == 200
        assert response["OData-Version"] == "4.0"

    def test_head_is_allowed(self, odata):
        response = odata.client.head(odata.url("Users"), headers={"Authorization": f"Bearer {odata.key}"})
        assert response.status_code == 200

    @override_settings(ODATA_RATE_LIMIT_PER_MINUTE=3)
    def test_too_many_requests_get_429_with_retry_after(self, odata, tenant, admin_member):
        for _ in range(3):
            assert odata.get("Users").status_code == 200
        response = odata.get("Users")
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 61
        assert error_of(response)["code"] == "TooManyRequests"
        # Counted per key: another key of the same user is not limited.
        other = create_api_key(tenant=tenant, user=admin_member.user, name="other", actor=None).key
        assert odata.get("Users", Authorization=f"Bearer {other}").status_code == 200

    @override_settings(ODATA_RATE_LIMIT_PER_MINUTE=2)
    def test_the_limit_counts_requests_whatever_the_scheme_and_pages_count(self, odata, admin_member):
        # Following nextLink is a request like any other: a 3-page read takes 3 of the minute's budget.
        basic = "Basic " + base64.b64encode(f"x:{odata.key}".encode()).decode()
        assert odata.get("Users", Authorization=basic).status_code == 200
        assert odata.get("Users", {"$skiptoken": "0"}).status_code == 200
        response = odata.get("Users", Authorization=basic)
        assert response.status_code == 429 and int(response["Retry-After"]) >= 1


@pytest.mark.django_db
class TestWorkspaceReadWithTheKey:
    """The workspace of the URL is read in the key's statement (api.auth), not by the tenant
    middleware: the view must still get all of it, its scope and its time zone, and an unknown
    workspace must still tell nothing to a caller without a valid key."""

    def test_the_caller_carries_the_whole_workspace(self, rf, tenant, api_key):
        tenant.time_zone = "Europe/Paris"
        tenant.save()
        caller = authenticate(rf.get("/", headers={"Authorization": f"Bearer {api_key.key}"}), tenant.slug)
        loaded, stored = caller.membership.tenant, Tenant.objects.get(pk=tenant.pk)
        assert not loaded.get_deferred_fields()
        for field in Tenant._meta.concrete_fields:
            assert getattr(loaded, field.attname) == getattr(stored, field.attname), field.name
        assert caller.api_key.tenant is loaded and loaded.zone.key == "Europe/Paris"

    def test_the_view_runs_in_the_workspace_scope_and_time_zone(self, odata, tenant, monkeypatch):
        tenant.time_zone = "Europe/Paris"
        tenant.save()
        seen, root_url = {}, views._root_url

        def spy(request):
            seen.update(zone=timezone.get_current_timezone_name(), tenant=get_scope().get("tenant"))
            return root_url(request)

        monkeypatch.setattr(views, "_root_url", spy)
        odata.json()
        assert seen == {"zone": "Europe/Paris", "tenant": tenant}

    @pytest.mark.parametrize("authorization", [None, "Bearer odk_not-a-key"])
    def test_an_unknown_workspace_without_a_valid_key_gets_401(self, client, authorization):
        headers = {"Authorization": authorization} if authorization else {}
        response = client.get("/w/no-such-place/odata/Users", headers=headers)
        assert response.status_code == 401 and error_of(response)["code"] == "Unauthorized"

    def test_the_key_of_a_workspace_under_another_slug_gets_404(self, client, tenant, other_tenant, api_key):
        url = reverse("api:entity_collection", kwargs={"tenant_slug": other_tenant.slug, "entity_set": "Users"})
        response = client.get(url, headers={"Authorization": f"Bearer {api_key.key}"})
        assert response.status_code == 404 and error_of(response)["code"] == "NotFound"
