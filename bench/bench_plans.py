"""Reset Enrollments at scale: a plan with 100,000 beneficiaries, all enrolled.

The service (lock the plan, one reset batch row, one set-based UPDATE, the activity entry) is
compared with the floor: one hand-written UPDATE doing the same marking on a twin plan of the
same size, both right after the bulk load (no ANALYZE). Also: the second (idempotent) reset, and
the Beneficiaries tab over the plan right after the load and after ANALYZE."""

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.harness import Result, benchmark, measure, statistics_states, time_sql
from enrollments.models import EnrollmentReset, PlanEnrollment
from enrollments.services import reset_enrollments, undo_reset_enrollments
from plans.models import Plan
from tenancy.demo import ensure_member
from tenancy.models import Membership, User
from tenancy.services import ensure_builtin_roles, tenant_create

BATCH = 5000
UNUSABLE = "!"  # noqa: S105 - an unusable password: bench users never log in


def _plan(tenant, name):
    return Plan.objects.create(
        tenant=tenant,
        name=name,
        period_start=timezone.now().date().replace(month=1, day=1),
        period_end=timezone.now().date().replace(month=12, day=31),
        currency="USD",
        status="active",
        legally_protected=True,
        enrollment_option="checkbox",
    )


@benchmark("plans")
def reset_enrollments_at_scale(scale):
    tenant = tenant_create(slug="bench-plans", name="Bench Plans")
    roles = ensure_builtin_roles(tenant=tenant)
    admin = ensure_member(tenant, "bench-plans-admin@bench.test", "Bench Admin", roles["Administrator"]).user
    n = scale.n(100_000)

    with measure() as seed:
        User.objects.bulk_create(
            [User(email=f"rep{i:07d}@bench-plans.test", full_name=f"Rep {i:07d}", password=UNUSABLE) for i in range(n)],
            batch_size=BATCH,
        )
        user_ids = list(
            User.objects.filter(email__endswith="@bench-plans.test").order_by("pk").values_list("pk", flat=True)
        )
        role = roles["Sales Rep"]
        Membership.objects.bulk_create(
            [Membership(tenant=tenant, user_id=uid, role=role) for uid in user_ids], batch_size=BATCH
        )
        plan, twin = _plan(tenant, "Bench plan"), _plan(tenant, "Twin plan (floor)")
        # Beneficiaries and enrollments straight from the memberships (INSERT … SELECT).
        members = "FROM tenancy_membership WHERE tenant_id = %s AND role_id = %s"
        now = timezone.now()
        with connection.cursor() as cursor:
            for p in (plan, twin):
                cursor.execute(
                    "INSERT INTO plans_planbeneficiary (tenant_id, plan_id, user_id, added_at) "
                    f"SELECT %s, %s, user_id, %s {members}",
                    [tenant.pk, p.pk, now, tenant.pk, role.pk],
                )
                cursor.execute(
                    "INSERT INTO enrollments_planenrollment (tenant_id, plan_id, user_id, method, signature, "
                    f"user_agent, enrolled_at) SELECT %s, %s, user_id, 'checkbox', '', '', %s {members}",
                    [tenant.pk, p.pk, now, tenant.pk, role.pk],
                )
    # Reset Enrollments and its floor (the same marking by one hand-written UPDATE of the twin
    # plan, run first so that the service, not the floor, pays for any checkpoint in between)
    # right after the load, before any ANALYZE, as the Beneficiaries tab's first state below.
    batch = EnrollmentReset.objects.create(tenant=tenant, plan=twin, reset_by=admin, count=n)
    floor = time_sql(
        "UPDATE enrollments_planenrollment SET reset_at = %s, reset_by_id = %s, reset_batch_id = %s "
        "WHERE tenant_id = %s AND plan_id = %s AND reset_at IS NULL",
        [timezone.now(), admin.pk, batch.pk, tenant.pk, twin.pk],
    )
    assert not PlanEnrollment.objects.filter(plan=twin, reset_at__isnull=True).exists()
    with measure() as reset:
        count = reset_enrollments(plan, actor=admin)
    assert count == n, (count, n)
    with measure() as again:
        assert reset_enrollments(plan, actor=admin) == 0

    client = Client()
    client.force_login(admin)
    url = reverse("enrollments:beneficiary_list", kwargs={"tenant_slug": tenant.slug, "plan_id": plan.pk})
    client.get(url)  # warm up
    pages = []
    for state in statistics_states():
        with measure() as page:
            response = client.get(url, {"status": "not_enrolled"})
        assert response.status_code == 200
        assert f"0 of {n} enrolled".encode() in response.content
        pages.append(Result(f"plans: Beneficiaries tab, filtered, {state}", n, page.seconds, page.queries))

    # Undo reset of the whole batch, against the floor: the same un-hiding by one hand-written
    # UPDATE of the twin's batch, with the same rule (not when the user enrolled again since),
    # run first so that the service, not the floor, pays for any checkpoint in between.
    undo_floor = time_sql(
        "UPDATE enrollments_planenrollment SET reset_at = NULL, reset_by_id = NULL, reset_batch_id = NULL, "
        "restored_at = %s, restored_from_id = %s "
        "WHERE tenant_id = %s AND plan_id = %s AND reset_batch_id = %s AND NOT EXISTS ("
        "SELECT 1 FROM enrollments_planenrollment c WHERE c.tenant_id = enrollments_planenrollment.tenant_id "
        "AND c.plan_id = enrollments_planenrollment.plan_id AND c.user_id = enrollments_planenrollment.user_id "
        "AND c.reset_at IS NULL)",
        [timezone.now(), batch.pk, tenant.pk, twin.pk, batch.pk],
    )
    with measure() as undo:
        result = undo_reset_enrollments(EnrollmentReset.objects.get(plan=plan), actor=admin)
    assert result.restored == n, (result, n)
    with measure() as undo_again:
        assert undo_reset_enrollments(EnrollmentReset.objects.get(plan=plan), actor=admin).already_undone
    assert PlanEnrollment.objects.filter(plan=twin, reset_at__isnull=True).count() == n

    return [
        Result("plans: seed beneficiaries + enrollments", n * 2, seed.seconds, seed.queries),
        Result(
            "plans: Reset Enrollments",
            n,
            reset.seconds,
            reset.queries,
            floor_seconds=floor,
            target="< 2 s on PostgreSQL, < 3x floor",
        ),
        Result("plans: Reset Enrollments again (no-op)", n, again.seconds, again.queries),
        *pages,
        Result(
            "plans: Undo reset",
            n,
            undo.seconds,
            undo.queries,
            floor_seconds=undo_floor,
            target="< 1.5x floor",
        ),
        Result("plans: Undo reset again (no-op)", n, undo_again.seconds, undo_again.queries),
    ]
