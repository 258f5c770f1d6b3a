"""Regions of a page rendered once per workspace data version: Django's template fragment caching,
keyed so that it can never show data older than the page would read.

A region's key holds everything its HTML is made of besides the template: the workspace and its
data version (``tenancy.data_version``: any committed write to the workspace's data changes it),
the workspace's day (lists mark what expired today), the language, the host, the path and every
query parameter, and what the view says the region varies on: the list pages say the member's
role (it decides the links and buttons; members of one role share the regions), and the default
is the member themselves.
Nothing is kept while the request's own connection holds writes not yet committed.

A view checks first whether every region its response needs is kept (``Regions.kept``): if so it
renders the page around them and builds none of the table, filters or counts, and runs none of
their statements. Otherwise the page renders as always and ``{% region %}`` keeps each region it
renders. A region holding a CSRF token is never kept (the token belongs to one browser).

The cache is each process's own memory (the ``regions`` cache): a kept region costs no round trip,
a deploy starts empty, and entries age out after ``REGION_SECONDS`` in any case.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from .htmx import htmx_partial

CACHE = "regions"
REGION_SECONDS = 300
# A region larger than this is not kept (a page of 500 rows is 200 kB): at most 1,000 regions
# a process (``CACHES["regions"]``), so at most about 32 MB, whatever the query parameters.
MAX_REGION_CHARS = 32_000
_CSRF_FIELD = "csrfmiddlewaretoken"


class Regions:
    """The regions of one request's page: ``kept(*names)`` loads them, ``get``/``keep`` are the
    ``{% region %}`` tag's."""

    def __init__(self, request, *, varies_on: tuple = ()):
        self._cache = caches[CACHE]
        self._found: dict[str, str] = {}
        self._prefix = self._key_prefix(request, varies_on)

    @staticmethod
    def _key_prefix(request, varies_on: tuple) -> str | None:
        tenant = getattr(request, "tenant", None)
        if not settings.PORTAL_KEEP_REGIONS or request.method != "GET" or tenant is None:
            return None
        if connection.pending_writes():  # what it reads now may yet be rolled back
            return None
        if not varies_on:
            varies_on = ("member", request.membership.pk)
        parts = (
            tenant.pk,
            tenant.created_at.timestamp(),  # a workspace's id reused after a deletion (SQLite) is another's
            tenant.data_version,
            timezone.localdate().isoformat(),
            translation.get_language(),
            request.get_host(),
            request.path,
            sorted(request.GET.lists()),
            varies_on,
        )
        return "region:" + hashlib.sha256(repr(parts).encode()).hexdigest()

    def kept(self, *names: str) -> bool:
        """Whether every named region is kept (then ``get`` has them)."""
        if self._prefix is None:
            return False
        found = self._cache.get_many([f"{self._prefix}:{name}" for name in names])
        if len(found) < len(names):
            return False
        self._found = {key.rsplit(":", 1)[1]: html for key, html in found.items()}
        return True

    def get(self, name: str) -> str | None:
        return self._found.get(name)

    def keep(self, name: str, html: str) -> None:
        if self._prefix is None or len(html) > MAX_REGION_CHARS or _CSRF_FIELD in html:
            return
        if not connection.pending_writes():
            self._found[name] = html
            self._cache.set(f"{self._prefix}:{name}", html, REGION_SECONDS)


def kept_response(request, regions: Regions, page):
    """The response made of kept regions, or None when one is missing: an htmx swap's ``table``
    region as it is; a page's ``page`` region inside ``page()``, the page rendered around it."""
    if htmx_partial(request):
        if not regions.kept("table"):
            return None
        response = HttpResponse(regions.get("table"))
    elif regions.kept("page"):
        response = page()
    else:
        return None
    patch_vary_headers(response, ("HX-Request",))
    return response
