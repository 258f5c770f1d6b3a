"""The courses app's long work, run as jobs (the jobs app): NetSuite "Sync now" (the page answers
at once, the bar follows the orders as they arrive, and the result says how many pages were
fetched and orders changed) and the sales-order CSV import (preview, then import, each a job,
on the file stored once under the tenant). Registered from ``CoursesConfig.ready``."""

from django.urls import reverse

from jobs import registry
from jobs.imports import ImportKind, register_import
from jobs.selectors import recent_jobs
from jobs.services import start_job
from tenancy.capabilities import Capability

from .models import NetSuiteConnection
from .netsuite import NetSuiteClient
from .services.sales_orders import CSV_COLUMNS, REQUIRED_COLUMNS, SalesOrderImporter, sync_sales_orders

SYNC_NOW = "courses.netsuite_sync"


def _page(name: str):
    return lambda slug: reverse(name, kwargs={"tenant_slug": slug})


SALES_ORDER_IMPORT = ImportKind(
    name="courses.import.sales_orders",
    noun="sales orders",
    columns=CSV_COLUMNS,
    required=REQUIRED_COLUMNS,
    capability=Capability.MANAGE_LEARNING,
    importer=SalesOrderImporter,
    page_url=_page("courses:sales_order_import"),
    list_url=_page("courses:sales_order_list"),
)


class SyncFailed(Exception):
    pass


def _run_sync(job, progress) -> str:
    connection = NetSuiteConnection.objects.filter(tenant=job.tenant, is_enabled=True).first()
    if connection is None:
        raise SyncFailed("no enabled NetSuite connection is set up for this workspace")
    client = NetSuiteClient(connection)
    client.on_record = lambda done, total: progress(done, total, phrase="Fetching changed sales orders")
    progress(0, None, phrase="Listing changed sales orders")
    result = sync_sales_orders(tenant=job.tenant, client=client)
    if result.error:
        raise SyncFailed(result.error)
    pages = client.pages_fetched
    job.result_data = {"pages": pages, "created": len(result.created), "updated": len(result.updated)}
    job.save(update_fields=["result_data"])
    return (
        f"{result.message} {pages} page{'s' if pages != 1 else ''} fetched, "
        f"{result.changed} sales order{'s' if result.changed != 1 else ''} changed."
    )


def register_jobs() -> None:
    register_import(SALES_ORDER_IMPORT)
    registry.register(
        registry.JobKind(
            name=SYNC_NOW,
            label="NetSuite sync",
            run=_run_sync,
            capability=Capability.MANAGE_LEARNING,
            back_url=lambda job: reverse("courses:sales_order_list", kwargs={"tenant_slug": job.tenant.slug}),
        )
    )


def start_sync_now(connection: NetSuiteConnection, *, actor):
    """Sync now, in the background; a second click while it runs gets the running job."""
    return start_job(tenant=connection.tenant, kind=SYNC_NOW, target=connection, actor=actor, label="Sales orders")


def sync_jobs(*, tenant):
    return recent_jobs(tenant=tenant, kinds=[SYNC_NOW])
