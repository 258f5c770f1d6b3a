"""Writes of Learning > Sales orders: hand edits, the NetSuite connection, the NetSuite sync and
the CSV import. Every path that moves an end date ends in ``follow_end_date``, so the
enrollments following that order move with it, and one activity entry records each change or run."""

import datetime
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils import timezone

from activity.models import Action
from activity.services import record
from common.bulk_import import Column, RowPipeline, analyze_after_commit
from common.services import model_update
from tenancy.models import Tenant

from ..access import today_for
from ..models import CourseEnrollment, NetSuiteConnection, SalesOrder, SalesOrderSource
from ..netsuite import NetSuiteClient, NetSuiteError, parse_sales_order
from .expiry import reconcile_status
from .expiry_notices import expiry_changed

# --- By hand ------------------------------------------------------------------------------------

SALES_ORDER_FIELDS = ["tran_id", "netsuite_id", "customer", "start_date", "end_date", "status"]


@transaction.atomic
def sales_order_create(*, tenant: Tenant, actor, data: dict, source: str = SalesOrderSource.MANUAL) -> SalesOrder:
    order = SalesOrder(tenant=tenant, source=source, **{f: data[f] for f in SALES_ORDER_FIELDS if f in data})
    order.full_clean()
    order.save()
    record(
        tenant=tenant,
        actor=actor,
        action=Action.CREATE,
        target=order,
        changes={f: [None, str(getattr(order, f))] for f in SALES_ORDER_FIELDS if getattr(order, f)},
    )
    return order


@transaction.atomic
def sales_order_update(order: SalesOrder, *, actor, data: dict) -> tuple[SalesOrder, int]:
    """Edit a sales order. Returns ``(order, enrollments_changed)``: moving the end date moves the
    expiry of every enrollment that follows it (see ``follow_end_date``)."""
    old_end = order.end_date
    order, updated, changes = model_update(instance=order, fields=SALES_ORDER_FIELDS, data=data)
    moved = follow_end_date(order, old_end=old_end) if updated else 0
    if updated:
        record(
            tenant=order.tenant,
            actor=actor,
            action=Action.UPDATE,
            target=order,
            changes=changes,
            count=moved or None,
        )
    return order, moved


def follow_end_date(order: SalesOrder, *, old_end: datetime.date | None, now=None) -> int:
    """Enrollments following ``order`` (no manual date) take its new end date as their expiry:
    the ones the sweep expired (not by hand) come back to E when the new date has not passed,
    and E ones now past it become X. Returns how many rows changed status. Call inside the
    transaction of the change."""
    if old_end == order.end_date:
        return 0
    now = now or timezone.now()
    today = today_for(order.tenant, now=now)
    following = CourseEnrollment.objects.filter(
        tenant_id=order.tenant_id, sales_order=order, manual_expiration_date__isnull=True
    )
    expiry_changed(tenant_id=order.tenant_id)
    return reconcile_status(following, today=today, now=now)


@transaction.atomic
def netsuite_connection_save(*, form, actor) -> NetSuiteConnection:
    """Save the tenant's NetSuite connection from its validated form. The activity entry names
    the changed fields; secret values are never written to it."""
    connection = form.instance
    created = connection.pk is None
    connection.full_clean()
    connection.save()
    secret = {"consumer_secret", "token_secret", "client_secret"}
    changes = {
        name: ["(hidden)", "(hidden)"] if name in secret else [None, str(form.cleaned_data.get(name))]
        for name in form.changed_data
        if name not in secret or form.data.get(name)
    }
    record(
        tenant=connection.tenant,
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        target=connection,
        changes=changes,
    )
    return connection


# --- NetSuite sync --------------------------------------------------------------------------------

# An order edited in NetSuite while a sync runs may carry a lastModifiedDate a little before the
# high-water mark; asking again from a bit earlier costs a few unchanged rows and misses none.
OVERLAP = datetime.timedelta(minutes=10)
SYNCED_FIELDS = ["tran_id", "customer", "start_date", "end_date", "status", "last_modified"]


