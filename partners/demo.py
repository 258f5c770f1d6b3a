"""Demo data of the partner program tiers: one program in acme with the seed's tiers, criteria
and benefits, 30 partner accounts with opportunities, deal registrations and course completions
spread so that progress varies (some partners near 90% of their next tier), and the computed
progress stored. partner@acme.test is the primary partner user of Northwind Traders. A small
program in globex shows isolation. Idempotent: an existing program is left alone."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tenancy.models import Membership, User

from .models import (
    Benefit,
    CourseAssignment,
    Criterion,
    CriterionKind,
    CriterionThreshold,
    CurrencyRate,
    CustomCriterionStatus,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStage,
    PartnerAccount,
    PartnerEnrollment,
    PartnerProgram,
    PartnerUser,
    ProgressSnapshot,
    Tier,
    TierBenefit,
)
from .models.program import DEFAULT_TIERS
from .services.recalc import recalculate_program

PROGRAM = "Global Partner Program"
TODAY = dt.date(2026, 11, 23)
START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)

CRITERIA = [
    # name, kind, rollup, date field, conditions, thresholds per tier
    (
        "Annual Partner Revenue",
        CriterionKind.REVENUE,
        "amount",
        "close_date",
        [{"field": "stage", "op": "=", "value": "closed_won"}],
        [25_000, 100_000, 500_000, 1_000_000],
    ),
    ("Deal Registrations", CriterionKind.APPROVED_REGISTRATIONS, "", "approval_date", [], [3, 10, 25, 50]),
    ("Sales Certifications Held", CriterionKind.CERTIFICATIONS, "", "completed_date", [], [1, 3, 5, 8]),
    ("Joint Business Plan Signed", CriterionKind.CUSTOM, "", "", [], [0, 1, 1, 1]),
]
BENEFITS = [
    ("Partner Portal Access", "Deal registration, content and training in the partner portal", ["Yes"] * 4),
    ("Margin Uplift", "Additional discount on list price", ["", "5%", "10%", "15%"]),
    ("MDF Allocation", "Market development funds per year", ["", "$5,000", "$20,000", "$50,000"]),
]
ACCOUNTS = [
    "Northwind Traders",
    "Contoso Solutions",
    "Fabrikam Systems",
    "Adventure Works IT",
    "Tailspin Consulting",
    "Wide World Integrators",
    "Litware Partners",
    "Proseware Group",
    "Lucerne Technologies",
    "Blue Yonder Services",
    "Coho Networks",
    "Fourth Coffee Digital",
    "Margie's Cloud",
    "Trey Research",
    "Wingtip Resellers",
    "Alpine Ski Data",
    "Humongous Insurance IT",
    "Woodgrove Advisors",
    "Graphic Design Institute",
    "Southridge Video",
    "City Power & Light Tech",
    "Consolidated Messenger",
    "Northwind Health Partners",
    "Relecloud",
    "VanArsdel Ltd",
    "Bellows College Labs",
    "Munson's Pickles IT",
    "Best For You Organics",
    "Datum Corporation",
    "Lamna Healthcare IT",
]
FIRST = ["Alex", "Sam", "Jordan", "Taylor", "Casey", "Morgan", "Jamie", "Riley", "Drew", "Avery", "Quinn", "Robin"]
LAST = ["Nguyen", "Garcia", "Smith", "Okafor", "Kowalski", "Haddad", "Silva", "Chen", "Novak", "Patel", "Berg"]
# Launch 40%, Build 30%, Scale 20%, Elevate 10% of the 28 enrolled accounts.
TIER_OF = [0] * 11 + [1] * 9 + [2] * 5 + [3] * 3


def seed(ctx) -> None:
    _seed_acme(ctx)
    _seed_globex(ctx)


def _tiers(tenant, program, names=DEFAULT_TIERS) -> list[Tier]:
    Tier.objects.bulk_create([Tier(tenant=tenant, program=program, name=n, position=i) for i, n in enumerate(names, 1)])
    return list(Tier.objects.filter(tenant=tenant, program=program).order_by("position"))


def _users(tenant, role, specs) -> dict[str, User]:
    """Partner people who do not log in (no password): created in bulk, with memberships."""
    emails = [e for e, _ in specs]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [User(email=e, full_name=n, password=make_password(None)) for e, n in specs if e not in existing]
    )
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    members = set(Membership.objects.filter(tenant=tenant, user__in=users.values()).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [Membership(tenant=tenant, user=u, role=role, title="Partner") for u in users.values() if u.pk not in members]
    )
    return users


def _month_day(rng, start=START, end=TODAY) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days))


@transaction.atomic
def _seed_acme(ctx) -> None:
    tenant = ctx.tenants["acme"]
    if PartnerProgram.objects.filter(tenant=tenant, name=PROGRAM).exists():
        return
    rng = random.Random(20261123)  # noqa: S311 - demo data, reproducible
    program = PartnerProgram.objects.create(
        tenant=tenant, name=PROGRAM, currency="USD", description="Resellers and integrators worldwide."
    )
    tiers = _tiers(tenant, program)
    criteria = []
    for position, (name, kind, rollup, date_field, conditions, values) in enumerate(CRITERIA, 1):
        c = Criterion.objects.create(
            tenant=tenant,
            program=program,
            name=name,
            kind=kind,
            rollup_field=rollup,
            attainment_date_field=date_field,
            conditions=conditions,
            position=position,
        )
        CriterionThreshold.objects.bulk_create(
            [
                CriterionThreshold(tenant=tenant, criterion=c, tier=t, value=Decimal(v))
                for t, v in zip(tiers, values, strict=False)
            ]
        )
        criteria.append(c)
    for position, (name, description, values) in enumerate(BENEFITS, 1):
        benefit, _ = Benefit.objects.get_or_create(
            tenant=tenant, name=name, defaults={"description": description, "position": position}
        )
        TierBenefit.objects.bulk_create(
            [
                TierBenefit(tenant=tenant, tier=t, benefit=benefit, value=v)
                for t, v in zip(tiers, values, strict=False)
                if v
            ]
        )
    rates = []
    for month in range(1, 13):
        day = dt.date(2026, month, 1)
        rates.append(
            CurrencyRate(
                tenant=tenant,
                date=day,
                from_currency="EUR",
                to_currency="USD",
                rate=Decimal("1.08") + Decimal(month) / 200,
            )
        )
        rates.append(
            CurrencyRate(
                tenant=tenant,
                date=day,
                from_currency="GBP",
                to_currency="USD",
                rate=Decimal("1.26") + Decimal(month) / 250,
            )
        )
    rates.append(
        CurrencyRate(
            tenant=tenant, date=dt.date(2025, 1, 1), from_currency="EUR", to_currency="USD", rate=Decimal("1.05")
        )
    )
    CurrencyRate.objects.bulk_create(rates)

    accounts = PartnerAccount.objects.bulk_create(
        [
            PartnerAccount(
                tenant=tenant,
                name=name,
                region=rng.choice(["Americas", "EMEA", "APAC"]),
                website=f"https://{name.split()[0].lower()}.example",
            )
            for name in ACCOUNTS
        ]
    )
    role = ctx.roles["acme"]["Partner User"]
    specs = []
    for i, account in enumerate(accounts):
        slug = account.name.split()[0].lower().replace("'", "")
        for j in range(2):
            first, last = FIRST[(i + j * 5) % len(FIRST)], LAST[(i * 3 + j) % len(LAST)]
            specs.append((f"{first.lower()}.{last.lower()}@{slug}.partner.test", f"{first} {last}"))
    users = _users(tenant, role, specs)
    demo_partner = ctx.member("acme", "partner@acme.test").user
    partner_users = []
    for i, account in enumerate(accounts):
        admin_email, rep_email = specs[2 * i][0], specs[2 * i + 1][0]
        admin_user = demo_partner if i == 0 else users[admin_email]
        partner_users.append(PartnerUser(tenant=tenant, account=account, user=admin_user, is_partner_admin=True))
        partner_users.append(PartnerUser(tenant=tenant, account=account, user=users[rep_email], is_partner_admin=False))
    PartnerUser.objects.bulk_create(partner_users)
    pus = list(
        PartnerUser.objects.filter(tenant=tenant).select_related("user").order_by("account_id", "-is_partner_admin")
    )
    by_account = {}
    for pu in pus:
        by_account.setdefault(pu.account_id, []).append(pu)

    thresholds = [values for *_, values in CRITERIA]
    opportunities, leads, courses, enrollments, customs = [], [], [], [], []
    for i, account in enumerate(accounts[:28]):
        tier_idx = TIER_OF[(i * 11) % len(TIER_OF)] if i else 0
        nxt = min(tier_idx + 1, 3)
        if i == 0 or i % 6 == 3:
            ratios = [0.86, 0.9, 1.0, 1.0]  # close to the next tier: ~92%
        elif tier_idx == 3:
            ratios = [1.1, 1.05, 1.0, 1.0]
        else:
            ratios = [rng.uniform(0.15, 1.0), rng.uniform(0.1, 1.0), rng.uniform(0.2, 1.0), rng.random() < 0.5]
        admin_pu, rep_pu = by_account[account.id]
        # A few partners name a rep as primary partner user: they see only the rep's records.
        primary = rep_pu if i % 9 == 5 else admin_pu
        revenue = Decimal(int(thresholds[0][nxt] * ratios[0])) if i % 9 != 5 else Decimal(thresholds[0][nxt])
        pieces = rng.randint(3, 10)
        for k in range(pieces):
            amount = (revenue / pieces).quantize(Decimal("1"))
            currency, close = "USD", _month_day(rng)
            if k == 0 and i % 4 == 1:
                currency, amount = "EUR", (amount / Decimal("1.12")).quantize(Decimal("1"))
            owner = (admin_pu if k % 2 else rep_pu).user
            opportunities.append(
                Opportunity(
                    tenant=tenant,
                    account=account,
                    owner=owner,
                    name=f"{account.name.split()[0]} deal {k + 1}",
                    amount=amount,
                    expected_revenue=amount,
                    currency=currency,
                    stage=OpportunityStage.CLOSED_WON,
                    close_date=close,
                    created_date=close - dt.timedelta(days=rng.randint(20, 120)),
                )
            )
        for k in range(rng.randint(1, 4)):  # open pipeline and a deal closed before the enrollment
            close = _month_day(rng, TODAY, dt.date(2027, 3, 31)) if k else dt.date(2025, 11, 15)
            opportunities.append(
                Opportunity(
                    tenant=tenant,
                    account=account,
                    owner=rep_pu.user,
                    name=f"{account.name.split()[0]} pipeline {k + 1}",
                    amount=Decimal(rng.randrange(5_000, 80_000, 500)),
                    currency="USD",
                    stage=rng.choice([OpportunityStage.NEGOTIATION, OpportunityStage.PROPOSAL])
                    if k
                    else OpportunityStage.CLOSED_WON,
                    close_date=close,
                    created_date=close - dt.timedelta(days=60),
                )
            )
        for k in range(round(thresholds[1][nxt] * ratios[1])):
            approved = _month_day(rng)
            owner = (admin_pu if k % 3 == 0 else rep_pu).user
            leads.append(
                Lead(
                    tenant=tenant,
                    account=account,
                    owner=owner,
                    company=f"Prospect {i}-{k}",
                    status=LeadStatus.APPROVED,
                    approval_date=approved,
                    created_date=approved - dt.timedelta(days=rng.randint(1, 14)),
                )
            )
        for k in range(rng.randint(0, 3)):
            leads.append(
                Lead(
                    tenant=tenant,
                    account=account,
                    owner=rep_pu.user,
                    company=f"Pending {i}-{k}",
                    status=rng.choice([LeadStatus.SUBMITTED, LeadStatus.REJECTED]),
                    created_date=_month_day(rng),
                )
            )
        certified = round(thresholds[2][nxt] * ratios[2])
        for k in range(certified + 1):
            pu = admin_pu if k % 2 == 0 else rep_pu
            done = _month_day(rng) if k < certified else None
            courses.append(
                CourseAssignment(
                    tenant=tenant,
                    partner_user=pu,
                    course_name=f"Sales Certification {k + 1}",
                    assigned_date=(done or TODAY) - dt.timedelta(days=30),
                    completed_date=done,
                )
            )
        expiration = END if i % 5 else dt.date(2027, 1, 15) + dt.timedelta(days=i * 3)
        enrollments.append(
            PartnerEnrollment(
                tenant=tenant,
                program=program,
                account=account,
                tier=tiers[tier_idx],
                enrollment_date=START,
                expiration_date=expiration,
                primary_partner_user=primary,
            )
        )
        customs.append(bool(ratios[3]))
    Opportunity.objects.bulk_create(opportunities)
    Lead.objects.bulk_create(leads)
    CourseAssignment.objects.bulk_create(courses)
    enrollments = PartnerEnrollment.objects.bulk_create(enrollments)
    admin = ctx.member("acme", "admin@acme.test").user
    CustomCriterionStatus.objects.bulk_create(
        [
            CustomCriterionStatus(
                tenant=tenant,
                enrollment=e,
                criterion=criteria[3],
                met=True,
                note="Signed plan on file.",
                verified_by=admin,
                verified_at=timezone.now() - dt.timedelta(days=20),
            )
            for e, met in zip(enrollments, customs, strict=False)
            if met
        ]
    )
    recalculate_program(program)
    # Some partners have not moved for a while (the "stalled" view): their last change is old.
    stalled = [e.pk for k, e in enumerate(enrollments) if k % 7 == 2]
    long_ago = timezone.now() - dt.timedelta(days=75)
    PartnerEnrollment.objects.filter(pk__in=stalled).update(progress_changed_at=long_ago)
    ProgressSnapshot.objects.filter(enrollment_id__in=stalled).update(recorded_at=long_ago)


@transaction.atomic
def _seed_globex(ctx) -> None:
    tenant = ctx.tenants["globex"]
    if PartnerProgram.objects.filter(tenant=tenant).exists():
        return
    program = PartnerProgram.objects.create(tenant=tenant, name="Globex Channel Program", currency="GBP")
    tiers = _tiers(tenant, program, ["Silver", "Gold", "Platinum"])
    c = Criterion.objects.create(
        tenant=tenant,
        program=program,
        name="Channel Revenue",
        kind=CriterionKind.REVENUE,
        rollup_field="amount",
        attainment_date_field="close_date",
        position=1,
    )
    CriterionThreshold.objects.bulk_create(
        [
            CriterionThreshold(tenant=tenant, criterion=c, tier=t, value=Decimal(v))
            for t, v in zip(tiers, [0, 50_000, 200_000], strict=False)
        ]
    )
    role = ctx.roles["globex"]["Partner User"]
    users = _users(tenant, role, [(f"owner{i}@globex-partner{i}.test", f"Globex Partner {i}") for i in range(3)])
    for i in range(3):
        account = PartnerAccount.objects.create(tenant=tenant, name=f"Initech Reseller {i + 1}", region="EMEA")
        pu = PartnerUser.objects.create(
            tenant=tenant, account=account, user=users[f"owner{i}@globex-partner{i}.test"], is_partner_admin=True
        )
        Opportunity.objects.bulk_create(
            [
                Opportunity(
                    tenant=tenant,
                    account=account,
                    owner=pu.user,
                    name=f"Initech deal {k}",
                    amount=Decimal(9_000 * (i + 1)),
                    currency="GBP",
                    stage=OpportunityStage.CLOSED_WON,
                    close_date=dt.date(2026, 2 + k, 10),
                )
                for k in range(4)
            ]
        )
        PartnerEnrollment.objects.create(
            tenant=tenant,
            program=program,
            account=account,
            tier=tiers[0],
            enrollment_date=START,
            expiration_date=END,
            primary_partner_user=pu,
        )
    recalculate_program(program)
