"""Undo clear: the rewards one Clear made non-recoverable are owed again (except those deleted
since with their plan or calculation); exactly that Clear's rewards, once, one activity entry; the
dialog lists the amounts per currency and the balance before and after."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import ActivityEntry
from balances import services
from balances.models import BalanceClear
from balances.selectors import balance_of_user
from plans.models import Reward
from plans.services import plan_delete
from tests.balances.factories import RecoverableRewardFactory
from tests.conftest import login
from tests.factories import member
from tests.plans.factories import PlanFactory

D = Decimal
pytestmark = pytest.mark.django_db


def url(tenant, name, **kwargs):
    return reverse(f"balances:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


@pytest.fixture
def rep(tenant):
    m = member(tenant, "Sales Rep", user__email="riley@acme.test", user__full_name="Riley Rep")
    RecoverableRewardFactory(member=m, amount=D("1000.00"), reason="Ramp-up advance")
    RecoverableRewardFactory(member=m, amount=D("-250.00"), reason="Repaid from Q1")
    RecoverableRewardFactory(member=m, amount=D("40.00"), currency="EUR", reason="Trip advance")
    return m


def balance(tenant, user):
    return {line.currency: line.total for line in balance_of_user(tenant=tenant, user=user).lines}


class TestUndoClearBalance:
    def test_the_rewards_are_owed_again_once_with_one_entry(self, tenant, rep, admin_member):
        before = balance(tenant, rep.user)
        cleared = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        clear = BalanceClear.objects.get(tenant=tenant, pk=cleared.clear_id)
        assert (clear.count, clear.totals) == (3, {"EUR": "40.00", "USD": "750.00"})

        result = services.undo_clear_balance(clear, actor=admin_member.user)

        assert (result.restored, result.deleted_since) == (3, 0)
        assert result.totals == {"EUR": D("40.00"), "USD": D("750.00")}
        assert balance(tenant, rep.user) == before
        assert not Reward.objects.filter(user=rep.user, cleared_at__isnull=False).exists()
        clear.refresh_from_db()
        assert clear.undone_by == admin_member.user and (clear.restored, clear.deleted_since) == (3, 0)
        entry = ActivityEntry.objects.get(verb="undo clear balance")
        assert entry.count == 3 and entry.changes["clear"] == clear.pk
        assert entry.changes["restored"] == {"EUR": "40.00", "USD": "750.00"}

        again = services.undo_clear_balance(clear, actor=admin_member.user)
        assert again.already_undone and again.restored == 0
        assert ActivityEntry.objects.filter(verb="undo clear balance").count() == 1
        assert balance(tenant, rep.user) == before

    def test_only_that_clears_rewards_come_back(self, tenant, rep, admin_member):
        first = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        later = RecoverableRewardFactory(member=rep, amount=D("300.00"))
        second = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        assert second.reward_ids == [later.pk]

        services.undo_clear_balance(BalanceClear.objects.get(tenant=tenant, pk=first.clear_id), actor=admin_member.user)

        assert balance(tenant, rep.user) == {"EUR": D("40.00"), "USD": D("750.00")}
        later.refresh_from_db()
        assert not later.recoverable and later.clear_id == second.clear_id
        # Cleared again after the undo: a new Clear, and undoing the first again changes nothing.
        third = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        assert third.count == 3
        services.undo_clear_balance(BalanceClear.objects.get(tenant=tenant, pk=first.clear_id), actor=admin_member.user)
        assert balance(tenant, rep.user) == {}

    def test_rewards_deleted_since_stay_gone(self, tenant, rep, admin_member):
        plan = PlanFactory(tenant=tenant)
        RecoverableRewardFactory(member=rep, plan=plan, amount=D("500.00"))
        cleared = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        plan_delete(plan=plan, actor=admin_member.user)

        result = services.undo_clear_balance(
            BalanceClear.objects.get(tenant=tenant, pk=cleared.clear_id), actor=admin_member.user
        )

        assert (result.restored, result.deleted_since) == (3, 1)
        assert balance(tenant, rep.user) == {"EUR": D("40.00"), "USD": D("750.00")}
        assert ActivityEntry.objects.get(verb="undo clear balance").changes["deleted_since"] == 1

    def test_locks_and_writes_once(self, tenant, rep, admin_member):
        clear = BalanceClear.objects.get(
            pk=services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user).clear_id
        )
        clear = BalanceClear.objects.select_related("tenant", "user").get(pk=clear.pk)
        with CaptureQueriesContext(connection) as ctx:
            services.undo_clear_balance(clear, actor=admin_member.user)
        statements = [q["sql"].split()[0] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
        # membership and the Clear (locked); one UPDATE of the rewards (all came back, so the
        # amounts are the Clear's own), the Clear marked undone, the activity entry
        assert statements == ["SELECT", "SELECT", "UPDATE", "UPDATE", "INSERT"]


class TestUndoClearView:
    def test_dialog_lists_amounts_and_balances_then_undo_gives_back_the_balance(self, admin_client, tenant, rep):
        page = url(tenant, "user_detail", membership_id=rep.pk)
        admin_client.post(url(tenant, "balance_clear", membership_id=rep.pk))
        RecoverableRewardFactory(member=rep, amount=D("100.00"))  # owed since the Clear
        clear = BalanceClear.objects.get(user=rep.user)
        undo = url(tenant, "undo_clear", clear_id=clear.pk)
        html = admin_client.get(page).content.decode()
        assert 'class="btn btn-sm undo-clear"' in html and undo in html

        dialog = admin_client.get(undo, headers={"HX-Request": "true"}).content.decode()
        assert "<dialog" in dialog
        assert "3 rewards become recoverable again: EUR 40.00, USD 750.00." in dialog
        assert "Balance in EUR: EUR 0.00 now, EUR 40.00 after" in dialog
        assert "Balance in USD: USD 100.00 now, USD 850.00 after" in dialog

        response = admin_client.post(undo, follow=True).content.decode()
        assert f"Undid Clear #{clear.pk}: 3 rewards owed again (EUR 40.00, USD 750.00)." in response
        assert "USD 850.00" in response and "undo-clear" not in response and "Undone" in response

        again = admin_client.get(undo).content.decode()
        assert f"Clear #{clear.pk} was already undone" in again and 'id="confirm-button"' not in again
        assert "already undone" in admin_client.post(undo, follow=True).content.decode()
        assert ActivityEntry.objects.filter(verb="undo clear balance").count() == 1

    def test_dialog_says_what_was_deleted_since(self, admin_client, tenant, rep, admin_member):
        plan = PlanFactory(tenant=tenant)
        RecoverableRewardFactory(member=rep, plan=plan, amount=D("500.00"))
        cleared = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        plan_delete(plan=plan, actor=admin_member.user)
        dialog = admin_client.get(url(tenant, "undo_clear", clear_id=cleared.clear_id)).content.decode()
        assert "1 of the 4 cleared rewards were deleted since" in dialog
        assert "3 rewards become recoverable again" in dialog

    def test_the_clear_entry_offers_undo(self, admin_client, tenant, rep):
        admin_client.post(url(tenant, "balance_clear", membership_id=rep.pk))
        clear = BalanceClear.objects.get(user=rep.user)
        entry = ActivityEntry.objects.get(verb="clear balance")
        page = admin_client.get(
            reverse("activity:entry_detail", kwargs={"tenant_slug": tenant.slug, "entry_id": entry.pk})
        )
        assert url(tenant, "undo_clear", clear_id=clear.pk).encode() in page.content
        assert f"Undo clear #{clear.pk}".encode() in page.content

    def test_needs_clear_balances(self, client, tenant, rep, admin_member):
        cleared = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        viewer = member(tenant, "User Admin")
        viewer.role.capabilities = ["manage_users"]
        viewer.role.save()
        login(client, viewer)
        undo = url(tenant, "undo_clear", clear_id=cleared.clear_id)
        assert client.get(undo).status_code == 403
        assert client.post(undo).status_code == 403
        assert "undo-clear" not in client.get(url(tenant, "user_detail", membership_id=rep.pk)).content.decode()
        assert balance(tenant, rep.user) == {}

    def test_another_tenants_clear_is_404(self, client, tenant, other_tenant, rep, admin_member, outsider):
        cleared = services.clear_balance(rep.user, tenant=tenant, actor=admin_member.user)
        login(client, outsider)
        assert client.post(url(other_tenant, "undo_clear", clear_id=cleared.clear_id)).status_code == 404
        assert balance(tenant, rep.user) == {}

    def test_pages_cost_the_same_queries_at_n_and_3n(self, admin_client, tenant, rep, django_assert_num_queries):
        def clears(n):
            for _ in range(n):
                RecoverableRewardFactory(member=rep, amount=D("5.00"))
                RecoverableRewardFactory(member=rep, amount=D("7.00"), currency="EUR")
                admin_client.post(url(tenant, "balance_clear", membership_id=rep.pk))
            return BalanceClear.objects.filter(user=rep.user).order_by("pk").first()

        first = clears(2)
        pages = [url(tenant, "user_detail", membership_id=rep.pk), url(tenant, "undo_clear", clear_id=first.pk)]
        counts = []
        for page in pages:
            with CaptureQueriesContext(connection) as ctx:
                assert admin_client.get(page).status_code == 200
            counts.append(len(ctx.captured_queries))
        clears(4)
        for page, count in zip(pages, counts, strict=True):
            with django_assert_num_queries(count):
                assert admin_client.get(page).status_code == 200
