"""The partner-data importer (partners.imports, on common.bulk_import): at most one query per
lookup per chunk whatever its size, the statuses of the preview (new / update / unchanged / invalid), the
model's own checks and ``clean`` in its words, and what an import marks due."""

import datetime as dt
from decimal import Decimal

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from common import bulk_import
from partners.imports import PartnerDataImporter
from partners.models import Lead, Opportunity, PartnerEnrollment
from tests.partners import factories as f

pytestmark = pytest.mark.django_db

HEADER = ["id", "account", "owner", "name", "amount", "currency", "stage", "close_date"]


def chunk(headers, *rows):
    return tablib.Dataset(*[list(r) for r in rows], headers=headers)


def run(kind, tenant, headers, *rows, dry_run=True, actor=None):
    return PartnerDataImporter(kind, tenant, actor).run(chunk(headers, *rows), dry_run=dry_run)


@pytest.fixture
def northwind(tenant):
    return f.PartnerAccountFactory(tenant=tenant, name="Northwind")


def row(i, account="Northwind", **kw):
    values = {"id": "", "account": account, "owner": "", "name": f"Deal {i}", "amount": f"{i}.50"}
    values |= {"currency": "usd", "stage": "Closed Won", "close_date": "2026-03-01"} | kw
    return [values[h] for h in HEADER]


@pytest.mark.parametrize("n", [10, 30])
def test_a_chunk_costs_one_query_per_lookup_whatever_its_size(tenant, northwind, n):
    others = [f.PartnerAccountFactory(tenant=tenant, name=f"Account {i}") for i in range(3)]
    ids = [o.pk for o in f.OpportunityFactory.create_batch(3, tenant=tenant, account=northwind)]
    rows = [row(i, account=others[i % 3].name) for i in range(n)]
    rows += [row(i, id=str(pk)) for i, pk in enumerate(ids)]
    importer = PartnerDataImporter("opportunities", tenant, None)
    with CaptureQueriesContext(connection) as preview:
        outcomes = importer.run(chunk(HEADER, *rows), dry_run=True)
    assert [s for s, _ in outcomes] == ["new"] * n + ["update"] * 3
    assert len(preview) == 2, "the accounts and the ids (no owner named: no query)"
    with CaptureQueriesContext(connection) as next_chunk:
        importer.run(chunk(HEADER, *rows), dry_run=True)
    assert len(next_chunk) == 1, "the accounts met in an earlier chunk are not asked for again"
    with CaptureQueriesContext(connection) as imported:
        run("opportunities", tenant, HEADER, *rows, dry_run=False)
    # + the INSERT and the UPDATE (one each below 500 rows)
    assert len(imported) == 4
    assert Opportunity.objects.filter(tenant=tenant).count() == n + 3


def test_update_unchanged_and_ids_not_of_this_workspace(tenant, other_tenant, northwind):
    mine = f.OpportunityFactory(
        tenant=tenant, account=northwind, name="Deal 1", amount=Decimal("1.5"), currency="USD", stage="closed_won"
    )
    mine.close_date = dt.date(2026, 3, 1)
    mine.save()
    theirs = f.OpportunityFactory(tenant=other_tenant, account__tenant=other_tenant, name="Their deal")
    outcomes = run(
        "opportunities",
        tenant,
        HEADER,
        row(1, id=str(mine.pk), amount="1.50"),  # 1.50 is the stored 1.5
        row(1, id=str(mine.pk), amount="2"),
        row(2, id=str(theirs.pk)),
        row(3, id="x"),
    )
    assert outcomes == [
        ("skip", []),
        ("update", []),
        ("invalid", [f"id: “{theirs.pk}” not found in this workspace."]),
        ("invalid", ["id: “x” is not a whole number."]),
    ]
    assert Opportunity.objects.get(pk=theirs.pk).name == "Their deal"  # row 2 ("Deal 2") did not touch it


def test_the_models_checks_in_its_words(tenant, northwind):
    (outcome,) = run(
        "opportunities",
        tenant,
        ["account", "name", "amount", "currency", "stage"],
        ["Nowhere", "x" * 201, "1.234", "ABC", ""],
    )
    assert outcome == (
        "invalid",
        [
            "account: “Nowhere” not found in this workspace.",
            "name: Ensure this value has at most 200 characters (it has 201).",
            "amount: Ensure that there are no more than 2 decimal places.",
            "currency: “ABC” is not an ISO 4217 currency. Use a code such as USD, EUR or GBP.",
            "stage: This field cannot be blank.",
            "close_date: This field cannot be null.",  # a column the file does not have
        ],
    )
    (lead,) = run("leads", tenant, ["account", "company", "status"], ["Northwind", "Fabrikam", "approved"])
    assert lead == ("invalid", ["approval_date: An approved registration needs its approval date."])


def test_an_import_marks_the_old_and_the_new_account_due_and_analyzes_large_loads(
    tenant, northwind, monkeypatch, django_capture_on_commit_callbacks
):
    contoso = f.PartnerAccountFactory(tenant=tenant, name="Contoso")
    deal = f.OpportunityFactory(tenant=tenant, account=contoso)
    before = f.PartnerEnrollmentFactory(program__tenant=tenant, account=contoso)
    after = f.PartnerEnrollmentFactory(program__tenant=tenant, account=northwind)
    PartnerEnrollment.objects.filter(pk__in=[before.pk, after.pk]).update(recalc_due_at=None)
    monkeypatch.setattr(bulk_import, "ANALYZE_AFTER_ROWS", 2)
    analyzed = []
    monkeypatch.setattr(bulk_import, "analyze", analyzed.append)
    importer = PartnerDataImporter("opportunities", tenant, None)
    outcomes = importer.run(chunk(["id", "account"], [str(deal.pk), "Northwind"], ["", "Northwind"]), dry_run=False)
    assert outcomes[0] == ("update", []) and outcomes[1][1][0] == "name: This field cannot be blank."
    assert Opportunity.objects.get(pk=deal.pk).account_id == contoso.pk, "a chunk with an error writes nothing"
    importer = PartnerDataImporter("opportunities", tenant, None)
    importer.run(chunk(HEADER, row(1, id=str(deal.pk)), row(2)), dry_run=False)
    with django_capture_on_commit_callbacks(execute=True):
        importer.finish({"new": 1, "update": 1})
    assert set(PartnerEnrollment.objects.filter(recalc_due_at__isnull=False).values_list("pk", flat=True)) == {
        before.pk,
        after.pk,
    }
    assert analyzed == (["partners_opportunity"] if connection.vendor == "postgresql" else [])


@pytest.mark.postgres
def test_the_analyze_refreshes_the_statistics_from_an_import_job_s_tenant_scope(tenant):
    """An import's job runs in its tenant's scope, as the app role, whose ANALYZE PostgreSQL
    skips with a warning (only the table's owner may analyze it): the statistics stayed stale."""
    table = Lead._meta.db_table

    def reltuples():
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:  # never analyzed (a superuser's update, as CI's user is)
        cursor.execute("UPDATE pg_class SET reltuples = -1 WHERE oid = %s::regclass", [table])
    with scope(tenant=tenant):
        bulk_import.analyze(table)
    assert reltuples() >= 0
