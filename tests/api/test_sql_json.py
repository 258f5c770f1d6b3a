"""Collection pages written by the database (api/sqljson.py) are byte for byte what RowWriter
writes from ``values()``: both paths answer the same requests over awkward values (decimal places
and signs, nulls, time zones, microseconds, unicode, quotes and control characters), and on
SQLite over values written by SQL rather than by Django (the Python fallback functions). Also
$skiptoken paging (the default order's nextLink) across inserts, tampering and tenants."""

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import override_settings

from api import edm, views
from api.sqljson import row_json
from plans.models import Reward
from tests.factories import UserFactory, member
from tests.plans.factories import CalculationFactory, PlanFactory, RewardFactory, SalesTransactionFactory

AWKWARD_TEXT = "Quote \" backslash \\ slash / tab\t newline\n nul-ish \x01\x1f del \x7f é 𝄞 \u2028 'single' <b>"


@pytest.fixture
def awkward(tenant, admin_member):
    rep = member(tenant, "Sales Rep", user=UserFactory(email="rép@acme.test", full_name=AWKWARD_TEXT))
    plan = PlanFactory(tenant=tenant, name=AWKWARD_TEXT, commission_rate=Decimal("0.001"))
    calc = CalculationFactory(plan=plan, released_at=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC))
    kolkata = ZoneInfo("Asia/Kolkata")
    amounts = ["0.00", "-0.01", "5.00", "0.10", "123456789012.35", "-99999999999.99", "0.29", "1.005", "7"]
    for i, amount in enumerate(amounts):
        RewardFactory(
            plan=plan if i % 3 else None,
            tenant=tenant,
            user=rep.user,
            calculation=calc if i % 2 else None,
            amount=Decimal(amount).quantize(Decimal("0.01")),
            reason=AWKWARD_TEXT if i % 2 else "",
            released=bool(i % 2),
            released_at=dt.datetime(2026, 1, 2, 3, 4, 5, 123456 * (i % 2), tzinfo=kolkata) if i % 4 else None,
            created_at=dt.datetime(1999, 12, 31, 23, 59, 59, 10 * i, tzinfo=kolkata),
        )
    SalesTransactionFactory(tenant=tenant, rep=rep.user, customer=AWKWARD_TEXT, amount=Decimal("-0.50"))
    return {"rep": rep, "plan": plan}


def both_paths(odata, monkeypatch, path, params, **headers):
    """The response body with the database writing the rows, then with RowWriter."""

    def body():
        response = odata.get(path, params, **headers)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    by_database = body()
    monkeypatch.setattr(views, "row_json", lambda *args, **kwargs: None)
    by_python = body()
    monkeypatch.undo()
    return by_database, by_python


REQUESTS = [
    ("Rewards", {}),
    ("Rewards", {"$expand": "Plan,User,Calculation"}),
    ("Rewards", {"$select": "Amount,Reason,ReleasedAt", "$orderby": "Amount desc", "$top": "5"}),
    ("Rewards", {"$filter": "Amount lt 1", "$count": "true"}),
    ("Users", {"$expand": "*"}),
    ("Calculations", {"$expand": "Plan"}),
    ("Transactions", {}),
    ("Plans", {}),  # annotations: written by RowWriter either way
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "params"), REQUESTS)
@pytest.mark.parametrize("accept", ["application/json", "application/json;IEEE754Compatible=true"])
def test_database_and_python_write_the_same_bytes(odata, awkward, monkeypatch, path, params, accept):
    by_database, by_python = both_paths(odata, monkeypatch, path, params, Accept=accept)
    assert by_database == by_python
    assert b'"value":[]' not in by_database


