"""A statement compiled once gives, for every call's values, what its queryset gives; it refuses
what would make the compiled SQL wrong for a later call."""

import datetime
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, Q, Value
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from activity.models import Action, ActivityEntry
from common.planner import marked_tenant, reads_every_row
from common.precompiled import Precompiled, PrecompiledIn
from tenancy.models import Membership
from tests.factories import TenantFactory, member
from tests.statements import prepared_statements

pytestmark = pytest.mark.django_db


def build(slug, user_id):
    return (
        Membership.objects.select_related("tenant", "role", "user")
        .filter(tenant__slug=slug, user_id=user_id, is_active=True)
        .order_by("pk")[:1]
    )


def statement():
    return Precompiled(build, slug="marker-slug", user_id=-4242)


def fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_each_call_returns_what_the_queryset_returns_with_its_values():
    first, second = member(TenantFactory(), "Administrator"), member(TenantFactory(), "Manager")
    lookup = statement()
    for membership in (first, second, first):
        slug, user_id = membership.tenant.slug, membership.user_id
        with CaptureQueriesContext(connection) as captured:
            [found] = lookup(slug=slug, user_id=user_id)
            related = (found.tenant, found.role, found.user)
        assert len(captured) == 1  # workspace, role and user joined, as select_related does
        [expected] = build(slug, user_id)
        assert fields(found) == fields(expected)
        for got, want in zip(related, (expected.tenant, expected.role, expected.user), strict=True):
            assert fields(got) == fields(want)  # converted as the ORM converts (booleans, JSON, dates)
        assert found.role.capabilities == membership.role.capabilities


def test_no_row_for_another_workspace_or_an_inactive_membership():
    membership = member(TenantFactory())
    other = TenantFactory()
    lookup = statement()
    assert lookup(slug=other.slug, user_id=membership.user_id) == []
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    assert lookup(slug=membership.tenant.slug, user_id=membership.user_id) == []


def test_the_queryset_is_built_and_compiled_on_the_first_call_only():
    """Twice on the first call (with each set of markers, to find the values' places), never again."""
    membership = member(TenantFactory())
    built = []

    def counting(**values):
        built.append(values)
        return build(**values)

    lookup = Precompiled(counting, slug="marker-slug", user_id=-4242)
    for _ in range(3):
        assert len(lookup(slug=membership.tenant.slug, user_id=membership.user_id)) == 1
    assert built == [{"slug": "marker-slug", "user_id": -4242}, {"slug": "marker-slug~", "user_id": -4243}]


def test_it_refuses_to_compile_or_run_inside_a_scope():
    """Compiled inside a scope, a scoped manager would put that tenant into every later call's
    SQL; run inside one, the statement compiled outside would not be filtered to it."""
    tenant, other = TenantFactory(), member(TenantFactory())
    lookup = statement()
    with scope(tenant=tenant), pytest.raises(ImproperlyConfigured, match="outside any scope"):
        lookup(slug=tenant.slug, user_id=1)
    assert len(lookup(slug=other.tenant.slug, user_id=other.user_id)) == 1  # compiled now
    with scope(tenant=tenant), pytest.raises(ImproperlyConfigured, match="outside any scope"):
        lookup(slug=other.tenant.slug, user_id=other.user_id)


def by_tenant(tenant_id, user_id):
    return Membership.objects.filter(tenant_id=tenant_id, user_id=user_id).order_by("pk")


def test_a_statement_scoped_by_the_tenant_runs_in_that_tenants_scope_only():
    first, second = member(TenantFactory()), member(TenantFactory())
    lookup = Precompiled(by_tenant, scoped_by="tenant_id", tenant_id=-4242, user_id=-4343)
    with scope(tenant=first.tenant):  # compiled here, outside the scope
        assert [m.pk for m in lookup(tenant_id=first.tenant_id, user_id=first.user_id)] == [first.pk]
        with pytest.raises(ImproperlyConfigured, match="for its tenant_id only"):
            lookup(tenant_id=second.tenant_id, user_id=second.user_id)
    with scope(tenant=second.tenant):
        assert [m.pk for m in lookup(tenant_id=second.tenant_id, user_id=second.user_id)] == [second.pk]
        assert lookup(tenant_id=second.tenant_id, user_id=first.user_id) == []
    assert len(lookup(tenant_id=first.tenant_id, user_id=first.user_id)) == 1  # outside any scope
    with pytest.raises(ImproperlyConfigured, match="names no value"):
        Precompiled(by_tenant, scoped_by="tenant", tenant_id=-4242, user_id=-4343)


