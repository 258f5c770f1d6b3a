"""The demo gives a few Acme reps (rep@acme.test among them) non-zero balances, one in a second
currency, and a little to Globex; running it twice changes nothing."""

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from balances import demo as balances_demo
from balances.selectors import balance_of_user
from plans.models import Reward
from tenancy import demo as tenancy_demo
from tenancy.models import User


@pytest.mark.django_db
def test_demo_balances_are_realistic_and_idempotent():
    ctx = tenancy_demo.DemoContext()
    with scopes_disabled():
        tenancy_demo.seed(ctx)
        balances_demo.seed(ctx)
        count = Reward.objects.count()
        balances_demo.seed(ctx)
        assert Reward.objects.count() == count
        acme = ctx.tenants["acme"]
        rep = balance_of_user(tenant=acme, user=User.objects.get(email="rep@acme.test"))
        assert rep.total("USD") == Decimal("2850.00")
        sam = balance_of_user(tenant=acme, user=User.objects.get(email="sam.seller@acme.test"))
        assert {line.currency for line in sam.lines} == {"USD", "EUR"}
        assert Reward.objects.filter(tenant=ctx.tenants["globex"], recoverable=True).exists()
        assert Reward.objects.filter(amount__lt=0).exists() and Reward.objects.filter(amount__gt=0).exists()
