"""Resolves ``/w/<tenant_slug>/...`` to ``request.tenant`` and ``request.membership``.

A request for a workspace the user is not an active member of answers 404, exactly like a
workspace that does not exist (no way to probe which slugs exist); an anonymous one is sent to log
in before the slug is even looked up, and the API answers 401 alike for real and unknown slugs.
Inside a workspace the request runs in ``django_scopes.scope(tenant=...)`` and in the tenant's time zone.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .models import Membership

WORKSPACE_PREFIX = "/w/"


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        if not request.path_info.startswith(WORKSPACE_PREFIX):
            with scopes_disabled():
                return self.get_response(request)
        slug = request.path_info[len(WORKSPACE_PREFIX) :].split("/", 1)[0]
        if self._is_api(request, slug):
            # The API authenticates by key, not session: its views read the workspace with the key
            # in one statement (api.auth) and enter its scope and time zone (api.views).
            return self.get_response(request)
        # The session, the user and the membership are read in one database state (on
        # PostgreSQL a role switch is a round trip: two a request, not three).
        with scopes_disabled():
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            membership = (
                Membership.objects.select_related("tenant", "role", "user")
                .filter(tenant__slug=slug, user=request.user, is_active=True)
                .first()
            )
        if membership is None:
            raise Http404("No such workspace.")
        return self._call_in_tenant(request, membership=membership)

    @staticmethod
    def _is_api(request, slug: str) -> bool:
        return request.path_info.startswith(f"{WORKSPACE_PREFIX}{slug}/odata")

    def _call_in_tenant(self, request, *, membership):
        tenant = membership.tenant
        request.tenant = tenant
        request.membership = membership
        timezone.activate(tenant.zone)
        try:
            with scope(tenant=tenant):
                response = self.get_response(request)
        finally:
            timezone.deactivate()
        return response