def test_a_value_bound_in_several_places_takes_each_and_a_constant_equal_to_a_marker_stays():
    membership = member(TenantFactory())
    user = membership.user
    Membership.objects.filter(pk=membership.pk).update(title=user.email)
    # The email is bound twice; the title excluded is a constant that equals the marker: were it
    # taken for the value, the membership (whose title is the email) would be excluded.
    both = Precompiled(
        lambda email: Membership.objects.filter(user__email=email, user__email__iexact=email).exclude(title="marker@x"),
        email="marker@x",
    )
    assert [m.pk for m in both(email=user.email)] == [membership.pk]
    assert both(email="nobody@example.com") == []


def test_it_refuses_values_that_change_the_sql_or_parameters_that_are_no_value():
    shape = Precompiled(
        lambda name: (
            Membership.objects.filter(title=name)
            if name.endswith("~")
            else Membership.objects.filter(title__startswith=name)
        ),
        name="m",
    )
    with pytest.raises(ImproperlyConfigured, match="change its SQL"):
        shape(name="x")
    derived = Precompiled(lambda n: Membership.objects.filter(user_id=n, role_id=n * 2), n=-4242)
    with pytest.raises(ImproperlyConfigured, match="holds no marker"):
        derived(n=1)
    unused = Precompiled(lambda user_id, slug: Membership.objects.filter(user_id=user_id), user_id=-4242, slug="s")
    with pytest.raises(ImproperlyConfigured, match=r"\['slug'\] bound nowhere"):
        unused(user_id=1, slug="x")
    # ``is_active=True`` is bound as a parameter: a boolean is not taken for the marker 1.
    boolean = Precompiled(lambda user_id: Membership.objects.filter(user_id=user_id, is_active=True), user_id=1)
    assert boolean(user_id=5) == []
    with pytest.raises(TypeError):
        statement()(slug="acme", user_id="1")
    with pytest.raises(TypeError):
        statement()(slug="acme")
    with pytest.raises(ImproperlyConfigured, match="only str, int, date and datetime"):
        Precompiled(build, slug="marker", user_id=1.5)


def test_values_list_rows_and_counts_grouped_by_a_constant():
    """Rows of ``values_list`` and an aggregate as a queryset: what the querysets give."""
    tenant = TenantFactory()
    members = [member(tenant) for _ in range(3)]
    Membership.objects.filter(pk=members[0].pk).update(is_active=False)

    def counts(tenant_id):
        return (
            Membership.objects.filter(tenant_id=tenant_id)
            .order_by()
            .annotate(every=Value(1))
            .values("every")
            .annotate(total=Count("pk"), active=Count("pk", filter=Q(is_active=True)))
            .values_list("total", "active")
        )

    def emails(tenant_id):
        ordered = Membership.objects.filter(tenant_id=tenant_id).order_by("user__email")
        return ordered.values_list("user__email", flat=True)

    counted = Precompiled(counts, tenant_id=-4242)
    listed = Precompiled(emails, tenant_id=-4242)
    assert counted(tenant_id=tenant.pk) == list(counts(tenant.pk)) == [(3, 2)]
    assert counted(tenant_id=TenantFactory().pk) == [(0, 0)]  # one row, as aggregate() gives
    assert listed(tenant_id=tenant.pk) == list(emails(tenant.pk)) == sorted(m.user.email for m in members)


def test_the_planners_mark_names_the_calls_tenant(monkeypatch):
    """``reads_every_row`` decides by the tenant it names: the call's, not the marker."""
    tenant = TenantFactory()
    member(tenant)
    seen = []
    execute_sql = SQLCompiler.execute_sql

    def spying(self, *args, **kwargs):
        seen.append(marked_tenant(self.query))
        return execute_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", spying)
    lookup = Precompiled(
        lambda tenant_id: reads_every_row(by_tenant(tenant_id, 0), tenant_id=tenant_id), tenant_id=-4242
    )
    for _ in range(2):
        seen.clear()
        lookup(tenant_id=tenant.pk)
        assert seen == [tenant.pk]


def test_a_workspace_page_reads_the_membership_by_the_precompiled_statement(client):
    """Through the middleware: the member's page, and 404 for a workspace the user is not in."""
    membership, other = member(TenantFactory()), TenantFactory()
    client.force_login(membership.user)
    page = reverse("plans:plan_list", kwargs={"tenant_slug": membership.tenant.slug})
    response = client.get(page)
    assert response.status_code == 200 and response.wsgi_request.membership.pk == membership.pk
    assert client.get(reverse("plans:plan_list", kwargs={"tenant_slug": other.slug})).status_code == 404
    with scopes_disabled():
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
    assert client.get(page).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_call_from_another_thread_runs_on_that_threads_connection():
    """Compiled on one thread, called on another (a threaded server): each on its own connection."""
    membership = member(TenantFactory())
    lookup = statement()
    assert len(lookup(slug=membership.tenant.slug, user_id=membership.user_id)) == 1
    results = []

    def other_thread():
        try:
            with scopes_disabled():
                results.append(lookup(slug=membership.tenant.slug, user_id=membership.user_id)[0].pk)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert results == [membership.pk]


