from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from activity.selectors import activity_object_types
from activity.services import record
from tests.conftest import login
from tests.factories import member


def list_url(tenant):
    return reverse("activity:activity_list", kwargs={"tenant_slug": tenant.slug})


@pytest.mark.django_db
def test_record_an_object_change(tenant, admin_member):
    rep = member(tenant, "Sales Rep")
    entry = record(tenant=tenant, actor=admin_member.user, action="update", target=rep, changes={"title": ["", "AE"]})
    assert entry.object_type == "Membership" and entry.object_id == str(rep.pk)
    assert entry.actor_label == str(admin_member.user)


@pytest.mark.django_db
def test_bulk_action_is_one_entry_with_count_and_ids(tenant):
    entry = record(
        tenant=tenant,
        actor=None,
        action="update",
        target="PlanEnrollment",
        verb="reset enrollments",
        count=3,
        object_ids=[4, 5, 6],
    )
    assert ActivityEntry.objects.count() == 1
    assert entry.actor_label == "system" and entry.count == 3 and entry.object_ids == [4, 5, 6]


@pytest.mark.django_db
def test_unknown_action_is_refused(tenant):
    with pytest.raises(ValueError):
        record(tenant=tenant, actor=None, action="read", target="Plan")


def _entries(tenant, actor, n):
    for i in range(n):
        record(
            tenant=tenant,
            actor=actor if i % 2 else None,
            action=["create", "update", "delete"][i % 3],
            target="Plan" if i % 2 else "Reward",
            label=f"thing {i}",
        )


@pytest.mark.django_db
def test_list_newest_first_and_fixed_query_count(admin_client, tenant, admin_member, django_assert_num_queries):
    _entries(tenant, admin_member.user, 10)
    # session, membership with its user, types, page (no actors); ten rows: the first page holds
    # them all, so reading it counts them
    with django_assert_num_queries(4) as ctx:
        admin_client.get(list_url(tenant))
    _entries(tenant, admin_member.user, 20)
    with django_assert_num_queries(len(ctx.captured_queries) + 1):  # and the COUNT of a full first page
        response = admin_client.get(list_url(tenant))
    rows = list(response.context["table"].page.object_list)
    assert [r.record.created_at for r in rows] == sorted((r.record.created_at for r in rows), reverse=True)


@pytest.mark.django_db
def test_filters(admin_client, tenant, admin_member):
    _entries(tenant, admin_member.user, 12)
    old = record(tenant=tenant, actor=None, action="delete", target="Calculation", label="ancient")
    ActivityEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    def count(**params):
        return admin_client.get(list_url(tenant), params).context["table"].paginator.count

    assert count() == 13
    assert count(actor=admin_member.user.email) == 6
    assert count(system="on") == 7
    assert count(action="delete") == 5
    assert count(object_type="Calculation") == 1
    assert count(until=(timezone.now() - timedelta(days=30)).date().isoformat()) == 1
    assert count(since=(timezone.now() - timedelta(days=1)).date().isoformat()) == 12
    assert count(q="thing 1") == 3  # thing 1, thing 10, thing 11


@pytest.mark.django_db
def test_object_type_choices_are_the_workspaces_distinct_types_in_order(admin_client, tenant, other_tenant):
    assert activity_object_types(tenant=tenant) == []
    for target in ("Reward", "Plan", "Team", "Plan", "Calculation", "Reward", "plan"):
        record(tenant=tenant, actor=None, action="create", target=target, label="x")
    record(tenant=other_tenant, actor=None, action="create", target="Secret", label="x")
    distinct = list(
        ActivityEntry.objects.filter(tenant=tenant)
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
    assert activity_object_types(tenant=tenant) == distinct  # the database's collation orders both
    assert set(distinct) == {"Calculation", "Plan", "Reward", "Team", "plan"}
    options = admin_client.get(list_url(tenant)).content.decode().split('name="object_type"')[1].split("</select>")[0]
    assert ">Calculation<" in options and ">plan<" in options and "Secret" not in options


@pytest.mark.django_db
def test_bad_filter_value_shows_an_error_next_to_the_field(admin_client, tenant):
    response = admin_client.get(list_url(tenant), {"since": "yesterday-ish"})
    assert response.status_code == 200
    assert b"Enter a valid date" in response.content


@pytest.mark.django_db
def test_other_tenants_entries_are_invisible(admin_client, tenant, other_tenant):
    record(tenant=other_tenant, actor=None, action="create", target="Plan", label="globex secret")
    response = admin_client.get(list_url(tenant))
    assert b"globex secret" not in response.content
    assert response.context["table"].paginator.count == 0


@pytest.mark.django_db
def test_activity_needs_the_capability(client, tenant):
    login(client, member(tenant, "Sales Rep"))
    assert client.get(list_url(tenant)).status_code == 403


@pytest.mark.django_db
def test_reads_are_not_logged(admin_client, tenant):
    admin_client.get(list_url(tenant))
    admin_client.get(reverse("tenancy:member_list", kwargs={"tenant_slug": tenant.slug}))
    assert ActivityEntry.objects.count() == 0
