import io

import pytest
from django.core.management import call_command

from api.demo import DEMO_KEY
from api.models import ApiKey


@pytest.mark.django_db
def test_seed_demo_adds_one_working_key_and_is_idempotent(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())
    assert ApiKey.objects.count() == 1
    assert DEMO_KEY in out.getvalue()
    response = client.get(
        "/w/acme/odata/Users",
        {"$filter": "Email eq 'admin@acme.test'"},
        headers={"Authorization": f"Bearer {DEMO_KEY}"},
    )
    assert response.status_code == 200
    assert b"admin@acme.test" in b"".join(response.streaming_content)
    assert client.get("/w/globex/odata/", headers={"Authorization": f"Bearer {DEMO_KEY}"}).status_code == 404
