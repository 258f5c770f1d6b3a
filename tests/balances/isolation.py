"""Isolation registry of the balances views.

Their only URL keyword besides the tenant is ``membership_id`` (the user page, Clear, add a
reward), which tests/tenancy/isolation.py already provides: a Sales Rep membership of the victim
tenant. tests/test_isolation.py therefore walks every balances URL (anonymous → login, another
tenant's member → 404, another tenant's ids in one's own workspace → 404);
tests/balances/test_views.py checks here that no new keyword slipped in unregistered.
"""

BALANCES_URL_KWARGS = {"membership_id"}
