"""Undo reset and Undo clear racing each other, a new Reset or Clear, and a user enrolling,
against the live server on SQLite and again on PostgreSQL (tests/races.py holds the first request
inside its transaction until the other waits for the database). Nothing is lost, nothing is
restored twice, never a 500."""

from decimal import Decimal

import pytest
from django.urls import reverse

from activity.models import ActivityEntry
from balances import services as balance_services
from balances.models import BalanceClear
from enrollments import services as enrollment_services
from enrollments.models import EnrollmentReset, PlanEnrollment
from plans.models import Reward
from tests.balances.factories import RecoverableRewardFactory
from tests.factories import member
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


@pytest.fixture
def plan(tenant):
    return PlanFactory(tenant=tenant, name="FY26 AE plan")


@pytest.fixture
def reps(tenant, plan):
    """Three beneficiaries whose acceptances a reset hid."""
    people = [member(tenant, "Sales Rep") for _ in range(3)]
    for rep in people:
        BeneficiaryFactory(plan=plan, user=rep.user)
        EnrollmentFactory(plan=plan, user=rep.user)
    enrollment_services.reset_enrollments(plan, actor=None)
    return people


def current(plan):
    return PlanEnrollment.objects.filter(plan=plan, reset_at__isnull=True)


def admins(live_server, tenant, n=2):
    return [Visitor(live_server, member(tenant, "Administrator").user) for _ in range(n)]


def test_two_undos_of_one_reset_restore_once(live_server, monkeypatch, tenant, plan, reps):
    batch = EnrollmentReset.objects.get(plan=plan)
    first, second = admins(live_server, tenant)
    undo = url(tenant, "enrollments:undo_reset", reset_id=batch.pk)

    race = Race(monkeypatch, enrollment_services, "record")
    race.first("first", lambda: first.post(undo))
    race.run({"second": lambda: second.post(undo)})

    ok(race.response("first"), f"Undid reset #{batch.pk}: 3 enrollments restored.")
    ok(race.response("second"), f"Reset #{batch.pk} was already undone")
    assert current(plan).count() == 3
    assert ActivityEntry.objects.filter(tenant=tenant, verb="undo reset enrollments").count() == 1


def test_a_reset_during_an_undo_hides_what_the_undo_restored(live_server, monkeypatch, tenant, plan, reps):
    batch = EnrollmentReset.objects.get(plan=plan)
    undoer, resetter = admins(live_server, tenant)

    race = Race(monkeypatch, enrollment_services, "record")
    race.first("undo", lambda: undoer.post(url(tenant, "enrollments:undo_reset", reset_id=batch.pk)))
    race.run({"reset": lambda: resetter.post(url(tenant, "enrollments:reset_enrollments", plan_id=plan.pk))})

    ok(race.response("undo"), "3 enrollments restored")
    ok(race.response("reset"), "Reset 3 enrollments")
    assert not current(plan).exists()
    newer = EnrollmentReset.objects.filter(plan=plan).exclude(pk=batch.pk).get()
    assert newer.count == 3 and PlanEnrollment.objects.filter(reset_batch=newer).count() == 3


def test_an_undo_during_a_newer_reset_is_refused(live_server, monkeypatch, tenant, plan, reps):
    batch = EnrollmentReset.objects.get(plan=plan)
    EnrollmentFactory(plan=plan, user=reps[0].user)  # enrolled again, so the next reset hides it
    undoer, resetter = admins(live_server, tenant)

    race = Race(monkeypatch, enrollment_services, "record")
    race.first("reset", lambda: resetter.post(url(tenant, "enrollments:reset_enrollments", plan_id=plan.pk)))
    race.run({"undo": lambda: undoer.post(url(tenant, "enrollments:undo_reset", reset_id=batch.pk))})

    ok(race.response("reset"), "Reset 1 enrollment")
    ok(race.response("undo"), "is more recent and still stands")
    assert not current(plan).exists()
    assert not ActivityEntry.objects.filter(verb="undo reset enrollments").exists()


def test_enrolling_during_an_undo_keeps_the_restored_acceptance(live_server, monkeypatch, tenant, plan, reps):
    batch = EnrollmentReset.objects.get(plan=plan)
    hidden = PlanEnrollment.objects.get(plan=plan, user=reps[0].user)
    (undoer,) = admins(live_server, tenant, 1)
    rep = Visitor(live_server, reps[0].user)

    race = Race(monkeypatch, enrollment_services, "record")
    race.first("undo", lambda: undoer.post(url(tenant, "enrollments:undo_reset", reset_id=batch.pk)))
    race.run({"enroll": lambda: rep.post(url(tenant, "enrollments:my_plan", plan_id=plan.pk), {"accepted": "on"})})

    ok(race.response("undo"), "3 enrollments restored")
    ok(race.response("enroll"), "You are enrolled in FY26 AE plan.")
    assert list(current(plan).filter(user=reps[0].user)) == [hidden]
    assert PlanEnrollment.objects.filter(plan=plan).count() == 3
    assert not ActivityEntry.objects.filter(verb="enroll").exists()


