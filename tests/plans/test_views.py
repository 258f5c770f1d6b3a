import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import ActivityEntry
from enrollments.models import PlanEnrollment
from enrollments.selectors import beneficiary_statuses
from plans.models import Calculation, Plan, PlanBeneficiary
from tests.conftest import login
from tests.factories import member
from tests.plans.factories import (
    BeneficiaryFactory,
    CalculationFactory,
    CreditFactory,
    EnrollmentFactory,
    PlanDocumentFactory,
    PlanFactory,
    RewardFactory,
    TeamFactory,
    TeamMemberFactory,
)
from tests.plans.helpers import bulk_beneficiaries, bulk_reps
from tests.statements import recorded_statements

pytestmark = pytest.mark.django_db


def u(tenant, name, **kw):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kw})


@pytest.fixture
def plan(tenant):
    plan = PlanFactory(tenant=tenant, name="FY26 Enterprise Plan")
    PlanDocumentFactory(plan=plan)
    return plan


def test_all_plans_lists_searches_and_swaps_with_htmx(admin_client, tenant, other_tenant):
    PlanFactory(tenant=tenant, name="Alpha Plan")
    PlanFactory(tenant=tenant, name="Beta Plan", status="draft")
    PlanFactory(tenant=other_tenant, name="Alpha Foreign")
    response = admin_client.get(u(tenant, "plans:plan_list"))
    assert response.status_code == 200
    assert b"Alpha Plan" in response.content and b"Alpha Foreign" not in response.content
    response = admin_client.get(u(tenant, "plans:plan_list"), {"q": "beta"}, headers={"HX-Request": "true"})
    assert b"<html" not in response.content and b"Beta Plan" in response.content
    assert b"Alpha Plan" not in response.content
    response = admin_client.get(u(tenant, "plans:plan_list"), {"export": "csv"})
    assert b"Alpha Plan" in b"".join(response.streaming_content)


def test_all_plans_costs_the_same_queries_at_n_and_3n(admin_client, tenant, django_assert_num_queries):
    for _ in range(10):
        BeneficiaryFactory(plan=PlanFactory(tenant=tenant))
    # session, membership with its user, page (ten plans: the first page holds them, no COUNT)
    with django_assert_num_queries(3) as ctx:
        admin_client.get(u(tenant, "plans:plan_list"))
    for _ in range(20):
        PlanFactory(tenant=tenant)
    with django_assert_num_queries(len(ctx.captured_queries) + 1):  # and the COUNT of a full first page
        admin_client.get(u(tenant, "plans:plan_list"))


def test_all_plans_counts_distinct_people_as_the_beneficiaries_tab(admin_client, tenant, other_tenant):
    """A team counts as its members, a person assigned directly and through a team counts once,
    and someone no longer a member of the workspace does not count: the tab's "of N"."""
    from enrollments.selectors import enrollment_counts

    plan = PlanFactory(tenant=tenant, name="Team plan")
    reps = [member(tenant, "Sales Rep").user for _ in range(4)]
    team = TeamFactory(tenant=tenant)
    for user in reps[1:]:
        TeamMemberFactory(team=team, user=user)
    BeneficiaryFactory(plan=plan, user=reps[0])
    BeneficiaryFactory(plan=plan, user=reps[1])  # also in the team
    BeneficiaryFactory(plan=plan, team=team, user=None)
    outsider = member(other_tenant, "Sales Rep").user  # a team member who is not in this workspace
    TeamMemberFactory(team=team, user=outsider)
    PlanFactory(tenant=tenant, name="Empty plan")

    table = admin_client.get(u(tenant, "plans:plan_list"), {"export": "csv"})
    rows = b"".join(table.streaming_content).decode().splitlines()
    team_row = next(r for r in rows if r.startswith("Team plan"))
    empty_row = next(r for r in rows if r.startswith("Empty plan"))
    assert enrollment_counts(plan=plan)["total"] == 4
    assert team_row.endswith(",4") and empty_row.endswith(",0")


