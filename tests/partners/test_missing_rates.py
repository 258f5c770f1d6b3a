"""Missing exchange rates are never silent: Enrollment Details and the portal say how many deals
are not counted, Currency rates lists the missing pairs, and adding the rate schedules the
recalculation."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from partners import services
from tests.conftest import login
from tests.partners.factories import (
    CurrencyRateFactory,
    OpportunityFactory,
    PartnerEnrollmentFactory,
    enrolled_partner,
    hashed_grouping_statements,
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
    assert (
        "<td>Global Partner Program</td><td>Annual Partner Revenue</td>"
        '<td>GBP</td><td>USD</td><td class="num">2</td><td>03/02/2026 – 05/09/2026</td>'
    ) in section
    assert "<td>EUR</td>" not in section
    add = f"/w/{tenant.slug}/partners/currency-rates/add/?from_currency=GBP&amp;to_currency=USD&amp;date=2026-03-02"
    assert f'href="{add}"' in section
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
    # The page's 13, its expiration notices, and for the notice the deals grouped by currency
    # and date, then their rates.
    with django_assert_num_queries(14 + hashed_grouping_statements()):
        client.get(f"/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/")
    # The list's own queries (a first page not full: no COUNT), the revenue criteria, then one
    # per revenue criterion (here one).
    with django_assert_num_queries(5):
        client.get(f"/w/{tenant.slug}/partners/currency-rates/")


def test_add_rate_opens_prefilled_with_the_missing_pair_and_its_first_date(client, tenant, enrollment):
    login(client, manager(tenant))
    html = client.get(
        f"/w/{tenant.slug}/partners/currency-rates/add/?from_currency=GBP&to_currency=USD&date=2026-03-02"
    ).content.decode()
    assert 'name="from_currency" value="GBP"' in html
    assert 'name="to_currency" value="USD"' in html
    assert 'value="2026-03-02"' in html
    # A plain New keeps the empty form; the query never fills an edit of an existing rate.
    assert 'value="GBP"' not in client.get(f"/w/{tenant.slug}/partners/currency-rates/add/").content.decode()


def test_only_deals_a_criterion_would_count_are_listed_as_missing(client, tenant, enrollment):
    """Deals the primary partner user cannot see, that the filter leaves out, or dated outside
    the enrollment (by the criterion's attainment date field) need no rate: not listed."""
    pu = enrollment.primary_partner_user
    pu.is_partner_admin = False
    pu.save()
    revenue = enrollment.program.criteria.get(name="Annual Partner Revenue")
    revenue.conditions = [
        {"field": "amount", "op": ">=", "value": "1000"},
        {"field": "stage", "op": "=", "value": "closed_won"},
    ]
    revenue.save()
    account = enrollment.account
    mine = pu.user
    enrollment.account.opportunities.filter(currency="GBP").update(owner=mine)
    OpportunityFactory(account=account, owner=None, currency="CHF", close_date=dt.date(2026, 3, 2))  # not theirs
    OpportunityFactory(account=account, owner=mine, currency="CHF", amount=Decimal("10"))  # filtered out
    OpportunityFactory(account=account, owner=mine, currency="CHF", close_date=dt.date(2027, 2, 1))  # after it
    OpportunityFactory(account=account, owner=mine, currency="SEK", stage="negotiation")  # filtered out: open
    login(client, manager(tenant))
    html = client.get(f"/w/{tenant.slug}/partners/currency-rates/").content.decode()
    section = html[html.index('id="missing-rates"') : html.index("</section>")]
    assert '<td>GBP</td><td>USD</td><td class="num">2</td>' in section
    assert "CHF" not in section and "SEK" not in section
    # By the created date, the deals created in the period count, and their created dates show.
    revenue.attainment_date_field = "created_date"
    revenue.save()
    account.opportunities.filter(currency="GBP").update(created_date=dt.date(2026, 2, 3))
    html = client.get(f"/w/{tenant.slug}/partners/currency-rates/").content.decode()
    section = html[html.index('id="missing-rates"') : html.index("</section>")]
    assert '<td>GBP</td><td>USD</td><td class="num">2</td><td>02/03/2026 – 02/03/2026</td>' in section


def test_each_revenue_criterion_lists_its_own_pairs_in_one_statement(
    client, tenant, enrollment, django_assert_num_queries
):
    """A second program, in euros, that the same account is enrolled in: its criterion needs
    GBP → EUR and USD → EUR, listed under it; the first program's rows are unchanged."""
    euros = program_with_criteria(tenant, name="EMEA Program")
    euros.currency = "EUR"
    euros.save()
    PartnerEnrollmentFactory(
        program=euros, account=enrollment.account, primary_partner_user=enrollment.primary_partner_user
    )
    login(client, manager(tenant))
    client.get(f"/w/{tenant.slug}/partners/currency-rates/")
    with django_assert_num_queries(5):
        html = client.get(f"/w/{tenant.slug}/partners/currency-rates/").content.decode()
    section = html[html.index('id="missing-rates"') : html.index("</section>")]
    rows = [r.split("</tr>")[0] for r in section.split("<tr>")[2:]]
    assert [re.findall(r"<td[^>]*>(.*?)</td>", r)[:4] for r in rows] == [
        ["EMEA Program", "Annual Partner Revenue", "GBP", "EUR"],
        ["EMEA Program", "Annual Partner Revenue", "USD", "EUR"],
        ["Global Partner Program", "Annual Partner Revenue", "GBP", "USD"],
    ]
    assert '<td class="num">2</td><td>03/02/2026 – 05/09/2026</td>' in rows[0]
