"""The statements that join every member of a tenant to their summed rewards (All Users sorted by
an owed balance, Export All) are planned with hash joins on PostgreSQL (``common.planner``):
with statistics from before the tenant's rows, the planner chose a nested loop that summed the
rewards again for every member (156 s at 100,000 users in the bench)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.db import DataError, connection, transaction
from django.db.models import BigIntegerField, Value
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from balances import selectors
from common.planner import MARK, reads_every_row
from plans.models import Reward
from tenancy.models import Membership, Role, Tenant, User
from tenancy.postgres import compiler

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MEMBERS = 300
COUNTING = "FROM tenancy_membership WHERE tenant_id"  # the statement counting a workspace's members
UNUSABLE = make_password(None)


def _load(tenant: Tenant, prefix: str) -> None:
    """Members who each owe a few recoverable rewards, written in bulk as an import would."""
    role = Role.objects.filter(tenant=tenant).first() or Role.objects.create(tenant=tenant, name="Sales Rep")
    users = User.objects.bulk_create(
        [
            User(email=f"{prefix}{i:04d}@stale.test", full_name=f"{prefix} {i}", password=UNUSABLE)
            for i in range(MEMBERS)
        ]
    )
    Membership.objects.bulk_create([Membership(tenant=tenant, user=u, role=role) for u in users])
    when = timezone.now() - timedelta(days=30)
    Reward.objects.bulk_create(
        [
            Reward(tenant=tenant, user=u, amount=Decimal("10.00"), currency="USD", recoverable=True, created_at=when)
            for u in users
            for _ in range(3)
        ]
    )


@pytest.fixture
def stale(tenant, other_tenant, settings):
    """The other workspace's rows analyzed, then this one's loaded: the statistics say this
    workspace has no members and no rewards. Its MEMBERS make it a large workspace here."""
    settings.READS_EVERY_ROW_FROM_MEMBERS = MEMBERS
    _load(other_tenant, "other")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tenancy_user, tenancy_membership, plans_reward")
    _load(tenant, "user")
    return tenant


def _sorted_by_owed(tenant):
    return selectors.user_list(tenant=tenant, currencies=["USD"], every_row=True).order_by("-owed_usd")[:25]


def _nested_loops() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_nestloop")
        return cursor.fetchone()[0]


def test_stale_statistics_plan_a_nested_loop_over_the_sums_unless_the_statement_is_marked(stale):
    marked = _sorted_by_owed(stale)
    unmarked = marked.all()
    setattr(unmarked.query, MARK, False)
    # What the mark prevents: each member joined to the sums by a loop that aggregates again.
    assert "Nested Loop Left Join" in unmarked.explain()
    assert "Nested Loop" not in marked.explain() and "Hash Left Join" in marked.explain()
    assert _nested_loops() == "on"


def test_the_page_sorted_by_owed_and_the_export_are_marked_and_leave_the_setting_as_it_was(stale, admin_client):
    pages = [
        (reverse("balances:user_list", kwargs={"tenant_slug": stale.slug}), {"sort": "-owed_usd"}),
        (reverse("balances:user_export", kwargs={"tenant_slug": stale.slug}), {"format": "csv"}),
    ]
    counted = []
    for url, params in pages:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(url, params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200 and b"@stale.test" in body
        statements = [q["sql"] for q in captured.captured_queries]
        at = next(i for i, sql in enumerate(statements) if '"owed" AS (' in sql)
        assert "set_config('enable_nestloop', 'off'" in statements[at - 1]
        assert "set_config('enable_nestloop', 'on'" in statements[at + 1]
        assert _nested_loops() == "on"
        counted.append(sum(COUNTING in sql for sql in statements))
    assert counted == [1, 0]  # the workspace is counted once, its verdict kept (RECOUNT_SECONDS)


def test_a_small_workspace_keeps_nested_loops_and_has_nothing_to_restore(stale, settings, admin_client):
    """Without nested loops a marked statement reads the users of every workspace (a hash join on
    the shared table): for a workspace under the threshold it keeps its index lookups."""
    settings.READS_EVERY_ROW_FROM_MEMBERS = Membership.objects.filter(tenant=stale).count() + 1  # the admin too
    marked = _sorted_by_owed(stale)
    unmarked = marked.all()
    setattr(unmarked.query, MARK, None)
    assert marked.explain() == unmarked.explain()  # the mark changes nothing for it
    page = reverse("balances:user_list", kwargs={"tenant_slug": stale.slug})
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(page, {"sort": "-owed_usd"})
    assert response.status_code == 200
    statements = [q["sql"] for q in captured.captured_queries]
    at = next(i for i, sql in enumerate(statements) if '"owed" AS (' in sql)
    assert COUNTING in statements[at - 1]  # counted: too few
    assert not any("enable_nestloop" in sql for sql in statements[at + 1 :])
    assert _nested_loops() == "on"
    # A small workspace's verdict is not kept: a bulk load may make it large before the next page.
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(page, {"sort": "-owed_usd"}).status_code == 200
    assert sum(COUNTING in q["sql"] for q in captured.captured_queries) == 1


def test_a_workspace_grown_large_is_planned_so_at_once_and_kept_large_a_minute(stale, settings, monkeypatch):
    """Small, a workspace is counted before every marked statement: the one after a bulk load
    (here: one member more than the threshold) is planned without nested loops. Large, it is
    taken as large for RECOUNT_SECONDS (no count, the setting set and restored), counted again
    after, and at once under another threshold."""
    now = [1000.0]
    monkeypatch.setattr(compiler, "_now", lambda: now[0])
    members = Membership.objects.filter(tenant=stale).count()
    settings.READS_EVERY_ROW_FROM_MEMBERS = members + 1

    def run() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            list(_sorted_by_owed(stale))
        return [q["sql"] for q in captured.captured_queries]

    for _ in range(2):
        statements = run()  # small: counted each time, nothing set
        assert COUNTING in statements[0] and not any("enable_nestloop" in sql for sql in statements[1:])
    role = Role.objects.filter(tenant=stale).first()
    Membership.objects.create(tenant=stale, user=User.objects.create(email="one-more@stale.test"), role=role)
    statements = run()  # large at once
    assert COUNTING in statements[0] and "set_config('enable_nestloop', 'on'" in statements[-1]
    now[0] += compiler.RECOUNT_SECONDS - 1
    statements = run()  # kept: large, set and restored without counting
    assert not any(COUNTING in sql for sql in statements)
    assert "set_config('enable_nestloop', 'off'" in statements[0] and "'on'" in statements[-1]
    now[0] += 1
    assert COUNTING in run()[0]  # a minute on: counted again
    settings.READS_EVERY_ROW_FROM_MEMBERS = members + 100  # another threshold: counted at once
    statements = run()
    assert COUNTING in statements[0] and not any("enable_nestloop" in sql for sql in statements[1:])
    assert _nested_loops() == "on"


def test_a_page_in_another_order_reads_its_rows_balances_without_the_mark(stale, admin_client):
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("balances:user_list", kwargs={"tenant_slug": stale.slug}))
    assert response.status_code == 200
    assert not any("enable_nestloop" in q["sql"] for q in captured.captured_queries)


def _failing(tenant):
    # Fails in the database, not in Python: the text cannot be cast to a number.
    return reads_every_row(
        Membership.objects.filter(tenant=tenant, pk=Cast(Value("not a number"), BigIntegerField())), tenant_id=tenant.pk
    )


@pytest.fixture
def large(settings):
    settings.READS_EVERY_ROW_FROM_MEMBERS = 0  # every workspace is large: the setting is turned off


def test_a_failed_statement_inside_a_transaction_leaves_nothing_behind(tenant, large):
    # Its own error (text cast to a number), not one of restoring the setting in a failed transaction.
    with pytest.raises(DataError), transaction.atomic():
        list(_failing(tenant))
    assert _nested_loops() == "on"


@pytest.mark.django_db(transaction=True)
def test_a_failed_statement_in_autocommit_leaves_nothing_behind(tenant, large):
    with pytest.raises(DataError):
        list(_failing(tenant))
    assert _nested_loops() == "on"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("members_needed", [0, 1000])
def test_a_set_local_of_the_callers_transaction_stays_local(tenant, settings, members_needed):
    """Planning a marked statement, large workspace or small, must not turn the caller's
    ``SET LOCAL`` into the session's value: once the transaction ends, the session's is back."""
    settings.READS_EVERY_ROW_FROM_MEMBERS = members_needed
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop = off")
        list(reads_every_row(Membership.objects.filter(tenant=tenant), tenant_id=tenant.pk))
        assert _nested_loops() == "off"
    assert _nested_loops() == "on"
