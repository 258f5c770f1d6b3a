"""The SQLite backend's placeholder conversion (``common.sqlite``) gives Django's text."""

import sqlite3

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from common.sqlite.base import SQLiteCursorWrapper

QUERIES = [
    "SELECT %s",
    "INSERT INTO t (a, b) VALUES " + ", ".join(["(%s, %s)"] * 1000),  # noqa: S608 - placeholders only
    "SELECT * FROM t WHERE name LIKE '50%%' AND id = %s",  # an escaped percent: Django's way
    "SELECT strftime('%%s', created) FROM t WHERE id = %s",
    "SELECT * FROM t WHERE a = %s AND b LIKE %s ESCAPE '\\'",
    "SELECT '100%' FROM t WHERE id = %s",  # a lone percent, no placeholder after it
]


@pytest.fixture
def cursors():
    db = sqlite3.connect(":memory:")
    yield db.cursor(factory=SQLiteCursorWrapper), db.cursor(factory=DjangoCursor)
    db.close()


@pytest.mark.parametrize("query", QUERIES)
def test_the_conversion_is_djangos(cursors, query):
    ours, djangos = cursors
    assert ours.convert_query(query) == djangos.convert_query(query)


def test_named_parameters_are_djangos_too(cursors):
    ours, _ = cursors
    assert ours.convert_query("SELECT %(a)s, %(b)s", param_names=["a", "b"]) == "SELECT :a, :b"


@pytest.mark.django_db
def test_the_database_runs_statements_through_it():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s || %s", ["50%", "s"])
        assert cursor.fetchone() == ("50%s",)
        if connection.vendor == "sqlite":  # on PostgreSQL the driver converts nothing
            assert isinstance(cursor.cursor, SQLiteCursorWrapper)
