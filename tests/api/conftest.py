import pytest
from django.core.cache import cache
from django.urls import reverse

from api.services import create_api_key
from tests.factories import member


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_key(tenant, admin_member):
    return create_api_key(tenant=tenant, user=admin_member.user, name="Tests", actor=admin_member.user)


class ODataClient:
    """The Django test client with a bearer key and the workspace's OData root."""

    def __init__(self, client, tenant, key):
        self.client, self.tenant, self.key = client, tenant, key

    def url(self, path=""):
        return reverse("api:service_root", kwargs={"tenant_slug": self.tenant.slug}) + path

    def get(self, path="", params=None, **headers):
        headers.setdefault("Authorization", f"Bearer {self.key}")
        return self.client.get(self.url(path), params or {}, headers=headers)

    def json(self, path="", params=None, status=200, **headers):
        response = self.get(path, params, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == status, body[:500]
        import json

        return json.loads(body)


@pytest.fixture
def odata(client, tenant, api_key):
    return ODataClient(client, tenant, api_key.key)


def members(tenant, n, role="Sales Rep"):
    return [member(tenant, role) for _ in range(n)]
