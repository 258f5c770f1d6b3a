"""The OData API at scale: 100,000 rewards read page by page through @odata.nextLink, one page,
a page with $expand=Plan, and a filtered $count, through the real stack (middleware, key check,
rate counter, query translation, streamed JSON).

The floor is the same rows by one hand-written SELECT on the same database (for the whole feed:
one SELECT of all rows, fetched). The feed's reader follows the links as a streaming client does,
decoding each page's tail where the service writes the link, not its rows: the floor decodes no
JSON either. What decoding every row would add is its own line."""

import datetime as dt
import gc
import json
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.services import create_api_key
from bench.harness import Result, benchmark, measure, statistics_states, time_sql
from plans.models import Plan, Reward
from tenancy.demo import ensure_member
from tenancy.services import ensure_builtin_roles, tenant_create

BATCH = 5000
SELECT_REWARDS = (
    "SELECT id, plan_id, calculation_id, user_id, amount, currency, released, released_at, recoverable, reason, "
    "created_at, cleared_at FROM plans_reward WHERE tenant_id = %s ORDER BY id"
)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _get(client, url, key, params=None):
    response = client.get(url, params or {}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, _body(response)[:300]
    return response


NEXT_LINK = b',"@odata.nextLink":'


def _next_link(raw: bytes) -> str | None:
    """The page's ``@odata.nextLink``, read as a streaming client reads it: the service writes it
    after the rows, so only the body's tail is decoded, not the rows."""
    at = raw.rfind(NEXT_LINK)
    return None if at < 0 else json.loads(raw[at + len(NEXT_LINK) : -1])


def _read_all(client, url, key, bodies=None) -> None:
    next_url = url
    while next_url:
        raw = _body(_get(client, next_url, key))
        if bodies is not None:
            bodies.append(raw)
        next_url = _next_link(raw)


def _rows(bodies) -> int:
    """The rows of the pages, each body decoded whole: the link found by ``_next_link`` must be
    the one a full decoding gives."""
    rows = 0
    for raw in bodies:
        body = json.loads(raw)
        assert body.get("@odata.nextLink") == _next_link(raw)
        rows += len(body["value"])
    return rows


@benchmark("api")
def odata_rewards_feed(scale):
    tenant = tenant_create(slug="bench-api", name="Bench API")
    roles = ensure_builtin_roles(tenant=tenant)
    admin = ensure_member(tenant, "bench-api-admin@bench.test", "Bench Admin", roles["Administrator"]).user
    reps = [ensure_member(tenant, f"rep{i}@bench-api.test", f"Rep {i}", roles["Sales Rep"]).user for i in range(20)]
    plan = Plan.objects.create(
        tenant=tenant,
        name="Bench plan",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        currency="USD",
        status="active",
    )
    n = scale.n(100_000)
    now = timezone.now()
    with measure() as seed:
        Reward.objects.bulk_create(
            [
                Reward(
                    tenant=tenant,
                    plan=plan,
                    user=reps[i % len(reps)],
                    amount=Decimal(i % 1000) + Decimal("0.25"),
                    currency="USD",
                    released=i % 2 == 0,
                    recoverable=i % 10 == 0,
                    reason=f"Bench reward {i}",
                    created_at=now,
                )
                for i in range(n)
            ],
            batch_size=BATCH,
        )
    key = create_api_key(tenant=tenant, user=admin, name="Bench", actor=None).key
    client = Client()
    root = reverse("api:service_root", kwargs={"tenant_slug": tenant.slug})
    url = root + "Rewards"
    _get(client, url, key)  # warm up (metadata of the ORM, first connection)

    pages = []  # each page right after the bulk load and after ANALYZE
    # The single pages hold 1,000 rows ($top), as their floors do, whatever the server's page size.
    for state in statistics_states():
        with measure() as page:
            _body(_get(client, url, key, {"$top": "1000"}))
        page_floor = time_sql(SELECT_REWARDS + " LIMIT 1001", [tenant.pk])

        with measure() as expand:
            _body(_get(client, url, key, {"$expand": "Plan", "$orderby": "Amount desc", "$top": "1000"}))
        expand_floor = time_sql(
            "SELECT r.id, r.amount, p.id, p.name FROM plans_reward r LEFT JOIN plans_plan p ON p.id = r.plan_id "
            "WHERE r.tenant_id = %s ORDER BY r.amount DESC, r.id LIMIT 1001",
            [tenant.pk],
        )

        count_filter = "Amount gt 500 and Released eq true"
        with measure(memory=True) as count:
            response = _get(client, root + "Rewards/$count", key, {"$filter": count_filter})
        expected = Reward.objects.filter(tenant=tenant, amount__gt=500, released=True).count()
        assert int(response.content) == expected
        count_floor = time_sql(
            "SELECT COUNT(*) FROM plans_reward WHERE tenant_id = %s AND amount > 500 AND released", [tenant.pk]
        )
        pages += [
            Result(
                f"api: one page, 1,000 rewards, {state}",
                n,
                page.seconds,
                page.queries,
                page_floor,
                target="< 0.150 s (PG)",
            ),
            Result(f"api: page with $expand=Plan, $orderby, {state}", n, expand.seconds, expand.queries, expand_floor),
            Result(
                f"api: filtered $count, {state}", n, count.seconds, count.queries, count_floor, peak_mb=count.peak_mb
            ),
        ]

    # A full collection of the garbage left by the load and the pages above lands in whichever of
    # the two timings happens to cross the collector's threshold (0.15 s on SQLite, half the floor):
    # both start from a collected heap, so neither pays for what came before.
    gc.collect()
    with measure() as feed:
        _read_all(client, url, key)
    gc.collect()
    feed_floor = time_sql(SELECT_REWARDS, [tenant.pk])
    with measure(memory=True) as feed_memory:
        _read_all(client, url, key)
    bodies = []
    _read_all(client, url, key, bodies)
    # The reader decoding every row it received: a client's cost (the floor fetches tuples and
    # decodes no JSON), shown apart from the service's time above.
    with measure() as parse:
        rows = _rows(bodies)
    assert rows == n, rows

    return [
        Result("api: seed rewards (bulk insert)", n, seed.seconds, seed.queries),
        *pages,
        Result(
            "api: all rewards via nextLink",
            n,
            feed.seconds,
            feed.queries,
            feed_floor,
            peak_mb=feed_memory.peak_mb,
            target="< 15 s (PG)",
        ),
        Result("api: a reader decoding every row (not in the feed)", n, parse.seconds, 0, feed_floor),
    ]