def test_create_plan_shows_field_errors_and_changes_nothing(admin_client, tenant, plan):
    data = {
        "name": "fy26 enterprise plan",
        "period_start": "2026-06-01",
        "period_end": "2026-01-01",
        "currency": "dollars",
        "status": "active",
        "commission_rate": "150",
        "enrollment_option": "signature",
    }
    response = admin_client.post(u(tenant, "plans:plan_create"), data)
    assert response.status_code == 200
    for message in (
        b"A plan with this name already exists",
        b"The period must end on or after its start",
        b"Formal enrollment requires a legally protected plan",
        b"between 0 and 100",
    ):
        assert message in response.content
    assert Plan.objects.filter(tenant=tenant).count() == 1

    data.update(name="FY27", period_end="2026-12-31", currency="usd", commission_rate="4", legally_protected="on")
    data["terms"] = "Pays 4%."
    response = admin_client.post(u(tenant, "plans:plan_create"), data)
    created = Plan.objects.get(tenant=tenant, name="FY27")
    assert response.status_code == 302 and created.currency == "USD" and created.documents.count() == 1


def test_edit_plan_logs_changes(admin_client, tenant, plan):
    data = {
        "name": plan.name,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "currency": "USD",
        "status": "archived",
        "commission_rate": "5",
        "legally_protected": "on",
        "enrollment_option": "checkbox",
        "terms": plan.documents.get().body,
    }
    response = admin_client.post(u(tenant, "plans:plan_edit", plan_id=plan.pk), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "archived" and plan.documents.count() == 1
    entry = ActivityEntry.objects.get(tenant=tenant, object_type="Plan", action="update")
    assert entry.changes == {"status": ["active", "archived"]}


def test_every_tab_renders(admin_client, tenant, plan):
    calc = CalculationFactory(plan=plan)
    CreditFactory(calculation=calc)
    RewardFactory(plan=plan, calculation=calc)
    EnrollmentFactory(plan=plan)
    for name in (
        "plans:plan_detail",
        "enrollments:beneficiary_list",
        "plans:credit_list",
        "plans:calculation_list",
        "plans:reward_list",
        "enrollments:enrollment_history",
        "plans:plan_edit",
        "plans:beneficiary_add",
    ):
        response = admin_client.get(u(tenant, name, plan_id=plan.pk))
        assert response.status_code == 200, name
        assert b"FY26 Enterprise Plan" in response.content


@pytest.mark.parametrize("role_name", ["Sales Rep", "Manager", "Learner", "Partner User", "Client Admin"])
def test_plan_pages_need_manage_plans(client, tenant, plan, role_name):
    login(client, member(tenant, role_name))
    for name in ("plans:plan_detail", "enrollments:beneficiary_list", "enrollments:reset_enrollments"):
        assert client.get(u(tenant, name, plan_id=plan.pk)).status_code == 403
    assert client.post(u(tenant, "enrollments:reset_enrollments", plan_id=plan.pk)).status_code == 403
    assert client.get(u(tenant, "plans:plan_list")).status_code == 403


def test_enrollment_history_is_for_administrators_only(client, tenant, plan):
    planner = member(tenant, "Plan Admin")
    planner.role.capabilities = ["manage_plans"]
    planner.role.save()
    login(client, planner)
    assert client.get(u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk)).status_code == 200
    assert client.get(u(tenant, "enrollments:enrollment_history", plan_id=plan.pk)).status_code == 403


# Beneficiaries tab and Reset Enrollments --------------------------------------------------------


def test_beneficiaries_tab_shows_status_counts_and_filters(admin_client, tenant, plan):
    users = bulk_reps(tenant, 9)
    bulk_beneficiaries(plan, users, enroll_every=3)  # 3 enrolled
    response = admin_client.get(u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk))
    assert b"3 of 9 enrolled" in response.content
    assert response.content.count(b"Not yet enrolled") == 6
    response = admin_client.get(
        u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk),
        {"status": "enrolled"},
        headers={"HX-Request": "true"},
    )
    assert b"<html" not in response.content and b"3 rows" in response.content
    assert response.content.count(b"badge-ok status") == 3