@dataclass
class SyncResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # NetSuite ids without an end date
    enrollments_changed: int = 0
    error: str = ""

    @property
    def changed(self) -> int:
        return len(self.created) + len(self.updated)

    @property
    def message(self) -> str:
        if self.error:
            return f"NetSuite sync failed: {self.error}"
        text = f"Synced sales orders: {len(self.created)} new, {len(self.updated)} updated"
        if self.skipped:
            text += f", {len(self.skipped)} skipped without an end date"
        return text + "."


def sync_sales_orders(*, tenant: Tenant, client: NetSuiteClient | None = None, now=None) -> SyncResult:
    """Fetch the sales orders modified since the last sync (minus the overlap) and apply them.

    Nothing is written until every page has been read, so an error page leaves the data and the
    high-water mark as they were; the connection keeps the error for the settings page.
    Re-running changes nothing: unchanged orders are not saved and no entry is recorded."""
    now = now or timezone.now()
    connection = NetSuiteConnection.objects.filter(tenant=tenant, is_enabled=True).first()
    if connection is None:
        return SyncResult(error="no NetSuite connection is set up for this workspace")
    client = client or NetSuiteClient(connection)
    since = connection.synced_through - OVERLAP if connection.synced_through else None
    try:
        records = client.modified_sales_orders(since)
    except NetSuiteError as exc:
        NetSuiteConnection.objects.filter(pk=connection.pk).update(last_run_at=now, last_error=str(exc)[:2000])
        return SyncResult(error=str(exc))
    return _apply(tenant, connection, [parse_sales_order(r) for r in records], now=now)


@transaction.atomic
def _apply(tenant: Tenant, connection: NetSuiteConnection, rows: list[dict], *, now) -> SyncResult:
    result = SyncResult()
    by_ns = {o.netsuite_id: o for o in SalesOrder.objects.filter(tenant=tenant).exclude(netsuite_id="")}
    by_tran = {o.tran_id: o for o in SalesOrder.objects.filter(tenant=tenant, netsuite_id="")}
    high = connection.synced_through
    for data in rows:
        if data["last_modified"] and (high is None or data["last_modified"] > high):
            high = data["last_modified"]
        if data["end_date"] is None:
            result.skipped.append(data["netsuite_id"])
            continue
        # An order first entered by hand or by CSV is adopted by its transaction number.
        order = by_ns.get(data["netsuite_id"]) or by_tran.get(data["tran_id"])
        if order is None:
            order = SalesOrder(tenant=tenant, source=SalesOrderSource.NETSUITE, last_synced_at=now, **data)
            order.full_clean()
            order.save()
            by_ns[order.netsuite_id] = order
            result.created.append(order.pk)
            continue
        old_end = order.end_date
        order, updated, _ = model_update(instance=order, fields=[*SYNCED_FIELDS, "netsuite_id"], data=data)
        if updated:
            SalesOrder.objects.filter(pk=order.pk).update(last_synced_at=now, source=SalesOrderSource.NETSUITE)
            result.enrollments_changed += follow_end_date(order, old_end=old_end, now=now)
            result.updated.append(order.pk)
    NetSuiteConnection.objects.filter(pk=connection.pk).update(synced_through=high, last_run_at=now, last_error="")
    if result.changed:
        record(
            tenant=tenant,
            actor=None,
            action=Action.UPDATE,
            target="SalesOrder",
            verb="synced from NetSuite",
            changes={"created": [None, len(result.created)], "updated": [None, len(result.updated)]},
            count=result.changed,
            object_ids=sorted(result.created + result.updated),
            label=f"{result.changed} sales order{'s' if result.changed != 1 else ''} from NetSuite",
        )
    return result


# --- CSV import (a job: see courses.jobs; the set-based row pipeline of common.bulk_import) ------

CSV_COLUMNS = ["tran_id", "customer", "start_date", "end_date", "status", "netsuite_id"]
REQUIRED_COLUMNS = ("tran_id", "end_date")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


def _flexible_date(value: str):
    """ISO dates and the US MM/DD/YYYY the portal shows."""
    if not (value or "").strip():
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise ValueError(f"“{value}” is not a date (use YYYY-MM-DD or MM/DD/YYYY).")


def _text(value: str) -> str:
    return (value or "").strip()


