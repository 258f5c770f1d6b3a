"""Background jobs at scale: a 100,000-row opportunities CSV (about 10 MB) previewed and imported
as jobs, each run the way a worker runs it, in a process of its own so that its peak memory (the
process's maximum resident set, interpreter included) is the job's and nothing else's. The job's
wall time is measured inside that process; its queries too."""

import multiprocessing
import resource
import time

from django.core.files.base import ContentFile
from django.db import connection, connections, transaction

from bench.harness import Result, benchmark, time_sql
from jobs.models import Job
from jobs.services import run_job, start_job
from partners.models import Opportunity, PartnerAccount
from tenancy.services import tenant_create

ACCOUNTS = 500


def _child(job_id: int, pipe) -> None:
    from django_scopes import scopes_disabled

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with scopes_disabled(), connection.execute_wrapper(count):
        start = time.perf_counter()
        state = run_job(job_id)
        seconds = time.perf_counter() - start
    pipe.send((state, seconds, queries))
    pipe.close()


def run_job_measured(job_id: int) -> tuple[str, float, int, float]:
    """Run the job in a forked process: (state, wall seconds, queries, peak MB of that process)."""
    connections.close_all()  # the child opens its own
    ctx = multiprocessing.get_context("fork")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_child, args=(job_id, child))
    process.start()
    state, seconds, queries = parent.recv()
    process.join()
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: the bench forks its biggest job last or equal.
    return state, seconds, queries, max(peak_kb, before) / 1024


def _csv(n: int) -> bytes:
    rows = ["account,owner,name,amount,expected_revenue,currency,stage,close_date,created_date"]
    rows += [
        f"Partner account {i % ACCOUNTS},,Opportunity number {i:06d} of the import,{1000 + i}.50,{500 + i},USD,"
        f"Closed Won,2026-0{1 + i % 9}-{10 + i % 18},2026-01-0{1 + i % 9}"
        for i in range(n)
    ]
    return ("\n".join(rows) + "\n").encode()


# The floor of the import: the same rows (their account found by name) written by one INSERT …
# SELECT, rolled back. What is left above it is reading, checking and sending the file's rows.
FLOOR_COLUMNS = (
    "tenant_id, account_id, owner_id, name, amount, expected_revenue, currency, stage, close_date, created_date"
)
FLOOR_PG = f"""
INSERT INTO partners_opportunity ({FLOOR_COLUMNS})
SELECT a.tenant_id, a.id, NULL, 'Opportunity number ' || lpad(i::text, 6, '0') || ' of the import', 1000.5 + i,
  500 + i, 'USD', 'closed_won', date '2026-01-10' + (i %% 18), date '2026-01-01' + (i %% 9)
FROM generate_series(0, %s - 1) AS i
JOIN partners_partneraccount a ON a.tenant_id = %s AND a.name = 'Partner account ' || (i %% {ACCOUNTS})
"""  # noqa: S608 - constants
FLOOR_SQLITE = f"""
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < %s)
INSERT INTO partners_opportunity ({FLOOR_COLUMNS})
SELECT a.tenant_id, a.id, NULL, 'Opportunity number ' || printf('%%06d', i) || ' of the import', 1000.5 + i,
  500 + i, 'USD', 'closed_won', date('2026-01-10', '+' || (i %% 18) || ' days'),
  date('2026-01-01', '+' || (i %% 9) || ' days')
FROM s JOIN partners_partneraccount a ON a.tenant_id = %s AND a.name = 'Partner account ' || (i %% {ACCOUNTS})
"""  # noqa: S608 - constants


def _floor(tenant, n: int) -> float:
    with transaction.atomic():
        seconds = time_sql(FLOOR_PG if connection.vendor == "postgresql" else FLOOR_SQLITE, [n, tenant.pk])
        transaction.set_rollback(True)
    return seconds


@benchmark("jobs")
def import_jobs(scale):
    n = scale.n(100_000)
    tenant = tenant_create(slug="bench-jobs", name="Bench Jobs")
    PartnerAccount.objects.bulk_create(
        [PartnerAccount(tenant=tenant, name=f"Partner account {i}") for i in range(ACCOUNTS)]
    )
    data = _csv(n)
    floor = _floor(tenant, n)
    preview, _ = start_job(
        tenant=tenant,
        kind="partners.import.opportunities.preview",
        actor=None,
        target_type="Upload",
        target_id="bench",
        input_file=ContentFile(data, name="bench.csv"),
    )
    state, p_seconds, p_queries, p_peak = run_job_measured(preview.pk)
    preview.refresh_from_db()
    assert state == "succeeded" and preview.result_data["totals"]["new"] == n, preview.result
    confirm, _ = start_job(
        tenant=tenant,
        kind="partners.import.opportunities.confirm",
        actor=None,
        target_type="Job",
        target_id=str(preview.pk),
    )
    state, c_seconds, c_queries, c_peak = run_job_measured(confirm.pk)
    assert state == "succeeded", Job.objects.get(pk=confirm.pk).result
    assert Opportunity.objects.filter(tenant=tenant).count() == n
    mb = len(data) / 1024 / 1024
    target = "PG < 60 s, < 200 MB"
    return [
        Result(f"jobs: import preview ({mb:.1f} MB CSV)", n, p_seconds, p_queries, peak_mb=p_peak, target=target),
        Result(
            f"jobs: import confirm ({mb:.1f} MB CSV)",
            n,
            c_seconds,
            c_queries,
            floor_seconds=floor,
            peak_mb=c_peak,
            target=target,
        ),
    ]
