"""Currency conversion per (currency, date) group gives the very figures of the per-record rate
lookup: the drill-down's sums per reason, the Edit preview's values and the missing-rate notice
agree with the set-based engine and with the records' own converted values, whatever the deals,
rates and dates (generated)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners import services
from partners.explain import COUNTED, explained_records, missing_rates, reason_totals, values_for
from partners.models import CriterionResult, CurrencyRate, Opportunity
from partners.rates import RateBook
from tests.factories import UserFactory
from tests.partners.factories import END, START, PartnerEnrollmentFactory, program_with_criteria

pytestmark = pytest.mark.django_db

# A few dates, so that deals fall on a rate's own date, the day before and after it, and on both
# edges of the enrollment period, often.
DAYS = sorted(
    {START + dt.timedelta(days=d) for d in (-31, -1, 0, 1, 14, 15, 16, 45)}
    | {END - dt.timedelta(days=1), END, END + dt.timedelta(days=1)}
)
days = st.sampled_from(DAYS)
deal = st.fixed_dictionaries(
    {
        "currency": st.sampled_from(["USD", "EUR", "GBP", "JPY"]),
        "amount": st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
        "close_date": days,
        "mine": st.booleans(),
        "stage": st.sampled_from(["closed_won", "negotiation"]),
    }
)
rate = st.fixed_dictionaries(
    {
        "from_currency": st.sampled_from(["EUR", "GBP", "JPY"]),
        "date": days,
        "rate": st.decimals(min_value=Decimal("0.0001"), max_value=200, places=4),
    }
)


@pytest.fixture
def scene(tenant):
    program = program_with_criteria(tenant)
    revenue = program.criteria.get(name="Annual Partner Revenue")
    revenue.conditions = [{"field": "stage", "op": "=", "value": "closed_won"}]
    revenue.save()
    enrollment = PartnerEnrollmentFactory(program=program)
    pu = enrollment.primary_partner_user
    pu.is_partner_admin = False
    pu.save()
    return enrollment, revenue, UserFactory()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    deals=st.lists(deal, max_size=25),
    rates=st.lists(rate, max_size=8, unique_by=lambda r: (r["from_currency"], r["date"])),
)
def test_grouped_conversion_matches_the_per_record_lookup(tenant, scene, deals, rates):
    enrollment, revenue, colleague = scene
    Opportunity.objects.filter(tenant=tenant).delete()
    CurrencyRate.objects.filter(tenant=tenant).delete()
    CurrencyRate.objects.bulk_create([CurrencyRate(tenant=tenant, to_currency="USD", **r) for r in rates])
    mine = enrollment.primary_partner_user.user
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                tenant=tenant,
                account=enrollment.account,
                owner=mine if d["mine"] else colleague,
                name=f"Deal {i}",
                amount=d["amount"],
                currency=d["currency"],
                stage=d["stage"],
                close_date=d["close_date"],
            )
            for i, d in enumerate(deals)
        ]
    )
    records = list(explained_records(revenue, enrollment))
    # Per reason, from each record's own (per-record) converted value.
    expected: dict[str, dict] = {}
    for r in records:
        t = expected.setdefault(r.reason, {"count": 0, "total": None})
        t["count"] += 1
        if r.converted_value is not None:
            t["total"] = (t["total"] or Decimal(0)) + r.converted_value
    got = reason_totals(revenue, enrollment)
    assert {k: v["count"] for k, v in got.items()} == {k: v["count"] for k, v in expected.items()}
    for key, t in expected.items():
        if t["total"] is None:
            assert got[key]["total"] is None
        else:
            # Summed per group or per record, the products carry different digits past the 4th
            # place: rounding both to 4 places can then land on either side of a half.
            assert abs(got[key]["total"] - t["total"]) < Decimal("0.0001")
    counted = (got.get(COUNTED, {}).get("total") or Decimal(0)).quantize(Decimal("0.01"))
    # The preview's value and the set-based engine's stored value are the same figure.
    assert values_for([revenue], enrollment, custom={})[revenue.pk] == counted
    services.recalculate_enrollment(enrollment)
    assert CriterionResult.objects.get(enrollment=enrollment, criterion=revenue).value == counted
    # The notice lists exactly the records the drill-down files under "no rate".
    unconverted = [r for r in records if r.reason == "rate"]
    notice = missing_rates(revenue, enrollment)
    assert sum(m["count"] for m in notice) == len(unconverted)
    assert {m["currency"] for m in notice} == {r.currency for r in unconverted}
    for m in notice:
        dates = [r.close_date for r in unconverted if r.currency == m["currency"]]
        assert (m["first"], m["last"]) == (min(dates), max(dates))


def test_the_rate_book_takes_the_latest_rate_on_or_before_the_date(tenant):
    for day, value in [(dt.date(2026, 1, 1), "1.10"), (dt.date(2026, 2, 1), "1.20"), (dt.date(2026, 3, 1), "1.30")]:
        CurrencyRate.objects.create(tenant=tenant, from_currency="EUR", to_currency="USD", date=day, rate=value)
    book = RateBook(
        tenant_id=tenant.pk, to_currency="USD", currencies={"EUR", "USD", "GBP"}, until=dt.date(2026, 2, 15)
    )
    assert book.rate("EUR", dt.date(2025, 12, 31)) is None
    assert book.rate("EUR", dt.date(2026, 1, 1)) == Decimal("1.10")
    assert book.rate("EUR", dt.date(2026, 1, 31)) == Decimal("1.10")
    assert book.rate("EUR", dt.date(2026, 2, 15)) == Decimal("1.20")
    assert book.rate("USD", None) == Decimal(1)
    assert book.rate("EUR", None) is None
    assert book.rate("GBP", dt.date(2026, 2, 1)) is None
