"""A statement compiled once gives, for every call's values, what its queryset gives; it refuses
what would make the compiled SQL wrong for a later call."""

import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from common.precompiled import Precompiled
from tenancy.models import Membership
from tests.factories import TenantFactory, member

pytestmark = pytest.mark.django_db


def build(slug, user_id):
    return (
        Membership.objects.select_related("tenant", "role", "user")
        .filter(tenant__slug=slug, user_id=user_id, is_active=True)
        .order_by("pk")[:1]
    )


def statement():
    return Precompiled(build, slug="marker-slug", user_id=-4242)


def fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_each_call_returns_what_the_queryset_returns_with_its_values():
    first, second = member(TenantFactory(), "Administrator"), member(TenantFactory(), "Manager")
    lookup = statement()
    for membership in (first, second, first):
        slug, user_id = membership.tenant.slug, membership.user_id
        with CaptureQueriesContext(connection) as captured:
            [found] = lookup(slug=slug, user_id=user_id)
            related = (found.tenant, found.role, found.user)
        assert len(captured) == 1  # workspace, role and user joined, as select_related does
        [expected] = build(slug, user_id)
        assert fields(found) == fields(expected)
        for got, want in zip(related, (expected.tenant, expected.role, expected.user), strict=True):
            assert fields(got) == fields(want)  # converted as the ORM converts (booleans, JSON, dates)
        assert found.role.capabilities == membership.role.capabilities


def test_no_row_for_another_workspace_or_an_inactive_membership():
    membership = member(TenantFactory())
    other = TenantFactory()
    lookup = statement()
    assert lookup(slug=other.slug, user_id=membership.user_id) == []
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    assert lookup(slug=membership.tenant.slug, user_id=membership.user_id) == []


def test_the_queryset_is_built_and_compiled_once():
    membership = member(TenantFactory())
    built = []

    def counting(**values):
        built.append(values)
        return build(**values)

    lookup = Precompiled(counting, slug="marker-slug", user_id=-4242)
    for _ in range(3):
        assert len(lookup(slug=membership.tenant.slug, user_id=membership.user_id)) == 1
    assert built == [{"slug": "marker-slug", "user_id": -4242}]


def test_it_refuses_to_compile_or_run_inside_a_scope():
    """Compiled inside a scope, a scoped manager would put that tenant into every later call's
    SQL; run inside one, the statement compiled outside would not be filtered to the scope."""
    tenant, other = TenantFactory(), member(TenantFactory())
    lookup = statement()
    with scope(tenant=tenant), pytest.raises(ImproperlyConfigured, match="outside any scope"):
        lookup(slug=tenant.slug, user_id=1)
    assert len(lookup(slug=other.tenant.slug, user_id=other.user_id)) == 1  # compiled now
    with scope(tenant=tenant), pytest.raises(ImproperlyConfigured, match="outside any scope"):
        lookup(slug=other.tenant.slug, user_id=other.user_id)


def test_it_refuses_a_marker_bound_other_than_once_and_values_of_another_type():
    twice = Precompiled(lambda name: Membership.objects.filter(user__email=name, user__full_name=name), name="m")
    with pytest.raises(ImproperlyConfigured, match="bound 2 times"):
        twice(name="x")
    # ``is_active=True`` is bound as a parameter: a boolean is not taken for the marker 1.
    boolean = Precompiled(lambda user_id: Membership.objects.filter(user_id=user_id, is_active=True), user_id=1)
    assert boolean(user_id=5) == []
    with pytest.raises(TypeError):
        statement()(slug="acme", user_id="1")
    with pytest.raises(TypeError):
        statement()(slug="acme")
    with pytest.raises(ImproperlyConfigured, match="only str and int"):
        Precompiled(build, slug="marker", user_id=1.5)


def test_a_workspace_page_reads_the_membership_by_the_precompiled_statement(client):
    """Through the middleware: the member's page, and 404 for a workspace the user is not in."""
    membership, other = member(TenantFactory()), TenantFactory()
    client.force_login(membership.user)
    page = reverse("plans:plan_list", kwargs={"tenant_slug": membership.tenant.slug})
    response = client.get(page)
    assert response.status_code == 200 and response.wsgi_request.membership.pk == membership.pk
    assert client.get(reverse("plans:plan_list", kwargs={"tenant_slug": other.slug})).status_code == 404
    with scopes_disabled():
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
    assert client.get(page).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_call_from_another_thread_runs_on_that_threads_connection():
    """Compiled on one thread, called on another (a threaded server): each on its own connection."""
    membership = member(TenantFactory())
    lookup = statement()
    assert len(lookup(slug=membership.tenant.slug, user_id=membership.user_id)) == 1
    results = []

    def other_thread():
        try:
            with scopes_disabled():
                results.append(lookup(slug=membership.tenant.slug, user_id=membership.user_id)[0].pk)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert results == [membership.pk]
