"""Resolves ``/w/<tenant_slug>/...`` to ``request.tenant`` and ``request.membership``.

A request for a workspace the user is not an active member of answers 404, exactly like a
workspace that does not exist (no way to probe which slugs exist); an anonymous one is sent to log
in before the slug is even looked up, and the API answers 401 alike for real and unknown slugs.
Inside a workspace the request runs in ``django_scopes.scope(tenant=...)`` and in the tenant's time zone.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_scopes import scope, scopes_disabled

from common.precompiled import TENANT_MARKER, Precompiled

from .models import Membership

WORKSPACE_PREFIX = "/w/"


def _session_memberships(slug: str, user_id: int, tenant_id: int | None = None):
    """The user's active membership in the workspace of that slug (inside that workspace, with
    ``tenant_id``), with its workspace, the workspace's data version, role and user."""
    memberships = Membership.objects.select_related("tenant", "tenant__data", "role", "user")
    if tenant_id is not None:
        memberships = memberships.filter(tenant_id=tenant_id)
    return memberships.filter(tenant__slug=slug, user_id=user_id, is_active=True).order_by("pk")[:1]


# On every page: compiled once (building and compiling it cost five times running it).
_SESSION_MEMBERSHIP = Precompiled(_session_memberships, slug="precompiled-workspace-slug", user_id=-7_351_982)
# The same lookup inside the workspace this slug named last time (``_WORKSPACE_IDS``): it still
# names the slug, so a guess gone stale (a slug given to another workspace) finds nothing and
# the lookup above decides.
_SESSION_MEMBERSHIP_IN = Precompiled(
    _session_memberships,
    scoped_by="tenant_id",
    slug="precompiled-workspace-slug",
    user_id=-7_351_982,
    tenant_id=TENANT_MARKER,
)
# (slug, user id) -> id of the workspace that user's active membership was last found in, in
# this process. On PostgreSQL the lookup outside any workspace runs as the maintenance role, and
# the page then switches to the workspace's: two round trips a page. Looked up inside the
# workspace the slug named before, which a connection kept from the last request is usually in
# already, a page switches nothing. Per user: a user who is no member of a workspace never has a
# guess for its slug, so an existing slug answers them as a missing one does (one lookup), not
# slower. Only ever a guess; emptied past MAX_WORKSPACE_GUESSES.
_WORKSPACE_IDS: dict[tuple[str, int], int] = {}
MAX_WORKSPACE_GUESSES = 10_000


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
        # The user is read with the membership, in one statement; the membership inside the
        # workspace guessed for this user and slug (``_membership``), so that on PostgreSQL a
        # kept connection switches no role (a round trip each), else outside any workspace.
        with scopes_disabled():
            membership = self._membership(request, slug)
            user = membership and _session_user(request, membership.user)
            if user is not None:
                request.user = user
            elif not request.user.is_authenticated:  # Django decides: it may flush the session
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            elif membership is not None and membership.user_id != request.user.pk:
                membership = None
        if membership is None:
            raise Http404("No such workspace.")
        return self._call_in_tenant(request, membership=membership)

    @staticmethod
    def _membership(request, slug: str) -> Membership | None:
        """The active membership in this workspace of the user the session names (not yet
        verified: see ``_session_user``), with its workspace, role and user."""
        try:
            user_id = get_user_model()._meta.pk.to_python(request.session[SESSION_KEY])
        except KeyError:
            return None
        if user_id is None:  # a session edited by hand: Django's request.user decides
            return None
        guess = _WORKSPACE_IDS.get((slug, user_id))
        found = None
        if guess is not None:
            with scope(tenant=guess):
                found = _SESSION_MEMBERSHIP_IN(slug=slug, user_id=user_id, tenant_id=guess)
        if not found:
            found = _SESSION_MEMBERSHIP(slug=slug, user_id=user_id)
            if found:
                if len(_WORKSPACE_IDS) >= MAX_WORKSPACE_GUESSES:
                    _WORKSPACE_IDS.clear()
                _WORKSPACE_IDS[(slug, user_id)] = found[0].tenant_id
            elif guess is not None:
                _WORKSPACE_IDS.pop((slug, user_id), None)  # gone stale: no membership there now
        return found[0] if found else None

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


def _session_user(request, user):
    """``user`` if Django's ``auth.get_user`` would return that very user for this session and
    change nothing, else None, and Django's own ``request.user`` decides (logs out, cycles the
    session key of a hash made with a fallback secret, asks another backend). So the page reads
    the user with its membership instead of by one more statement. Only for the backends whose
    ``get_user`` is ModelBackend's: its rule (the user can authenticate) is the one applied.
    That matches Django while the user model's default manager filters nothing and no database
    router picks another database for users: both hold here (the membership joins the user)."""
    session = request.session
    backend_path = session.get(BACKEND_SESSION_KEY)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = load_backend(backend_path)
    if type(backend).get_user is not ModelBackend.get_user or not backend.user_can_authenticate(user):
        return None
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user
