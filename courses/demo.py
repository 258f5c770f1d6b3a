"""Demo data of the courses app (acme is the client tenant; globex gets a little).

Sales orders (one ended, one ending soon, one open), two courses with modules, ~300 learners in
user groups (some inactive), enrollments in all three states with progress. learner@acme.test's
only course is expired (the learner pages show the expired message). Idempotent and fast: users
share one password hash and every table is filled with bulk_create.
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tenancy.demo import DEMO_PASSWORD, DemoContext
from tenancy.models import Membership, User

from .models import (
    Course,
    CourseEnrollment,
    CourseVersion,
    ItemKind,
    Module,
    ModuleItem,
    ModuleProgress,
    SalesOrder,
    SalesOrderSource,
    UserGroup,
    UserGroupMember,
)

LEARNERS = 300
FIRST = ["Ava", "Ben", "Chloe", "Dev", "Elena", "Finn", "Grace", "Hugo", "Iris", "Jonah", "Kira", "Liam", "Maya"]
LAST = ["Shah", "Brooks", "Nguyen", "Okafor", "Rossi", "Kim", "Garcia", "Novak", "Patel", "Dubois", "Meyer"]
GROUPS = ["East Region", "West Region", "Central Region", "New Hires 2026"]

COURSES = {
    "Consultative Selling": [
        ("Discovery that matters", ["Open questions", "Role-play: first call", "Run a discovery call"]),
        ("Mapping the buying group", ["Stakeholder map", "Map an account", "Map your top deal"]),
        ("Value propositions", ["Value vs. features", "Write a value statement", "Pitch to your manager"]),
        ("Handling objections", ["The LAER model", "Objection drills", "Log three objections"]),
        ("Closing the loop", ["Mutual action plans", "Draft a plan", "Share a plan with a buyer"]),
        ("Final assessment", []),
    ],
    "Negotiation Essentials": [
        ("Preparing to negotiate", ["BATNA and ZOPA", "Prepare a case", "Prepare a live deal"]),
        ("Anchoring and concessions", ["Anchors", "Concession ladder", "Plan your concessions"]),
        ("Multi-issue deals", ["Trading variables", "Package offers", "Propose a package"]),
        ("Closing terms", ["Contracts and terms", "Redline exercise", "Close a renewal"]),
        ("Final assessment", []),
    ],
}


def _date(y, m, d):
    return datetime.date(y, m, d)


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    acme = ctx.tenants["acme"]
    today = timezone.now().astimezone(acme.zone).date()
    orders = _sales_orders(
        acme,
        [
            ("5321", "SO-10482", "Acme Corp — North America", _date(2025, 11, 1), today - datetime.timedelta(days=23)),
            ("5377", "SO-10517", "Acme Corp — EMEA", _date(2026, 1, 1), today + datetime.timedelta(days=12)),
            ("5410", "SO-10560", "Acme Corp — Enterprise", _date(2026, 7, 1), _date(2027, 12, 31)),
        ],
    )
    ended, soon, open_order = orders
    courses = [_course(acme, name, modules) for name, modules in COURSES.items()]
    learners = _learners(acme, ctx.roles["acme"]["Learner"])
    groups = _groups(acme, learners)
    _enrollments(acme, courses, learners, ended, soon, open_order)

    # learner@acme.test: one course, expired (the sweep did it when SO-10482 ended).
    lee = ctx.member("acme", "learner@acme.test")
    _enroll_expired(acme, courses[0], lee, ended)
    UserGroupMember.objects.bulk_create(
        [UserGroupMember(tenant=acme, group=groups["East Region"], learner=lee)], ignore_conflicts=True
    )
    # The manager coaches the learner (tenancy.demo) and a handful of demo learners.
    manager = ctx.member("acme", "manager@acme.test")
    Membership.objects.filter(tenant=acme, pk__in=[m.pk for m in learners[:8]], manager__isnull=True).update(
        manager=manager
    )

    globex = ctx.tenants["globex"]
    (g_order,) = _sales_orders(globex, [("901", "SO-2207", "Globex UK", _date(2026, 4, 1), _date(2027, 3, 31))])
    g_course = _course(globex, "Account Planning", COURSES["Negotiation Essentials"][:3])
    g_learners = _learners(globex, ctx.roles["globex"]["Learner"], count=5, domain="globex.test")
    _enrollments(globex, [g_course], g_learners, g_order, g_order, g_order)


def _sales_orders(tenant, rows) -> list[SalesOrder]:
    out = []
    now = timezone.now()
    for ns_id, tran_id, customer, start, end in rows:
        order, _ = SalesOrder.objects.get_or_create(
            tenant=tenant,
            tran_id=tran_id,
            defaults={
                "netsuite_id": ns_id,
                "customer": customer,
                "start_date": start,
                "end_date": end,
                "status": "Pending Billing",
                "source": SalesOrderSource.NETSUITE,
                "last_modified": now,
                "last_synced_at": now,
            },
        )
        out.append(order)
    return out


def _course(tenant, name, modules) -> Course:
    course, created = Course.objects.get_or_create(
        tenant=tenant, name=name, defaults={"description": f"{name}: a {len(modules)}-module programme."}
    )
    if created:
        version = CourseVersion.objects.create(tenant=tenant, course=course, number=1, is_current=True)
        for position, (title, items) in enumerate(modules, start=1):
            module = Module.objects.create(tenant=tenant, version=version, position=position, title=title)
            kinds = [ItemKind.LEARN, ItemKind.PRACTICE, ItemKind.APPLY]
            specs = list(zip(kinds, items, strict=False)) or [(ItemKind.ASSESSMENT, "Final assessment")]
            ModuleItem.objects.bulk_create(
                ModuleItem(tenant=tenant, module=module, position=i, kind=kind, title=title)
                for i, (kind, title) in enumerate(specs, start=1)
            )
    return course


def _learners(tenant, role, *, count=LEARNERS, domain="acme.test") -> list[Membership]:
    emails = [f"learner{i:03d}@{domain}" for i in range(1, count + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    password = make_password(DEMO_PASSWORD)
    User.objects.bulk_create(
        User(email=e, full_name=f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}", password=password)
        for i, e in enumerate(emails)
        if e not in existing
    )
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    have = set(Membership.objects.filter(tenant=tenant, user__email__in=emails).values_list("user__email", flat=True))
    Membership.objects.bulk_create(
        # Every 20th learner has left the company: inactive, greyed out in the Users panel.
        Membership(tenant=tenant, user=users[e], role=role, is_active=(i % 20 != 19), title="Account Executive")
        for i, e in enumerate(emails)
        if e not in have
    )
    return list(Membership.objects.filter(tenant=tenant, user__email__in=emails).order_by("user__email"))


def _groups(tenant, learners) -> dict[str, UserGroup]:
    groups = {}
    for name in GROUPS:
        groups[name], _ = UserGroup.objects.get_or_create(tenant=tenant, name=name)
    rows = []
    for i, m in enumerate(learners):
        rows.append(UserGroupMember(tenant=tenant, group=groups[GROUPS[i % 3]], learner=m))
        if i % 10 == 0:
            rows.append(UserGroupMember(tenant=tenant, group=groups["New Hires 2026"], learner=m))
    UserGroupMember.objects.bulk_create(rows, ignore_conflicts=True)
    return groups


def _enrollments(tenant, courses, learners, ended, soon, open_order) -> None:
    now = timezone.now()
    enrolled_at = now - datetime.timedelta(days=120)
    for c_index, course in enumerate(courses):
        version = CourseVersion.objects.get(tenant=tenant, course=course, is_current=True)
        taken = set(CourseEnrollment.objects.filter(tenant=tenant, course=course).values_list("learner_id", flat=True))
        rows = []
        # The first course has everyone, the second every other learner.
        for i, m in enumerate(learners[:: c_index + 1]):
            if m.pk in taken:
                continue
            status, order, by_hand, manual = _state(i, ended, soon, open_order)
            rows.append(
                CourseEnrollment(
                    tenant=tenant,
                    learner=m,
                    course=course,
                    version=version,
                    status=status,
                    sales_order=order,
                    manual_expiration_date=manual,
                    enrolled_at=enrolled_at,
                    status_changed_at=now - datetime.timedelta(days=i % 30) if status != "E" else enrolled_at,
                    expired_at=(now - datetime.timedelta(days=i % 20)) if status == "X" else None,
                    expired_by_hand=by_hand,
                )
            )
        CourseEnrollment.objects.bulk_create(rows)
        _progress(tenant, version, [r.learner for r in rows])


def _state(i, ended, soon, open_order):
    """Mostly enrolled on the open order; some on the one ending soon; expired on the ended one
    (a few by hand); some unenrolled; a few with a manual date."""
    if i % 10 == 3:
        return "X", ended, False, None
    if i % 50 == 11:
        # Past its sales order's end but not swept yet: shown (and treated) as X already.
        return "E", ended, False, None
    if i % 25 == 7:
        return "X", open_order, True, None
    if i % 12 == 5:
        return "U", open_order, False, None
    if i % 4 == 1:
        return "E", soon, False, None
    if i % 15 == 2:
        return "E", open_order, False, open_order.end_date - datetime.timedelta(days=90)
    return "E", open_order, False, None


def _progress(tenant, version, learners) -> None:
    modules = list(Module.objects.filter(tenant=tenant, version=version).order_by("position"))
    now = timezone.now()
    rows = []
    for i, learner in enumerate(learners):
        done = (i * 5) % (len(modules) + 1)
        for k, module in enumerate(modules[:done]):
            finished = now - datetime.timedelta(days=90 - 12 * k + i % 5)
            rows.append(
                ModuleProgress(
                    tenant=tenant,
                    learner=learner,
                    module=module,
                    started_at=finished - datetime.timedelta(days=3),
                    completed_at=finished,
                    score=60 + (i * 7 + k * 3) % 41,
                )
            )
    ModuleProgress.objects.bulk_create(rows, ignore_conflicts=True)


def _enroll_expired(tenant, course, learner, ended) -> None:
    if CourseEnrollment.objects.filter(tenant=tenant, course=course, learner=learner).exists():
        return
    version = CourseVersion.objects.get(tenant=tenant, course=course, is_current=True)
    now = timezone.now()
    CourseEnrollment.objects.create(
        tenant=tenant,
        learner=learner,
        course=course,
        version=version,
        status="X",
        sales_order=ended,
        enrolled_at=now - datetime.timedelta(days=200),
        status_changed_at=now - datetime.timedelta(days=22),
        expired_at=now - datetime.timedelta(days=22),
    )
    modules = Module.objects.filter(tenant=tenant, version=version).order_by("position")[:3]
    ModuleProgress.objects.bulk_create(
        [
            ModuleProgress(
                tenant=tenant,
                learner=learner,
                module=module,
                started_at=now - datetime.timedelta(days=150 - 20 * k),
                completed_at=now - datetime.timedelta(days=145 - 20 * k),
                score=82 + k * 4,
            )
            for k, module in enumerate(modules)
        ],
        ignore_conflicts=True,
    )
