"""Client admin dashboard and Organization Report at scale: 20,000 learners with one or two
enrollments each (about a third expired, some unenrolled), the dashboard's first page with the
Enrollment Expired filter, and the full Organization Report streamed as CSV."""

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import Client
from django.urls import reverse

from bench.harness import Result, benchmark, best_of, measure, statistics_states, time_sql, time_sql_best
from courses.access import today_for
from courses.models import Course, CourseEnrollment, CourseVersion, Module, SalesOrder, UserGroup, UserGroupMember
from courses.selectors.courses import learner_roles
from tenancy.demo import ensure_member
from tenancy.models import Membership, User
from tenancy.services import ensure_builtin_roles, tenant_create

BATCH = 5_000


def _seed(tenant, n_learners):
    roles = ensure_builtin_roles(tenant=tenant)
    password = make_password("bench-pass-123")
    User.objects.bulk_create(
        (
            User(email=f"cd{i:06d}@bench.test", full_name=f"Dash Learner {i}", password=password)
            for i in range(n_learners)
        ),
        batch_size=BATCH,
    )
    users = User.objects.filter(email__startswith="cd").order_by("email").values_list("pk", flat=True)
    Membership.objects.bulk_create(
        (Membership(tenant=tenant, user_id=u, role=roles["Learner"]) for u in users), batch_size=BATCH
    )
    learners = list(
        Membership.objects.filter(tenant=tenant, role=roles["Learner"]).order_by("pk").values_list("pk", flat=True)
    )
    today = today_for(tenant)
    ended = SalesOrder.objects.create(tenant=tenant, tran_id="SO-D-ENDED", end_date=today - datetime.timedelta(days=3))
    open_order = SalesOrder.objects.create(
        tenant=tenant, tran_id="SO-D-OPEN", end_date=today + datetime.timedelta(days=90)
    )
    groups = [UserGroup.objects.create(tenant=tenant, name=f"Region {i}") for i in range(4)]
    UserGroupMember.objects.bulk_create(
        (UserGroupMember(tenant=tenant, group=groups[i % 4], learner_id=m) for i, m in enumerate(learners)),
        batch_size=BATCH,
    )
    versions = []
    for name in ("Dash Course A", "Dash Course B"):
        course = Course.objects.create(tenant=tenant, name=name)
        version = CourseVersion.objects.create(tenant=tenant, course=course, number=1, is_current=True)
        Module.objects.bulk_create(Module(tenant=tenant, version=version, position=p, title=f"M{p}") for p in (1, 2, 3))
        versions.append(version)
    rows = []
    for i, m in enumerate(learners):
        # Course A for everyone: a third past expiry (half swept to X, half E not yet swept), a
        # tenth unenrolled; Course B for every other learner.
        status, order = "E", open_order
        if i % 3 == 0:
            order, status = ended, ("X" if i % 2 else "E")
        elif i % 10 == 1:
            status = "U"
        v = versions[0]
        rows.append(
            CourseEnrollment(
                tenant=tenant, learner_id=m, course_id=v.course_id, version=v, status=status, sales_order=order
            )
        )
        if i % 2 == 0:
            v = versions[1]
            rows.append(
                CourseEnrollment(tenant=tenant, learner_id=m, course_id=v.course_id, version=v, sales_order=open_order)
            )
    CourseEnrollment.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


