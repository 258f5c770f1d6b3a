"""Course enrollments at scale: the expiry sweep over 1,000,000 enrollments with 1% due, and a
course's Users panel with 10,000 enrollments. Target: the sweep under 5 s on PostgreSQL."""

import datetime
import math

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.harness import Result, benchmark, measure, statistics_states, time_sql
from courses.access import today_for
from courses.models import Course, CourseEnrollment, CourseVersion, SalesOrder, UserGroup, UserGroupMember
from courses.services.expiry import expire_due_enrollments
from tenancy.demo import ensure_member
from tenancy.models import Membership, User
from tenancy.services import ensure_builtin_roles, tenant_create

BATCH = 10_000
FLOOR_SQL = (
    "UPDATE courses_courseenrollment SET status = 'X', expired_at = %s, status_changed_at = %s "
    "WHERE tenant_id = %s AND status = 'E' AND (manual_expiration_date < %s OR "
    "(manual_expiration_date IS NULL AND sales_order_id IN "
    "(SELECT id FROM courses_salesorder WHERE tenant_id = %s AND end_date < %s)))"
)
PANEL_FLOOR_SQL = (
    "SELECT e.id, u.email, u.full_name, e.status, s.tran_id, COALESCE(e.manual_expiration_date, s.end_date) "
    "FROM courses_courseenrollment e JOIN tenancy_membership m ON m.id = e.learner_id "
    "JOIN tenancy_user u ON u.id = m.user_id LEFT JOIN courses_salesorder s ON s.id = e.sales_order_id "
    "WHERE e.tenant_id = %s AND e.course_id = %s ORDER BY u.email LIMIT 50"
)


def _seed(tenant, n_enrollments):
    roles = ensure_builtin_roles(tenant=tenant)
    per_course = min(10_000, n_enrollments)
    n_courses = math.ceil(n_enrollments / per_course)
    password = make_password("bench-pass-123")
    User.objects.bulk_create(
        (
            User(email=f"bl{i:05d}@bench.test", full_name=f"Bench Learner {i}", password=password)
            for i in range(per_course)
        ),
        batch_size=BATCH,
    )
    users = list(User.objects.filter(email__startswith="bl").order_by("email").values_list("pk", flat=True))
    Membership.objects.bulk_create(
        (
            Membership(tenant=tenant, user_id=u, role=roles["Learner"], is_active=(i % 50 != 49))
            for i, u in enumerate(users)
        ),
        batch_size=BATCH,
    )
    learners = list(
        Membership.objects.filter(tenant=tenant, role=roles["Learner"]).order_by("pk").values_list("pk", flat=True)
    )
    today = today_for(tenant)
    ended = SalesOrder.objects.create(tenant=tenant, tran_id="SO-ENDED", end_date=today - datetime.timedelta(days=1))
    orders = [ended] + [
        SalesOrder.objects.create(tenant=tenant, tran_id=f"SO-{i}", end_date=today + datetime.timedelta(days=30 + i))
        for i in range(20)
    ]
    group = UserGroup.objects.create(tenant=tenant, name="Half")
    UserGroupMember.objects.bulk_create(
        (UserGroupMember(tenant=tenant, group=group, learner_id=m) for m in learners[::2]), batch_size=BATCH
    )
    now = timezone.now()
    courses, made = [], 0
    learner_role = roles["Learner"].pk
    for c in range(n_courses):
        course = Course.objects.create(tenant=tenant, name=f"Bench course {c:03d}")
        version = CourseVersion.objects.create(tenant=tenant, course=course, number=1, is_current=True)
        courses.append(course)
        take = min(per_course, n_enrollments - made)
        # 1% due: half by the ended sales order, half by a manual date that has passed.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO courses_courseenrollment (tenant_id, learner_id, course_id, version_id, status, "
                "sales_order_id, manual_expiration_date, enrolled_at, status_changed_at, expired_by_hand) "
                "SELECT %s, t.lid, %s, %s, CASE WHEN t.k %% 37 = 5 AND t.k %% 100 <> 0 THEN 'U' ELSE 'E' END, "
                "CASE WHEN t.k %% 200 = 0 THEN %s ELSE %s END, "
                "CASE WHEN t.k %% 100 = 0 AND t.k %% 200 <> 0 THEN %s ELSE NULL END, %s, %s, %s "
                "FROM (SELECT m.id AS lid, m.id + %s AS k FROM tenancy_membership m "
                "WHERE m.tenant_id = %s AND m.role_id = %s ORDER BY m.id LIMIT %s) t",
                [
                    tenant.pk,
                    course.pk,
                    version.pk,
                    ended.pk,
                    orders[1 + c % 20].pk,
                    today - datetime.timedelta(days=2),
                    now,
                    now,
                    False,
                    made,
                    tenant.pk,
                    learner_role,
                    take,
                ],
            )
        made += take
    return courses, group, made


