"""The activity log at scale: the list page over many entries must not slow with their number."""

from django.test import Client
from django.urls import reverse

from activity.models import ActivityEntry
from bench.harness import Result, benchmark, contains, measure, statistics_states, time_sql
from tenancy.demo import ensure_member
from tenancy.services import ensure_builtin_roles, tenant_create


@benchmark("activity")
def activity_list(scale):
    tenant = tenant_create(slug="bench-activity", name="Bench Activity")
    roles = ensure_builtin_roles(tenant=tenant)
    admin = ensure_member(tenant, "bench-admin@bench.test", "Bench Admin", roles["Administrator"])
    n = scale.n(100_000)
    batch = [
        ActivityEntry(
            tenant=tenant,
            actor=admin.user if i % 3 else None,
            action=("create", "update", "delete")[i % 3],
            verb="update",
            object_type=("Plan", "Reward", "Membership")[i % 3],
            object_label=f"object {i}",
        )
        for i in range(n)
    ]
    with measure() as insert:
        ActivityEntry.objects.bulk_create(batch, batch_size=5000)
    client = Client()
    client.force_login(admin.user)
    url = reverse("activity:activity_list", kwargs={"tenant_slug": tenant.slug})
    client.get(url)  # warm up
    results = [Result("activity: bulk insert entries", n, insert.seconds, insert.queries)]
    for state in statistics_states():
        with measure() as page:
            response = client.get(url, {"action": "delete"})
        assert response.status_code == 200
        floor = time_sql(
            "SELECT * FROM activity_activityentry WHERE tenant_id = %s AND action = 'delete' "
            "ORDER BY created_at DESC, id DESC LIMIT 25",
            [tenant.pk],
        ) + time_sql(
            "SELECT COUNT(*) FROM activity_activityentry WHERE tenant_id = %s AND action = 'delete'", [tenant.pk]
        )
        results.append(Result(f"activity: list page, filtered, {state}", n, page.seconds, page.queries, floor))

        # A narrow search (eleven entries of 100,000, one of 10,000): on PostgreSQL the trigram
        # indexes answer it. The page is not full, so the page counts nothing: nor does the floor.
        with measure() as search:
            response = client.get(url, {"q": "object 9999"})
        assert response.status_code == 200
        floor = time_sql(_search_sql(), ["%object 9999%", "%object 9999%", tenant.pk])
        results.append(Result(f"activity: search, {state}", n, search.seconds, search.queries, floor))
    return results


def _search_sql() -> str:
    """The searched page's rows, the search written as the page writes it on this database."""
    searched = f"({contains('object_label')} OR {contains('verb')})"
    # Only fixed column names are formatted in; the words are parameters.
    return (
        f"SELECT * FROM activity_activityentry WHERE {searched} AND tenant_id = %s "  # noqa: S608
        "ORDER BY created_at DESC, id DESC LIMIT 25"
    )
