"""A base queryset built once per process for its values (common.built_once): each caller gets
a copy, whose evaluation, filters and prefetches leave the kept one as it was built."""

import pytest

from common.built_once import built_once
from tenancy.models import Membership
from tests.factories import TenantFactory, member

pytestmark = pytest.mark.django_db


def test_built_once_per_values_and_each_caller_gets_a_copy():
    first, second = TenantFactory(), TenantFactory()
    a, b = member(first), member(second)
    built = []

    @built_once(maxsize=4)
    def memberships(tenant_id: int):
        built.append(tenant_id)
        return Membership.objects.filter(tenant_id=tenant_id).select_related("user").prefetch_related("tenant")

    one = memberships(first.pk)
    assert [m.pk for m in one] == [a.pk] and one[0].tenant == first  # evaluated, prefetched
    narrowed = memberships(first.pk).filter(pk=-1)
    assert list(narrowed) == []
    again = memberships(first.pk)
    assert again is not one and again._result_cache is None  # a fresh copy, not evaluated
    assert [m.pk for m in again] == [a.pk]
    assert [m.pk for m in memberships(second.pk)] == [b.pk]
    assert built == [first.pk, second.pk]
    expected = Membership.objects.filter(tenant_id=first.pk).select_related("user")
    assert str(memberships(first.pk).query) == str(expected.query)
    memberships.cache_clear()
    memberships(first.pk)
    assert built == [first.pk, second.pk, first.pk]


def test_the_dashboard_base_queryset_is_per_workspace_and_day(client):
    """The client dashboard keeps its base queryset per workspace and day: another workspace's
    or another day's request never sees it."""
    import datetime

    from courses.views.dashboard import _dashboard_enrollments

    tenant, other = TenantFactory(), TenantFactory()
    day = datetime.date(2026, 12, 5)
    mine = _dashboard_enrollments(tenant.pk, day)
    assert _dashboard_enrollments(tenant.pk, day) is not mine
    assert str(_dashboard_enrollments(tenant.pk, day).query) == str(mine.query)
    assert str(_dashboard_enrollments(other.pk, day).query) != str(mine.query)
    assert str(_dashboard_enrollments(tenant.pk, day + datetime.timedelta(days=1)).query) != str(mine.query)
