"""The client's address behind TRUSTED_PROXY_COUNT reverse proxies: the login lockout and the plan
acceptances read it, and a client cannot forge it (issue 18, item 2)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from common.client_ip import client_ip
from enrollments.models import PlanEnrollment
from tests.conftest import login
from tests.factories import PASSWORD, member
from tests.plans.factories import BeneficiaryFactory, PlanFactory

PROXY = "10.0.0.2"


def request(xff=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (0, "203.0.113.7", PROXY),  # no trusted proxy: the header is the client's word, ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the forged left part is not read
        (1, None, PROXY),  # came around the proxy
        (1, "not-an-ip", PROXY),
        (2, "203.0.113.7, 10.0.0.3", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.3", "203.0.113.7"),
        (2, "203.0.113.7", PROXY),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, xff, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request(xff)) == expected


def _login(client, email, password, xff):
    data = {"username": email, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)


@pytest.mark.django_db
def test_behind_the_proxy_a_lockout_holds_the_person_and_their_address_only(client, tenant, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    victim = member(tenant, "Sales Rep")
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        # Forging the left part of the header does not give a fresh address per attempt.
        _login(client, victim.user.email, "wrong", f"198.51.100.{n}, 203.0.113.7")
    assert _login(client, victim.user.email, PASSWORD, "203.0.113.7").status_code == 429
    # The same person from another office, through the same proxy, still gets in.
    assert _login(client, victim.user.email, PASSWORD, "192.0.2.44").status_code == 302


@pytest.mark.django_db
def test_an_acceptance_records_the_clients_address_not_the_proxys(client, tenant, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    plan = PlanFactory(tenant=tenant, status="active", enrollment_option="checkbox", legally_protected=True)
    rep = member(tenant, "Sales Rep")
    BeneficiaryFactory(plan=plan, user=rep.user)
    login(client, rep)
    url = reverse("enrollments:my_plan", kwargs={"tenant_slug": tenant.slug, "plan_id": plan.pk})
    client.post(url, {"accepted": "on"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert PlanEnrollment.objects.get(plan=plan, user=rep.user).ip_address == "203.0.113.7"
