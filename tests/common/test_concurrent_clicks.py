"""Concurrent clicks against the live server, on SQLite (the default of `make run`) and again on
PostgreSQL: the second request waits for the first, then sees its result. Never a 500, nothing
lost. The harness (tests/races.py) holds the first request inside its transaction until the
others wait for the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from activity.models import ActivityEntry
from balances import services as balance_services
from enrollments import services as enrollment_services
from enrollments.models import EnrollmentReset, PlanEnrollment
from partners.services import recalc
from plans.models import Reward
from tests.balances.factories import RecoverableRewardFactory
from tests.factories import member
from tests.partners.factories import enrolled_partner, manager, program_with_criteria
from tests.plans.factories import BeneficiaryFactory, EnrollmentFactory, PlanFactory
from tests.races import Race, Visitor

pytestmark = pytest.mark.django_db(transaction=True)


def url(tenant, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def ok(response, text: str) -> str:
    html = response.text
    assert response.status_code == 200, (response.status_code, html[:500])
    assert text in html, html[:2000]
    return html


def test_two_admins_reset_the_same_plan_at_once(live_server, monkeypatch, tenant):
    plan = PlanFactory(tenant=tenant, name="FY26 AE plan")
    for _ in range(3):
        EnrollmentFactory(plan=plan, user=BeneficiaryFactory(plan=plan).user)
    first, second = (Visitor(live_server, member(tenant, "Administrator").user) for _ in range(2))
    reset = url(tenant, "enrollments:reset_enrollments", plan_id=plan.pk)

    race = Race(monkeypatch, enrollment_services, "record")
    race.first("first", lambda: first.post(reset))
    race.run({"second": lambda: second.post(reset)})

    ok(race.response("first"), "Reset 3 enrollments")
    ok(race.response("second"), "Reset 0 enrollments")
    assert EnrollmentReset.objects.filter(plan=plan).count() == 1
    assert PlanEnrollment.objects.filter(plan=plan, reset_at__isnull=True).count() == 0
    assert ActivityEntry.objects.filter(tenant=tenant, verb="reset enrollments").count() == 1


@pytest.fixture
def rep(tenant):
    rep = member(tenant, "Sales Rep", user__full_name="Riley Rep")
    RecoverableRewardFactory(member=rep, amount=Decimal("1000.00"))
    RecoverableRewardFactory(member=rep, amount=Decimal("-250.00"))
    return rep


def test_two_clears_of_one_user_at_once(live_server, monkeypatch, tenant, rep):
    first, second = (Visitor(live_server, member(tenant, "Administrator").user) for _ in range(2))
    clear = url(tenant, "balances:balance_clear", membership_id=rep.pk)

    race = Race(monkeypatch, balance_services, "record")
    race.first("first", lambda: first.post(clear))
    race.run({"second": lambda: second.post(clear)})

    ok(race.response("first"), "Cleared 2 recoverable rewards of Riley Rep")
    ok(race.response("second"), "Nothing to clear: the balance of Riley Rep was already 0.")
    assert not Reward.objects.filter(user=rep.user, recoverable=True).exists()
    assert ActivityEntry.objects.filter(tenant=tenant, verb="clear balance").count() == 1


def test_an_advance_added_during_a_clear_is_saved_and_still_owed(live_server, monkeypatch, tenant, rep):
    clearer, adder = (Visitor(live_server, member(tenant, "Administrator").user) for _ in range(2))
    clear = url(tenant, "balances:balance_clear", membership_id=rep.pk)
    add = url(tenant, "balances:reward_add", membership_id=rep.pk)
    advance = {"kind": "advance", "amount": "300.00", "currency": "USD", "reason": "December advance"}

    race = Race(monkeypatch, balance_services, "record")
    race.first("clear", lambda: clearer.post(clear))
    if connection.vendor == "sqlite":
        race.run({"advance": lambda: adder.post(add, advance)})  # waits for the Clear to commit
    else:
        race.responses["advance"] = adder.post(add, advance)  # row locks: an insert does not wait
        race.run({})

    ok(race.response("clear"), "Cleared 2 recoverable rewards of Riley Rep")
    ok(race.response("advance"), "Added a recoverable advance of USD 300.00.")
    owed = Reward.objects.get(user=rep.user, reason="December advance")
    assert owed.recoverable and owed.amount == Decimal("300.00")
    assert Reward.objects.filter(user=rep.user, recoverable=True).count() == 1


def test_an_edit_between_two_recalculates_is_saved(live_server, monkeypatch, tenant):
    program = program_with_criteria(tenant)
    enrollment = enrolled_partner(program)
    people = [Visitor(live_server, manager(tenant).user) for _ in range(3)]
    base = f"/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/"
    edit = {
        "primary_partner_user": enrollment.primary_partner_user_id,
        "tier": enrollment.tier_id,
        "enrollment_date": enrollment.enrollment_date.isoformat(),
        "expiration_date": "2027-03-31",
        "reason": "",
    }

    race = Race(monkeypatch, recalc, "record")
    race.first("recalculate 1", lambda: people[0].post(base + "recalculate/"))
    race.run(
        {
            "edit": lambda: people[1].post(base + "edit/", edit),
            "recalculate 2": lambda: people[2].post(base + "recalculate/"),
        },
        waiting=1 if connection.vendor != "sqlite" else None,
    )

    for name in ("recalculate 1", "recalculate 2"):
        ok(race.response(name), "Recalculated")
    ok(race.response("edit"), "Progress recalculated:")
    enrollment.refresh_from_db()
    assert enrollment.expiration_date == dt.date(2027, 3, 31)
    assert ActivityEntry.objects.filter(tenant=tenant, verb="recalculated progress", actor__isnull=False).count() == 2
