"""The middleware looks a membership up inside the workspace its slug named last time
(tenancy.middleware ``_WORKSPACE_IDS``): on PostgreSQL a page then switches no database role
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
    assert middleware._WORKSPACE_IDS == {tenant.slug: tenant.pk}
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
    assert middleware._WORKSPACE_IDS[slug] == other_tenant.pk


def test_a_membership_deactivated_after_the_guess_answers_404(client, admin_member):
    tenant = admin_member.tenant
    client.force_login(admin_member.user)
    assert client.get(plans(tenant.slug)).status_code == 200
    type(admin_member).objects.filter(pk=admin_member.pk).update(is_active=False)
    assert client.get(plans(tenant.slug)).status_code == 404


def test_a_guess_lets_no_stranger_in(client, admin_member, outsider):
    tenant = admin_member.tenant
    client.force_login(admin_member.user)
    assert client.get(plans(tenant.slug)).status_code == 200  # the slug is guessed now
    client.force_login(outsider.user)
    response = client.get(plans(tenant.slug))
    assert response.status_code == 404 and tenant.name.encode() not in response.content
    assert middleware._WORKSPACE_IDS == {tenant.slug: tenant.pk}  # a stranger's miss changes no guess
