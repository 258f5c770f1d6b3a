"""The Edit dialog's what-if preview: the progress the dialog's values would give, per criterion
and the headline, old → new, and whether the chosen tier is fully met; computed without writing
anything, in a fixed number of queries."""

from decimal import Decimal

import pytest

from activity.models import ActivityEntry
from partners.models import CriterionResult, Opportunity, PartnerEnrollment, ProgressSnapshot
from tests.conftest import login
from tests.factories import member
from tests.partners.factories import (
    PartnerUserFactory,
    enrolled_partner,
    hashed_grouping_statements,
    manager,
    program_with_criteria,
    tier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrollment(tenant):
    return enrolled_partner(program_with_criteria(tenant))


def _preview(client, tenant, enrollment, **overrides):
    joint = enrollment.program.criteria.get(name="Joint Business Plan")
    data = {
        "primary_partner_user": enrollment.primary_partner_user_id,
        "tier": enrollment.tier_id,
        "enrollment_date": enrollment.enrollment_date.isoformat(),
        "expiration_date": enrollment.expiration_date.isoformat(),
        "reason": "",
        f"custom_{joint.pk}_note": "",
    }
    if overrides.pop("joint_met", False):
        data[f"custom_{joint.pk}_met"] = "on"
    data.update(overrides)
    return client.post(
        f"/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/preview/", data, headers={"HX-Request": "true"}
    )


def _snapshot(enrollment):
    return (
        list(CriterionResult.objects.filter(enrollment=enrollment).values_list("criterion_id", "value", "percent")),
        PartnerEnrollment.objects.filter(pk=enrollment.pk).values_list("last_calculated", "progress_percent").get(),
        ProgressSnapshot.objects.count(),
        ActivityEntry.objects.count(),
    )


def test_dates_user_and_custom_mark_preview_old_to_new_and_nothing_is_written(client, tenant, enrollment):
    login(client, manager(tenant))
    before = _snapshot(enrollment)
    html = _preview(client, tenant, enrollment, enrollment_date="2026-04-01").content.decode()
    assert "66% to Build → 0% to Build" in html
    assert "USD 125,000.00 → USD 0.00" in html and "15 registrations → 0 registrations" in html
    html = _preview(client, tenant, enrollment, joint_met=True).content.decode()
    assert "66% to Build → 100% to Build" in html and "Not met → Met" in html
    colleague = PartnerUserFactory(account=enrollment.account, is_partner_admin=False)
    html = _preview(client, tenant, enrollment, primary_partner_user=colleague.pk).content.decode()
    assert "66% to Build → 0% to Build" in html
    html = _preview(client, tenant, enrollment).content.decode()
    assert "66% to Build → 66% to Build" in html and "(no change)" in html
    assert _snapshot(enrollment) == before


def test_a_tier_change_says_whether_the_partner_fully_meets_it(client, tenant, enrollment):
    login(client, manager(tenant))
    program = enrollment.program
    html = _preview(client, tenant, enrollment, tier=tier(program, "Scale").pk).content.decode()
    assert "Does not fully meet Scale: Annual Partner Revenue, Deal Registrations, Joint Business Plan." in html
    assert "66% to Build → 14% to Elevate" in html  # once in Scale: (12.5 + 30 + 0) / 3
    html = _preview(client, tenant, enrollment, tier=tier(program, "Build").pk, joint_met=True).content.decode()
    assert "Meets every criterion of Build." in html


def test_invalid_values_ask_to_be_fixed(client, tenant, enrollment):
    login(client, manager(tenant))
    html = _preview(client, tenant, enrollment, expiration_date="2025-01-01").content.decode()
    assert "Fix the highlighted values" in html


def test_capability_and_method(client, tenant, enrollment):
    login(client, member(tenant, "Partner User"))
    assert _preview(client, tenant, enrollment).status_code == 403
    login(client, manager(tenant))
    assert client.get(f"/w/{tenant.slug}/partners/enrollments/{enrollment.pk}/preview/").status_code == 405


@pytest.mark.parametrize("n", [10, 3000])
def test_query_count_is_fixed(client, tenant, enrollment, django_assert_num_queries, n):
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                tenant=tenant,
                account=enrollment.account,
                name=f"Deal {i}",
                amount=Decimal(10),
                currency="USD",
                stage="closed_won",
                close_date=enrollment.enrollment_date,
                created_date=enrollment.enrollment_date,
            )
            for i in range(n)
        ]
    )
    login(client, manager(tenant))
    with django_assert_num_queries(16 + hashed_grouping_statements()):
        _preview(client, tenant, enrollment, enrollment_date="2025-06-01")