EXPIRED_FLOOR_SQL = (
    "SELECT e.id, u.email, u.full_name, c.name, e.status, s.tran_id, "
    "COALESCE(e.manual_expiration_date, s.end_date) FROM courses_courseenrollment e "
    "JOIN tenancy_membership m ON m.id = e.learner_id "
    "JOIN tenancy_user u ON u.id = m.user_id JOIN courses_course c ON c.id = e.course_id "
    "LEFT JOIN courses_salesorder s ON s.id = e.sales_order_id "
    "WHERE e.tenant_id = %s AND e.status <> 'U' AND (e.status = 'X' OR COALESCE(e.manual_expiration_date, "
    "s.end_date) < %s) ORDER BY u.email, c.name LIMIT 25"
)
EXPIRED_COUNT_SQL = (
    "SELECT COUNT(*) FROM courses_courseenrollment e LEFT JOIN courses_salesorder s ON s.id = e.sales_order_id "
    "WHERE e.tenant_id = %s AND e.status <> 'U' AND (e.status = 'X' OR COALESCE(e.manual_expiration_date, "
    "s.end_date) < %s)"
)
REPORT_FLOOR_SQL = """
SELECT u.full_name, u.email, m.is_active, mu.email, c.name, v.number,
  CASE WHEN e.status = 'E' AND COALESCE(e.manual_expiration_date, s.end_date) < %s THEN 'X' ELSE e.status END,
  s.tran_id, s.end_date, e.manual_expiration_date, COALESCE(e.manual_expiration_date, s.end_date),
  e.expired_at, e.expired_by_hand, e.enrolled_at, COALESCE(p.done, 0), COALESCE(t.n, 0), p.last
FROM courses_courseenrollment e
JOIN tenancy_membership m ON m.id = e.learner_id JOIN tenancy_user u ON u.id = m.user_id
LEFT JOIN tenancy_membership mm ON mm.id = m.manager_id LEFT JOIN tenancy_user mu ON mu.id = mm.user_id
JOIN courses_course c ON c.id = e.course_id JOIN courses_courseversion v ON v.id = e.version_id
LEFT JOIN courses_salesorder s ON s.id = e.sales_order_id
LEFT JOIN (
  SELECT mp.learner_id, mo.version_id, COUNT(mp.completed_at) AS done,
    MAX(COALESCE(mp.completed_at, mp.started_at)) AS last
  FROM courses_moduleprogress mp JOIN courses_module mo ON mo.id = mp.module_id
  WHERE mp.tenant_id = %s GROUP BY mp.learner_id, mo.version_id
) p ON p.learner_id = e.learner_id AND p.version_id = e.version_id
LEFT JOIN (SELECT version_id, COUNT(*) AS n FROM courses_module WHERE tenant_id = %s GROUP BY version_id) t
  ON t.version_id = e.version_id
WHERE e.tenant_id = %s ORDER BY u.email, c.name
"""
REPORT_FLOOR_NOT_ENROLLED_SQL = """
SELECT u.full_name, u.email, m.is_active, mu.email FROM tenancy_membership m
JOIN tenancy_user u ON u.id = m.user_id
LEFT JOIN tenancy_membership mm ON mm.id = m.manager_id LEFT JOIN tenancy_user mu ON mu.id = mm.user_id
WHERE m.tenant_id = %s AND m.role_id IN ({roles})
  AND NOT EXISTS (SELECT 1 FROM courses_courseenrollment e WHERE e.learner_id = m.id)
ORDER BY u.email
"""


@benchmark("courses dashboard")
def dashboard_bench(scale):
    tenant = tenant_create(slug="bench-dashboard", name="Bench Dashboard", time_zone="America/New_York")
    admin = ensure_member(
        tenant,
        "bench-dashboard-ca@bench.test",
        "Bench Client Admin",
        ensure_builtin_roles(tenant=tenant)["Client Admin"],
    )
    n = scale.n(20_000)
    with measure() as seed, transaction.atomic():
        made = _seed(tenant, n)
    client = Client()
    client.force_login(admin.user)
    url = reverse("courses:client_dashboard", kwargs={"tenant_slug": tenant.slug})
    client.get(url)  # warm up
    today = today_for(tenant)
    pages = []
    for state in statistics_states():
        with measure() as page:
            assert client.get(url).status_code == 200
        with measure() as expired:
            assert client.get(url, {"expired": "on"}).status_code == 200
        floor = time_sql(EXPIRED_FLOOR_SQL, [tenant.pk, today]) + time_sql(EXPIRED_COUNT_SQL, [tenant.pk, today])
        pages += [
            Result(f"courses dashboard: first page, {state}", made, page.seconds, page.queries),
            Result(f"courses dashboard: Enrollment Expired, {state}", made, expired.seconds, expired.queries, floor),
        ]

    report_url = reverse("courses:organization_report", kwargs={"tenant_slug": tenant.slug})

    def read_report():
        response = client.get(report_url, {"format": "csv"})
        return sum(chunk.count(b"\n") for chunk in response.streaming_content)

    # Header, enrollments, the client admin (no course).
    assert read_report() == made + 1 + 1
    # The fastest of three, against the fastest of three floors (the shared machine's noise
    # only ever adds time). The floor computes the report's every column and row: completion
    # by (learner, version), the manager, the version, the status as access sees it today, and
    # the learners with no enrollment.
    report = best_of(3, read_report)
    learner_roles_ids = list(learner_roles(tenant=tenant))
    report_floor = time_sql_best(3, REPORT_FLOOR_SQL, [today, tenant.pk, tenant.pk, tenant.pk]) + time_sql_best(
        3,
        REPORT_FLOOR_NOT_ENROLLED_SQL.format(roles=", ".join(["%s"] * len(learner_roles_ids))),
        [tenant.pk, *learner_roles_ids],
    )
    return [
        Result("courses dashboard: seed", made, seed.seconds, seed.queries),
        *pages,
        Result(
            "courses dashboard: Organization Report CSV",
            made,
            report.seconds,
            report.queries,
            floor_seconds=report_floor,
            target="< 3x floor",
        ),
    ]
