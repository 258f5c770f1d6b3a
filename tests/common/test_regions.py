"""Regions of list pages kept per workspace data version (common.regions): a page kept is read by no
statement of its own, and never shows anything older than the page would read."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from common.regions import Regions
from plans import services as plan_services
from plans.models import Plan
from tenancy.models import Tenant
from tests import clock
from tests.factories import TenantFactory, member
from tests.partners.factories import PartnerProgramFactory
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db(transaction=True)  # writes commit, as in production


def main(response) -> str:
    """The page's main column: all of it but the CSRF token, new in every response."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def plan_statements(queries) -> list[str]:
    return [q["sql"] for q in queries if "plans_plan" in q["sql"]]


@pytest.fixture
def acme():
    tenant = TenantFactory(slug="acme")
    with scope(tenant=tenant):
        PlanFactory(tenant=tenant, name="Northwind quota")
    return tenant


@pytest.fixture
def admin(client, acme):
    client.force_login(member(acme).user)
    return client


def all_plans(tenant) -> str:
    return reverse("plans:plan_list", kwargs={"tenant_slug": tenant.slug})


def test_a_kept_page_is_the_same_page_read_by_no_statement_of_its_own(admin, acme):
    first = admin.get(all_plans(acme))
    with CaptureQueriesContext(connection) as kept:
        again = admin.get(all_plans(acme))
    assert again.status_code == 200
    assert main(again) == main(first)
    assert "Northwind quota" in main(again)
    assert plan_statements(kept.captured_queries) == []
    assert len(kept.captured_queries) <= 2  # the session and the membership, as on every page


def test_a_committed_write_shows_on_the_next_page(admin, acme):
    admin.get(all_plans(acme))
    with scope(tenant=acme):
        plan = Plan.objects.get()
        plan_services.plan_update(plan=plan, actor=None, data={"name": "Contoso quota"})
    page = main(admin.get(all_plans(acme)))
    assert "Contoso quota" in page and "Northwind quota" not in page
    with scope(tenant=acme):
        Plan.objects.update(name="Fabrikam quota")  # a bulk write: no signal, noted all the same
    assert "Fabrikam quota" in main(admin.get(all_plans(acme)))


def test_another_workspaces_write_leaves_this_ones_regions_kept(admin, acme):
    other = TenantFactory(slug="globex")  # a new workspace is a write to a shared table: before
    admin.get(all_plans(acme))
    with scope(tenant=other):
        PlanFactory(tenant=other, name="Globex plan")
    with CaptureQueriesContext(connection) as kept:
        page = admin.get(all_plans(acme))
    assert plan_statements(kept.captured_queries) == []
    assert "Globex plan" not in main(page)


def test_another_workspaces_member_gets_404_and_nothing_kept(client, acme):
    other = TenantFactory(slug="globex")
    client.force_login(member(acme).user)
    client.get(all_plans(acme))  # kept for acme's member
    client.force_login(member(other).user)
    response = client.get(all_plans(acme))
    assert response.status_code == 404
    assert "Northwind quota" not in response.content.decode()


def test_members_of_one_role_share_the_regions_and_another_role_gets_its_own(client, acme):
    ada, bob, viewer = member(acme), member(acme), member(acme, role_name="Sales Rep")
    with scope(tenant=acme):  # a role that may view every plan but create none
        viewer.role.capabilities = ["view_plans"]
        viewer.role.save()
    client.force_login(ada.user)
    first = main(client.get(all_plans(acme)))
    assert 'href="/w/acme/plans/new/"' in first
    client.force_login(bob.user)  # another administrator: served what was kept for Ada's role
    with CaptureQueriesContext(connection) as kept:
        assert main(client.get(all_plans(acme))) == first
    assert plan_statements(kept.captured_queries) == []
    client.force_login(viewer.user)
    with CaptureQueriesContext(connection) as rendered:
        page = main(client.get(all_plans(acme)))
    assert plan_statements(rendered.captured_queries)
    assert "Northwind quota" in page
    assert 'href="/w/acme/plans/new/"' not in page


def test_an_htmx_swap_is_the_kept_table_region(admin, acme):
    url = all_plans(acme) + "?q=north"
    fresh = admin.get(url, headers={"HX-Request": "true"})
    with CaptureQueriesContext(connection) as kept:
        again = admin.get(url, headers={"HX-Request": "true"})
    assert again.content == fresh.content
    assert b"Northwind quota" in again.content and b"<main" not in again.content
    assert plan_statements(kept.captured_queries) == []
    assert "HX-Request" in again["Vary"]
    # The full page of the same query keeps its own region, with the table's inside.
    assert fresh.content.decode().strip() in main(admin.get(url))


def test_every_query_parameter_is_its_own_region(admin, acme):
    admin.get(all_plans(acme))
    assert "Northwind quota" not in main(admin.get(all_plans(acme) + "?q=nothing-like-it"))


