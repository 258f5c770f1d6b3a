"""An anonymous visitor cannot tell a real workspace slug from a made-up one, on the API or on
pages (issue 18, item 3)."""

import pytest
from django.urls import reverse

from api.services import create_api_key
from tests.conftest import login

API_PATHS = ["", "$metadata", "Users", "Users(1)", "Users/$count", "NoSuchSet"]
PAGES = ["", "plans/", "users/", "settings/", "no-such-page/"]


def _answer(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body, response.get("WWW-Authenticate")


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_PATHS)
@pytest.mark.parametrize("authorization", [None, "Bearer odk_not-a-key"])
def test_the_api_answers_a_real_and_a_made_up_slug_alike(client, tenant, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    real = _answer(client.get(f"/w/{tenant.slug}/odata/{path}", headers=headers))
    made_up = _answer(client.get(f"/w/no-such-workspace/odata/{path}", headers=headers))
    assert real[0] == 401
    assert made_up == real


@pytest.mark.django_db
def test_a_valid_key_on_a_made_up_slug_is_a_404_like_another_workspace(client, tenant, other_tenant, admin_member):
    key = create_api_key(tenant=tenant, user=admin_member.user, name="k", actor=admin_member.user).key
    headers = {"Authorization": f"Bearer {key}"}
    other = _answer(client.get(reverse("api:service_root", kwargs={"tenant_slug": other_tenant.slug}), headers=headers))
    made_up = _answer(client.get("/w/no-such-workspace/odata/Users", headers=headers))
    assert other[0] == made_up[0] == 404
    assert other[1] == made_up[1]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_pages_send_an_anonymous_visitor_to_log_in_for_a_real_and_a_made_up_slug(client, tenant, path):
    real = client.get(f"/w/{tenant.slug}/{path}")
    made_up = client.get(f"/w/no-such-workspace/{path}")
    assert real.status_code == made_up.status_code == 302
    assert real["Location"].startswith(reverse("login"))
    assert made_up["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_a_member_elsewhere_gets_404_for_a_real_and_a_made_up_slug(client, tenant, outsider, path):
    login(client, outsider)
    assert client.get(f"/w/{tenant.slug}/{path}").status_code == 404
    assert client.get(f"/w/no-such-workspace/{path}").status_code == 404
