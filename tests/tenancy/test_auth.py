import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, member


def _login(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


@pytest.mark.django_db
def test_login_by_email_lands_in_the_only_workspace(client, admin_member):
    response = _login(client, admin_member.user.email)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace_home", kwargs={"tenant_slug": admin_member.tenant.slug})
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_several_workspaces_offer_a_choice(client, admin_member, other_tenant):
    member(other_tenant, "Sales Rep", user=admin_member.user)
    _login(client, admin_member.user.email)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Choose a workspace" in response.content
    assert other_tenant.name.encode() in response.content and admin_member.tenant.name.encode() in response.content


@pytest.mark.django_db
def test_wrong_password_gets_a_clear_error(client, admin_member):
    response = _login(client, admin_member.user.email, "nope")
    assert response.status_code == 200
    assert b"do not match an account" in response.content


@pytest.mark.django_db
def test_inactive_member_cannot_log_in_anywhere(client, tenant):
    m = member(tenant, "Learner", is_active=False)
    response = _login(client, m.user.email)
    assert response.status_code == 200
    assert b"not active in any workspace" in response.content


@pytest.mark.django_db
def test_inactive_membership_answers_404_even_with_a_session(client, tenant):
    m = member(tenant, "Administrator")
    client.force_login(m.user)
    url = reverse("workspace_home", kwargs={"tenant_slug": tenant.slug})
    assert client.get(url).status_code == 200
    m.is_active = False
    m.save()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_unknown_workspace_is_404_like_a_foreign_one(admin_client):
    assert admin_client.get("/w/no-such-place/").status_code == 404


@pytest.mark.django_db
def test_password_reset_sends_an_email(client, admin_member):
    response = client.post(reverse("password_reset"), {"email": admin_member.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(client, admin_member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, admin_member.user.email, "wrong")
    response = _login(client, admin_member.user.email)  # even the right password is refused now
    assert response.status_code == 429
    assert b"temporarily locked" in response.content


@pytest.mark.django_db
def test_logout(admin_client):
    response = admin_client.post(reverse("logout"))
    assert response.status_code == 302
    assert admin_client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_a_locked_account_does_not_lock_its_neighbours(client, tenant, settings):
    """Lockout is per username *and* address: behind a proxy every user shares one address, so a
    lock on the address alone would shut the whole office out."""
    victim, colleague = member(tenant, "Sales Rep"), member(tenant, "Sales Rep")
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        _login(client, victim.user.email, "wrong")
    assert _login(client, victim.user.email).status_code == 429
    assert _login(client, colleague.user.email).status_code == 302  # same address, other person
    other_address = {"REMOTE_ADDR": "198.51.100.20"}
    response = client.post(reverse("login"), {"username": victim.user.email, "password": PASSWORD}, **other_address)
    assert response.status_code == 302  # the victim, from another address


@pytest.mark.django_db
def test_unlock_and_reset_emails_link_to_the_host_the_person_used(client, admin_member, settings):
    """Both links come from the request, as Django's password reset builds its own; the unlock
    email once linked to PORTAL_BASE_URL's default, http://localhost:8000."""
    settings.ALLOWED_HOSTS = ["portal.example.com"]
    settings.PORTAL_BASE_URL = "http://localhost:8000"
    host = {"HTTP_HOST": "portal.example.com", "secure": True}
    client.post(reverse("password_reset"), {"email": admin_member.user.email}, **host)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": admin_member.user.email, "password": "wrong"}, **host)
    reset, unlock = mail.outbox[0], next(m for m in mail.outbox if "locked" in m.subject)
    for email in (reset, unlock):
        assert "https://portal.example.com/accounts/reset/" in email.body, email.subject
        assert "localhost" not in email.body
