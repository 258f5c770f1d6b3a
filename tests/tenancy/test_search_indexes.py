"""On PostgreSQL, the portal's "contains" searches (people by name or email, the activity log by
object or verb) are answered from the trigram indexes of migrations tenancy 0005 and activity
0004 instead of a read of every row: the pages' own SQL must match the indexed expression,
``UPPER(column::text)``, or the indexes are never used (at 100,000 users a search's count took
63 ms without them and 3.5 ms with them)."""

import pytest
from django.db import NotSupportedError, connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import ActivityEntry
from tenancy.models import User
from tenancy.postgres.search import TrigramSearchIndexes, index_name

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SEARCHED = {User: ("email", "full_name"), ActivityEntry: ("object_label", "verb")}


def _names(model) -> set[str]:
    return {index_name(model._meta.db_table, column) for column in SEARCHED[model]}


def _plan(sql: str) -> str:
    """The plan of ``sql`` with the table scan and the full scan of another index priced out:
    what the indexes can serve (a test database is too small for the planner to prefer them)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("model", SEARCHED, ids=lambda m: m.__name__)
def test_the_indexes_are_built_on_the_expression_django_searches(model):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [model._meta.db_table])
        found = dict(cursor.fetchall())
    for column in SEARCHED[model]:
        definition = found[index_name(model._meta.db_table, column)]
        assert f"gin (upper(({column})::text) gin_trgm_ops)" in definition


@pytest.mark.parametrize("model", SEARCHED, ids=lambda m: m.__name__)
def test_django_s_contains_search_reads_both_indexes(model):
    first, second = SEARCHED[model]
    rows = model.objects.filter(Q(**{f"{first}__icontains": "riley"}) | Q(**{f"{second}__icontains": "riley"}))
    sql, params = rows.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, params)
    plan = _plan(statement)
    assert "BitmapOr" in plan and all(name in plan for name in _names(model)), plan


@pytest.mark.parametrize(
    ("page", "model"),
    [
        ("balances:user_list", User),
        ("tenancy:member_list", User),
        ("courses:client_dashboard", User),
        ("activity:activity_list", ActivityEntry),
    ],
)
def test_the_pages_search_by_the_indexed_expressions(admin_client, tenant, page, model):
    """What the test above shows of ``icontains`` holds for the pages: their searches are it."""
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse(page, kwargs={"tenant_slug": tenant.slug}), {"q": "riley"})
    assert response.status_code == 200
    table = model._meta.db_table
    indexed = [f'UPPER("{table}"."{column}"::text) LIKE' for column in SEARCHED[model]]
    assert any(all(e in q["sql"] for e in indexed) for q in captured.captured_queries)


def _index(name: str) -> tuple[int, bool] | None:
    """The index's oid and validity: a new oid means it was built again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::int, indisvalid FROM pg_index WHERE indexrelid = %s::regclass", [name])
        return cursor.fetchone()


def _build(columns: list[str]) -> None:
    with connection.schema_editor(atomic=False) as editor:
        TrigramSearchIndexes(table="tenancy_user", columns=columns).database_forwards("tenancy", editor, None, None)


@pytest.mark.django_db(transaction=True)
def test_a_valid_index_is_left_as_it_is_and_an_invalid_one_is_built_again():
    """A CONCURRENTLY build that fails leaves an invalid index, which IF NOT EXISTS would keep.
    Marking it invalid by hand takes a superuser, as CI's database user is."""
    name = index_name("tenancy_user", "email")
    oid, valid = _index(name)
    assert valid
    _build(["email"])
    assert _index(name) == (oid, True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s", [oid])
        _build(["email"])
        rebuilt, valid = _index(name)
        assert rebuilt != oid and valid
    finally:  # the next tests of this database expect a valid index, whatever happened here
        with connection.cursor() as cursor:
            cursor.execute("UPDATE pg_index SET indisvalid = true WHERE indexrelid = %s::regclass", [name])


def test_the_operation_refuses_a_transaction_instead_of_failing_half_way():
    with connection.schema_editor() as editor, pytest.raises(NotSupportedError, match="atomic = False"):
        TrigramSearchIndexes(table="tenancy_user", columns=["email"]).database_forwards("tenancy", editor, None, None)


def test_a_name_postgresql_would_cut_is_refused():
    assert index_name("tenancy_user", "email") == "tenancy_user_email_trgm"
    with pytest.raises(ValueError, match="63"):
        index_name("a_table_whose_name_is_rather_long", "and_a_column_long_as_well")
