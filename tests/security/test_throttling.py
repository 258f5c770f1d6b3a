"""Password-reset emails and API requests without a valid key are rate limited per address and
per client address, in the cache; the clock moves with time-machine, nothing sleeps (issue 18,
item 4)."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from tests import clock
from tests.factories import member

LATER = clock.FROZEN_AT + dt.timedelta(hours=1, minutes=5)


def reset(client, email, ip="198.51.100.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_reset_emails_per_address_stop_at_the_limit_and_the_answer_never_changes(client, tenant, settings):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "5/h"  # noqa: S105 - a rate, not a password
    person = member(tenant, "Sales Rep").user
    answers = {(r.status_code, r["Location"]) for r in (reset(client, person.email) for _ in range(20))}
    assert len(mail.outbox) == 5
    # Unknown addresses, under and over their own limit, get the very same answer.
    answers |= {(r.status_code, r["Location"]) for r in (reset(client, "nobody@example.test") for _ in range(8))}
    assert answers == {(302, reverse("password_reset_done"))}
    # Another client address does not reopen the same person's inbox.
    reset(client, person.email.upper(), ip="192.0.2.1")
    assert len(mail.outbox) == 5
    with clock.travel(LATER):
        reset(client, person.email)
    assert len(mail.outbox) == 6


@pytest.mark.django_db
def test_reset_emails_per_client_address(client, tenant, settings):
    settings.PASSWORD_RESET_RATE_PER_IP = "3/h"  # noqa: S105 - a rate, not a password
    people = [member(tenant, "Sales Rep").user for _ in range(5)]
    for person in people:
        assert reset(client, person.email).status_code == 302
    assert len(mail.outbox) == 3
    reset(client, people[4].email, ip="192.0.2.1")  # another address is not held back
    assert len(mail.outbox) == 4


def odata(client, slug, key=None, ip="198.51.100.7"):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.get(f"/w/{slug}/odata/Users", headers=headers, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_requests_without_a_valid_key_get_429_after_the_limit(client, tenant, admin_member, settings):
    from api.services import create_api_key

    settings.ODATA_UNAUTHORIZED_RATE = "10/m"
    statuses = [odata(client, tenant.slug, key=key).status_code for key in [None, "odk_wrong"] * 10]
    assert statuses == [401] * 10 + [429] * 10
    limited = odata(client, "no-such-workspace")
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert b"without a valid API key" in limited.content
    # A valid key from the same address still works; another address is not held back.
    valid = create_api_key(tenant=tenant, user=admin_member.user, name="k", actor=admin_member.user).key
    assert odata(client, tenant.slug, key=valid).status_code == 200
    assert odata(client, tenant.slug, ip="192.0.2.1").status_code == 401
    with clock.travel(clock.FROZEN_AT + dt.timedelta(minutes=2)):
        assert odata(client, tenant.slug).status_code == 401
