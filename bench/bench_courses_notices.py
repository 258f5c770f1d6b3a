"""Notices before access ends at scale: 1,000,000 course enrollments with 1% whose last day of
access falls within the workspace's 14 days (some of them unenrolled or of deactivated learners,
so suppressed). The run selects what is due in one query, logs it in one bulk insert and sends
over one connection; the floor is the same log rows written by one hand-written
INSERT … SELECT."""

import datetime
import math

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from bench.harness import Result, benchmark, measure, time_sql
from courses.access import today_for
from courses.models import Course, CourseVersion, NotificationLog, SalesOrder
from courses.services.expiry_notices import due_notices, send_expiry_notices
from tenancy.models import Membership, User
from tenancy.services import ensure_builtin_roles, tenant_create

BATCH = 10_000
PER_COURSE = 10_000

# The same rows the service logs, by one statement: every enrollment whose last day of access is
# in [today, today + 14] with no notice for that day, sent or suppressed with its reason.
FLOOR_SQL = (
    "INSERT INTO courses_notificationlog (tenant_id, recipient_id, email, course_id, enrollment_id, key, "
    "about_date, status, reason, to_address, subject, created_at) "
    "SELECT e.tenant_id, e.learner_id, 'access_ending', e.course_id, e.id, "
    "'last-day:' || CAST(COALESCE(e.manual_expiration_date, s.end_date) AS TEXT), "
    "COALESCE(e.manual_expiration_date, s.end_date), "
    "CASE WHEN e.status IN ('U', 'X') OR NOT m.is_active OR NOT u.is_active THEN 'suppressed' ELSE 'sent' END, "
    "CASE WHEN e.status = 'U' THEN 'Learner is unenrolled (U) from this course.' "
    "WHEN e.status = 'X' THEN 'Enrollment is already expired (X).' "
    "WHEN NOT m.is_active OR NOT u.is_active THEN 'Learner is deactivated.' ELSE '' END, "
    "u.email, c.name, %s "
    "FROM courses_courseenrollment e JOIN tenancy_membership m ON m.id = e.learner_id "
    "JOIN tenancy_user u ON u.id = m.user_id JOIN courses_course c ON c.id = e.course_id "
    "LEFT JOIN courses_salesorder s ON s.id = e.sales_order_id "
    "WHERE e.tenant_id = %s AND ((e.manual_expiration_date BETWEEN %s AND %s) OR "
    "(e.manual_expiration_date IS NULL AND s.end_date BETWEEN %s AND %s)) "
    "AND NOT EXISTS (SELECT 1 FROM courses_notificationlog n WHERE n.tenant_id = e.tenant_id "
    "AND n.enrollment_id = e.id AND n.email = 'access_ending' "
    "AND n.about_date = COALESCE(e.manual_expiration_date, s.end_date))"
)


def _seed(tenant, n):
    roles = ensure_builtin_roles(tenant=tenant)
    per_course = min(PER_COURSE, n)
    password = make_password("bench-pass-123")
    User.objects.bulk_create(
        (
            User(email=f"bn{i:05d}@bench.test", full_name=f"Notice Learner {i}", password=password)
            for i in range(per_course)
        ),
        batch_size=BATCH,
    )
    users = list(User.objects.filter(email__startswith="bn").order_by("email").values_list("pk", flat=True))
    Membership.objects.bulk_create(
        (
            Membership(tenant=tenant, user_id=u, role=roles["Learner"], is_active=(i % 50 != 49))
            for i, u in enumerate(users)
        ),
        batch_size=BATCH,
    )
    today = today_for(tenant)
    # Every sales order ends after the window; 1% of the enrollments carry a manual last day in it.
    orders = [
        SalesOrder.objects.create(tenant=tenant, tran_id=f"SO-N{i}", end_date=today + datetime.timedelta(days=30 + i))
        for i in range(20)
    ]
    now = timezone.now()
    made = 0
    for c in range(math.ceil(n / per_course)):
        course = Course.objects.create(tenant=tenant, name=f"Notice course {c:03d}")
        version = CourseVersion.objects.create(tenant=tenant, course=course, number=1, is_current=True)
        take = min(per_course, n - made)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO courses_courseenrollment (tenant_id, learner_id, course_id, version_id, status, "
                "sales_order_id, manual_expiration_date, enrolled_at, status_changed_at, expired_by_hand) "
                "SELECT %s, t.lid, %s, %s, CASE WHEN t.k %% 700 = 207 THEN 'U' ELSE 'E' END, %s, "
                "CASE WHEN t.k %% 100 = 7 THEN %s ELSE NULL END, %s, %s, %s "
                "FROM (SELECT m.id AS lid, m.id + %s AS k FROM tenancy_membership m "
                "WHERE m.tenant_id = %s AND m.role_id = %s ORDER BY m.id LIMIT %s) t",
                [
                    tenant.pk,
                    course.pk,
                    version.pk,
                    orders[c % 20].pk,
                    today + datetime.timedelta(days=7),
                    now,
                    now,
                    False,
                    made,
                    tenant.pk,
                    roles["Learner"].pk,
                    take,
                ],
            )
        made += take
    return made


@benchmark("notices")
def notices_bench(scale):
    tenant = tenant_create(slug="bench-notices", name="Bench Notices", time_zone="America/New_York")
    n = scale.n(1_000_000)
    with measure() as seed, transaction.atomic():
        made = _seed(tenant, n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE courses_courseenrollment")
            cursor.execute("ANALYZE courses_salesorder")
            cursor.execute("ANALYZE courses_notificationlog")
    today = today_for(tenant)
    window = today + datetime.timedelta(days=tenant.course_expiry_notice_days)

    # The floor: the same log rows by one hand-written statement; then take them out again.
    floor = time_sql(FLOOR_SQL, [timezone.now(), tenant.pk, today, window, today, window])
    in_window = NotificationLog.objects.filter(tenant=tenant).count()
    NotificationLog.objects.filter(tenant=tenant).delete()

    # The selection alone (what is due, and sent or suppressed) against the floor's SELECT part.
    with measure() as select:
        selected = len(
            list(due_notices(tenant=tenant, today=today, days=tenant.course_expiry_notice_days).values("pk", "outcome"))
        )
    select_floor = time_sql(
        "SELECT e.id" + FLOOR_SQL.split("u.email, c.name, %s", 1)[1], [tenant.pk, today, window, today, window]
    )
    assert selected == in_window, (selected, in_window)

    reverse("courses:client_dashboard", kwargs={"tenant_slug": tenant.slug})  # a worker has its URLs loaded
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}):
        with measure() as run:
            counts = send_expiry_notices(tenant=tenant)
        assert counts["sent"] + counts["suppressed"] == in_window, (counts, in_window)
        with measure() as again:
            assert send_expiry_notices(tenant=tenant)["sent"] == 0
    return [
        Result("notices: seed (10k learners, INSERT…SELECT)", made, seed.seconds, seed.queries),
        Result(
            f"notices: access ending ({counts['sent']:,} sent, {counts['suppressed']:,} suppressed)",
            made,
            run.seconds,
            run.queries,
            floor_seconds=floor,
        ),
        Result(
            f"notices: selection only ({selected:,} due, one query)",
            made,
            select.seconds,
            select.queries,
            floor_seconds=select_floor,
        ),
        Result("notices: run again (nothing due)", made, again.seconds, again.queries),
    ]