def test_an_undo_during_an_enrollment_leaves_the_new_acceptance(live_server, monkeypatch, tenant, plan, reps):
    batch = EnrollmentReset.objects.get(plan=plan)
    (undoer,) = admins(live_server, tenant, 1)
    rep = Visitor(live_server, reps[0].user)

    race = Race(monkeypatch, enrollment_services, "record")
    race.first("enroll", lambda: rep.post(url(tenant, "enrollments:my_plan", plan_id=plan.pk), {"accepted": "on"}))
    race.run({"undo": lambda: undoer.post(url(tenant, "enrollments:undo_reset", reset_id=batch.pk))})

    ok(race.response("enroll"), "You are enrolled in FY26 AE plan.")
    ok(race.response("undo"), "2 enrollments restored. 1 had enrolled again since")
    mine = current(plan).get(user=reps[0].user)
    assert mine.reset_batch_id is None and mine.restored_from_id is None  # the new acceptance stands
    assert PlanEnrollment.objects.filter(plan=plan, reset_batch=batch).count() == 1
    assert current(plan).count() == 3


@pytest.fixture
def cleared(tenant):
    """A rep whose two rewards (USD 750.00 in all) were cleared."""
    rep = member(tenant, "Sales Rep", user__full_name="Riley Rep")
    RecoverableRewardFactory(member=rep, amount=Decimal("1000.00"))
    RecoverableRewardFactory(member=rep, amount=Decimal("-250.00"))
    clear_id = balance_services.clear_balance(rep.user, tenant=tenant, actor=None).clear_id
    return rep, BalanceClear.objects.get(tenant=tenant, pk=clear_id)


def owed(rep):
    return Reward.objects.filter(user=rep.user, recoverable=True)


def test_two_undos_of_one_clear_restore_once(live_server, monkeypatch, tenant, cleared):
    rep, clear = cleared
    first, second = admins(live_server, tenant)
    undo = url(tenant, "balances:undo_clear", clear_id=clear.pk)

    race = Race(monkeypatch, balance_services, "record")
    race.first("first", lambda: first.post(undo))
    race.run({"second": lambda: second.post(undo)})

    ok(race.response("first"), f"Undid Clear #{clear.pk}: 2 rewards owed again (USD 750.00).")
    ok(race.response("second"), f"Clear #{clear.pk} was already undone")
    assert owed(rep).count() == 2
    assert ActivityEntry.objects.filter(tenant=tenant, verb="undo clear balance").count() == 1


def test_a_clear_during_an_undo_clears_what_the_undo_restored(live_server, monkeypatch, tenant, cleared):
    rep, clear = cleared
    undoer, clearer = admins(live_server, tenant)

    race = Race(monkeypatch, balance_services, "record")
    race.first("undo", lambda: undoer.post(url(tenant, "balances:undo_clear", clear_id=clear.pk)))
    race.run({"clear": lambda: clearer.post(url(tenant, "balances:balance_clear", membership_id=rep.pk))})

    ok(race.response("undo"), "2 rewards owed again")
    ok(race.response("clear"), "Cleared 2 recoverable rewards of Riley Rep (USD 750.00)")
    assert not owed(rep).exists()
    newer = BalanceClear.objects.exclude(pk=clear.pk).get()
    assert Reward.objects.filter(user=rep.user, clear_id=newer.pk).count() == 2


def test_an_undo_during_a_clear_restores_only_its_own_rewards(live_server, monkeypatch, tenant, cleared):
    rep, clear = cleared
    advance = RecoverableRewardFactory(member=rep, amount=Decimal("300.00"))
    undoer, clearer = admins(live_server, tenant)

    race = Race(monkeypatch, balance_services, "record")
    race.first("clear", lambda: clearer.post(url(tenant, "balances:balance_clear", membership_id=rep.pk)))
    race.run({"undo": lambda: undoer.post(url(tenant, "balances:undo_clear", clear_id=clear.pk))})

    ok(race.response("clear"), "Cleared 1 recoverable reward of Riley Rep (USD 300.00)")
    ok(race.response("undo"), "2 rewards owed again (USD 750.00)")
    assert sorted(owed(rep).values_list("amount", flat=True)) == [Decimal("-250.00"), Decimal("1000.00")]
    advance.refresh_from_db()
    assert not advance.recoverable
