"""Balance arithmetic, Clear (one UPDATE, idempotent, the activity entry, concurrency), assigning
recoverable rewards and recoverable draws."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.models import ActivityEntry
from balances import services
from balances.selectors import balance_of_user, currencies_in_use, owed_field, user_list
from plans.models import Reward
from tests.balances.factories import RecoverableRewardFactory
from tests.factories import member
from tests.plans.factories import BeneficiaryFactory, PlanFactory, RewardFactory

D = Decimal


@pytest.fixture
def rep(tenant):
    return member(tenant, "Sales Rep", user__email="riley@acme.test", user__full_name="Riley Rep")


def _balance(tenant, user):
    return {line.currency: (line.total, line.count) for line in balance_of_user(tenant=tenant, user=user).lines}


@pytest.mark.django_db
class TestBalanceArithmetic:
    def test_advances_minus_repayments_per_currency(self, tenant, rep):
        RecoverableRewardFactory(member=rep, amount=D("1000.00"))
        RecoverableRewardFactory(member=rep, amount=D("250.50"))
        RecoverableRewardFactory(member=rep, amount=D("-300.25"))
        RecoverableRewardFactory(member=rep, amount=D("80.00"), currency="EUR")
        RecoverableRewardFactory(member=rep, amount=D("-100.00"), currency="EUR")
        assert _balance(tenant, rep.user) == {"EUR": (D("-20.00"), 2), "USD": (D("950.25"), 3)}

    def test_only_recoverable_rewards_of_this_user_and_tenant_count(self, tenant, other_tenant, rep):
        RecoverableRewardFactory(member=rep, amount=D("10.00"))
        RecoverableRewardFactory(member=rep, amount=D("99.00"), recoverable=False)
        RewardFactory(plan=PlanFactory(tenant=tenant), user=rep.user, amount=D("500.00"))  # ordinary reward
        RecoverableRewardFactory(member=member(tenant, "Sales Rep"), amount=D("7.00"))
        RecoverableRewardFactory(member=member(other_tenant, "Sales Rep", user=rep.user), amount=D("1.00"))
        assert _balance(tenant, rep.user) == {"USD": (D("10.00"), 1)}

    def test_list_annotates_every_currency_in_use_default_first(self, tenant, rep):
        other = member(tenant, "Sales Rep")
        RecoverableRewardFactory(member=rep, amount=D("5.00"), currency="GBP")
        RecoverableRewardFactory(member=rep, amount=D("5.00"), currency="EUR")
        RecoverableRewardFactory(member=other, amount=D("-2.00"))
        currencies = currencies_in_use(tenant=tenant)
        assert currencies == ["USD", "EUR", "GBP"]
        rows = {m.user_id: m for m in user_list(tenant=tenant, currencies=currencies)}
        assert getattr(rows[rep.user_id], owed_field("EUR")) == D("5.00")
        assert getattr(rows[rep.user_id], owed_field("USD")) == D("0.00")
        assert getattr(rows[other.user_id], owed_field("USD")) == D("-2.00")

    def test_currencies_in_use_leave_out_other_workspaces_and_non_recoverable_rewards(self, tenant, other_tenant, rep):
        assert currencies_in_use(tenant=tenant) == ["USD"]  # the default, even with no rewards
        RecoverableRewardFactory(member=rep, amount=D("5.00"), currency="SEK")
        RecoverableRewardFactory(member=rep, amount=D("5.00"), currency="CHF", recoverable=False)
        RecoverableRewardFactory(member=member(other_tenant, "Sales Rep"), amount=D("1.00"), currency="JPY")
        RecoverableRewardFactory(member=rep, amount=D("1.00"), currency="AUD")
        RecoverableRewardFactory(member=rep, amount=D("2.00"), currency="SEK")
        assert currencies_in_use(tenant=tenant) == ["USD", "AUD", "SEK"]

    def test_after_clear_the_balance_is_zero_and_new_rewards_count_again(self, tenant, rep, admin_member):
        RecoverableRewardFactory(member=rep, amount=D("400.00"))
        services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        assert _balance(tenant, rep.user) == {}
        RecoverableRewardFactory(member=rep, amount=D("-50.00"))
        assert _balance(tenant, rep.user) == {"USD": (D("-50.00"), 1)}


@pytest.mark.django_db
class TestClearBalance:
    def test_marks_every_recoverable_reward_non_recoverable_with_one_update(self, tenant, rep, admin_member):
        rewards = [RecoverableRewardFactory(member=rep, amount=D(a)) for a in ("100.00", "-30.00", "5.55")]
        euro = RecoverableRewardFactory(member=rep, amount=D("12.00"), currency="EUR")
        untouched = RecoverableRewardFactory(member=member(tenant, "Sales Rep"), amount=D("1.00"))
        total_before = Reward.objects.count()
        with CaptureQueriesContext(connection) as ctx:
            result = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        statements = [q["sql"].split()[0] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
        # lock the membership, anything to clear? (on SQLite: which rewards, by amount), the Clear's
        # row, one UPDATE of the rewards (… RETURNING them elsewhere), the Clear's count and totals,
        # the activity entry
        assert statements == ["SELECT", "SELECT", "INSERT", "UPDATE", "UPDATE", "INSERT"]
        assert sum('"plans_reward"' in q["sql"] and q["sql"].startswith("UPDATE") for q in ctx.captured_queries) == 1
        assert result.count == 4
        assert result.totals == {"EUR": D("12.00"), "USD": D("75.55")}
        assert sorted(result.reward_ids) == sorted(r.pk for r in [*rewards, euro])
        assert Reward.objects.count() == total_before  # nothing deleted
        for reward in [*rewards, euro]:
            reward.refresh_from_db()
            assert reward.recoverable is False
            assert reward.cleared_by == admin_member.user
            assert reward.cleared_at is not None
        untouched.refresh_from_db()
        assert untouched.recoverable is True and untouched.cleared_at is None

    def test_one_activity_entry_lists_the_rewards_and_amounts(self, tenant, rep, admin_member):
        a = RecoverableRewardFactory(member=rep, amount=D("100.00"))
        b = RecoverableRewardFactory(member=rep, amount=D("-40.00"))
        services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        entry = ActivityEntry.objects.get(tenant=tenant, verb="clear balance")
        assert entry.count == 2
        assert sorted(entry.object_ids) == sorted([a.pk, b.pk])
        assert entry.actor == admin_member.user
        assert entry.changes["cleared"] == {"USD": "60.00"}
        assert entry.changes["recoverable"] == [True, False]
        assert sorted(entry.changes["cleared rewards"]) == sorted([f"#{a.pk} USD 100.00", f"#{b.pk} USD -40.00"])
        assert "riley@acme.test" in entry.object_label

    def test_awkward_amounts_are_listed_and_summed_exactly(self, tenant, rep, admin_member):
        """Amounts at the edges of what the column holds, repeated and not, in three currencies:
        the entry lists each reward as the ORM reads it, in id order, and the totals are exact."""
        amounts = [
            ("USD", "999999999999.99"),
            ("USD", "0.10"),
            ("EUR", "-0.01"),
            ("USD", "-999999999999.99"),
            ("USD", "0.10"),
            ("EUR", "1234567.89"),
            ("JPY", "0.00"),
            ("USD", "-0.30"),
            ("EUR", "100.00"),
        ]
        rewards = [RecoverableRewardFactory(member=rep, amount=D(a), currency=c) for c, a in amounts]
        result = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        entry = ActivityEntry.objects.get(tenant=tenant, verb="clear balance")
        by_id = sorted(rewards, key=lambda r: r.pk)
        assert entry.object_ids == result.reward_ids == [r.pk for r in by_id]
        assert entry.changes["cleared rewards"] == [f"#{r.pk} {r.currency} {r.amount}" for r in by_id]
        assert entry.changes["cleared"] == {"EUR": "1234667.88", "JPY": "0.00", "USD": "-0.10"}
        assert result.totals == {"EUR": D("1234667.88"), "JPY": D("0.00"), "USD": D("-0.10")}
        assert str(result.totals["USD"]) == "-0.10"

    def test_clearing_twice_is_harmless(self, tenant, rep, admin_member):
        reward = RecoverableRewardFactory(member=rep, amount=D("100.00"))
        first = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        reward.refresh_from_db()
        cleared_at = reward.cleared_at
        second = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        assert (first.count, second.count) == (1, 0)
        assert second.totals == {}
        reward.refresh_from_db()
        assert reward.cleared_at == cleared_at  # not re-stamped
        assert ActivityEntry.objects.filter(tenant=tenant, verb="clear balance").count() == 1

    def test_a_reward_created_while_clear_runs_stays_recoverable(self, tenant, rep, admin_member, monkeypatch):
        """Deterministic interleaving: a reward arrives once Clear has updated the balance, before
        it records. It must be neither lost nor half-cleared: it stays recoverable and owed, and
        the activity entry names only what was cleared."""
        old = RecoverableRewardFactory(member=rep, amount=D("100.00"))
        update = services._clear_returning
        arrived = {}

        def update_then_insert(**kwargs):
            rows = update(**kwargs)
            arrived["reward"] = RecoverableRewardFactory(member=rep, amount=D("25.00"))
            return rows

        monkeypatch.setattr(services, "_clear_returning", update_then_insert)
        result = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        assert result.reward_ids == [old.pk]
        late = arrived["reward"]
        late.refresh_from_db()
        assert late.recoverable is True and late.cleared_at is None
        assert _balance(tenant, rep.user) == {"USD": (D("25.00"), 1)}
        entry = ActivityEntry.objects.get(tenant=tenant, verb="clear balance")
        assert entry.object_ids == [old.pk]

    def test_nothing_to_clear_records_nothing(self, tenant, rep, admin_member):
        assert services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user).count == 0
        assert not ActivityEntry.objects.filter(tenant=tenant).exists()

    def test_the_update_names_no_reward_ids_whatever_the_balance(self, tenant, rep, admin_member):
        for _ in range(5):
            RecoverableRewardFactory(member=rep, amount=D("1.00"))
        with CaptureQueriesContext(connection) as ctx:
            result = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        (update,) = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "plans_reward"')]
        assert " IN (" not in update
        # SQLite reads the rewards in the same (serializable) transaction instead of RETURNING them.
        assert ("RETURNING" in update) == (connection.vendor != "sqlite")
        assert result.count == 5
        assert result.totals == {"USD": D("5.00")}
        assert not Reward.objects.filter(tenant=tenant, user=rep.user, recoverable=True).exists()


@pytest.mark.django_db
class TestAssignRecoverableReward:
    def test_advance_and_repayment(self, tenant, rep, admin_member):
        services.assign_recoverable_reward(
            rep.user, tenant=tenant, actor=admin_member.user, amount=D("500.00"), currency="USD", reason="Ramp-up"
        )
        reward = services.assign_recoverable_reward(
            rep.user, tenant=tenant, actor=admin_member.user, amount=D("-120.00"), currency="USD", reason="Payroll"
        )
        assert reward.recoverable and reward.created_by == admin_member.user and reward.reason == "Payroll"
        assert _balance(tenant, rep.user) == {"USD": (D("380.00"), 2)}
        entry = ActivityEntry.objects.filter(tenant=tenant, action="create").latest("id")
        assert entry.verb == "assign recoverable repayment"
        assert entry.changes["amount"] == [None, "-120.00"]

    @pytest.mark.parametrize(
        ("amount", "currency", "reason", "field"),
        [
            (D("0"), "USD", "x", "amount"),
            (D("10"), "usd", "x", "currency"),
            (D("10"), "DOLLARS", "x", "currency"),
            (D("10"), "USD", "  ", "reason"),
        ],
    )
    def test_bad_input_changes_nothing(self, tenant, rep, admin_member, amount, currency, reason, field):
        with pytest.raises(ValidationError) as exc:
            services.assign_recoverable_reward(
                rep.user, tenant=tenant, actor=admin_member.user, amount=amount, currency=currency, reason=reason
            )
        assert field in exc.value.message_dict
        assert not Reward.objects.exists()
        assert not ActivityEntry.objects.exists()

    def test_not_a_member(self, tenant, other_tenant, admin_member):
        stranger = member(other_tenant, "Sales Rep")
        with pytest.raises(ValidationError):
            services.assign_recoverable_reward(
                stranger.user, tenant=tenant, actor=admin_member.user, amount=D("1"), currency="USD", reason="x"
            )


@pytest.mark.django_db
class TestRecoverableDraw:
    def test_pays_every_beneficiary_once(self, tenant, admin_member):
        plan = PlanFactory(tenant=tenant, currency="EUR")
        reps = [member(tenant, "Sales Rep") for _ in range(3)]
        for rep in reps:
            BeneficiaryFactory(plan=plan, user=rep.user)
        result = services.draw_recoverable(plan, actor=admin_member.user, amount=D("1500.00"), reason="Nov draw")
        assert (result.paid, result.already_paid) == (3, 0)
        for rep in reps:
            assert _balance(tenant, rep.user) == {"EUR": (D("1500.00"), 1)}
        assert Reward.objects.filter(plan=plan, recoverable=True).count() == 3
        again = services.draw_recoverable(plan, actor=admin_member.user, amount=D("1500.00"), reason="Nov draw")
        assert (again.paid, again.already_paid) == (0, 3)
        entry = ActivityEntry.objects.get(tenant=tenant, verb="pay recoverable draw")
        assert entry.count == 3 and len(entry.object_ids) == 3

    def test_a_draw_must_be_positive(self, tenant, admin_member):
        plan = PlanFactory(tenant=tenant)
        with pytest.raises(ValidationError) as exc:
            services.draw_recoverable(plan, actor=admin_member.user, amount=D("-5"), reason="x")
        assert "amount" in exc.value.message_dict
