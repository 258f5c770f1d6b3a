"""The partner portal: a partner user sees their own account's tier, progress, gaps and benefits,
nothing of other accounts; capability and query counts."""

from decimal import Decimal

import pytest

from tests.conftest import login
from tests.factories import member
from tests.partners.factories import (
    PartnerUserFactory,
    bulk_enrollments,
    enrolled_partner,
    hashed_grouping_statements,
    manager,
    program_with_criteria,
)

pytestmark = pytest.mark.django_db


def url(tenant, path=""):
    return f"/w/{tenant.slug}/partners/{path}"


def test_partner_user_sees_own_tier_progress_gaps_and_benefits(client, tenant):
    program = program_with_criteria(tenant)
    mine = enrolled_partner(program)
    other = enrolled_partner(program, account_name="Competitor Inc", revenue=Decimal("900000"))
    login(client, mine.primary_partner_user.user.memberships.get(tenant=tenant))
    html = client.get(url(tenant, "portal/")).content.decode()
    assert "Prairie Systems" in html and "Global Partner Program" in html
    assert "66% to Build" in html and 'aria-current="step"' in html
    assert "needs verification" in html  # the custom criterion Build asks for
    assert "What Build adds" in html and "MDF Allocation" in html and "$5,000" in html
    assert "Competitor Inc" not in html and other.account.name not in html
    assert "Recalculate" not in html and "Edit" not in html
    home = client.get(f"/w/{tenant.slug}/").content.decode()
    assert "Partner program" in home and "66% to Build" in home
    assert "Partner portal" in home  # left pane: My work > Partner portal


def test_portal_capability(client, tenant):
    login(client, member(tenant, "Sales Rep"))
    assert client.get(url(tenant, "portal/")).status_code == 403
    login(client, manager(tenant))
    assert client.get(url(tenant, "portal/")).status_code == 403
    login(client, member(tenant, "Administrator"))
    html = client.get(url(tenant, "portal/")).content.decode()
    assert "not linked to a partner account" in html


def test_portal_of_a_partner_user_with_no_enrollment(client, tenant):
    pu = PartnerUserFactory(account__tenant=tenant, account__name="Newcomer")
    login(client, pu.user.memberships.get(tenant=tenant))
    html = client.get(url(tenant, "portal/")).content.decode()
    assert "Newcomer is not enrolled" in html


def test_portal_query_count_does_not_grow_with_other_accounts(client, tenant, django_assert_num_queries):
    program = program_with_criteria(tenant)
    mine = enrolled_partner(program)
    login(client, mine.primary_partner_user.user.memberships.get(tenant=tenant))
    client.get(url(tenant, "portal/"))
    bulk_enrollments(program, 200)
    with django_assert_num_queries(14 + hashed_grouping_statements()):  # + deals with no exchange rate
        client.get(url(tenant, "portal/"))
