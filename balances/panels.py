"""The workspace home panel: a sales rep's own owed balance."""

from tenancy.capabilities import Capability

from .selectors import balance_of_user


def my_balance_panel(request):
    membership = request.membership
    if not membership.has(Capability.MY_PLANS):
        return None
    balance = balance_of_user(tenant=request.tenant, user=request.user)
    if not balance.lines and membership.is_administrator:
        return None  # administrators see it only when they owe something themselves
    return {"template": "balances/panel_my_balance.html", "balance": balance}
