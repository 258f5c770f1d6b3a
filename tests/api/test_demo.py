import io
import re

import pytest
from django.core.management import call_command

from api.demo import DEMO_KEY
from api.models import ApiKey


def users(client, key, slug="acme"):
    return client.get(
        f"/w/{slug}/odata/Users", {"$filter": "Email eq 'admin@acme.test'"}, headers={"Authorization": f"Bearer {key}"}
    )


@pytest.mark.django_db
def test_with_debug_seed_demo_adds_the_readme_key_once(client, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())
    assert ApiKey.objects.count() == 1
    assert DEMO_KEY in out.getvalue()
    response = users(client, DEMO_KEY)
    assert response.status_code == 200
    assert b"admin@acme.test" in b"".join(response.streaming_content)
    assert client.get("/w/globex/odata/", headers={"Authorization": f"Bearer {DEMO_KEY}"}).status_code == 404


@pytest.mark.django_db
def test_without_debug_the_published_key_never_works_and_a_random_one_is_printed_once(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())  # an earlier seed with DEBUG on left the published key
    settings.DEBUG = False
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert DEMO_KEY not in out.getvalue()
    printed = re.search(r"shown once, store it now\): (odk_\S+)", out.getvalue()).group(1)
    assert users(client, printed).status_code == 200
    assert users(client, DEMO_KEY).status_code == 401
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert "odk_" not in again.getvalue()
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1
