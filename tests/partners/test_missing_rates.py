"""Missing exchange rates are never silent: Enrollment Details and the portal say how many deals
are not counted, Currency rates lists the missing pairs, and adding the rate schedules the
recalculation."""

import datetime as dt
from decimal import Decimal

import pytest

from partners import services
from tests.conftest import login
from tests.partners.factories import (
    CurrencyRateFactory,
    OpportunityFactory,
    enrolled_partner,
    manager,
    program_with_criteria,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(tenant):
    program = program_with_criteria(tenant)
    enrollment = enrolled_partner(program, revenue=Decimal("100000"))
    OpportunityFactory(
        account=enrollment.account, amount=Decimal("5000"), currency="GBP", close_date=dt.date(2026, 3, 2)
    )
    OpportunityFactory(
        account=enrollment.account, amount=Decimal("7000"), currency="GBP", close_date=dt.date(2026, 5, 9)
    )
    # A rate dated after the deal does not apply to it.
    CurrencyRateFactory(tenant=tenant, from_currency="EUR", to_currency="USD", date=dt.date(2026, 1, 1))
    OpportunityFactory(
        account=enrollment.account, amount=Decimal("1000"), currency="EUR", close_date=dt.date(2026, 4, 1)
    )
    services.recalculate_enrollment(enrollment)
    return enrollment


def test_enrollment_details_and_portal_say_which_deals_are_not_counted(client, tenant, enrollment):
    login(client, manager(tenant))
    html = client.get(f"/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/").content.decode()
    notice = html[html.index('id="missing-rates"') :]
    assert "2 deals in GBP have no rate on their date: not counted (03/02/2026 – 05/09/2026)." in notice
    assert f'href="/w/{tenant.slug}/partners/currency-rates/?from_currency=GBP"' in notice
    assert "EUR" not in notice[: notice.index("</div>")]
    assert enrollment.results.get(criterion__name="Annual Partner Revenue").value == Decimal("101100.00")
    client.force_login(enrollment.primary_partner_user.user)
    portal = client.get(f"/w/{tenant.slug}/partners/portal/").content.decode()
    assert "2 deals in GBP have no rate on their date: not counted." in portal


def test_currency_rates_lists_the_missing_pairs_and_a_rate_schedules_the_recalculation(client, tenant, enrollment):
    login(client, manager(tenant))
    html = client.get(f"/w/{tenant.slug}/partners/currency-rates/").content.decode()
    section = html[html.index('id="missing-rates"') : html.index("</section>")]
    assert '<td>GBP</td><td>USD</td><td class="num">2</td><td>03/02/2026 – 05/09/2026</td>' in section
    assert "<td>EUR</td>" not in section
    services.currency_rate_create(
        tenant=tenant,
        actor=None,
        data={"date": dt.date(2026, 3, 1), "from_currency": "GBP", "to_currency": "USD", "rate": Decimal("1.25")},
    )
    enrollment.refresh_from_db()
    assert enrollment.recalc_due_at is not None
    services.recalculate_enrollment(enrollment)
    html = client.get(f"/w/{tenant.slug}/partners/currency-rates/").content.decode()
    assert 'id="missing-rates"' not in html
    assert enrollment.results.get(criterion__name="Annual Partner Revenue").value == Decimal("116100.00")
    page = client.get(f"/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/").content.decode()
    assert 'id="missing-rates"' not in page


@pytest.mark.parametrize("n", [2, 6])
def test_the_notice_costs_a_fixed_number_of_queries(client, tenant, enrollment, django_assert_num_queries, n):
    login(client, manager(tenant))
    for i in range(n):
        OpportunityFactory(account=enrollment.account, currency="CHF", close_date=dt.date(2026, 6, 1 + i))
    with django_assert_num_queries(14):  # the page's 13, and its expiration notices
        client.get(f"/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/")
    with django_assert_num_queries(6):
        client.get(f"/w/{tenant.slug}/partners/currency-rates/")
