"""The drill-down behind a criterion's value: the records counted and those left out, each with
its reason, sums per reason adding up to the value on Enrollment Details, pagination, export,
and a fixed number of queries at 10 and 10,000 records."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from partners import services
from partners.models import CriterionResult, Opportunity
from tests.conftest import login
from tests.factories import UserFactory, member
from tests.partners.factories import (
    CurrencyRateFactory,
    LeadFactory,
    OpportunityFactory,
    PartnerEnrollmentFactory,
    PartnerUserFactory,
    enrolled_partner,
    hashed_grouping_statements,
    manager,
    program_with_criteria,
)

pytestmark = pytest.mark.django_db


def _url(tenant, enrollment, criterion, query=""):
    return f"/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/criteria/{criterion.pk}/records/{query}"


@pytest.fixture
def scene(tenant):
    """A primary user who is not a partner admin: they see only their own deals."""
    program = program_with_criteria(tenant)
    revenue = program.criteria.get(name="Annual Partner Revenue")
    revenue.conditions = [{"field": "stage", "op": "=", "value": "closed_won"}]
    revenue.save()
    enrollment = PartnerEnrollmentFactory(program=program, account__name="Prairie Systems")
    pu = enrollment.primary_partner_user
    pu.is_partner_admin = False
    pu.save()
    mine = pu.user
    colleague = UserFactory()
    account = enrollment.account
    OpportunityFactory(account=account, owner=mine, name="Counted USD", amount=Decimal("100000"))
    CurrencyRateFactory(
        tenant=tenant, from_currency="EUR", to_currency="USD", date=dt.date(2026, 1, 1), rate=Decimal("1.10")
    )
    OpportunityFactory(account=account, owner=mine, name="Counted EUR", amount=Decimal("10000"), currency="EUR")
    OpportunityFactory(account=account, owner=colleague, name="Colleague's", amount=Decimal("7000"))
    OpportunityFactory(
        account=account, owner=mine, name="Too early", amount=Decimal("3000"), close_date=dt.date(2025, 12, 31)
    )
    OpportunityFactory(account=account, owner=mine, name="Still open", amount=Decimal("2000"), stage="negotiation")
    OpportunityFactory(account=account, owner=mine, name="No rate", amount=Decimal("500"), currency="GBP")
    OpportunityFactory(account__tenant=tenant, name="Another account", amount=Decimal("999"))
    services.recalculate_enrollment(enrollment)
    return enrollment, revenue


def test_counted_and_excluded_records_with_reasons_add_up_to_the_value(client, tenant, scene):
    enrollment, revenue = scene
    login(client, manager(tenant))
    detail = client.get(f"/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/").content.decode()
    assert f'href="{_url(tenant, enrollment, revenue)}"' in detail
    value = CriterionResult.objects.get(enrollment=enrollment, criterion=revenue).value
    assert value == Decimal("111000.00")
    html = client.get(_url(tenant, enrollment, revenue)).content.decode()
    assert "Why USD 111,000.00" in html
    summary = html[html.index('id="reason-summary"') : html.index("</table>")]
    for label, count, amount in [
        ("Counted", 2, "USD 111,000.00"),
        ("Not visible to the primary partner user", 1, "USD 7,000.00"),
        ("Outside the enrollment period (by the attainment date field)", 1, "USD 3,000.00"),
        ("Filtered out by the criterion filter", 1, "USD 2,000.00"),
        ("No exchange rate on its date", 1, "—"),
    ]:
        row = summary[summary.index(label) :]
        row = row[: row.index("</tr>")]
        assert f'<td class="num">{count}</td>' in row and amount in row, label
    assert "Another account" not in html
    assert "6 records" in html
    only = client.get(_url(tenant, enrollment, revenue, "?reason=hidden"), headers={"HX-Request": "true"})
    body = only.content.decode()
    assert body.lstrip().startswith('<section class="section htmx-container" id="records"')
    assert "Colleague&#x27;s" in body and "Counted USD" not in body and "1 record<" in body


def test_export_holds_every_record_with_its_reason(client, tenant, scene):
    enrollment, revenue = scene
    login(client, manager(tenant))
    response = client.get(_url(tenant, enrollment, revenue, "?export=csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Counts (USD)", "Reason"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Counted USD", "Counted EUR", "Colleague's", "Too early", "Still open", "No rate"}
    assert by_name["Counted EUR"][-2:] == ["11000.00", "Counted"]
    assert by_name["No rate"][-2:] == ["", "No exchange rate on its date"]
    assert sum(Decimal(r[-2]) for r in rows[1:] if r[-2]) == Decimal("111000.00")


def test_a_count_criterion_and_its_pages(client, tenant, settings):
    settings.PORTAL_PAGE_SIZE = 5
    program = program_with_criteria(tenant)
    enrollment = enrolled_partner(program, revenue=0, registrations=7)
    LeadFactory(account=enrollment.account, status="rejected")
    regs = program.criteria.get(name="Deal Registrations")
    login(client, manager(tenant))
    html = client.get(_url(tenant, enrollment, regs)).content.decode()
    assert "Why 7 registrations" in html and "8 records" in html and "Page 1 of 2" in html
    page2 = client.get(_url(tenant, enrollment, regs, "?page=2")).content.decode()
    assert page2.count('<tr class="reason-') == 3


def test_custom_criteria_and_other_programs_criteria_are_not_found(client, tenant, other_tenant):
    program = program_with_criteria(tenant)
    enrollment = enrolled_partner(program, revenue=0, registrations=0)
    login(client, manager(tenant))
    custom = program.criteria.get(name="Joint Business Plan")
    assert client.get(_url(tenant, enrollment, custom)).status_code == 404
    other = program_with_criteria(tenant, name="Other").criteria.get(name="Deal Registrations")
    assert client.get(_url(tenant, enrollment, other)).status_code == 404
    foreign = program_with_criteria(other_tenant).criteria.get(name="Deal Registrations")
    assert client.get(_url(tenant, enrollment, foreign)).status_code == 404


def test_needs_the_partner_tiers_capability(client, tenant, scene):
    enrollment, revenue = scene
    login(client, member(tenant, "Partner User"))
    assert client.get(_url(tenant, enrollment, revenue)).status_code == 403


@pytest.mark.parametrize("n", [10, 10_000])
def test_query_count_is_fixed_at_10_and_10000_records(client, tenant, django_assert_num_queries, n):
    program = program_with_criteria(tenant)
    enrollment = PartnerEnrollmentFactory(program=program)
    revenue = program.criteria.get(name="Annual Partner Revenue")
    owner = PartnerUserFactory(account=enrollment.account).user
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                tenant=tenant,
                account=enrollment.account,
                owner=owner if i % 3 else None,
                name=f"Deal {i}",
                amount=Decimal(100 + i),
                currency="USD" if i % 5 else "EUR",
                stage="closed_won",
                close_date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 400),
                created_date=dt.date(2025, 12, 1),
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    login(client, manager(tenant))
    # session, membership with its user; enrollment; criterion; reason sums grouped by currency and date
    # (which give the count), the rates they need; rows.
    with django_assert_num_queries(7 + hashed_grouping_statements()):
        response = client.get(_url(tenant, enrollment, revenue))
    assert response.status_code == 200
