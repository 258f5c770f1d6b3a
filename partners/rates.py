"""Exchange rates looked up in memory for one enrollment's records.

The set-based engine converts each record in SQL with a correlated subquery (the latest rate of
the pair on or before the record's attainment date). Over one enrollment with 100,000 deals that
subquery runs once per deal, and twice where a page needs both the reason and the amount. The
drill-down summary and the Edit preview instead group the records by (currency, attainment
date), at most a few thousand groups, read the pair's rates once, and convert each group in
Python: the same rule, the same figures (the rate is constant within a group, so the sum of
amount × rate is the group's amount × rate), a fraction of the cost.
"""

from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal

from .models import CurrencyRate


class RateBook:
    """Rates into ``to_currency`` of the given currencies, dated on or before ``until``."""

    def __init__(self, *, tenant_id: int, to_currency: str, currencies, until):
        self.to_currency = to_currency
        self._dates: dict[str, list] = defaultdict(list)
        self._rates: dict[str, list] = defaultdict(list)
        wanted = set(currencies) - {to_currency}
        if not wanted or until is None:
            return
        rows = (
            CurrencyRate.objects.filter(
                tenant_id=tenant_id, to_currency=to_currency, from_currency__in=wanted, date__lte=until
            )
            .order_by("from_currency", "date")
            .values_list("from_currency", "date", "rate")
        )
        for currency, day, rate in rows:
            self._dates[currency].append(day)
            self._rates[currency].append(rate)

    def rate(self, currency: str, day) -> Decimal | None:
        """1 for the target currency; the latest rate on or before ``day``; None when none."""
        if currency == self.to_currency:
            return Decimal(1)
        if day is None:
            return None
        dates = self._dates.get(currency)
        if not dates:
            return None
        i = bisect_right(dates, day)
        return self._rates[currency][i - 1] if i else None


def convert_groups(groups: list[dict], *, tenant_id: int, to_currency: str, date_field: str):
    """Yield (group, rate) for rows of ``values("currency", date_field, …)`` grouped records;
    rate None where no rate converts the group."""
    days = [g[date_field] for g in groups if g[date_field] is not None]
    book = RateBook(
        tenant_id=tenant_id,
        to_currency=to_currency,
        currencies={g["currency"] for g in groups},
        until=max(days) if days else None,
    )
    for g in groups:
        yield g, book.rate(g["currency"], g[date_field])
