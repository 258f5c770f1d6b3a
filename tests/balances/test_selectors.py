"""Reads of owed balances that stay fast whatever the planner knows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from balances import selectors
from tenancy.models import Membership
from tests.balances.factories import RecoverableRewardFactory
from tests.factories import member

D = Decimal

pytestmark = pytest.mark.django_db


def test_the_owed_balance_can_only_be_read_through_its_own_index(tenant):
    """The All Users page sorted by owed balance once ran for minutes on PostgreSQL right after a
    bulk load: the planner, without statistics, read the tenant-only index once per user. That
    index is gone, the balance has its own (recoverable rewards by tenant, user and currency),
    and the subquery names the tenant once, as a literal, not as a correlation."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "plans_reward")
    indexes = {name: c["columns"] for name, c in constraints.items() if c["index"] and not c["primary_key"]}
    assert ["tenant_id"] not in indexes.values()
    # PostgreSQL lists the included amount too; SQLite has no included columns.
    assert indexes["reward_owed"][:3] == ["tenant_id", "currency", "user_id"]
    sql = str(selectors.user_list(tenant=tenant, currencies=["USD"]).query)
    assert f'"U0"."tenant_id" = {tenant.pk}' in sql  # the subquery's reward table
    assert '"U0"."tenant_id" = ("tenancy_membership"."tenant_id")' not in sql


@pytest.fixture
def owing(tenant, other_tenant):
    """Members owing in two currencies, one owing nothing, one with only cleared rewards, and a
    user who is also a member elsewhere with rewards there (which are not owed here)."""
    riley = member(tenant, "Sales Rep", user__email="riley@acme.test")
    RecoverableRewardFactory(member=riley, amount=D("1000.00"))
    RecoverableRewardFactory(member=riley, amount=D("-250.00"))
    RecoverableRewardFactory(member=riley, amount=D("40.00"), currency="EUR")
    sam = member(tenant, "Manager", user__email="sam@acme.test")
    RecoverableRewardFactory(member=sam, amount=D("-10.00"))
    RecoverableRewardFactory(member=sam, amount=D("99.00"), recoverable=False)
    member(tenant, "Sales Rep", user__email="nobody@acme.test")
    cleared = member(tenant, "Sales Rep", user__email="cleared@acme.test")
    RecoverableRewardFactory(member=cleared, amount=D("5.00"), recoverable=False)
    elsewhere = member(other_tenant, "Sales Rep", user=riley.user)
    RecoverableRewardFactory(member=elsewhere, amount=D("7.00"))
    RecoverableRewardFactory(member=elsewhere, amount=D("8.00"), currency="EUR")
    return riley


def _balances(queryset) -> dict[str, tuple]:
    return {m.user.email: (m.owed_usd, m.owed_eur) for m in queryset}


@pytest.mark.parametrize("every_row", [False, True])
def test_both_ways_of_summing_give_every_member_the_same_balances(tenant, owing, every_row):
    """A page's 25 subqueries and the one-pass sums joined to every member agree, members with
    nothing owed included (the join is an outer one), other workspaces' rewards left out."""
    rows = selectors.user_list(tenant=tenant, currencies=["USD", "EUR"], every_row=every_row)
    balances = _balances(rows)
    assert balances["riley@acme.test"] == (D("750.00"), D("40.00"))
    assert balances["sam@acme.test"] == (D("-10.00"), D("0.00"))
    assert balances["nobody@acme.test"] == (D("0.00"), D("0.00"))
    assert balances["cleared@acme.test"] == (D("0.00"), D("0.00"))
    assert len(balances) == Membership.objects.filter(tenant=tenant).count()
    assert [m.user.email for m in rows] == sorted(balances)  # by email


def test_the_one_pass_sums_keep_every_member_under_filters_and_in_balance_order(tenant, owing):
    """Filters through joins (the role, the user's email) and a sort by a balance leave the
    members who owe nothing in the list, after those who owe and before those owed to."""
    narrowed = selectors.members(tenant=tenant).filter(role__name="Sales Rep", user__email__endswith="@acme.test")
    rows = selectors.with_owed_balances(narrowed, tenant=tenant, currencies=["USD", "EUR"], every_row=True)
    ordered = [m.user.email for m in rows.order_by("-owed_usd", "-user__email")]
    assert ordered == ["riley@acme.test", "nobody@acme.test", "cleared@acme.test"]
    rows = selectors.with_owed_balances(
        selectors.members(tenant=tenant), tenant=tenant, currencies=["USD", "EUR"], every_row=True
    )
    assert [m.user.email for m in rows.order_by("owed_usd", "user__email")][:1] == ["sam@acme.test"]


def _page(captured, size: int) -> str:
    """The statement that read the page's members (the middleware reads one membership too)."""
    return next(q["sql"] for q in captured if 'FROM "tenancy_membership"' in q["sql"] and f"LIMIT {size}" in q["sql"])


def test_sorted_by_a_balance_the_page_sums_every_member_in_one_pass(admin_client, tenant, owing):
    """Sorted by a balance, every member's is needed: the page joins one grouped read of the
    recoverable rewards instead of running a subquery per member (0.59 s → 0.12 s at 100,000
    users on PostgreSQL). In any other order the page's 25 rows each read their own, and the
    paginator counts the filtered members without either."""
    url = reverse("balances:user_list", kwargs={"tenant_slug": tenant.slug})
    with CaptureQueriesContext(connection) as by_balance:
        response = admin_client.get(url, {"sort": "-owed_usd", "per_page": 2})  # a full page: counted
    emails = [r.record.user.email for r in response.context["table"].page.object_list]
    assert emails[0] == "riley@acme.test"
    page = _page(by_balance.captured_queries, 2)
    assert 'LEFT OUTER JOIN "owed"' in page and '"U0"."user_id" = ' not in page
    count = next(q["sql"] for q in by_balance.captured_queries if "COUNT(" in q["sql"])
    assert "plans_reward" not in count
    response = admin_client.get(url, {"sort": "-owed_usd"})
    assert "nobody@acme.test" in [r.record.user.email for r in response.context["table"].page.object_list]
    with CaptureQueriesContext(connection) as by_email:
        admin_client.get(url, {"sort": "email"})
    page = _page(by_email.captured_queries, 25)
    assert '"owed"' not in page and '"U0"."user_id" = ("tenancy_membership"."user_id")' in page


def test_the_first_sort_value_decides_how_the_balances_are_summed(admin_client, tenant, owing):
    """django-tables2 orders by the first ``sort`` value: a balance first is summed in one pass,
    a balance only after the email is not."""
    url = reverse("balances:user_list", kwargs={"tenant_slug": tenant.slug})
    for query, one_pass in [("sort=-owed_usd&sort=email", True), ("sort=email&sort=-owed_usd", False)]:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(f"{url}?{query}")
        assert ('LEFT OUTER JOIN "owed"' in _page(captured.captured_queries, 25)) is one_pass, query
        emails = [r.record.user.email for r in response.context["table"].page.object_list]
        assert (emails[0] == "riley@acme.test") is one_pass


def test_no_currency_no_sums_and_no_duplicate_members(tenant, owing):
    for every_row in (False, True):
        rows = list(
            selectors.with_owed_balances(
                selectors.members(tenant=tenant), tenant=tenant, currencies=[], every_row=every_row
            )
        )
        assert len(rows) == Membership.objects.filter(tenant=tenant).count()
