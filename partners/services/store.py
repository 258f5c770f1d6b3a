"""Set-based writes of the engine's output.

At 10,000 enrollments Django's bulk_update (a CASE per row and field) and bulk_create (a model
instance and field preparation per value) cost seconds. These statements carry ids, numbers and
dates as parameters: on PostgreSQL as one JSON array of rows per statement (one C-speed
``json.dumps``; per-column arrays cost a second of Python dumping at 40,000 rows), elsewhere
(SQLite) as ``VALUES`` rows in batches. Table and column names come from the models' metadata."""

import functools
import json

from django.db import connection

from ..models import CriterionResult, PartnerEnrollment, ProgressSnapshot

BATCH = 1000  # rows per statement with VALUES (SQLite allows 32,766 parameters)
PG_BATCH = 20_000  # rows per statement with a JSON array


def _text(value):
    """A decimal or datetime as JSON text that PostgreSQL casts back exactly; None stays null."""
    return None if value is None else str(value) if not hasattr(value, "isoformat") else value.isoformat()


def _columns(model, names):
    qn = connection.ops.quote_name
    return qn(model._meta.db_table), {n: qn(model._meta.get_field(n).column) for n in names}


def store_results(tenant_id: int, rows: list[tuple], *, calculated_at) -> None:
    """Upsert criterion results: rows of (enrollment id, criterion id, value, met tier ids,
    percent, required)."""
    names = ["tenant", "enrollment", "criterion", "value", "met_tier_ids", "percent", "required", "calculated_at"]
    table, col = _columns(CriterionResult, names)
    cols = ", ".join(col[n] for n in names)
    conflict = ", ".join(col[n] for n in names[:3])
    updates = ", ".join(f"{col[n]} = excluded.{col[n]}" for n in names[3:])
    ops = connection.ops
    if connection.vendor == "postgresql":
        for start in range(0, len(rows), PG_BATCH):
            batch = rows[start : start + PG_BATCH]
            payload = json.dumps(
                [[e, c, str(v), met, None if p is None else str(p), req] for e, c, v, met, p, req in batch]
            )
            sql = (
                f"INSERT INTO {table} ({cols}) SELECT %s, (r->>0)::bigint, (r->>1)::bigint, (r->>2)::numeric, "  # noqa: S608 - names from model meta
                "r->3, (r->>4)::numeric, (r->>5)::boolean, %s FROM jsonb_array_elements(%s::jsonb) AS r "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
            )
            params = [tenant_id, calculated_at, payload]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        return
    # The decimals come quantized from the engine and go as they are (the driver's adapter is
    # str()); the tenant and the time once per statement, not per row. The met-tier lists repeat
    # (a few distinct ones per program): dumped once each.
    selected = ", ".join(f"column{i}" for i in range(1, 7))
    dumped: dict[tuple, str] = {}
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        params = [tenant_id, ops.adapt_datetimefield_value(calculated_at)]
        extend = params.extend
        for enrollment_id, criterion_id, value, met, percent, required in batch:
            key = tuple(met)
            text = dumped.get(key)
            if text is None:
                text = dumped[key] = json.dumps(met)
            extend((enrollment_id, criterion_id, value, text, percent, required))
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
        # SQLite names VALUES columns column1, column2, ...; WHERE true: an upsert's SELECT needs one.
        sql = (
            f"INSERT INTO {table} ({cols}) SELECT %s, {selected}, %s FROM (VALUES {values}) WHERE true "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def store_progress(tenant_id: int, enrollments: list[PartnerEnrollment]) -> None:
    """Write the enrollments' progress columns (percent, next and qualifying tier, last
    calculated, progress changed at unless None, inputs digest) with one UPDATE ... FROM per
    batch."""
    names = ["id", "tenant", "progress_percent", "next_tier", "qualifying_tier", "last_calculated"]
    table, col = _columns(PartnerEnrollment, [*names, "progress_changed_at", "inputs_digest"])
    assign = (
        f"{col['progress_percent']} = v.p, {col['next_tier']} = v.n, {col['qualifying_tier']} = v.q, "
        f"{col['last_calculated']} = v.lc, {col['inputs_digest']} = v.d, "
        f"{col['progress_changed_at']} = COALESCE(v.pc, {col['progress_changed_at']})"
    )
    where = f"{table}.{col['id']} = v.id AND {table}.{col['tenant']} = %s"
    if connection.vendor == "postgresql":
        when = functools.lru_cache(maxsize=4)(_text)  # the run's one timestamp (or None) in every row
        for start in range(0, len(enrollments), PG_BATCH):
            batch = enrollments[start : start + PG_BATCH]
            payload = json.dumps(
                [
                    [e.id, _text(e.progress_percent), e.next_tier_id, e.qualifying_tier_id]
                    + [when(e.last_calculated), when(e.progress_changed_at), e.inputs_digest]
                    for e in batch
                ]
            )
            sql = (
                f"UPDATE {table} SET {assign} FROM (SELECT (r->>0)::bigint AS id, (r->>1)::numeric AS p, "  # noqa: S608
                "(r->>2)::bigint AS n, (r->>3)::bigint AS q, (r->>4)::timestamptz AS lc, (r->>5)::timestamptz AS pc, "
                "(r->>6)::bigint AS d "
                f"FROM jsonb_array_elements(%s::jsonb) AS r) AS v WHERE {where}"
            )
            params = [payload, tenant_id]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        return
    # The run's one timestamp (or None) in every row: adapted once, not 20,000 times.
    when = functools.lru_cache(maxsize=4)(connection.ops.adapt_datetimefield_value)
    for start in range(0, len(enrollments), BATCH):
        batch = enrollments[start : start + BATCH]
        params = []
        extend = params.extend
        for e in batch:
            extend((e.id, e.progress_percent, e.next_tier_id, e.qualifying_tier_id, when(e.last_calculated)))
            extend((when(e.progress_changed_at), e.inputs_digest))
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(batch))
        # SQLite names VALUES columns column1, column2, ...
        sql = (
            f"UPDATE {table} SET {assign} FROM (SELECT column1 AS id, CAST(column2 AS NUMERIC) AS p, "  # noqa: S608
            f"column3 AS n, column4 AS q, column5 AS lc, column6 AS pc, column7 AS d FROM (VALUES {values})) AS v "
            f"WHERE {where}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, tenant_id])


def store_snapshots(tenant_id: int, rows: list[tuple], *, recorded_at) -> None:
    """Insert progress snapshots: rows of (enrollment id, percent, next tier id)."""
    names = ["tenant", "enrollment", "recorded_at", "percent", "next_tier"]
    table, col = _columns(ProgressSnapshot, names)
    cols = ", ".join(col[n] for n in names)
    if connection.vendor != "postgresql":
        when = connection.ops.adapt_datetimefield_value(recorded_at)
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            params = [tenant_id, when]
            for row in batch:
                params.extend(row)
            values = ", ".join(["(%s, %s, %s)"] * len(batch))
            sql = f"INSERT INTO {table} ({cols}) SELECT %s, column1, %s, column2, column3 FROM (VALUES {values})"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        return
    for start in range(0, len(rows), PG_BATCH):
        payload = json.dumps([[e, _text(p), n] for e, p, n in rows[start : start + PG_BATCH]])
        sql = (
            f"INSERT INTO {table} ({cols}) SELECT %s, (r->>0)::bigint, %s, (r->>1)::numeric, (r->>2)::bigint "  # noqa: S608
            "FROM jsonb_array_elements(%s::jsonb) AS r"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [tenant_id, recorded_at, payload])
