"""Reads of owed balances that stay fast whatever the planner knows."""

import pytest
from django.db import connection

from balances import selectors

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