def test_a_new_day_renders_again(client, acme):
    """Lists mark what expired by the workspace's day: a region is the day's. Two minutes apart
    across New York's midnight, well within the time a region is kept."""
    user = member(acme).user
    midnight = datetime.datetime(2026, 11, 24, 5, 0, tzinfo=datetime.UTC)  # 00:00 in New York
    with clock.travel(midnight - datetime.timedelta(minutes=1)):
        client.force_login(user)
        client.get(all_plans(acme))
        with CaptureQueriesContext(connection) as same_day:
            client.get(all_plans(acme))
    version = Tenant.objects.get(pk=acme.pk).data_version
    with clock.travel(midnight + datetime.timedelta(minutes=1)), CaptureQueriesContext(connection) as next_day:
        assert client.get(all_plans(acme)).status_code == 200
    assert plan_statements(same_day.captured_queries) == []
    assert plan_statements(next_day.captured_queries)
    assert Tenant.objects.get(pk=acme.pk).data_version == version  # the day alone, no write


def test_another_host_renders_its_own(admin, acme):
    admin.get(all_plans(acme))
    with CaptureQueriesContext(connection) as other_host:
        assert admin.get(all_plans(acme), HTTP_HOST="localhost").status_code == 200
    assert plan_statements(other_host.captured_queries)


def test_partner_enrollments_are_the_minutes(admin, acme):
    """Its "Last Calculated over 7 days ago" preset moves with the clock, not only the day."""
    url = reverse("partners:enrollment_list", kwargs={"tenant_slug": acme.slug})
    start = clock.FROZEN_AT.replace(second=5)
    with clock.travel(start):
        admin.get(url)
        with CaptureQueriesContext(connection) as same_minute:
            admin.get(url)
    with clock.travel(start + datetime.timedelta(minutes=1)), CaptureQueriesContext(connection) as next_minute:
        admin.get(url)
    assert not [q for q in same_minute.captured_queries if "partners_" in q["sql"]]
    assert [q for q in next_minute.captured_queries if "partners_" in q["sql"]]


def test_a_region_too_large_is_not_kept(rf, acme):
    request = rf.get("/w/acme/plans/")
    request.tenant, request.membership = acme, member(acme)
    regions = Regions(request)
    regions.keep("table", "<tr></tr>" * 5_000)
    assert not regions.kept("table")


def test_nothing_is_kept_while_the_connection_holds_uncommitted_writes(admin, acme):
    with transaction.atomic():
        with scope(tenant=acme):
            Plan.objects.update(name="Not yet committed")
        assert "Not yet committed" in main(admin.get(all_plans(acme)))
        transaction.set_rollback(True)
    page = main(admin.get(all_plans(acme)))
    assert "Northwind quota" in page and "Not yet committed" not in page


def test_a_region_holding_a_csrf_token_is_never_kept(rf, acme):
    request = rf.get("/w/acme/plans/")
    request.tenant, request.membership = acme, member(acme)
    regions = Regions(request)
    regions.keep("page", '<form><input type="hidden" name="csrfmiddlewaretoken" value="x"></form>')
    regions.keep("table", "<table></table>")
    assert len(caches["regions"]._cache) == 1
    assert not regions.kept("page", "table")
    assert regions.kept("table")


def _same_but_the_token(html: bytes) -> str:
    """The document with its CSRF token (masked anew in every response) blanked."""
    text = html.decode()
    text = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', text)


PAGES = [
    ("activity:activity_list", {}),
    ("courses:client_dashboard", {}),
    ("balances:user_list", {}),
    ("partners:enrollment_list", {}),
    ("partners:program_enrollments", {"program_id": "program"}),
    ("plans:plan_list", {}),
    ("enrollments:beneficiary_list", {"plan_id": "plan"}),
]


@pytest.mark.parametrize(("name", "ids"), PAGES, ids=[name for name, _ in PAGES])
@pytest.mark.parametrize("swap", [False, True], ids=["page", "htmx swap"])
def test_every_page_kept_is_the_page_rendered(admin, acme, name, ids, swap):
    """The whole document, head and title included, as each page that keeps its regions renders
    it; and served kept, with the session's and the membership's statements alone (and the
    plan or program a page of one reads around its regions, 404 for another workspace's)."""
    with scope(tenant=acme):
        objects = {"program": PartnerProgramFactory(tenant=acme).pk, "plan": Plan.objects.get().pk}
    url = reverse(name, kwargs={"tenant_slug": acme.slug, **{k: objects[v] for k, v in ids.items()}})
    headers = {"HX-Request": "true"} if swap else {}
    rendered = admin.get(url, headers=headers)
    assert rendered.status_code == 200
    with CaptureQueriesContext(connection) as kept_queries:
        kept = admin.get(url, headers=headers)
    assert _same_but_the_token(kept.content) == _same_but_the_token(rendered.content)
    assert kept["Vary"] == rendered["Vary"]
    assert len(kept_queries.captured_queries) <= (3 if ids else 2)
