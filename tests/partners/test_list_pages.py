"""Every list page of the section (programs, benefits and the partner data): a fixed number of
queries at N and 3N rows, export, the htmx table swap, the capability check."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import login
from tests.factories import member
from tests.partners import factories as f

pytestmark = pytest.mark.django_db


def u(tenant, name, **kwargs):
    return reverse(f"partners:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


LIST_PAGES = [
    "program_list",
    "benefit_list",
    "account_list",
    "partner_user_list",
    "opportunity_list",
    "lead_list",
    "course_list",
    "rate_list",
]


def _rows(tenant, n):
    for _ in range(n):
        program = f.PartnerProgramFactory(tenant=tenant)
        f.CriterionFactory(program=program)
        f.BenefitFactory(tenant=tenant)
        enrollment = f.PartnerEnrollmentFactory(program=program)
        f.OpportunityFactory(account=enrollment.account, owner=enrollment.primary_partner_user.user)
        f.LeadFactory(account=enrollment.account, owner=enrollment.primary_partner_user.user)
        f.CourseAssignmentFactory(partner_user=enrollment.primary_partner_user)
        f.CurrencyRateFactory(tenant=tenant)


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_fixed_queries_and_capability(name, tenant, tiers_client, client, django_assert_num_queries):
    _rows(tenant, 2)
    tiers_client.get(u(tenant, name))  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        assert tiers_client.get(u(tenant, name)).status_code == 200
    _rows(tenant, 4)  # 3N rows
    with django_assert_num_queries(len(small)):
        response = tiers_client.get(u(tenant, name))
    assert response.status_code == 200
    assert len(small) <= 8
    assert tiers_client.get(u(tenant, name), {"export": "csv"}).status_code == 200
    assert tiers_client.get(u(tenant, name), headers={"HX-Request": "true"}).status_code == 200
    login(client, member(tenant, "Sales Rep"))
    assert client.get(u(tenant, name)).status_code == 403
