"""Tenant isolation over EVERY URL under /w/<tenant_slug>/, found by walking the URL conf.

For each pattern: an anonymous visitor is sent to log in (the API answers 401); a member of
another tenant gets 404 for this tenant's URL; and with their own workspace's slug but this
tenant's object ids, they get 404 too. New views are covered without anyone remembering; a URL
keyword that no ``tests/<app>/isolation.py`` provides fails here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import login
from tests.isolation import KWARG_FACTORIES

WORKSPACE_ROUTE = "w/<slug:tenant_slug>/"


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (
                prefix + str(p.pattern),
                (f"{namespace}:{p.name}" if namespace else p.name),
                list(p.pattern.converters),
            )


def workspace_urls():
    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and str(resolver.pattern) == WORKSPACE_ROUTE:
            return sorted(
                {
                    (name, tuple(k for k in kwargs if k != "tenant_slug"))
                    for _, name, kwargs in _walk(resolver.url_patterns, WORKSPACE_ROUTE, None)
                }
            )
    raise AssertionError("no /w/<tenant_slug>/ URLs found")


URLS = workspace_urls()
# The API authenticates by key, not session: its isolation tests live in tests/api.
SESSION_URLS = [u for u in URLS if not u[0].startswith("api:")]
OBJECT_URLS = [u for u in SESSION_URLS if u[1]]


def _url(name, tenant, kwargs_values):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs_values})


def _objects_of(tenant, kwarg_names):
    missing = [k for k in kwarg_names if k not in KWARG_FACTORIES]
    assert not missing, f"register a factory for {missing} in tests/<app>/isolation.py"
    return {k: KWARG_FACTORIES[k](tenant) for k in kwarg_names}


def _is_api(name):
    return name.startswith("api:")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwarg_names"), URLS, ids=[n for n, _ in URLS])
def test_anonymous_is_sent_to_login(client, tenant, name, kwarg_names):
    url = _url(name, tenant, _objects_of(tenant, kwarg_names))
    response = client.get(url)
    if _is_api(name):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwarg_names"), SESSION_URLS, ids=[n for n, _ in SESSION_URLS])
def test_member_of_another_tenant_gets_404(client, tenant, outsider, name, kwarg_names):
    login(client, outsider)
    url = _url(name, tenant, _objects_of(tenant, kwarg_names))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwarg_names"), OBJECT_URLS, ids=[n for n, _ in OBJECT_URLS])
def test_other_tenants_object_ids_in_own_workspace_get_404(client, tenant, other_tenant, outsider, name, kwarg_names):
    login(client, outsider)
    url = _url(name, other_tenant, _objects_of(tenant, kwarg_names))
    assert client.get(url).status_code in (404, 405)
    assert client.post(url).status_code == 404
