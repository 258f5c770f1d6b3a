"""Client admin dashboard: orange Expired label, the Enrollment Expired filter (and course,
group, sales order filters), counts per status, no unenrolled learners, a fixed query count;
the Organization Report (CSV/XLSX) with expiry information; capability checks."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from courses.models import SalesOrder
from tests.conftest import login
from tests.factories import member

from .factories import YESTERDAY, SalesOrderFactory, UserGroupFactory, add_to_group, course_with_modules, enroll

pytestmark = pytest.mark.django_db


def dash(tenant, query=""):
    return reverse("courses:client_dashboard", kwargs={"tenant_slug": tenant.slug}) + query


def report(tenant, fmt):
    return reverse("courses:organization_report", kwargs={"tenant_slug": tenant.slug}) + f"?format={fmt}"


@pytest.fixture
def client_admin(tenant):
    return member(tenant, "Client Admin", user__email="ca@example.test")


@pytest.fixture
def world(tenant):
    """Ann (E), Bob (X, swept), Cid (E past expiry, not swept), Dee (U only), Eve (E in a group)."""
    course = course_with_modules(tenant, modules=2, name="Negotiation Basics")
    other = course_with_modules(tenant, modules=1, name="Closing Skills")
    people = {
        n: member(tenant, "Learner", user__email=f"{n}@example.test", user__full_name=n.title())
        for n in ("ann", "bob", "cid", "dee", "eve")
    }
    enroll(course, people["ann"])
    enroll(
        course,
        people["bob"],
        status="X",
        end_date=YESTERDAY,
        expired_at=datetime.datetime(2026, 11, 20, 17, tzinfo=datetime.UTC),
    )
    enroll(course, people["cid"], end_date=YESTERDAY)
    enroll(course, people["dee"], status="U")
    eve = enroll(other, people["eve"])
    group = UserGroupFactory(tenant=tenant, name="West")
    add_to_group(group, people["eve"])
    return {"course": course.course, "other": other.course, "group": group, "eve_order": eve.sales_order, **people}


def _emails(body):
    return sorted(e for e in ("ann", "bob", "cid", "dee", "eve") if f"{e}@example.test" in body)


@pytest.mark.parametrize(("query", "compiled"), [("", True), ("", False), ("?sort=learner", False)])
def test_groups_column_lists_the_learners_groups_by_name_on_the_page_and_in_the_export(
    client, tenant, other_tenant, client_admin, world, query, compiled, monkeypatch
):
    """The same groups whether the page is read by its compiled statements (as it opens) or by
    its queryset and prefetch (sorted, or with no compiled statement)."""
    from common import preread
    from courses.views import dashboard

    if not compiled:
        monkeypatch.setattr(preread, "page_statement", lambda *args, **kwargs: None)
    attached = []
    attach = dashboard.attach_learner_groups
    monkeypatch.setattr(dashboard, "attach_learner_groups", lambda rows, **kw: attached.append(attach(rows, **kw)))
    add_to_group(UserGroupFactory(tenant=tenant, name="East <1>"), world["eve"])
    add_to_group(UserGroupFactory(tenant=tenant, name="North"), world["ann"])
    add_to_group(UserGroupFactory(tenant=tenant, name="Central"), world["eve"])
    foreign = UserGroupFactory(tenant=other_tenant, name="Foreign")  # never shown in this workspace
    add_to_group(foreign, member(other_tenant, "Learner"))
    login(client, client_admin)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(dash(tenant, query)).content.decode()
    groups = [q["sql"] for q in captured.captured_queries if 'FROM "courses_usergroupmember"' in q["sql"]]
    assert len(groups) == 1 and len(attached) == int(compiled)  # by the compiled statement, or the prefetch
    cells = [row.rsplit("<td >", 1)[-1] for row in body.split("</td>\n    </tr>")[:-1]]  # each row's last cell
    assert sorted(cells) == sorted(["Central, East &lt;1&gt;, West", "North", "—", "—"])  # Bob, Cid: none
    assert "Foreign" not in body
    response = client.get(dash(tenant, "?export=csv"))
    rows = {row["Email"]: row["Groups"] for row in _csv_rows(response)}
    assert rows["eve@example.test"] == "Central, East <1>, West"
    assert rows["ann@example.test"] == "North"
    assert rows["bob@example.test"] == ""


def test_dashboard_lists_learners_without_the_unenrolled(client, tenant, client_admin, world):
    body = login(client, client_admin).get(dash(tenant)).content.decode()
    assert _emails(body) == ["ann", "bob", "cid", "eve"]
    assert body.count('<span class="badge badge-expired">Expired</span>') == 2 + 1  # 2 rows + the count card
    counts = body.split('id="status-counts"')[1].split("</div>\n</div>")[0]
    assert [v.split("</div>")[0] for v in counts.split('class="value">')[1:]] == ["4", "2", "2"]


def test_enrollment_expired_filter_shows_only_expired(client, tenant, client_admin, world):
    response = login(client, client_admin).get(dash(tenant, "?expired=on"))
    body = response.content.decode()
    assert _emails(body) == ["bob", "cid"]
    rows = [r for r in body.split("<tr")[2:] if "data-status" in r]
    assert len(rows) == 2 and all('data-status="X"' in r and "badge-expired" in r for r in rows)
    # htmx swap: just the table part, same rows.
    partial = client.get(dash(tenant, "?expired=on"), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and _emails(partial) == ["bob", "cid"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("course", ["ann", "bob", "cid"]),
        ("group", ["eve"]),
        ("sales_order", ["eve"]),
        ("q", ["cid"]),
    ],
)
def test_other_filters(client, tenant, client_admin, world, query, expected):
    value = {
        "course": world["course"].pk,
        "group": world["group"].pk,
        "sales_order": world["eve_order"].tran_id,  # typed by number
        "q": "cid@",
    }[query]
    body = login(client, client_admin).get(dash(tenant, f"?{query}={value}")).content.decode()
    assert _emails(body) == expected


def _cards(body):
    counts = body.split('id="status-counts"')[1].split("</div>\n</div>")[0]
    return [v.split("</div>")[0] for v in counts.split('class="value">')[1:]]


@pytest.mark.parametrize("query", ["", "?q=cid@", "?group={group}", "?q=zzz"])
def test_status_counts_follow_the_other_filters_with_or_without_expired(client, tenant, client_admin, world, query):
    """The cards count the rows of every filter but Expired: the list's own filter set when the
    Expired and Expiring boxes are off, a second one without them when they are on."""
    query = query.format(group=world["group"].pk)
    login(client, client_admin)
    plain = _cards(client.get(dash(tenant, query)).content.decode())
    joiner = "&" if query else "?"
    with_expired = _cards(client.get(dash(tenant, f"{query}{joiner}expired=on")).content.decode())
    assert plain == with_expired
    if query == "":
        assert plain == ["4", "2", "2"]
    if query == "?q=zzz":
        assert plain == ["0", "0", "0"]


def _row_count(body):
    return int(body.split('id="row-count">')[1].split(" row")[0])


@pytest.mark.parametrize(
    "query", ["", "?q=cid@", "?q=zzz", "?page=1", "?expired=on", "?expiring=on", "?sales_order={foreign}"]
)
def test_the_row_count_is_the_listed_rows_whether_or_not_the_cards_counted_them(
    client, tenant, other_tenant, client_admin, world, query
):
    """Without Expired or Expiring, the paginator takes the cards' count of the same rows (one
    COUNT less); with either on, or with a filter in error (nothing listed, the cards count
    every row), it counts the listed rows itself."""
    foreign = SalesOrder.objects.create(tenant=other_tenant, tran_id="SO-X", end_date=datetime.date(2027, 1, 1))
    body = login(client, client_admin).get(dash(tenant, query.format(foreign=foreign.tran_id))).content.decode()
    listed = body.split("<tbody>")[1].count("<tr ")
    assert _row_count(body) == listed
    if query == "":
        assert listed == 4  # ann, bob, cid, eve (dee is unenrolled)
    if query.startswith("?sales_order"):
        assert listed == 0 and _cards(body) == ["4", "2", "2"]


def test_foreign_filter_value_is_an_error_not_a_leak(client, tenant, other_tenant, client_admin, world):
    foreign = SalesOrder.objects.create(tenant=other_tenant, tran_id="SO-X", end_date=datetime.date(2027, 1, 1))
    body = login(client, client_admin).get(dash(tenant, f"?sales_order={foreign.tran_id}")).content.decode()
    assert "Select a valid choice" in body
    assert _emails(body) == []


def test_an_export_with_a_filter_in_error_holds_what_the_page_lists_nothing(
    client, tenant, other_tenant, client_admin, world
):
    """The dashboard is strict: a filter in error lists nothing, and its export holds nothing
    either (it used to hold every learner)."""
    foreign = SalesOrder.objects.create(tenant=other_tenant, tran_id="SO-X", end_date=datetime.date(2027, 1, 1))
    response = login(client, client_admin).get(dash(tenant, f"?sales_order={foreign.tran_id}&export=csv"))
    assert response.status_code == 200
    assert _csv_rows(response) == []


def test_dashboard_needs_client_dashboard(client, tenant, world):
    for role in ("Learner", "Manager", "Sales Rep"):
        assert login(client, member(tenant, role)).get(dash(tenant)).status_code == 403
        assert login(client, member(tenant, role)).get(report(tenant, "csv")).status_code == 403


def test_dashboard_query_count_is_the_same_at_n_and_3n(client, tenant, client_admin, django_assert_num_queries):
    course = course_with_modules(tenant, modules=1)
    group = UserGroupFactory(tenant=tenant)
    login(client, client_admin)

    def add(n):
        for i in range(n):
            learner = member(tenant, "Learner")
            add_to_group(group, learner)
            enroll(course, learner, **({"status": "X", "end_date": YESTERDAY} if i % 2 else {}))

    # 5 then 15 expired rows: a first page that holds them all is counted by reading it
    add(10)
    with django_assert_num_queries(DASHBOARD_QUERIES - 1):
        assert client.get(dash(tenant, "?expired=on")).status_code == 200
    add(20)
    with django_assert_num_queries(DASHBOARD_QUERIES - 1):
        assert client.get(dash(tenant, "?expired=on")).status_code == 200


def test_the_export_reads_a_fixed_number_of_statements_and_every_column(
    client, tenant, client_admin, django_assert_num_queries
):
    """The rows are read with only the columns the table shows (``DASHBOARD_COLUMNS``): a column
    the table or its export reads but the list leaves out would cost a statement per row."""
    course = course_with_modules(tenant, modules=1)
    group = UserGroupFactory(tenant=tenant, name="North")
    login(client, client_admin)
    by_hand_at = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
    expired_by_hand = {"status": "X", "expired_by_hand": True, "expired_at": by_hand_at}
    kinds = [{}, {"status": "X", "end_date": YESTERDAY}, {"manual": datetime.date(2027, 1, 15)}, expired_by_hand]

    def add(n):
        for i in range(n):
            learner = member(tenant, "Learner")
            add_to_group(group, learner)
            enroll(course, learner, **kinds[i % len(kinds)])

    def export():
        response = client.get(dash(tenant, "?export=csv"))
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    add(4)
    with CaptureQueriesContext(connection) as few:
        rows = export()
    assert len(rows) == 5
    assert {row[5] for row in rows[1:]} == {
        "Last day of access: 06/30/2027",
        f"Last day of access was {YESTERDAY:%m/%d/%Y}",
        "Last day of access: 01/15/2027",
        "Access ended on 03/02/2026 (expired by hand)",
    }
    assert {row[7] for row in rows[1:]} == {"North"}
    add(8)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(export()) == 13


def test_the_plain_dashboard_counts_its_rows_once(client, tenant, client_admin, django_assert_num_queries):
    """Without Expired or Expiring the status cards count the listed rows: no second COUNT."""
    course = course_with_modules(tenant, modules=1)
    login(client, client_admin)
    for _ in range(3):
        enroll(course, member(tenant, "Learner"))
    with django_assert_num_queries(DASHBOARD_QUERIES - 1) as captured:
        assert client.get(dash(tenant, "?q=example")).status_code == 200
    assert sum("COUNT(" in q["sql"] for q in captured.captured_queries) == 1


# Session, membership with its user; whether My courses has anything (a client admin's role takes
# courses); 2 filter choice lists (courses, groups: the sales orders are suggested as one types);
# count, page, groups prefetch; status counts: a full first page of the Expired filter. Without
# the Expired or Expiring filter the status counts stand for the count, and a first page that is
# not full is counted by reading it (one less, either way).
DASHBOARD_QUERIES = 9


def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_organization_report_csv(client, tenant, client_admin, world):
    manager = member(tenant, "Manager", user__email="boss@example.test")
    world["ann"].manager = manager
    world["ann"].save()
    member(tenant, "Learner", user__email="fay@example.test")  # no enrollment at all
    response = login(client, client_admin).get(report(tenant, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = {(r["Email"], r["Course"]): r for r in _csv_rows(response)}
    assert set(rows) == {
        ("ann@example.test", "Negotiation Basics"),
        ("bob@example.test", "Negotiation Basics"),
        ("cid@example.test", "Negotiation Basics"),
        ("dee@example.test", "Negotiation Basics"),
        ("eve@example.test", "Closing Skills"),
        ("fay@example.test", ""),
        ("ca@example.test", ""),  # the Client Admin role takes courses too
    }
    bob = rows[("bob@example.test", "Negotiation Basics")]
    assert (bob["Status"], bob["Last day of access"], bob["Expired at"]) == (
        "Expired",
        "11/22/2026",
        "11/20/2026 12:00 PM",
    )
    assert bob["Sales order"].startswith("SO")
    cid = rows[("cid@example.test", "Negotiation Basics")]
    assert (cid["Status"], cid["Expired at"]) == ("Expired", "")  # past expiry, sweep not run yet
    assert rows[("dee@example.test", "Negotiation Basics")]["Status"] == "Unenrolled"
    ann = rows[("ann@example.test", "Negotiation Basics")]
    assert (ann["Status"], ann["Last day of access"], ann["Manager"], ann["Modules total"]) == (
        "Enrolled",
        "06/30/2027",
        "boss@example.test",
        "3",
    )
    assert rows[("fay@example.test", "")]["Status"] == "Not enrolled"


def test_organization_report_xlsx(client, tenant, client_admin, world):
    response = login(client, client_admin).get(report(tenant, "xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert {"Sales order", "Last day of access", "Expired at", "Status"} <= set(header)
    by_email = {r[header.index("Email")]: r for r in rows[1:]}
    assert by_email["bob@example.test"][header.index("Status")] == "Expired"
    assert len(rows) == 1 + 5 + 1  # header, 5 enrollments, the client admin


def test_report_unknown_format_is_404(client, tenant, client_admin):
    assert login(client, client_admin).get(report(tenant, "pdf")).status_code == 404


def _bulk_learners(tenant, course_version, n, start):
    """``n`` learners with one enrollment each (every third expired), in a few bulk INSERTs."""
    from courses.models import CourseEnrollment, SalesOrder, UserGroupMember
    from tenancy.models import Membership, Role, User

    role = Role.objects.get(tenant=tenant, name="Learner")
    order = SalesOrder.objects.create(tenant=tenant, tran_id=f"SO-BULK-{start}", end_date=datetime.date(2027, 1, 1))
    ended = SalesOrder.objects.create(tenant=tenant, tran_id=f"SO-ENDED-{start}", end_date=YESTERDAY)
    group = UserGroupFactory(tenant=tenant, name=f"Bulk {start}")
    users = User.objects.bulk_create(User(email=f"bulk{start + i}@example.test") for i in range(n))
    members = Membership.objects.bulk_create(Membership(tenant=tenant, user=u, role=role) for u in users)
    UserGroupMember.objects.bulk_create(UserGroupMember(tenant=tenant, group=group, learner=m) for m in members)
    CourseEnrollment.objects.bulk_create(
        CourseEnrollment(
            tenant=tenant,
            learner=m,
            course_id=course_version.course_id,
            version=course_version,
            sales_order=ended if i % 3 == 0 else order,
            status="E",
        )
        for i, m in enumerate(members)
    )


def test_dashboard_query_count_with_5000_learners(client, tenant, client_admin, django_assert_num_queries):
    version = course_with_modules(tenant, modules=1)
    member(tenant, "Learner")  # creates the Learner role
    login(client, client_admin)
    _bulk_learners(tenant, version, 50, 0)
    with django_assert_num_queries(DASHBOARD_QUERIES - 1):  # 17 rows: the first page holds them, no COUNT
        small = client.get(dash(tenant, "?expired=on"))
    _bulk_learners(tenant, version, 4950, 50)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        large = client.get(dash(tenant, "?expired=on"))
    assert "17 rows" in small.content.decode()
    assert "1667 rows" in large.content.decode()


def _typed_report_rows(tenant):
    """The report's enrollment rows formatted in Python from the ORM's typed values (dates,
    datetimes, booleans), as the report was built before the database wrote its dates: the
    reference the report must match byte for byte."""
    from common.export import neutralise, text_formatters
    from courses.access import today_for, with_effective_status
    from courses.models import CourseEnrollment
    from courses.selectors.dashboard import report_progress
    from courses.tables import STATUS_BADGES

    zone = tenant.zone
    _d, _dt = text_formatters(zone)
    progress, totals = report_progress(tenant=tenant)
    rows = (
        with_effective_status(CourseEnrollment.objects.filter(tenant=tenant), today=today_for(tenant))
        .order_by("learner__user__email", "course__name")
        .values_list(
            "learner__user__full_name",
            "learner__user__email",
            "learner__is_active",
            "learner__manager__user__email",
            "course__name",
            "version__number",
            "effective_status",
            "sales_order__tran_id",
            "sales_order__end_date",
            "manual_expiration_date",
            "effective_expiry",
            "expired_at",
            "expired_by_hand",
            "enrolled_at",
            "learner_id",
            "version_id",
        )
    )
    for (
        name,
        email,
        active,
        manager,
        course,
        version,
        status,
        order,
        end,
        manual,
        expiry,
        at,
        hand,
        enrolled,
        lid,
        vid,
    ) in rows:
        completed, last = progress.get((lid, vid), (0, None))
        yield [
            neutralise(name),
            neutralise(email),
            "Yes" if active else "No",
            neutralise(manager or ""),
            neutralise(course),
            version,
            STATUS_BADGES[status][1],
            neutralise(order or ""),
            _d(end),
            _d(manual),
            _d(at.astimezone(zone).date() if hand and status == "X" and at else expiry),
            _dt(at),
            "Yes" if hand else "No",
            _dt(enrolled),
            completed,
            totals.get(vid, 0),
            _dt(last),
        ]


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "Pacific/Chatham"])
def test_organization_report_csv_is_the_typed_values_formatted(client, tenant, client_admin, zone):
    """Awkward values: no dates, dates at year ends and before year 1000, times either side of
    midnight in the workspace's zone, quotes, commas, unicode and formula-like names."""
    from common.export import csv_chunks
    from courses.models import CourseEnrollment
    from courses.views.dashboard import REPORT_HEADER, _report_rows

    from .factories import CourseEnrollmentFactory, ModuleProgressFactory

    tenant.time_zone = zone
    tenant.save()
    utc = datetime.UTC
    version = course_with_modules(tenant, modules=2, name='Negotiation, "Advanced" – Zoë')
    other = course_with_modules(tenant, modules=1, name="=Closing Skills")
    boss = member(tenant, "Manager", user__email="+boss@example.test", user__full_name="Boss")
    names = ['Ann "The Closer" O\'Neil', "Smith, Jr.", "Zoë Ünïcødé", "=HYPERLINK(1)", "-minus", "@at"]
    people = [
        member(tenant, "Learner", user__email=f"p{i}@example.test", user__full_name=n, is_active=bool(i % 2))
        for i, n in enumerate(names)
    ]
    people[0].manager = boss
    people[0].save()
    year_end = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=utc)
    cases = [
        {"end_date": datetime.date(2026, 12, 31), "enrolled_at": year_end},
        {
            "status": "X",
            "expired_by_hand": True,
            "expired_at": datetime.datetime(2027, 1, 1, 4, 59, 59, 999_999, tzinfo=utc),
            "enrolled_at": datetime.datetime(2026, 1, 1, 0, 0, tzinfo=utc),
        },
        {"status": "X", "expired_by_hand": True, "expired_at": None, "end_date": datetime.date(2027, 1, 1)},
        {"status": "U", "sales_order": None},
        {"manual": datetime.date(999, 12, 31), "enrolled_at": datetime.datetime(2027, 1, 1, 0, 0, 1, tzinfo=utc)},
        {"status": "X", "expired_at": year_end, "manual": datetime.date(9999, 12, 31)},
    ]
    for person, case in zip(people, cases, strict=True):
        if case.get("sales_order", "") is None:
            CourseEnrollmentFactory(tenant=tenant, version=version, course=version.course, learner=person, **case)
        else:
            enroll(version, person, **case)
    enroll(other, people[0], manual=datetime.date(2026, 1, 1))
    module = version.modules.order_by("position").first()
    ModuleProgressFactory(tenant=tenant, module=module, learner=people[1], started_at=year_end, completed_at=year_end)
    assert CourseEnrollment.objects.filter(tenant=tenant).count() == 7

    response = login(client, client_admin).get(report(tenant, "csv"))
    body = b"".join(response.streaming_content).decode("utf-8")
    expected = list(_typed_report_rows(tenant))
    tail = list(_report_rows(tenant))[len(expected) :]  # the learners with no enrollment
    assert body == "".join(csv_chunks(REPORT_HEADER, [*expected, *tail], formatted=True))
    assert len(tail) == 1  # the client admin (a Manager's role takes no courses)