def test_dates_and_datetimes_are_bound_as_the_database_binds_them(tenant):
    """SQLite binds a date or a date-time as text, PostgreSQL as it is: either way each call's."""
    at = [datetime.datetime(2026, 3, d, 12, 30, tzinfo=datetime.UTC) for d in (1, 2, 3, 4)]
    for moment in at:
        ActivityEntry.objects.create(tenant=tenant, action=Action.choices[0][0], object_type="x", created_at=moment)

    def between(tenant_id, since, until):
        window = ActivityEntry.objects.filter(tenant_id=tenant_id, created_at__gte=since, created_at__date__lte=until)
        return window.order_by("created_at").values_list("created_at", flat=True)

    window = Precompiled(
        between,
        tenant_id=-4242,
        since=datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC),
        until=datetime.date(1901, 1, 1),
    )
    for since, until in ((at[1], datetime.date(2026, 3, 3)), (at[0], datetime.date(2026, 3, 1)), (at[3], at[3].date())):
        expected = list(between(tenant.pk, since, until))
        assert window(tenant_id=tenant.pk, since=since, until=until) == expected and expected
    with pytest.raises(TypeError, match="naive"):
        window(
            tenant_id=tenant.pk,
            since=datetime.datetime(2026, 3, 1),  # noqa: DTZ001 - naive on purpose
            until=datetime.date(2026, 3, 1),
        )
    with pytest.raises(TypeError):  # a datetime is not a date
        window(tenant_id=tenant.pk, since=at[0], until=at[0])
    with pytest.raises(ImproperlyConfigured, match="aware"):
        Precompiled(between, tenant_id=-1, since=datetime.datetime(1901, 1, 1), until=datetime.date(1901, 1, 1))  # noqa: DTZ001


def test_a_statement_over_a_list_of_ids_is_compiled_once_per_size_and_answers_as_its_queryset():
    """Lists of 1, 3, 4, 5 ids and repeated ids use the statements of sizes 1, 4 and 8, each
    compiled once; an empty list and one past the largest size build the queryset; the rows are
    the queryset's, in its order, for the call's workspace only."""
    tenant, other = TenantFactory(), TenantFactory()
    members = [member(tenant) for _ in range(6)]
    stranger = member(other)
    built = []

    def memberships(*, tenant_id, ids):
        built.append(len(ids))
        return Membership.objects.filter(tenant_id=tenant_id, user_id__in=ids).order_by("-user_id")

    lookup = PrecompiledIn(memberships, scoped_by="tenant_id", tenant_id=-7_351_900)
    users = [m.user_id for m in members]
    for ids in ([users[0]], users[:3], users[:4], [*users[:5], stranger.user_id], users[:2] * 3, users[:3]):
        with CaptureQueriesContext(connection) as captured:
            found = lookup(tenant_id=tenant.pk, ids=ids)
        assert len(captured) == 1
        assert [m.pk for m in found] == [m.pk for m in memberships(tenant_id=tenant.pk, ids=ids)]
        built.pop()  # the comparison's own
    assert built == [1, 1, 4, 4, 8, 8]  # two compiles (two markers) per size, once each
    assert lookup(tenant_id=tenant.pk, ids=[]) == []
    many = users * 30  # each id kept once: six, the statement of size 8
    assert {m.pk for m in lookup(tenant_id=tenant.pk, ids=many)} == {m.pk for m in members}
    monkey = PrecompiledIn(memberships, scoped_by="tenant_id", tenant_id=-7_351_900)
    monkey.SIZES = (1, 2)
    built.clear()
    assert len(monkey(tenant_id=tenant.pk, ids=users[:3])) == 3
    assert built == [3]  # built with the values themselves
    with scope(tenant=other), pytest.raises(ImproperlyConfigured):
        lookup(tenant_id=tenant.pk, ids=users[:1])


def test_lists_of_every_size_keep_their_ids_apart_from_the_other_markers():
    """Up to the largest size, the ids' markers are none of the tenant marker (a list of 64 once
    had an id marked like the workspace, and the statement could not be compiled); two values
    given the same marker are refused."""
    tenant = TenantFactory()
    members = [member(tenant) for _ in range(3)]
    lookup = PrecompiledIn(
        lambda *, tenant_id, ids: Membership.objects.filter(tenant_id=tenant_id, user_id__in=ids).order_by("pk"),
        scoped_by="tenant_id",
        tenant_id=-7_351_900,
    )
    for size in PrecompiledIn.SIZES:
        listed = members[: min(size, 3)]
        ids = [m.user_id for m in listed] + list(range(10**9, 10**9 + size - len(listed)))  # no such users
        assert len(ids) == size
        assert [m.pk for m in lookup(tenant_id=tenant.pk, ids=ids)] == [m.pk for m in listed]
    with pytest.raises(ImproperlyConfigured, match="a marker of its own"):
        Precompiled(build, slug=-1, user_id=-1)


