"""Demo data of plans and enrollments: acme gets four plans (one per enrollment option), ~200
beneficiaries (rep001@acme.test … rep198@acme.test, rep@acme.test, manager@acme.test, three
teams), a mix of enrolled and not enrolled (with an earlier Reset Enrollments in the history),
sales transactions, a released and an unreleased calculation; globex gets one small plan.

Idempotent: a workspace that already has the demo plans is left alone. Fast: bulk inserts."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from enrollments.models import EnrollmentReset, PlanEnrollment, TermsView
from tenancy.demo import DEMO_PASSWORD, DemoContext
from tenancy.models import Membership, User

from . import services
from .models import Plan, PlanBeneficiary, PlanDocument, SalesTransaction, Team, TeamMember

FIRST = ["Avery", "Blake", "Casey", "Drew", "Emerson", "Finley", "Gray", "Harper", "Indy", "Jordan", "Kai", "Logan"]
LAST = ["Nguyen", "Patel", "Garcia", "Smith", "Kim", "Okafor", "Rossi", "Schmidt", "Silva", "Cohen", "Berg", "Ito"]
CUSTOMERS = [
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Soylent",
    "Vandelay",
    "Cyberdyne",
]

TERMS = """1. Eligibility. You are eligible while you are a beneficiary of this plan and employed in a sales role.
2. Commission. The plan pays the commission rate shown on each sale credited to you or your team.
3. Calculation and release. Rewards are calculated per quarter and released after review.
4. Recoverable draws. Advances may be recovered from later rewards.
5. Changes. The company may change this plan; material changes require you to enroll again."""


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    rng = random.Random(2026)  # noqa: S311 - repeatable demo data
    _seed_acme(ctx, rng)
    _seed_globex(ctx, rng)


def _ensure_users(tenant, role, people: list[tuple[str, str]], *, manager=None) -> None:
    """Users and memberships that do not exist yet, in one INSERT each."""
    emails = [e for e, _ in people]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    password = make_password(DEMO_PASSWORD)
    User.objects.bulk_create(
        [User(email=e, full_name=n, password=password) for e, n in people if e not in existing], batch_size=500
    )
    users = User.objects.filter(email__in=emails)
    members = set(Membership.objects.filter(tenant=tenant, user__in=users).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(tenant=tenant, user=u, role=role, manager=manager, title="Account Executive")
            for u in users
            if u.pk not in members
        ],
        batch_size=500,
    )


def _seed_acme(ctx: DemoContext, rng: random.Random) -> None:
    tenant = ctx.tenants["acme"]
    if Plan.objects.filter(tenant=tenant, name="FY26 Enterprise Commission Plan").exists():
        return
    admin = ctx.member("acme", "admin@acme.test").user
    manager_m = ctx.member("acme", "manager@acme.test")
    people = [(f"rep{i:03d}@acme.test", f"{FIRST[i % 12]} {LAST[(i * 7) % 12]} {i:03d}") for i in range(1, 199)]
    _ensure_users(tenant, ctx.roles["acme"]["Sales Rep"], people, manager=manager_m)
    by_email = {u.email: u for u in User.objects.filter(email__endswith="@acme.test")}
    reps = [by_email[e] for e, _ in people]
    rep, manager = by_email["rep@acme.test"], manager_m.user

    teams = {}
    for name, members in (
        ("West Coast", reps[0:50] + [rep]),
        ("East Coast", reps[50:100]),
        ("Enterprise", reps[100:150]),
    ):
        team = Team.objects.create(tenant=tenant, name=name)
        TeamMember.objects.bulk_create([TeamMember(tenant=tenant, team=team, user=u) for u in members])
        teams[name] = team

    common = dict(tenant=tenant, currency="USD", created_by=admin, legally_protected=True)
    fy = dict(period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31))
    enterprise = Plan.objects.create(
        name="FY26 Enterprise Commission Plan",
        description="Quota-carrying account executives: 6% on every closed sale.",
        status="active",
        enrollment_option="checkbox",
        commission_rate=Decimal("6"),
        **fy,
        **common,
    )
    sdr = Plan.objects.create(
        name="FY26 SDR Signature Plan",
        description="Sales development reps: 2.5% on sourced sales. Signed enrollment required.",
        status="active",
        enrollment_option="signature",
        commission_rate=Decimal("2.5"),
        **fy,
        **common,
    )
    spiff = Plan.objects.create(
        name="Q4 2026 West Coast SPIFF",
        description="A quarter-long bonus for the West Coast team.",
        status="active",
        enrollment_option="none_shown",
        commission_rate=Decimal("1"),
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 12, 31),
        **common,
    )
    Plan.objects.create(
        name="FY27 Partner Referral Bonus",
        description="Draft for next year.",
        status="draft",
        enrollment_option="none_hidden",
        commission_rate=Decimal("3"),
        period_start=datetime.date(2027, 1, 1),
        period_end=datetime.date(2027, 12, 31),
        tenant=tenant,
        currency="USD",
        created_by=admin,
    )
    now = timezone.now()
    docs = {}
    for plan in (enterprise, sdr, spiff):
        docs[plan.pk] = PlanDocument.objects.create(
            tenant=tenant,
            plan=plan,
            version=1,
            title=f"{plan.name} terms",
            body=TERMS,
            created_by=admin,
            created_at=now - datetime.timedelta(days=300),
        )
    v2 = PlanDocument.objects.create(
        tenant=tenant,
        plan=enterprise,
        version=2,
        title=f"{enterprise.name} terms",
        body=TERMS + "\n6. Accelerators. Sales above quota pay 1.5x the commission rate.",
        created_by=admin,
        created_at=now - datetime.timedelta(days=40),
    )

    # Beneficiaries: the three teams, the rest of the reps, rep@ and manager@ (200 people).
    PlanBeneficiary.objects.bulk_create(
        [PlanBeneficiary(tenant=tenant, plan=enterprise, team=t, added_by=admin) for t in teams.values()]
        + [PlanBeneficiary(tenant=tenant, plan=enterprise, user=u, added_by=admin) for u in [*reps[150:], rep, manager]]
        + [PlanBeneficiary(tenant=tenant, plan=sdr, user=u, added_by=admin) for u in [*reps[:80], rep]]
        + [PlanBeneficiary(tenant=tenant, plan=spiff, team=teams["West Coast"], added_by=admin)]
    )

    # Enterprise: everyone enrolled in v1, then the terms changed (v2) and an admin reset the
    # enrollments; 60% have enrolled again since. rep@acme.test has not (see their home page).
    everyone = [*reps, manager]
    batch = EnrollmentReset.objects.create(
        tenant=tenant, plan=enterprise, reset_at=now - datetime.timedelta(days=39), reset_by=admin, count=len(everyone)
    )

    def ip(i):
        return f"203.0.113.{i % 250 + 1}"

    rows = [
        PlanEnrollment(
            tenant=tenant,
            plan=enterprise,
            user=u,
            document=docs[enterprise.pk],
            method="checkbox",
            ip_address=ip(i),
            enrolled_at=now - datetime.timedelta(days=290 - i % 30),
            reset_at=batch.reset_at,
            reset_by=admin,
            reset_batch=batch,
        )
        for i, u in enumerate(everyone)
    ]
    rows += [
        PlanEnrollment(
            tenant=tenant,
            plan=enterprise,
            user=u,
            document=v2,
            method="checkbox",
            ip_address=ip(i),
            enrolled_at=now - datetime.timedelta(days=38 - i % 35, hours=i % 9),
        )
        for i, u in enumerate(everyone)
        if rng.random() < 0.6
    ]
    rows += [
        PlanEnrollment(
            tenant=tenant,
            plan=sdr,
            user=u,
            document=docs[sdr.pk],
            method="signature",
            signature=u.full_name,
            ip_address=ip(i),
            enrolled_at=now - datetime.timedelta(days=100 - i),
        )
        for i, u in enumerate(reps[:80])
        if i % 2 == 0
    ]
    PlanEnrollment.objects.bulk_create(rows, batch_size=500)
    TermsView.objects.bulk_create(
        [
            TermsView(
                tenant=tenant,
                plan=plan,
                user=u,
                document=docs[plan.pk],
                first_viewed_at=now - datetime.timedelta(days=60 - i % 50),
                last_viewed_at=now - datetime.timedelta(days=20 - i % 19),
                view_count=1 + i % 4,
            )
            for plan, users in ((spiff, reps[:30]), (sdr, reps[:60]), (enterprise, reps[:120]))
            for i, u in enumerate(users)
        ]
    )

    # Sales of January to September, credited by two quarterly calculations of the enterprise
    # plan: Q1 released (rewards on the reps' pages), Q2 calculated and waiting for review.
    team_list = list(teams.values())
    sales = []
    for n in range(1, 601):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(0, 270))
        seller = rng.choice(everyone + [rep] * 5)
        sales.append(
            SalesTransaction(
                tenant=tenant,
                external_id=f"SO-{26000 + n}",
                date=day,
                amount=Decimal(rng.randrange(500, 25000)) + Decimal("0.00"),
                currency="USD",
                customer=rng.choice(CUSTOMERS),
                description="Annual subscription",
                rep=seller,
                team=rng.choice(team_list) if n % 5 == 0 else None,
            )
        )
    SalesTransaction.objects.bulk_create(sales, batch_size=500)
    q1 = services.calculation_run(
        plan=enterprise,
        actor=admin,
        name="Q1 2026",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
    )
    services.calculation_release(calculation=q1, actor=admin)
    services.calculation_run(
        plan=enterprise,
        actor=admin,
        name="Q2 2026",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
    )
    q1_sdr = services.calculation_run(
        plan=sdr,
        actor=admin,
        name="Q1 2026",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
    )
    services.calculation_release(calculation=q1_sdr, actor=admin)


def _seed_globex(ctx: DemoContext, rng: random.Random) -> None:
    tenant = ctx.tenants["globex"]
    if Plan.objects.filter(tenant=tenant, name="FY26 UK Sales Plan").exists():
        return
    admin = ctx.member("globex", "admin@globex.test").user
    people = [(f"rep{i:02d}@globex.test", f"{FIRST[i]} {LAST[i]}") for i in range(1, 7)]
    _ensure_users(tenant, ctx.roles["globex"]["Sales Rep"], people)
    users = list(User.objects.filter(email__in=[e for e, _ in people]).order_by("email"))
    plan = Plan.objects.create(
        tenant=tenant,
        name="FY26 UK Sales Plan",
        description="Commission for the UK team.",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        currency="GBP",
        status="active",
        legally_protected=True,
        enrollment_option="checkbox",
        commission_rate=Decimal("5"),
        created_by=admin,
    )
    doc = PlanDocument.objects.create(tenant=tenant, plan=plan, version=1, title="UK plan terms", body=TERMS)
    PlanBeneficiary.objects.bulk_create([PlanBeneficiary(tenant=tenant, plan=plan, user=u) for u in users])
    PlanEnrollment.objects.bulk_create(
        [
            PlanEnrollment(tenant=tenant, plan=plan, user=u, document=doc, method="checkbox", ip_address="192.0.2.10")
            for u in users[:3]
        ]
    )
    SalesTransaction.objects.bulk_create(
        [
            SalesTransaction(
                tenant=tenant,
                external_id=f"GB-{n:04d}",
                date=datetime.date(2026, 1 + n % 3, 1 + n),
                amount=Decimal(rng.randrange(1000, 9000)),
                currency="GBP",
                customer="Globex Retail",
                rep=users[n % len(users)],
            )
            for n in range(1, 21)
        ]
    )
    calc = services.calculation_run(
        plan=plan,
        actor=admin,
        name="Q1 2026",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
    )
    services.calculation_release(calculation=calc, actor=admin)