class SalesOrderImporter:
    """One import of sales orders fed chunk by chunk (jobs.imports). A row is matched to the
    workspace's order by its number (tran_id): found, an update (or unchanged); not found, a new
    order with the source CSV. A number appears once per file; a NetSuite id belongs to one
    order. ``finish`` runs once after the last chunk of a committed import: enrollments
    following a moved end date move with it, and one activity entry."""

    def __init__(self, tenant: Tenant, actor):
        self.tenant, self.actor = tenant, actor
        columns = [
            Column("tran_id", _text),
            Column("customer", _text, cache=False),
            Column("start_date", _flexible_date),
            Column("end_date", _flexible_date),
            Column("status", _text),
            Column("netsuite_id", _text, cache=False),
        ]
        self.pipeline = RowPipeline(SalesOrder, tenant, columns, key="tran_id", row_check=self._check)
        self.seen: dict[str, int] = {}  # tran_id -> its line
        self.lines: list[int] = []
        self.netsuite_owner: dict[str, str] = {}  # the chunk's NetSuite ids -> the number of their order
        self.created: list[int] = []
        self.moved: dict[int, datetime.date] = {}  # updated order -> its end date before
        self.totals = {"new": 0, "update": 0}

    def _check(self, n: int, order: SalesOrder, old: dict | None) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if order.start_date and order.end_date and order.end_date < order.start_date:
            errors[NON_FIELD_ERRORS] = ["The end date is before the start date."]
        if order.tran_id in self.seen:
            errors["tran_id"] = [f"{order.tran_id} is on line {self.seen[order.tran_id]} already."]
        else:
            self.seen[order.tran_id] = self.lines[n]
        owner = self.netsuite_owner.get(order.netsuite_id) if order.netsuite_id else None
        if owner is not None and owner != order.tran_id:
            errors["netsuite_id"] = [f"“{order.netsuite_id}” is the NetSuite id of sales order {owner} already."]
        elif order.netsuite_id:
            self.netsuite_owner[order.netsuite_id] = order.tran_id
        return errors

    def run(self, dataset: tablib.Dataset, *, dry_run: bool, lines=None) -> list[tuple[str, list[str]]]:
        self.lines = lines or list(range(2, len(dataset) + 2))
        if "netsuite_id" in dataset.headers:
            at = dataset.headers.index("netsuite_id")
            ids = {row[at].strip() for row in dataset} - {""}
            owned = SalesOrder.objects.filter(tenant=self.tenant, netsuite_id__in=ids).values_list(
                "netsuite_id", "tran_id"
            )
            self.netsuite_owner.update({k: v for k, v in owned if k not in self.netsuite_owner})
        stored = [c.name for c in self.pipeline.columns]
        checked = self.pipeline.check(dataset.headers, dataset, stored_fields=stored, build=not dry_run)
        if not dry_run and not any(errors for _, errors in checked.outcomes):
            for order in checked.new:
                order.source = SalesOrderSource.CSV
            present = [c for c in stored if c in dataset.headers]
            before = {old["pk"]: old["end_date"] for old in checked.old}
            self.pipeline.write(checked, update_fields=present)
            self.created += [o.pk for o in checked.new]
            for order in checked.updated:
                self.moved.setdefault(order.pk, before[order.pk])
            self.totals["new"] += len(checked.new)
            self.totals["update"] += len(checked.updated)
        return checked.outcomes

    def finish(self, totals: dict) -> None:
        touched = sorted([*self.created, *self.moved])
        if not touched:  # a file of unchanged rows changes nothing to log
            return
        for order in SalesOrder.objects.filter(tenant=self.tenant, pk__in=list(self.moved)).select_related("tenant"):
            follow_end_date(order, old_end=self.moved[order.pk])
        record(
            tenant=self.tenant,
            actor=self.actor,
            action=Action.UPDATE,
            target="SalesOrder",
            verb="imported from CSV",
            changes={"created": [None, totals.get("new", 0)], "updated": [None, totals.get("update", 0)]},
            count=len(touched),
            object_ids=touched,
            label=f"{len(touched)} sales order{'s' if len(touched) != 1 else ''} from CSV",
        )
        analyze_after_commit(SalesOrder, len(touched))
