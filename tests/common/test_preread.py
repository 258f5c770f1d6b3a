"""The list as it opens reads its first page by a statement compiled once (common.preread): every
request shows what it shows without that statement, which is used only for the plain first page
and reads it once."""

import re

import pytest
from django.urls import reverse

from common import preread
from tests.conftest import login
from tests.courses.factories import course_with_modules, enroll
from tests.factories import member
from tests.statements import recorded_statements

pytestmark = pytest.mark.django_db

PLAIN = ("", "?per_page=10", "?page=1", "?q=")


def _shown(client, url) -> list[str]:
    """The first cell of each row, and the number of rows the page says the list has."""
    body = client.get(url).content.decode()
    count = re.findall(r'id="row-count">([^<]*)<', body)
    return [*count, *re.findall(r"<tr [^>]*>\s*<td[^>]*>(.*?)</td>", body.split("<tbody>")[1])]


def _compare(
    client, url, query, monkeypatch, table_sql: str, *, read_by_statement: bool | None = None, counts_by_statement=True
):
    """``counts_by_statement``: a full first page read by its statement is counted by one too
    (not when the view knows the number already)."""
    used = []
    statement_of = preread.page_statement

    def spying(*args, **kwargs):
        used.append(args[0])
        return statement_of(*args, **kwargs)

    monkeypatch.setattr(preread, "page_statement", spying)
    with recorded_statements() as statements:
        shown = _shown(client, url + query)
    monkeypatch.setattr(preread, "page_statement", lambda *args, **kwargs: None)
    assert shown and shown == _shown(client, url + query)
    assert re.fullmatch(r"[\d,]+ rows?", shown[0]), shown[0]  # the count is compared too
    counted = [key for key in used if key[1:2] == ("count",)]
    assert len(counted) == (1 if used and counts_by_statement else 0)
    # The session's membership is read by one row (LIMIT 1); the page by its size.
    pages = [sql for sql in statements if sql.startswith(table_sql) and re.search(r" LIMIT (?!1$)\d+", sql)]
    assert len(pages) == 1, pages  # the page is read once, by the statement or by the queryset
    assert bool(used) is (query in PLAIN if read_by_statement is None else read_by_statement)


@pytest.mark.parametrize("query", [*PLAIN, "?page=2", "?sort=-email", "?q=rep", "?role={role}", "?is_active=true"])
def test_all_users(client, tenant, query, monkeypatch):
    admin = member(tenant, "Administrator")
    for i in range(30):
        rep = member(tenant, "Sales Rep", user__email=f"rep{i:02}@example.test")
    query = query.format(role=rep.role_id)
    login(client, admin)
    url = reverse("balances:user_list", kwargs={"tenant_slug": tenant.slug})
    # Its count is the members' (balances.selectors.member_count), not the page's.
    sql = 'SELECT "tenancy_membership"."id", "tenancy_membership"."tenant_id"'
    _compare(client, url, query, monkeypatch, sql, counts_by_statement=False)


@pytest.mark.parametrize("query", [*PLAIN, "?page=2", "?sort=-course", "?q=example", "?course={course}"])
def test_client_dashboard(client, tenant, query, monkeypatch):
    course = course_with_modules(tenant, modules=1, name="Negotiation")
    for _ in range(30):
        enroll(course, member(tenant, "Learner"))
    query = query.format(course=course.course_id)
    login(client, member(tenant, "Client Admin"))
    url = reverse("courses:client_dashboard", kwargs={"tenant_slug": tenant.slug})
    # The status cards counted the rows already.
    _compare(client, url, query, monkeypatch, 'SELECT "courses_courseenrollment"."id"', counts_by_statement=False)


@pytest.mark.parametrize(
    "query", [*PLAIN, "?page=2", "?sort=-expiration_date", "?q=Partner", "?view=stale", "?account={account}"]
)
@pytest.mark.parametrize("tab", ["enrollments/", "programs/{program}/enrollments/"])
def test_partner_enrollments(client, tenant, query, tab, monkeypatch):
    """The workspace's list; a program's own tab lists its rows by its queryset."""
    from tests.partners.factories import PartnerEnrollmentFactory, PartnerProgramFactory, tier

    program = PartnerProgramFactory(tenant=tenant)
    build = tier(program, "Build")
    rows = [PartnerEnrollmentFactory(program=program, tier=build) for _ in range(30)]
    query = query.format(account=rows[0].account_id)
    login(client, member(tenant, "Administrator"))
    url = f"/w/{tenant.slug}/partners/" + tab.format(program=program.pk)
    plain = query in PLAIN and tab == "enrollments/"
    _compare(client, url, query, monkeypatch, 'SELECT "partners_partnerenrollment"."id"', read_by_statement=plain)


@pytest.mark.parametrize("query", [*PLAIN, "?page=2", "?sort=verb", "?q=Plan", "?action=create"])
def test_activity(client, tenant, query, monkeypatch):
    from activity.models import Action, ActivityEntry

    for i in range(30):
        entry = {"action": Action.CREATE, "verb": "created", "object_type": "Plan", "object_label": f"Plan {i}"}
        ActivityEntry.objects.create(tenant=tenant, **entry)
    login(client, member(tenant, "Administrator"))
    url = reverse("activity:activity_list", kwargs={"tenant_slug": tenant.slug})
    _compare(client, url, query, monkeypatch, 'SELECT "activity_activityentry"."id"')


def test_a_page_window_builds_the_queryset_only_for_more_than_its_page(tenant):
    """``PageWindow``: its slice answers with its rows; another slice, an iteration or a sort
    builds the list's queryset, once, and answers from it."""
    import django_tables2 as tables

    from tenancy.models import Membership

    members = [member(tenant, "Sales Rep") for _ in range(6)]
    built = []

    def queryset():
        built.append(1)
        return Membership.objects.filter(tenant=tenant).order_by("pk")

    class Members(tables.Table):
        id = tables.Column()

    page = list(queryset()[2:4])
    built.clear()
    window = preread.PageWindow(page, count=len(members), start=2, stop=4, queryset=queryset)
    table = Members(window)
    assert len(window) == 6 and window[2:4] is page and built == []
    assert [m.pk for m in window[0:2]] == [m.pk for m in members[:2]] and built == [1]
    assert [m.pk for m in window] == [m.pk for m in members] and built == [1]
    table.order_by = "-id"
    assert [m.pk for m in window[0:2]] == [m.pk for m in members[::-1][:2]] and built == [1]


@pytest.mark.parametrize("query", [*PLAIN, "?page=2", "?sort=-name", "?q=Plan 1", "?status=draft"])
def test_all_plans(client, tenant, query, monkeypatch):
    from tests.plans.factories import BeneficiaryFactory, PlanFactory

    for i in range(30):
        plan = PlanFactory(tenant=tenant, name=f"Plan {i:02}")
        for _ in range(i % 3):
            BeneficiaryFactory(plan=plan, user=member(tenant, "Sales Rep").user)
    login(client, member(tenant, "Administrator"))
    url = reverse("plans:plan_list", kwargs={"tenant_slug": tenant.slug})
    _compare(client, url, query, monkeypatch, 'SELECT "plans_plan"."id"')
