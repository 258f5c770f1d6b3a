"""Isolation registry of the balances views.

Their URL keywords besides the tenant are ``membership_id`` (the user page, Clear, add a
reward), which tests/tenancy/isolation.py already provides (a Sales Rep membership of the victim
tenant), and ``clear_id`` (Undo clear), provided here: a Clear of such a member's balance.
tests/test_isolation.py therefore walks every balances URL (anonymous → login, another tenant's
member → 404, another tenant's ids in one's own workspace → 404);
tests/balances/test_views.py checks here that no new keyword slipped in unregistered.
"""

from tests.isolation import provides

BALANCES_URL_KWARGS = {"membership_id", "clear_id"}


@provides("clear_id")
def balance_clear(tenant):
    from balances.services import clear_balance
    from tests.balances.factories import RecoverableRewardFactory
    from tests.factories import member

    rep = member(tenant, "Sales Rep")
    RecoverableRewardFactory(member=rep)
    return clear_balance(rep.user, tenant=tenant, actor=None).clear_id
