"""Amounts: every currency the portal handles is kept to the cent (plans' rewards, recoverable
balances, partner revenue, the pages and exports that show them)."""

from decimal import Decimal

CENT = Decimal("0.01")
