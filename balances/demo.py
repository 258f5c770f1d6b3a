"""Demo recoverable balances: advances (recoverable draws, ramp-up and relocation advances) and
repayments for a few Acme sales reps, rep@acme.test among them, one balance in a second currency;
a little in Globex. Idempotent: a reward is identified by its user and reason."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from plans.models import Plan, Reward
from tenancy.demo import ensure_member

REPS = {
    "acme": [
        ("rep@acme.test", "Riley Rep", "Account Executive"),
        ("sam.seller@acme.test", "Sam Seller", "Account Executive"),
        ("dana.deal@acme.test", "Dana Deal", "Senior Account Executive"),
        ("omar.outbound@acme.test", "Omar Outbound", "Sales Development Rep"),
    ],
    "globex": [("hank.scorpio@globex.test", "Hank Scorpio", "Account Executive")],
}

# (workspace, email, days ago, amount, currency, reason)
REWARDS = [
    ("acme", "rep@acme.test", 150, "2000.00", "USD", "Recoverable draw — June 2026"),
    ("acme", "rep@acme.test", 120, "2000.00", "USD", "Recoverable draw — July 2026"),
    ("acme", "rep@acme.test", 90, "-1500.00", "USD", "Repaid from Q3 commissions"),
    ("acme", "rep@acme.test", 30, "750.00", "USD", "Ramp-up advance, new territory"),
    ("acme", "rep@acme.test", 12, "-400.00", "USD", "Repayment — October payroll"),
    ("acme", "sam.seller@acme.test", 140, "3000.00", "USD", "Recoverable draw — Q3 2026"),
    ("acme", "sam.seller@acme.test", 60, "-1250.00", "USD", "Repaid from Q3 commissions"),
    ("acme", "sam.seller@acme.test", 45, "1200.00", "EUR", "Relocation advance (Berlin office)"),
    ("acme", "sam.seller@acme.test", 10, "-300.00", "EUR", "Repayment — October payroll"),
    ("acme", "dana.deal@acme.test", 100, "5000.00", "USD", "Recoverable draw — Q3 2026"),
    ("acme", "dana.deal@acme.test", 20, "-2200.00", "USD", "Repaid from Q3 commissions"),
    ("acme", "omar.outbound@acme.test", 25, "500.00", "USD", "Ramp-up advance"),
    ("globex", "hank.scorpio@globex.test", 70, "1500.00", "GBP", "Recoverable draw — September 2026"),
    ("globex", "hank.scorpio@globex.test", 15, "-500.00", "GBP", "Repaid from Q3 commissions"),
]


@transaction.atomic
def seed(ctx) -> None:
    users = {}
    for slug, people in REPS.items():
        tenant = ctx.tenants[slug]
        role = ctx.roles[slug]["Sales Rep"]
        for email, name, title in people:
            users[(slug, email)] = ensure_member(tenant, email, name, role, title=title).user
    admin = ctx.member("acme", "admin@acme.test").user
    globex_admin = ctx.member("globex", "admin@globex.test").user
    existing = set(
        Reward.objects.filter(user__in=users.values(), recoverable=True).values_list("tenant_id", "user_id", "reason")
    ) | set(
        Reward.objects.filter(user__in=users.values(), cleared_at__isnull=False).values_list(
            "tenant_id", "user_id", "reason"
        )
    )
    # Draws hang off the plans demo's main plan when it is there (the plans demo runs first).
    draw_plan = Plan.objects.filter(tenant=ctx.tenants["acme"], name="FY26 Enterprise Commission Plan").first()
    now = timezone.now()
    new = []
    for slug, email, days, amount, currency, reason in REWARDS:
        tenant, user = ctx.tenants[slug], users[(slug, email)]
        if (tenant.pk, user.pk, reason) in existing:
            continue
        when = now - datetime.timedelta(days=days)
        new.append(
            Reward(
                tenant=tenant,
                user=user,
                plan=draw_plan if slug == "acme" and reason.startswith("Recoverable draw") else None,
                amount=Decimal(amount),
                currency=currency,
                recoverable=True,
                released=True,
                released_at=when,
                reason=reason,
                created_at=when,
                created_by=admin if slug == "acme" else globex_admin,
            )
        )
    Reward.objects.bulk_create(new)