def test_the_tenant_and_written_values_are_in_the_text_the_others_bound():
    """On PostgreSQL: the workspace's id and the values named ``written`` are written into the
    statement (a prepared statement and plan per workspace), the rest are parameters; elsewhere
    the statement is the queryset's SQL with every value a parameter."""
    first, second = member(TenantFactory()), member(TenantFactory())
    lookup = Precompiled(by_tenant, scoped_by="tenant_id", tenant_id=-4242, user_id=-4343)
    written = Precompiled(by_tenant, scoped_by="tenant_id", written=("user_id",), tenant_id=-4242, user_id=-4343)
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    preparing = connection.vendor == "postgresql"
    for membership in (first, second):
        for statement, user_in_text in ((lookup, False), (written, True)):
            sent.clear()
            with connection.execute_wrapper(record):
                assert [m.pk for m in statement(tenant_id=membership.tenant_id, user_id=membership.user_id)] == [
                    membership.pk
                ]
            [(sql, params)] = sent
            assert (f'"tenant_id" = {membership.tenant_id}' in sql) is preparing
            assert (f'"user_id" = {membership.user_id}' in sql) is (preparing and user_in_text)
            assert params == [
                *([] if preparing else [membership.tenant_id]),
                *([] if preparing and user_in_text else [membership.user_id]),
            ]
    with pytest.raises(ImproperlyConfigured, match="integers among the markers only"):
        Precompiled(build, written=("slug",), slug="marker-slug", user_id=-4242)


def test_a_negative_written_value_is_no_comment():
    pieces = [('SELECT 1 WHERE "a" -', "x"), (" AND b = ", None), ("", None)]
    assert Precompiled._written_sql(pieces, [-5, "v"]) == ('SELECT 1 WHERE "a" -(-5) AND b = %s', ["v"])


def by_tenant_prepared(membership) -> str:
    """``by_tenant``'s text as prepared for the membership's workspace: the tenant written in."""
    return f'%"tenancy_membership"."tenant_id" = {membership.tenant_id} AND "tenancy_membership"."user_id" = $1)%'


@pytest.mark.postgres
def test_on_postgresql_a_statement_run_five_times_is_prepared_once_per_workspace():
    first, second = member(TenantFactory()), member(TenantFactory())
    lookup = Precompiled(by_tenant, scoped_by="tenant_id", tenant_id=-4242, user_id=-4343)

    def prepared(membership) -> int:
        """This connection's prepared statements of ``by_tenant`` for the membership's workspace."""
        return prepared_statements(by_tenant_prepared(membership))

    for _run in range(6):
        assert prepared(first) == prepared(second) == 0  # prepared at the run after the fifth
        for membership in (first, second):
            assert [m.pk for m in lookup(tenant_id=membership.tenant_id, user_id=membership.user_id)] == [membership.pk]
    # One per workspace, each with its id written in, the user a parameter.
    assert prepared(first) == prepared(second) == 1
    # A prepared statement answers as the queryset does: another user, no row, another workspace's none.
    assert lookup(tenant_id=first.tenant_id, user_id=second.user_id) == []
    assert [m.pk for m in lookup(tenant_id=second.tenant_id, user_id=second.user_id)] == [second.pk]


@pytest.mark.postgres
@pytest.mark.parametrize(("threshold", "prepared"), [(10_000, True), (0, False)])
def test_a_statement_planned_with_nested_loops_off_is_never_prepared(settings, threshold, prepared):
    """A marked statement of a large workspace runs with ``enable_nestloop`` off: bound by the
    client, planned each time with the setting as it is; a small workspace's is prepared."""
    membership = member(TenantFactory())
    settings.READS_EVERY_ROW_FROM_MEMBERS = threshold
    lookup = Precompiled(
        lambda tenant_id, user_id: reads_every_row(by_tenant(tenant_id, user_id), tenant_id=tenant_id),
        scoped_by="tenant_id",
        tenant_id=-4242,
        user_id=-4343,
    )
    for _run in range(7):
        assert [m.pk for m in lookup(tenant_id=membership.tenant_id, user_id=membership.user_id)] == [membership.pk]
    assert prepared_statements(by_tenant_prepared(membership)) == (1 if prepared else 0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_nestloop")
        assert cursor.fetchone()[0] == "on"
