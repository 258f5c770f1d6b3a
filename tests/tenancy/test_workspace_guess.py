"""The middleware looks a membership up inside the workspace its slug named last time
by that user (tenancy.middleware ``_WORKSPACE_IDS``): on PostgreSQL a page then switches no database role
(tests/tenancy/test_rls.py). A guess is only ever a guess: the lookup still names the slug, the
user and an active membership, and when the guess finds nothing the lookup outside any workspace
decides. These run on every database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tenancy import middleware
from tests.factories import member

pytestmark = pytest.mark.django_db


def plans(slug):
    return reverse("plans:plan_list", kwargs={"tenant_slug": slug})


def membership_reads(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "tenancy_membership"."id"')]


def test_the_second_page_finds_the_membership_in_the_guessed_workspace(client, admin_member):
    tenant = admin_member.tenant
    client.force_login(admin_member.user)
    with CaptureQueriesContext(connection) as first:
        assert client.get(plans(tenant.slug)).status_code == 200
    assert middleware._WORKSPACE_IDS == {(tenant.slug, admin_member.user_id): tenant.pk}
    with CaptureQueriesContext(connection) as second:
        response = client.get(plans(tenant.slug))
    assert response.status_code == 200
    assert response.wsgi_request.membership == admin_member and response.wsgi_request.tenant == tenant
    # One lookup each time: the guessed one names the workspace's id as well as its slug.
    assert len(membership_reads(first)) == len(membership_reads(second)) == 1
    guessed = membership_reads(second)[0]
    assert f'"tenancy_membership"."tenant_id" = {tenant.pk}' in guessed and "tenancy_tenant" in guessed
    assert len(second.captured_queries) == len(first.captured_queries)


def test_a_slug_given_to_another_workspace_finds_that_workspace(client, admin_member, other_tenant):
    first = admin_member.tenant
    client.force_login(admin_member.user)
    assert client.get(plans(first.slug)).status_code == 200  # the guess: this slug is `first`
    slug = first.slug
    first.slug = "renamed-away"
    first.save()
    other_tenant.slug = slug
    other_tenant.save()
    # `first`'s administrator is no member of the workspace now called so: 404, as any stranger.
    assert client.get(plans(slug)).status_code == 404
    assert client.get(plans("renamed-away")).status_code == 200
    theirs = member(other_tenant, "Administrator")
    client.force_login(theirs.user)
    response = client.get(plans(slug))
    assert response.status_code == 200 and response.wsgi_request.tenant == other_tenant
    assert middleware._WORKSPACE_IDS[(slug, theirs.user_id)] == other_tenant.pk
    assert (slug, admin_member.user_id) not in middleware._WORKSPACE_IDS  # the stale guess is dropped


def test_a_membership_deactivated_after_the_guess_answers_404(client, admin_member):
    tenant = admin_member.tenant
    client.force_login(admin_member.user)
    assert client.get(plans(tenant.slug)).status_code == 200
    type(admin_member).objects.filter(pk=admin_member.pk).update(is_active=False)
    assert client.get(plans(tenant.slug)).status_code == 404
    assert middleware._WORKSPACE_IDS == {}


def test_a_guess_lets_no_stranger_in_nor_tells_them_the_slug_exists(client, admin_member, outsider):
    """A guess is the user's own: a stranger asking for an existing workspace gets the same
    single lookup as for one that does not exist (no timing tells them apart)."""
    tenant = admin_member.tenant
    client.force_login(admin_member.user)
    assert client.get(plans(tenant.slug)).status_code == 200  # the member's guess now
    client.force_login(outsider.user)
    reads = []
    for slug in (tenant.slug, "no-such-workspace"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(plans(slug))
        assert response.status_code == 404 and tenant.name.encode() not in response.content
        reads.append(len(membership_reads(captured)))
    assert reads == [1, 1]
    assert middleware._WORKSPACE_IDS == {(tenant.slug, admin_member.user_id): tenant.pk}
