"""Progress explained and previewed at scale: the drill-down page of a revenue criterion and the
Edit dialog's what-if preview, over one enrollment whose account has 100,000 opportunities
(counted, not visible, outside the period, filtered out, without a rate). The floor is one
hand-written aggregate of the same records. Each figure is the fastest of five runs, both right
after the bulk load (no planner statistics yet) and after ANALYZE."""

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from bench.harness import Result, benchmark, best_of, statistics_states, time_sql_best
from partners.models import (
    Criterion,
    CriterionKind,
    CriterionThreshold,
    CurrencyRate,
    Opportunity,
    OpportunityStage,
    PartnerAccount,
    PartnerEnrollment,
    PartnerProgram,
    PartnerUser,
    Tier,
)
from partners.services import recalculate_enrollment
from tenancy.demo import ensure_member
from tenancy.services import ensure_builtin_roles, tenant_create

RUNS = 5  # each figure is the fastest of five (see best_of)
FLOOR_SQL = (
    "SELECT o.currency, COUNT(*), SUM(o.amount) FROM partners_opportunity o "
    "WHERE o.tenant_id = %s AND o.account_id = %s GROUP BY o.currency"
)


@benchmark("partners drilldown")
def drilldown_and_preview(scale):
    tenant = tenant_create(slug="bench-partner-drilldown", name="Bench Partner Drilldown")
    roles = ensure_builtin_roles(tenant=tenant)
    manager = ensure_member(tenant, "bench-drill@bench.test", "Bench Drill", roles["Partner Program Tiers Access"])
    owner = ensure_member(tenant, "bench-owner@bench.test", "Bench Owner", roles["Partner User"]).user
    other = ensure_member(tenant, "bench-other@bench.test", "Bench Other", roles["Partner User"]).user
    program = PartnerProgram.objects.create(tenant=tenant, name="Bench Drilldown Program")
    tiers = Tier.objects.bulk_create(
        [Tier(tenant=tenant, program=program, name=n, position=i) for i, n in enumerate(["Launch", "Build"], 1)]
    )
    revenue = Criterion.objects.create(
        tenant=tenant,
        program=program,
        name="Revenue",
        kind=CriterionKind.REVENUE,
        rollup_field="amount",
        attainment_date_field="close_date",
        conditions=[{"field": "stage", "op": "=", "value": "closed_won"}],
    )
    CriterionThreshold.objects.bulk_create(
        [
            CriterionThreshold(tenant=tenant, criterion=revenue, tier=t, value=Decimal(v))
            for t, v in zip(tiers, [0, 10**8], strict=True)
        ]
    )
    account = PartnerAccount.objects.create(tenant=tenant, name="Bench Drill Partner")
    pu = PartnerUser.objects.create(tenant=tenant, account=account, user=owner, is_partner_admin=False)
    CurrencyRate.objects.create(
        tenant=tenant, date=dt.date(2025, 1, 1), from_currency="EUR", to_currency="USD", rate=Decimal("1.1")
    )
    n = scale.n(100_000)
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                tenant=tenant,
                account=account,
                owner=other if i % 7 == 0 else owner,
                name=f"Deal {i}",
                amount=Decimal(1000 + i % 5000),
                currency=("USD", "USD", "EUR", "GBP")[i % 4],
                stage=OpportunityStage.CLOSED_WON if i % 5 else OpportunityStage.NEGOTIATION,
                close_date=dt.date(2025, 6, 1) + dt.timedelta(days=i % 500),
                created_date=dt.date(2025, 5, 1),
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    enrollment = PartnerEnrollment.objects.create(
        tenant=tenant,
        program=program,
        account=account,
        tier=tiers[0],
        enrollment_date=dt.date(2026, 1, 1),
        expiration_date=dt.date(2026, 12, 31),
        primary_partner_user=pu,
    )
    recalculate_enrollment(enrollment)
    client = Client()
    client.force_login(manager.user)
    kwargs = {"tenant_slug": tenant.slug, "enrollment_id": enrollment.pk}
    drill = reverse("partners:enrollment_criterion_records", kwargs={**kwargs, "criterion_id": revenue.pk})
    preview = reverse("partners:enrollment_preview", kwargs=kwargs)
    data = {
        "primary_partner_user": pu.pk,
        "tier": tiers[0].pk,
        "enrollment_date": "2025-09-01",
        "expiration_date": "2026-12-31",
    }
    results = []
    for state in statistics_states():
        floor = time_sql_best(RUNS, FLOOR_SQL, [tenant.pk, account.pk])
        page = best_of(RUNS, lambda: _ok(client.get(drill)))
        results.append(
            Result(
                f"partners: criterion drill-down page, {state}",
                n,
                page.seconds,
                page.queries,
                floor,
                target="< 0.1 s on PostgreSQL",
            )
        )
        what_if = best_of(RUNS, lambda: _ok(client.post(preview, data)))
        results.append(
            Result(
                f"partners: Edit what-if preview, {state}",
                n,
                what_if.seconds,
                what_if.queries,
                floor,
                target="< 0.1 s on PostgreSQL",
            )
        )
    return results


def _ok(response):
    assert response.status_code == 200, response.status_code
