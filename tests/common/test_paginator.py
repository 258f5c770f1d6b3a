"""The list pages' paginator counts rows only when it must: a known count is taken as given, and
a first page with fewer rows than a page's worth is counted by reading it (no COUNT)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.tables import CountedPaginator
from tenancy.models import Role
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def _roles(tenant, n):
    for i in range(n):
        RoleFactory(tenant=tenant, name=f"Role {i:02d}")
    return Role.objects.filter(tenant=tenant, name__startswith="Role ").order_by("name")


def _statements(action):
    with CaptureQueriesContext(connection) as ctx:
        result = action()
    return result, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(("rows", "counted"), [(0, False), (3, False), (4, False), (5, True), (12, True)])
def test_a_first_page_that_is_not_full_needs_no_count(tenant, rows, counted):
    queryset = _roles(tenant, rows)
    paginator = CountedPaginator(queryset, 5)
    page, sql = _statements(lambda: (p := paginator.page(1), list(p), p.paginator.num_pages, p.has_next())[0])
    assert sum("COUNT(" in s for s in sql) == counted
    assert paginator.count == rows and paginator.num_pages == max(1, -(-rows // 5))
    assert [r.pk for r in page] == [r.pk for r in queryset[:5]]
    assert sum("COUNT(" not in s for s in sql) == 1  # the page, read once
    assert page.has_next() == (rows > 5)


def test_further_pages_and_a_known_count_are_as_before(tenant):
    queryset = _roles(tenant, 12)
    total = 12
    paginator = CountedPaginator(queryset, 5)
    page, sql = _statements(lambda: list(paginator.page(2)))
    assert sum("COUNT(" in s for s in sql) == 1 and len(page) == 5
    told = CountedPaginator(queryset, 5, count=total)
    (_, sql) = _statements(lambda: (list(told.page(1)), told.num_pages))
    assert not any("COUNT(" in s for s in sql) and told.count == total
    assert told.num_pages == -(-total // 5)


def test_a_count_is_taken_from_the_cheaper_queryset_only_when_one_is_needed(tenant):
    """``count_from``: All Users counts its filtered members without the sums joined to them."""
    listed = _roles(tenant, 12)
    # Counts ten of the twelve, so the figures show which queryset was counted.
    marked = Role.objects.filter(tenant=tenant, name__startswith="Role 0").order_by()
    full = CountedPaginator(listed, 5, count_from=marked)
    _, sql = _statements(lambda: (list(full.page(1)), full.num_pages))
    counts = [s for s in sql if "COUNT(" in s]
    assert len(counts) == 1 and "ORDER BY" not in counts[0]
    assert (full.count, full.num_pages) == (10, 2)
    short = CountedPaginator(listed, 25, count_from=marked)
    _, sql = _statements(lambda: (list(short.page(1)), short.num_pages))
    assert not any("COUNT(" in s for s in sql) and short.count == 12


def test_a_string_page_number_and_orphans_keep_django_semantics(tenant):
    queryset = _roles(tenant, 3)
    total = 3
    paginator = CountedPaginator(queryset, 25)
    assert len(paginator.page("1")) == total and paginator.count == total
    orphans = CountedPaginator(queryset, 2, orphans=5)  # Django's own rule: counted first
    _, sql = _statements(lambda: list(orphans.page(1)))
    assert sum("COUNT(" in s for s in sql) == 1


@pytest.mark.parametrize(("asked", "shown"), [("-1", 1), ("1", 1), ("100000000", 500)])
def test_a_page_size_from_the_address_is_bounded(admin_client, tenant, asked, shown):
    """``?per_page=`` is django-tables2's: a hand-made -1 was a server error, a huge one read the
    whole table into one page."""
    _roles(tenant, 3)
    response = admin_client.get(
        reverse("tenancy:member_list", kwargs={"tenant_slug": tenant.slug}), {"per_page": asked}
    )
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == shown


def test_the_course_users_panel_shows_fifty_with_the_shared_paginator():
    from courses.views.courses import CourseUsersView

    assert CourseUsersView.table_pagination == {"per_page": 50, "paginator_class": CountedPaginator}
