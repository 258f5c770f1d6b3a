"""A column's distinct values among a workspace's rows, read through its index (common.loose_scan):
what SELECT DISTINCT … ORDER BY gives, for that workspace alone; on PostgreSQL its statement is
prepared per workspace, as the statements compiled once are."""

import pytest

from activity.models import ActivityEntry
from common.loose_scan import distinct_values
from plans.models import Reward
from tests.factories import TenantFactory, member
from tests.statements import prepared_statements

pytestmark = pytest.mark.django_db


def _entries(tenant, *types):
    for kind in types:
        ActivityEntry.objects.create(tenant=tenant, action="create", verb="created", object_type=kind)


def test_the_distinct_values_of_the_workspace_in_order():
    mine, other = TenantFactory(), TenantFactory()
    _entries(mine, "Plan", "Course", "Plan", "Team", "Course")
    _entries(other, "Partner", "Account")
    expected = list(
        ActivityEntry.objects.filter(tenant=mine)
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
    assert distinct_values(ActivityEntry, "object_type", tenant_id=mine.pk) == expected == ["Course", "Plan", "Team"]
    assert distinct_values(ActivityEntry, "object_type", tenant_id=TenantFactory().pk) == []


def test_where_true_keeps_the_rows_with_that_field_true():
    tenant = TenantFactory()
    rep = member(tenant, "Sales Rep")
    for currency, recoverable in (("USD", True), ("EUR", False), ("GBP", True)):
        Reward.objects.create(tenant=tenant, user=rep.user, amount=1, currency=currency, recoverable=recoverable)
    assert distinct_values(Reward, "currency", tenant_id=tenant.pk, where_true="recoverable") == ["GBP", "USD"]


@pytest.mark.postgres
def test_on_postgresql_it_is_prepared_per_workspace_once_it_ran_five_times():
    first, second = TenantFactory(), TenantFactory()
    _entries(first, "Plan")
    _entries(second, "Course")

    def prepared(tenant) -> int:
        return prepared_statements(f'%FROM "activity_activityentry" WHERE "tenant_id" = {tenant.pk} %')

    for _run in range(6):
        assert prepared(first) == prepared(second) == 0
        assert distinct_values(ActivityEntry, "object_type", tenant_id=first.pk) == ["Plan"]
        assert distinct_values(ActivityEntry, "object_type", tenant_id=second.pk) == ["Course"]
    assert prepared(first) == prepared(second) == 1