def suggestions(tenant, text):
    url = reverse("courses:sales_order_suggestions", kwargs={"tenant_slug": tenant.slug})
    return f"{url}?sales_order={text}"


def _option_values(body):
    return [part.split('"')[0] for part in body.split('<option value="')[1:]]


def test_the_sales_order_filter_lists_no_order_with_the_page(client, tenant, client_admin, world):
    """A client's NetSuite holds thousands of orders: the box suggests them as one types (the
    activity log's actor picker), the page renders none and reads none."""
    for i in range(30):
        SalesOrderFactory(tenant=tenant, tran_id=f"SO-BIG-{i}")
    login(client, client_admin)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(dash(tenant)).content.decode()
    assert not any('FROM "courses_salesorder"' in q["sql"].split(" WHERE ")[0] for q in captured.captured_queries)
    box = body.split('name="sales_order"')[0].rsplit("<input", 1)[1] + body.split('name="sales_order"')[1]
    assert 'list="id_sales_order-options"' in box and "hx-get" in box
    assert "SO-BIG-" not in body


def test_sales_order_suggestions_match_the_number_or_the_customer_of_this_workspace_only(
    client, tenant, other_tenant, client_admin
):
    SalesOrderFactory(tenant=tenant, tran_id="SO-10560", customer="Initech")
    SalesOrderFactory(tenant=tenant, tran_id="SO-10561", customer="Globex Retail")
    SalesOrderFactory(tenant=tenant, tran_id="SO-20001", customer="Initech West")
    for i in range(25):
        SalesOrderFactory(tenant=tenant, tran_id=f"SO-3{i:04}", customer="Umbrella")
    SalesOrderFactory(tenant=other_tenant, tran_id="SO-10569", customer="Initech")
    login(client, client_admin)
    assert _option_values(client.get(suggestions(tenant, "1056")).content.decode()) == ["SO-10560", "SO-10561"]
    body = client.get(suggestions(tenant, "initech")).content.decode()
    assert _option_values(body) == ["SO-10560", "SO-20001"]
    assert "SO-10560 (Initech), ends" in body
    assert len(_option_values(client.get(suggestions(tenant, "")).content.decode())) == 20  # the first twenty