def test_beneficiaries_tab_costs_the_same_queries_at_1000_and_3000(
    admin_client, tenant, plan, django_assert_num_queries, settings
):
    settings.READS_EVERY_ROW_FROM_MEMBERS = 1000  # a large workspace, at 1,001 members and at 3,001
    team = TeamFactory(tenant=tenant)
    BeneficiaryFactory(plan=plan, user=None, team=team)
    users = bulk_reps(tenant, 1000)
    bulk_beneficiaries(plan, users, enroll_every=2)
    url = u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk)
    # session, membership with its user, plan, current terms, count "N of M" (the table's count too),
    # teams, latest reset (to offer Undo reset), table page; on PostgreSQL the count and the page
    # read every beneficiary of a workspace of over READS_EVERY_ROW_FROM_MEMBERS members and are
    # planned with hash joins: a setting and its restoring around each (common.planner)
    with django_assert_num_queries(12 if connection.vendor == "postgresql" else 8) as ctx:
        response = admin_client.get(url)
    assert b"500 of 1000 enrolled" in response.content
    more = bulk_reps(tenant, 2000, prefix="more")
    bulk_beneficiaries(plan, more[:1000], enroll_every=2)
    for user in more[1000:]:
        TeamMemberFactory(team=team, user=user)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = admin_client.get(url)
    assert b"1000 of 3000 enrolled" in response.content


