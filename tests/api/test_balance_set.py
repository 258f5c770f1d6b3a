"""RecoverableBalances: the owed balance per user and currency (sum of recoverable rewards)."""

from decimal import Decimal

import pytest

from tests.factories import UserFactory, member
from tests.plans.factories import RewardFactory


@pytest.fixture
def balances(tenant, other_tenant):
    ann = member(tenant, "Sales Rep", user=UserFactory(email="ann@acme.test")).user
    bob = member(tenant, "Sales Rep", user=UserFactory(email="bob@acme.test")).user
    for user, amount, currency, recoverable in [
        (ann, "500.00", "USD", True),
        (ann, "-125.50", "USD", True),
        (ann, "300.00", "EUR", True),
        (ann, "999.00", "USD", False),  # not recoverable: not owed
        (bob, "-40.00", "USD", True),
    ]:
        RewardFactory(
            plan=None, tenant=tenant, user=user, amount=Decimal(amount), currency=currency, recoverable=recoverable
        )
    RewardFactory(plan=None, tenant=other_tenant, user=ann, amount=Decimal("7.00"), recoverable=True)
    return ann, bob


@pytest.mark.django_db
def test_balance_per_user_and_currency(odata, balances):
    ann, bob = balances
    body = odata.json("RecoverableBalances", {"$count": "true", "$orderby": "UserEmail,Currency", "$expand": "User"})
    assert body["@odata.count"] == 3
    assert [(r["UserEmail"], r["Currency"], r["Balance"], r["RecoverableRewards"]) for r in body["value"]] == [
        ("ann@acme.test", "EUR", 300, 1),
        ("ann@acme.test", "USD", 374.5, 2),
        ("bob@acme.test", "USD", -40, 1),
    ]
    one = odata.json(f"RecoverableBalances('{ann.pk}-USD')", {"$expand": "User"})
    assert one["User"] == {"Id": ann.pk, "Email": "ann@acme.test", "FullName": ann.full_name}
    assert one["Balance"] == 374.5 and one["UserId"] == ann.pk
    odata.json("RecoverableBalances('0-USD')", status=404)


@pytest.mark.django_db
def test_filter_on_the_balance_and_paging_by_skip(odata, balances, settings):
    settings.ODATA_PAGE_SIZE = 2
    owed = odata.json("RecoverableBalances", {"$filter": "Balance gt 0 and Currency eq 'USD'"})["value"]
    assert [r["UserEmail"] for r in owed] == ["ann@acme.test"]
    first = odata.json("RecoverableBalances")
    assert len(first["value"]) == 2 and "$skip=2" in first["@odata.nextLink"]
    assert odata.get("RecoverableBalances/$count", {"$filter": "Balance lt 0"}).content == b"1"