def test_sales_order_suggestions_need_the_client_dashboard(client, tenant):
    learner = member(tenant, "Learner")
    assert login(client, learner).get(suggestions(tenant, "SO")).status_code == 403


def test_an_order_chosen_by_number_filters_the_list_and_its_export(client, tenant, client_admin, world):
    login(client, client_admin)
    number = world["eve_order"].tran_id
    body = client.get(dash(tenant, f"?sales_order={number}")).content.decode()
    assert _emails(body) == ["eve"]
    assert f'value="{number}"' in body  # the box keeps the number typed
    rows = _csv_rows(client.get(dash(tenant, f"?sales_order={number}&export=csv")))
    assert len(rows) == 1 and "eve@example.test" in rows[0].values()


def test_the_precompiled_counts_of_every_row_are_the_querysets_on_any_day(tenant, other_tenant, world):
    """The dashboard as it opens counts by a statement compiled once: each call's workspace and
    day (Cid's order ends yesterday: expired today, enrolled the day before)."""
    from courses.selectors.dashboard import dashboard_counts, dashboard_enrollments, unfiltered_dashboard_counts

    course = course_with_modules(other_tenant, modules=1)
    enroll(course, member(other_tenant, "Learner"))
    for workspace in (tenant, other_tenant, tenant):
        for day in (YESTERDAY - datetime.timedelta(days=1), YESTERDAY, YESTERDAY + datetime.timedelta(days=1)):
            expected = dashboard_counts(dashboard_enrollments(tenant=workspace, today=day))
            assert unfiltered_dashboard_counts(tenant=workspace, today=day) == expected
    before = unfiltered_dashboard_counts(tenant=tenant, today=YESTERDAY)
    after = unfiltered_dashboard_counts(tenant=tenant, today=YESTERDAY + datetime.timedelta(days=1))
    assert (before["expired"], after["expired"]) == (1, 2)  # Bob swept; Cid expired from today
    assert unfiltered_dashboard_counts(tenant=other_tenant, today=YESTERDAY)["enrollments"] == 1


def test_a_long_page_as_it_opens_shows_every_learners_groups(client, tenant, client_admin):
    """Forty learners on one page (?per_page=50): their groups read by the statement for 64 ids."""
    course = course_with_modules(tenant, modules=1, name="Negotiation")
    learners = [member(tenant, "Learner", user__email=f"l{i:02}@example.test") for i in range(40)]
    for learner in learners:
        enroll(course, learner)
    add_to_group(UserGroupFactory(tenant=tenant, name="Last"), learners[-1])
    login(client, client_admin)
    response = client.get(dash(tenant, "?per_page=50"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("l39@example.test") == 1 and "Last" in body