@pytest.mark.parametrize(
    ("query", "own_count"),
    [
        ({}, False),
        ({"status": "enrolled"}, False),
        ({"status": "not_enrolled"}, False),
        ({"status": "viewed"}, True),
        ({"q": "Rep 00001"}, True),
        ({"status": "not_enrolled", "q": "Rep 00001"}, True),
    ],
)
def test_beneficiaries_tab_lists_as_many_rows_as_it_says(admin_client, tenant, plan, query, own_count):
    """The list's total comes from "N of M enrolled" when that count covers it: the page links and
    "x rows" must still say what the list holds, and a search or a terms filter counts itself
    (here by reading its first page, which holds all its rows)."""
    bulk_beneficiaries(plan, bulk_reps(tenant, 60), enroll_every=3)  # 20 enrolled
    listed = beneficiary_statuses(plan=plan, status=query.get("status", ""), search=query.get("q", "")).count()
    if "q" not in query:
        assert listed == {"enrolled": 20, "not_enrolled": 40, "viewed": 0}.get(query.get("status"), 60)
    url = u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk)
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(url, query)
    assert b"20 of 60 enrolled" in response.content
    assert f">{listed} row".encode() in response.content
    page_size = settings.PORTAL_PAGE_SIZE
    if listed > page_size:
        pages = -(-listed // page_size)
        assert f'page={pages}"'.encode() in response.content
        assert f'page={pages + 1}"'.encode() not in response.content
        assert f"1–{page_size} of {listed}".encode() in response.content
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT")]
    assert len(counts) == (2 if own_count and listed >= page_size else 1)


def test_reset_enrollments_confirms_with_the_count_then_resets(admin_client, tenant, plan, admin_member):
    users = bulk_reps(tenant, 12)
    bulk_beneficiaries(plan, users, enroll_every=3)  # 4 enrolled
    url = u(tenant, "enrollments:reset_enrollments", plan_id=plan.pk)
    dialog = admin_client.get(url, headers={"HX-Request": "true"})
    assert b"<dialog" in dialog.content and b"Reset 4 enrollments of FY26 Enterprise Plan?" in dialog.content
    response = admin_client.post(url, follow=True)
    assert b"Reset 4 enrollments" in response.content
    assert b"0 of 12 enrolled" in response.content
    assert PlanEnrollment.objects.filter(plan=plan).count() == 4  # kept, only hidden
    history = admin_client.get(u(tenant, "enrollments:enrollment_history", plan_id=plan.pk))
    assert history.content.count(b'badge-muted">Reset') == 4
    response = admin_client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"].endswith(f"/plans/{plan.pk}/beneficiaries/")
    assert ActivityEntry.objects.filter(tenant=tenant, verb="reset enrollments").count() == 1


def test_add_and_remove_beneficiaries(admin_client, tenant, plan, other_tenant):
    rep = member(tenant, "Sales Rep")
    team = TeamFactory(tenant=tenant)
    foreign = member(other_tenant, "Sales Rep")
    add = u(tenant, "plans:beneficiary_add", plan_id=plan.pk)
    response = admin_client.post(add, {"users": [foreign.user.pk]})
    assert b"Select a valid choice" in response.content
    response = admin_client.post(add, {})
    assert b"Pick at least one user or team" in response.content
    response = admin_client.post(add, {"users": [rep.user.pk], "teams": [team.pk]}, follow=True)
    assert b"Added 2 beneficiaries" in response.content
    entry = PlanBeneficiary.objects.get(plan=plan, user=rep.user)
    response = admin_client.post(u(tenant, "plans:beneficiary_remove", beneficiary_id=entry.pk), follow=True)
    assert b"Removed" in response.content
    assert list(PlanBeneficiary.objects.filter(plan=plan).values_list("team", flat=True)) == [team.pk]


# Calculations and deletions ------------------------------------------------------------------


def test_run_release_and_delete_a_calculation(admin_client, tenant, plan):
    run = u(tenant, "plans:calculation_run", plan_id=plan.pk)
    response = admin_client.post(run, {"period_start": "2026-03-01", "period_end": "2026-02-01"})
    assert b"must end on or after" in response.content
    response = admin_client.post(run, {"period_start": "2026-01-01", "period_end": "2026-03-31"}, follow=True)
    assert b"Calculated" in response.content
    calc = Calculation.objects.get(plan=plan)
    response = admin_client.post(run, {"period_start": "2026-02-01", "period_end": "2026-02-28"})
    assert b"covers part of this period" in response.content

    response = admin_client.post(u(tenant, "plans:calculation_release", calculation_id=calc.pk), follow=True)
    assert b"Released 0 rewards" in response.content
    CreditFactory(calculation=calc)
    RewardFactory(plan=plan, calculation=calc)
    delete = u(tenant, "plans:calculation_delete", calculation_id=calc.pk)
    assert b"with its 1 credits and 1 rewards" in admin_client.get(delete).content
    response = admin_client.post(delete, follow=True)
    assert b"Deleted calculation" in response.content and not Calculation.objects.filter(pk=calc.pk).exists()


def test_delete_plan_states_counts_and_records(admin_client, tenant, plan):
    calc = CalculationFactory(plan=plan)
    CreditFactory(calculation=calc)
    RewardFactory(plan=plan, calculation=calc)
    url = u(tenant, "plans:plan_delete", plan_id=plan.pk)
    assert b"1 calculations, 1 credits, 1 rewards" in admin_client.get(url).content
    response = admin_client.post(url, follow=True)
    assert b"Deleted plan FY26 Enterprise Plan" in response.content
    assert response.redirect_chain[-1][0] == u(tenant, "plans:plan_list")
    assert ActivityEntry.objects.get(tenant=tenant, object_type="Plan", action="delete").changes["credits"] == [1, 0]


def test_teams_create_and_edit(admin_client, tenant):
    a, b = member(tenant, "Sales Rep"), member(tenant, "Sales Rep")
    response = admin_client.post(u(tenant, "plans:team_create"), {"name": "West", "users": [a.user.pk]})
    assert response.status_code == 302
    team = TeamFactory._meta.model.objects.get(tenant=tenant, name="West")
    response = admin_client.post(u(tenant, "plans:team_create"), {"name": "west"})
    assert b"already exists" in response.content
    response = admin_client.post(
        u(tenant, "plans:team_edit", team_id=team.pk), {"name": "West Coast", "users": [b.user.pk]}
    )
    assert response.status_code == 302
    assert [m.user_id for m in team.members.all()] == [b.user.pk]
    assert b"West Coast" in admin_client.get(u(tenant, "plans:team_list")).content


# The beneficiary's own pages -----------------------------------------------------------------


def test_rep_sees_only_own_plans_and_enrolls_with_checkbox(client, tenant, plan):
    rep = member(tenant, "Sales Rep")
    BeneficiaryFactory(plan=plan, user=rep.user)
    not_mine = PlanFactory(tenant=tenant, name="Someone Else's Plan")
    draft = PlanFactory(tenant=tenant, name="Draft Plan", status="draft")
    BeneficiaryFactory(plan=draft, user=rep.user)
    login(client, rep)
    home = client.get(reverse("workspace_home", kwargs={"tenant_slug": tenant.slug}))
    assert b"Plans waiting for your enrollment" in home.content and b"My plans" in home.content
    page = client.get(u(tenant, "enrollments:my_plans"))
    assert b"FY26 Enterprise Plan" in page.content and b"Not yet enrolled" in page.content
    assert b"Someone Else" not in page.content and b"Draft Plan" not in page.content
    assert client.get(u(tenant, "enrollments:my_plan", plan_id=not_mine.pk)).status_code == 404
    assert client.post(u(tenant, "enrollments:my_plan", plan_id=not_mine.pk), {"accepted": "on"}).status_code == 404

    url = u(tenant, "enrollments:my_plan", plan_id=plan.pk)
    response = client.get(url)
    assert b"The plan pays 5%" in response.content  # the terms
    response = client.post(url, {})
    assert b"Tick the box" in response.content and not PlanEnrollment.objects.exists()
    response = client.post(url, {"accepted": "on"}, REMOTE_ADDR="198.51.100.20", follow=True)
    assert b"You are enrolled in FY26 Enterprise Plan" in response.content
    enrollment = PlanEnrollment.objects.get(plan=plan, user=rep.user)
    assert enrollment.ip_address == "198.51.100.20" and enrollment.document.version == 1
    home = client.get(reverse("workspace_home", kwargs={"tenant_slug": tenant.slug}))
    assert b"Plans waiting for your enrollment" not in home.content


def test_rep_signs_with_typed_name_and_sees_released_rewards(client, tenant):
    plan = PlanFactory(tenant=tenant, name="Signature Plan", enrollment_option="signature")
    rep = member(tenant, "Sales Rep", user__full_name="Riley Rep")
    BeneficiaryFactory(plan=plan, user=rep.user)
    RewardFactory(
        plan=plan, user=rep.user, amount="321.00", released=True, released_at=datetime.datetime.now(datetime.UTC)
    )
    RewardFactory(plan=plan, user=rep.user, amount="999.00", released=False)
    RewardFactory(plan=plan, amount="777.00", released=True)  # somebody else's
    login(client, rep)
    url = u(tenant, "enrollments:my_plan", plan_id=plan.pk)
    response = client.post(url, {"signature": "Robin Rep"})
    assert b"must match your name: Riley Rep" in response.content
    client.post(url, {"signature": "riley rep"})
    assert PlanEnrollment.objects.get(plan=plan, user=rep.user).signature == "riley rep"
    page = client.get(u(tenant, "enrollments:my_plans"))
    assert b"USD 321.00" in page.content and b"999.00" not in page.content and b"777.00" not in page.content
    assert b"Enrolled" in page.content


def test_my_plans_needs_the_capability(client, tenant):
    login(client, member(tenant, "Learner"))
    assert client.get(u(tenant, "enrollments:my_plans")).status_code == 403


def _fill_plan(plan, n):
    calc = CalculationFactory(plan=plan, period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 1, 1))
    for _ in range(n):
        user = member(plan.tenant, "Sales Rep").user
        CreditFactory(calculation=calc, user=user)
        RewardFactory(plan=plan, calculation=calc, user=user, released_at=datetime.datetime.now(datetime.UTC))
        EnrollmentFactory(plan=plan, user=user)
        BeneficiaryFactory(plan=plan, user=user)


