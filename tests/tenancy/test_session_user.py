"""A workspace page reads the session's user with its membership (one statement, not two), and
only where Django's ``auth.get_user`` would return that same user and change nothing; in every
other case Django's own ``request.user`` decides, as before."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import member

pytestmark = pytest.mark.django_db


class NoSessionsBackend(ModelBackend):
    """A backend of its own rule for sessions: it knows no user by id."""

    def get_user(self, user_id):
        return None


def plans(tenant):
    return reverse("plans:plan_list", kwargs={"tenant_slug": tenant.slug})


def user_reads(captured) -> int:
    return sum('FROM "tenancy_user"' in q["sql"] for q in captured.captured_queries)


def test_a_page_reads_the_user_with_its_membership(client, admin_member):
    client.force_login(admin_member.user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(plans(admin_member.tenant))
    assert response.status_code == 200
    request = response.wsgi_request
    assert request.user.pk == admin_member.user_id and request.user.is_authenticated
    assert request.user is request.membership.user  # one row, read once
    assert user_reads(captured) == 0  # the membership's statement joins it


def test_a_session_of_a_changed_password_is_logged_out_and_flushed(client, admin_member):
    client.force_login(admin_member.user)
    user = admin_member.user
    user.set_password("a new one, set elsewhere")
    user.save()
    response = client.get(plans(admin_member.tenant))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert SESSION_KEY not in client.session  # Django flushed it


def test_an_inactive_user_is_logged_out(client, admin_member):
    client.force_login(admin_member.user)
    type(admin_member.user).objects.filter(pk=admin_member.user_id).update(is_active=False)
    response = client.get(plans(admin_member.tenant))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_session_without_its_hash_is_logged_out(client, admin_member):
    client.force_login(admin_member.user)
    session = client.session
    del session[HASH_SESSION_KEY]
    session.save()
    assert client.get(plans(admin_member.tenant)).status_code == 302


def test_a_session_whose_user_id_is_none_is_sent_to_log_in(client, admin_member):
    """A session edited by hand: no membership is looked up, Django's ``request.user`` decides."""
    client.force_login(admin_member.user)
    session = client.session
    session[SESSION_KEY] = None
    session.save()
    response = client.get(plans(admin_member.tenant))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_session_of_a_backend_no_longer_configured_is_logged_out(client, admin_member, settings):
    client.force_login(admin_member.user, backend="django.contrib.auth.backends.ModelBackend")
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]
    assert client.get(plans(admin_member.tenant)).status_code == 302


class NobodyMayAuthenticate(ModelBackend):
    """ModelBackend's sessions, with a rule of its own for who can authenticate."""

    def user_can_authenticate(self, user):
        return False


def test_the_sessions_backend_rule_for_who_can_authenticate_applies(client, admin_member, settings):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, f"{__name__}.NobodyMayAuthenticate"]
    client.force_login(admin_member.user, backend=f"{__name__}.NobodyMayAuthenticate")
    assert client.get(plans(admin_member.tenant)).status_code == 302


def test_a_backend_with_its_own_rule_for_sessions_decides(client, admin_member, settings):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, f"{__name__}.NoSessionsBackend"]
    client.force_login(admin_member.user, backend=f"{__name__}.NoSessionsBackend")
    assert client.get(plans(admin_member.tenant)).status_code == 302


def test_a_hash_of_a_fallback_secret_keeps_the_user_in_with_a_new_session_key(client, admin_member, settings):
    """Django's own path: the session made under the old secret is verified by the fallback,
    its key cycled and its hash renewed."""
    client.force_login(admin_member.user)
    old_key = client.session.session_key
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a rotated secret key " + "x" * 40
    with CaptureQueriesContext(connection) as captured:
        response = client.get(plans(admin_member.tenant))
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == admin_member.user_id
    assert user_reads(captured) == 1  # Django read it again
    assert client.session.session_key != old_key
    assert client.session[HASH_SESSION_KEY] == admin_member.user.get_session_auth_hash()


def test_a_member_elsewhere_only_gets_404_and_a_stranger_the_login(client, admin_member, outsider):
    client.force_login(outsider.user)
    assert client.get(plans(admin_member.tenant)).status_code == 404
    client.logout()
    response = client.get(plans(admin_member.tenant))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_inactive_membership_is_404_with_a_valid_session(client, tenant):
    membership = member(tenant, "Administrator")
    client.force_login(membership.user)
    membership.is_active = False
    membership.save()
    assert client.get(plans(tenant)).status_code == 404


class SomeoneElseBackend(ModelBackend):
    """A backend whose ``get_user`` maps the session's id to another user (the test sets which)."""

    other = None

    def get_user(self, user_id):
        return type(self).other


def test_a_user_other_than_the_sessions_never_gets_its_membership(client, admin_member, outsider, settings):
    """The membership is read for the id the session names; Django's ``request.user`` decides
    who is signed in. When a backend of its own makes those two people differ (here with the
    same password hash, so the session hash verifies), the page is 404: the other user never
    gets the administrator's membership."""
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, f"{__name__}.SomeoneElseBackend"]
    outsider.user.password = admin_member.user.password
    outsider.user.save(update_fields=["password"])
    SomeoneElseBackend.other = outsider.user
    try:
        client.force_login(admin_member.user, backend=f"{__name__}.SomeoneElseBackend")
        response = client.get(plans(admin_member.tenant))
    finally:
        SomeoneElseBackend.other = None
    assert response.status_code == 404
    assert response.wsgi_request.user.pk == outsider.user_id
    assert response.wsgi_request.membership is None