@pytest.mark.django_db
def test_the_database_writes_the_rewards_feed(awkward):
    rewards = edm.get_set("Rewards")
    navs = edm.active_navs(rewards)
    assert row_json(rewards, rewards.props, navs, ieee754=False) is not None
    plans = edm.get_set("Plans")  # annotated properties stay with RowWriter
    assert row_json(plans, plans.props, [], ieee754=False) is None


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite stores what SQL wrote as it came")
def test_sqlite_values_written_by_sql_take_the_python_conversion(odata, awkward, monkeypatch):
    with connection.cursor() as cursor:
        # Now() on SQLite writes milliseconds; arithmetic leaves doubles between two cents.
        cursor.execute(
            "UPDATE plans_reward SET created_at = '2026-05-06 07:08:09.120', amount = 0.125 WHERE id % 2 = 0"
        )
        cursor.execute(
            "UPDATE plans_reward SET released_at = '2026-05-06 07:08:09.000000', amount = 12345678901.234567 "
            "WHERE id % 2 = 1"
        )
        cursor.execute("UPDATE plans_salestransaction SET date = '2026-5-6'")
        cursor.execute("UPDATE plans_reward SET amount = -0.001 WHERE id IN (SELECT max(id) FROM plans_reward)")
        cursor.execute("UPDATE plans_reward SET amount = 0 * -1.0 WHERE id IN (SELECT min(id) FROM plans_reward)")
    rewards, rewards_by_python = both_paths(odata, monkeypatch, "Rewards", {})
    assert rewards == rewards_by_python
    for text in (b'"CreatedAt":"2026-05-06T07:08:09.120000Z"', b'"ReleasedAt":"2026-05-06T07:08:09Z"'):
        assert text in rewards
    assert b'"Amount":0.12,' in rewards and b'"Amount":12345678901.23,' in rewards
    transactions, transactions_by_python = both_paths(odata, monkeypatch, "Transactions", {})
    assert transactions == transactions_by_python and b'"Date":"2026-05-06"' in transactions


@pytest.mark.django_db
class TestSkiptoken:
    @override_settings(ODATA_PAGE_SIZE=3)
    def test_every_row_once_while_rows_are_inserted_between_pages(self, odata, tenant, admin_member):
        plan = PlanFactory(tenant=tenant)
        RewardFactory.create_batch(7, plan=plan)
        seen, body = [], odata.json("Rewards")
        while True:
            seen.extend(row["Id"] for row in body["value"])
            RewardFactory(plan=plan)  # a row arriving mid-read sorts after every key already read
            if "@odata.nextLink" not in body or len(seen) > 50:
                break
            query = parse_qs(urlsplit(body["@odata.nextLink"]).query)
            assert set(query) == {"$skiptoken"}
            body = odata.json("Rewards", {k: v[0] for k, v in query.items()})
        assert len(seen) == len(set(seen))
        assert set(seen) <= set(Reward.objects.values_list("pk", flat=True))
        assert seen == sorted(seen) and len(seen) >= 7

    @pytest.mark.parametrize("token", ["abc", "1.5", "1;DROP", "", "99999999999999999999", "' or 1=1"])
    def test_a_tampered_token_is_a_400_naming_it(self, odata, token):
        error = odata.json("Rewards", {"$skiptoken": token}, status=400)["error"]
        assert error["target"] == "$skiptoken" and "not a token this service issued" in error["message"]

    def test_a_token_with_a_client_order_is_refused(self, odata):
        odata.json("Rewards", {"$skiptoken": "3", "$orderby": "Amount"}, status=400)

    def test_another_tenants_key_gets_404_and_a_token_shows_only_this_tenant(
        self, odata, client, tenant, other_tenant, outsider
    ):
        from api.services import create_api_key

        mine = RewardFactory(plan=PlanFactory(tenant=tenant))
        theirs = RewardFactory(plan=PlanFactory(tenant=other_tenant))
        foreign_key = create_api_key(tenant=other_tenant, user=outsider.user, name="Theirs", actor=None).key
        response = client.get(
            odata.url("Rewards"), {"$skiptoken": "0"}, headers={"Authorization": f"Bearer {foreign_key}"}
        )
        assert response.status_code == 404
        ids = [row["Id"] for row in odata.json("Rewards", {"$skiptoken": "0"})["value"]]
        assert ids == [mine.pk] and theirs.pk not in ids
