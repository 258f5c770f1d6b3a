"""Issue 16 §3, partners: one notice N days (default 30) before a partner enrollment's expiration
to the primary partner user, the partner admins and the partner managers; once per (enrollment,
date); a moved date makes it due again; an ended enrollment or a deactivated person is suppressed
and logged; listed in Enrollment Details."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import PartnerExpiryNotice
from partners.services.notices import send_partner_expiry_notices
from tests.clock import TODAY
from tests.partners.factories import (
    PartnerEnrollmentFactory,
    PartnerUserFactory,
    enrollment_url,
    manager,
    program_with_criteria,
)

pytestmark = pytest.mark.django_db
IN_WINDOW = TODAY + dt.timedelta(days=30)


@pytest.fixture
def enrollment(tenant):
    program = program_with_criteria(tenant)
    e = PartnerEnrollmentFactory(program=program, expiration_date=IN_WINDOW, enrollment_date=dt.date(2026, 1, 1))
    PartnerUserFactory(account=e.account, is_partner_admin=True, user__email="padmin@acme-test.test")
    PartnerUserFactory(account=e.account, is_partner_admin=False, user__email="plain@acme-test.test")
    return e


def test_primary_partner_admins_and_managers_told_once(tenant, enrollment):
    boss = manager(tenant)
    counts = send_partner_expiry_notices(tenant=tenant)
    told = {m.to[0] for m in mail.outbox}
    assert told == {enrollment.primary_partner_user.user.email, "padmin@acme-test.test", boss.user.email}
    assert counts == {"sent": 3, "suppressed": 0}
    roles = dict(PartnerExpiryNotice.objects.values_list("to_address", "role"))
    assert roles[enrollment.primary_partner_user.user.email] == "primary partner user"
    assert roles[boss.user.email] == "partner manager"
    mail.outbox.clear()
    assert send_partner_expiry_notices(tenant=tenant) == {"sent": 0, "suppressed": 0}
    assert mail.outbox == []


def test_outside_the_window_or_off_nothing(tenant, enrollment):
    enrollment.expiration_date = IN_WINDOW + dt.timedelta(days=1)
    enrollment.save()
    assert send_partner_expiry_notices(tenant=tenant)["sent"] == 0
    enrollment.expiration_date = IN_WINDOW
    enrollment.save()
    tenant.partner_expiry_notice_days = 0
    tenant.save()
    assert send_partner_expiry_notices(tenant=tenant)["sent"] == 0


def test_moved_date_is_due_again(tenant, enrollment):
    send_partner_expiry_notices(tenant=tenant)
    enrollment.expiration_date = IN_WINDOW - dt.timedelta(days=5)
    enrollment.save()
    assert send_partner_expiry_notices(tenant=tenant)["sent"] == 2
    assert PartnerExpiryNotice.objects.values("expiration_date").distinct().count() == 2


def test_ended_enrollment_and_deactivated_person_suppressed_and_logged(tenant, enrollment):
    from tenancy.models import Membership

    Membership.objects.filter(user__email="padmin@acme-test.test").update(is_active=False)
    counts = send_partner_expiry_notices(tenant=tenant)
    assert counts == {"sent": 1, "suppressed": 1}
    log = PartnerExpiryNotice.objects.get(to_address="padmin@acme-test.test")
    assert (log.status, log.reason) == ("suppressed", "The person is deactivated.")

    other = PartnerEnrollmentFactory(
        program=enrollment.program,
        expiration_date=IN_WINDOW,
        enrollment_date=dt.date(2026, 1, 1),
        ended_at=timezone.now(),
        end_reason="Left the program",
    )
    assert send_partner_expiry_notices(tenant=tenant) == {"sent": 0, "suppressed": 1}
    assert PartnerExpiryNotice.objects.get(enrollment=other).reason == "The enrollment has ended."


def test_listed_in_enrollment_details(client, tenant, enrollment):
    from tests.conftest import login

    send_partner_expiry_notices(tenant=tenant)
    login(client, manager(tenant))
    body = client.get(enrollment_url(tenant, enrollment)).content.decode()
    assert "Expiration notices" in body and "padmin@acme-test.test" in body and "primary partner user" in body