@pytest.mark.parametrize(
    "name",
    [
        "plans:plan_detail",
        "plans:credit_list",
        "plans:calculation_list",
        "plans:reward_list",
        "enrollments:enrollment_history",
    ],
)
def test_plan_tabs_cost_the_same_queries_at_n_and_3n(admin_client, tenant, plan, name, django_assert_num_queries):
    url = u(tenant, name, plan_id=plan.pk)
    _fill_plan(plan, 3)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        admin_client.get(url)
    _fill_plan(plan, 6)
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert admin_client.get(url).status_code == 200


def test_my_plans_costs_the_same_queries_at_n_and_3n(client, tenant, django_assert_num_queries):
    rep = member(tenant, "Sales Rep")
    login(client, rep)

    def fill(n):
        for _ in range(n):
            plan = PlanFactory(tenant=tenant)
            BeneficiaryFactory(plan=plan, user=rep.user)
            RewardFactory(plan=plan, user=rep.user, released_at=datetime.datetime.now(datetime.UTC))

    fill(2)
    url = u(tenant, "enrollments:my_plans")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    fill(4)
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert client.get(url).status_code == 200


def test_delete_dialogs_say_what_was_released_and_whose_balance_changes(admin_client, tenant, plan):
    """Released credits and rewards are stated apart (they vanish from personal pages), and the
    owed balances that recoverable rewards of the plan make up are named with their change."""
    rhea = member(tenant, "Sales Rep", user__email="rhea@acme-test.test", user__full_name="Rhea Lee")
    calc = CalculationFactory(plan=plan)
    CreditFactory(calculation=calc, released=True)
    CreditFactory(calculation=calc, released=True)
    CreditFactory(calculation=calc)
    RewardFactory(plan=plan, calculation=calc, released=True)
    RewardFactory(plan=plan, calculation=calc, user=rhea.user, recoverable=True, released=True, amount=300)
    RewardFactory(plan=plan, user=rhea.user, recoverable=True, amount=200)  # a draw on the plan
    other = PlanFactory(tenant=tenant)
    RewardFactory(plan=other, user=rhea.user, recoverable=True, amount=50)  # stays

    dialog = admin_client.get(u(tenant, "plans:calculation_delete", calculation_id=calc.pk)).content.decode()
    assert "Released: 2 credits and 2 rewards. They disappear from the beneficiaries&#x27; own pages." in dialog
    assert "Not released: 1 credit and 0 rewards." in dialog
    assert "Owed balance of Rhea Lee (rhea@acme-test.test): USD -300.00" in dialog

    dialog = admin_client.get(u(tenant, "plans:plan_delete", plan_id=plan.pk)).content.decode()
    assert "Owed balance of Rhea Lee (rhea@acme-test.test): USD -500.00" in dialog
    admin_client.post(u(tenant, "plans:plan_delete", plan_id=plan.pk))
    entry = ActivityEntry.objects.get(tenant=tenant, object_type="Plan", action="delete")
    assert entry.changes["owed balances"] == ["Rhea Lee (rhea@acme-test.test): USD -500.00"]
    assert entry.changes["rewards_released"] == [3, 0]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page=2",
        "?status=enrolled",
        "?status=not_enrolled&page=2&per_page=5",
        "?per_page=7&page=3",
        "?sort=-email",
        "?sort=-email&page=2",
        "?page=99",
        "?page=2&per_page=20",
        "?page=abc",
        "?page=0",
        "?q=rep",
        "?status=bogus",
    ],
)
def test_the_beneficiaries_page_read_by_its_precompiled_statement_is_the_querysets(
    admin_client, tenant, plan, query, monkeypatch
):
    """The tab as it opens reads its page by a statement compiled once per status and page; every
    request shows the rows it shows without that statement (sorted, searched, a page out of
    range, a bad value: the queryset's own path)."""
    import re

    from enrollments import selectors

    bulk_beneficiaries(plan, bulk_reps(tenant, 30), enroll_every=3)
    empty = PlanFactory(tenant=tenant)  # nothing to list: no page to read
    assert admin_client.get(u(tenant, "enrollments:beneficiary_list", plan_id=empty.pk) + query).status_code == 200
    url = u(tenant, "enrollments:beneficiary_list", plan_id=plan.pk) + query
    read = []
    page_of = selectors.beneficiary_status_page

    def spying(**kwargs):
        read.append(kwargs)
        return page_of(**kwargs)

    monkeypatch.setattr(selectors, "beneficiary_status_page", spying)
    built, statuses_of = [], selectors.beneficiary_statuses

    def building(**kwargs):
        built.append(kwargs["plan"].pk)
        return statuses_of(**kwargs)

    monkeypatch.setattr(selectors, "beneficiary_statuses", building)
    with recorded_statements() as statements:
        shown = re.findall(r'data-user="(\d+)"', admin_client.get(url).content.decode())
    pages = [sql for sql in statements if 'FROM "tenancy_user"' in sql and " LIMIT " in sql]
    assert len(pages) == 1  # the page is read once, by the statement or by the queryset
    # Read by its statement, the page needs no queryset of the list (building it cost more).
    assert (plan.pk in built) is (query not in PREREAD)
    monkeypatch.setattr(selectors, "beneficiary_status_page", lambda **kwargs: None)
    assert shown == re.findall(r'data-user="(\d+)"', admin_client.get(url).content.decode())
    # A status in error lists every beneficiary, as no status does.
    assert bool(read) is (query in PREREAD) and shown


PREREAD = ("", "?page=2", "?page=2&per_page=20", "?status=enrolled", "?status=not_enrolled&page=2&per_page=5")
PREREAD += ("?per_page=7&page=3", "?status=bogus")