@benchmark("courses")
def courses_bench(scale):
    tenant = tenant_create(slug="bench-courses", name="Bench Courses", time_zone="America/New_York")
    admin = ensure_member(
        tenant, "bench-courses-admin@bench.test", "Bench Admin", ensure_builtin_roles(tenant=tenant)["Administrator"]
    )
    n = scale.n(1_000_000)
    with measure() as seed, transaction.atomic():
        courses, group, made = _seed(tenant, n)
    # The Users panel right after the bulk load and after ANALYZE (the sweep below runs with
    # the statistics, as before).
    client = Client()
    client.force_login(admin.user)
    page_url = reverse("courses:course_detail", kwargs={"tenant_slug": tenant.slug, "course_id": courses[0].pk})
    client.get(page_url)  # warm up
    per_course = CourseEnrollment.objects.filter(tenant=tenant, course=courses[0]).count()
    pages = []
    for state in statistics_states():
        with measure() as panel:
            response = client.get(page_url)
        assert response.status_code == 200
        with measure() as filtered:
            response = client.get(page_url, {"user_group": group.pk, "q": "Learner 1"})
        assert response.status_code == 200
        panel_floor = time_sql(PANEL_FLOOR_SQL, [tenant.pk, courses[0].pk]) + time_sql(
            "SELECT COUNT(*) FROM courses_courseenrollment WHERE tenant_id = %s AND course_id = %s",
            [tenant.pk, courses[0].pk],
        )
        pages += [
            Result(f"courses: Users panel, first page, {state}", per_course, panel.seconds, panel.queries, panel_floor),
            Result(f"courses: Users panel, group + name, {state}", per_course, filtered.seconds, filtered.queries),
        ]
    due = (
        CourseEnrollment.objects.filter(tenant=tenant, status="E")
        .filter(manual_expiration_date__lt=today_for(tenant))
        .count()
        + CourseEnrollment.objects.filter(
            tenant=tenant, status="E", manual_expiration_date__isnull=True, sales_order__tran_id="SO-ENDED"
        ).count()
    )

    # The floor: the same change by one hand-written UPDATE; then put the rows back.
    now = timezone.now()
    today = today_for(tenant)
    floor = time_sql(FLOOR_SQL, [now, now, tenant.pk, today, tenant.pk, today])
    CourseEnrollment.objects.filter(tenant=tenant, status="X").update(status="E", expired_at=None)

    with measure() as sweep:
        expired = expire_due_enrollments(tenant=tenant)
    assert expired == due, (expired, due)
    with measure() as again:
        assert expire_due_enrollments(tenant=tenant) == 0

    target = "< 5 s on PostgreSQL" if connection.vendor == "postgresql" else ""
    return [
        Result("courses: seed (10k learners, INSERT…SELECT)", made, seed.seconds, seed.queries),
        Result(
            f"courses: expiry sweep ({due:,} due)",
            made,
            sweep.seconds,
            sweep.queries,
            floor_seconds=floor,
            target=target,
        ),
        Result("courses: expiry sweep again (0 due)", made, again.seconds, again.queries),
        *pages,
    ]
