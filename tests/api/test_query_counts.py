"""Every request costs a fixed number of queries whatever the page size: the key with its
workspace, user, membership and role (one statement), the page, and with $count=true the count.
The key's last-used stamp is written at most once a minute, by the first request of that minute
(one UPDATE more)."""

import pytest

from tenancy.models import Membership, Role, User

FIXED = 2  # the API key with its workspace and membership (one statement), the page


def add_members(tenant, n, start=0):
    role = Role.objects.get(tenant=tenant, name="Administrator")
    users = User.objects.bulk_create(
        [User(email=f"bulk{i}@bulk.test", full_name=f"Bulk {i}") for i in range(start, start + n)]
    )
    Membership.objects.bulk_create([Membership(tenant=tenant, user=u, role=role, title="Rep") for u in users])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "extra"),
    [
        ({}, 0),
        ({"$top": "5000"}, 0),
        ({"$count": "true", "$filter": "startswith(Email, 'bulk')"}, 1),
        ({"$expand": "Manager", "$orderby": "Email desc", "$select": "Email,Role"}, 0),
    ],
)
def test_query_count_is_fixed_at_1000_and_5000_rows(odata, tenant, django_assert_num_queries, settings, params, extra):
    settings.ODATA_PAGE_SIZE = 1000  # so that 5,000 rows are five pages
    add_members(tenant, 1000)
    with django_assert_num_queries(FIXED + 1 + extra):  # the minute's first request stamps the key
        odata.json("Users", params)
    with django_assert_num_queries(FIXED + extra):
        small = odata.json("Users", params)
    add_members(tenant, 4000, start=1000)
    with django_assert_num_queries(FIXED + extra):
        large = odata.json("Users", params)
    assert len(large["value"]) == len(small["value"]) == 1000  # one full page
    assert "@odata.nextLink" in large
    if extra:
        assert large["@odata.count"] == 5000


@pytest.mark.django_db
def test_count_segment_and_single_entity_are_fixed_too(odata, tenant, django_assert_num_queries):
    add_members(tenant, 5000)
    with django_assert_num_queries(FIXED + 1):  # the minute's first request stamps the key
        assert odata.get("Users/$count").content == b"5001"
    with django_assert_num_queries(FIXED):
        assert odata.get("Users/$count").content == b"5001"
    user_id = User.objects.get(email="bulk4999@bulk.test").pk
    with django_assert_num_queries(FIXED):
        assert odata.json(f"Users({user_id})", {"$expand": "Manager"})["Email"] == "bulk4999@bulk.test"
