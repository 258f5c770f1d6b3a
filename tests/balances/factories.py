"""Recoverable rewards for the balances tests (the Reward model is the plans app's)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from plans.models import Reward
from tests.factories import MembershipFactory


class RecoverableRewardFactory(factory.django.DjangoModelFactory):
    """A stand-alone recoverable reward of a member: ``RecoverableRewardFactory(member=m, amount=...)``.
    Tenant and user come from the membership, so the reward never straddles tenants."""

    class Meta:
        model = Reward
        exclude = ("member",)

    member = factory.SubFactory(MembershipFactory, role_name="Sales Rep")
    tenant = factory.SelfAttribute("member.tenant")
    user = factory.SelfAttribute("member.user")
    plan = None
    amount = Decimal("100.00")
    currency = "USD"
    recoverable = True
    released = True
    reason = factory.Sequence(lambda n: f"Advance {n}")
    created_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))
