"""The plan's Beneficiaries tab reads every beneficiary (to sort them, to count "N of M
enrolled"): on PostgreSQL both statements are planned with hash joins (``common.planner``).
In the full bench, with statistics from before the workspace's rows, the list's statement
nested a loop around the union of direct and team beneficiaries and ran for minutes; with
hash joins it took 0.25 s on the same statistics."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.planner import MARK, marked_tenant, reads_every_row
from enrollments import selectors
from tenancy.models import User
from tests.plans.factories import PlanDocumentFactory, PlanFactory
from tests.plans.helpers import bulk_beneficiaries, bulk_reps

pytestmark = pytest.mark.django_db


def test_a_count_or_an_aggregate_over_a_marked_queryset_is_marked(tenant):
    """Django counts an annotated queryset from an outer query around it: the mark is found on
    the query inside."""
    marked = reads_every_row(User.objects.all(), tenant_id=tenant.pk)
    assert marked_tenant(marked.query) == tenant.pk and marked_tenant(User.objects.all().query) is None
    outer = marked.query.chain()
    outer.inner_query = marked.query  # as AggregateQuery holds it
    outer.__dict__.pop(MARK, None)
    assert marked_tenant(outer) == tenant.pk


@pytest.mark.postgres
def test_the_list_and_its_counts_are_planned_without_nested_loops(admin_client, tenant, settings):
    settings.READS_EVERY_ROW_FROM_MEMBERS = 3  # the workspace's three reps make it a large one
    plan = PlanFactory(tenant=tenant)
    PlanDocumentFactory(plan=plan)
    bulk_beneficiaries(plan, bulk_reps(tenant, 3))
    url = reverse("enrollments:beneficiary_list", kwargs={"tenant_slug": tenant.slug, "plan_id": plan.pk})
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(url, {"status": "not_enrolled"}).status_code == 200
    statements = [q["sql"] for q in captured.captured_queries]
    switched = [i for i, sql in enumerate(statements) if "set_config('enable_nestloop', 'off'" in sql]
    read = [statements[i + 1] for i in switched]
    assert len(read) == 2 and any('"total"' in sql for sql in read)
    assert all("set_config('enable_nestloop', 'on'" in statements[i + 2] for i in switched)
    # The workspace's members are counted before the first alone (the verdict is kept a minute).
    assert sum("FROM tenancy_membership WHERE tenant_id" in sql for sql in statements) == 1
    # A search's page count (Django's count around the annotated list) keeps the mark too.
    with CaptureQueriesContext(connection) as captured:
        assert selectors.beneficiary_statuses(plan=plan, search="rep").count() == 3
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) == 3 and "COUNT(" in statements[1]
    assert "set_config('enable_nestloop', 'off'" in statements[0]
    assert "set_config('enable_nestloop', 'on'" in statements[2]
