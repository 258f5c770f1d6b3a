"""Writes of Learning > Sales orders: hand edits, the NetSuite connection, the NetSuite sync and
the CSV import. Every path that moves an end date ends in ``follow_end_date``, so the
enrollments following that order move with it, and one activity entry records each change or run."""

import datetime
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils import timezone
from import_export import fields, resources, widgets

from activity.models import Action
from activity.services import record
from common.imports import read_csv as read_import_csv
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


# --- CSV import (django-import-export: preview = dry run, row-level errors) -------------------

CSV_COLUMNS = ["tran_id", "customer", "start_date", "end_date", "status", "netsuite_id"]
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


class FlexibleDateWidget(widgets.DateWidget):
    """ISO dates and the US MM/DD/YYYY the portal shows."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.date):
            return value
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(str(value).strip(), fmt).date()  # noqa: DTZ007 - a date
            except ValueError:
                continue
        raise ValueError(f"“{value}” is not a date (use YYYY-MM-DD or MM/DD/YYYY).")


class SalesOrderResource(resources.ModelResource):
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=FlexibleDateWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=FlexibleDateWidget())

    class Meta:
        model = SalesOrder
        fields = CSV_COLUMNS
        import_id_fields = ["tran_id"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, *, tenant: Tenant):
        super().__init__()
        self.tenant = tenant

    def get_queryset(self):
        return SalesOrder.objects.filter(tenant=self.tenant)

    def init_instance(self, row=None):
        return SalesOrder(tenant=self.tenant, source=SalesOrderSource.CSV)


def read_csv(text: str) -> tablib.Dataset:
    """Parse CSV text; a header row with at least tran_id and end_date is required (file-level
    refusals raise ``ImportFileError``, a ValueError)."""
    return read_import_csv(text, columns=CSV_COLUMNS, required=("tran_id", "end_date"))


def sales_orders_import(*, tenant: Tenant, actor, dataset: tablib.Dataset, dry_run: bool):
    """Import (or, with ``dry_run``, preview) sales orders from a CSV dataset. All or nothing: a
    row with an error leaves every order unchanged. Returns import-export's ``Result``."""
    with transaction.atomic():
        before = dict(SalesOrder.objects.filter(tenant=tenant).values_list("pk", "end_date"))
        result = SalesOrderResource(tenant=tenant).import_data(
            dataset, dry_run=dry_run, raise_errors=False, rollback_on_validation_errors=True
        )
        if dry_run or result.has_errors() or result.has_validation_errors():
            return result
        touched = sorted(r.object_id for r in result.rows if r.import_type in ("new", "update") and r.object_id)
        for order in SalesOrder.objects.filter(tenant=tenant, pk__in=[pk for pk in touched if pk in before]):
            follow_end_date(order, old_end=before[order.pk])
        if touched:
            record(
                tenant=tenant,
                actor=actor,
                action=Action.UPDATE,
                target="SalesOrder",
                verb="imported from CSV",
                changes={"created": [None, result.totals["new"]], "updated": [None, result.totals["update"]]},
                count=len(touched),
                object_ids=touched,
                label=f"{len(touched)} sales order{'s' if len(touched) != 1 else ''} from CSV",
            )
        return result


def preview_rows(dataset: tablib.Dataset, result) -> list[dict]:
    """One line per CSV row for the preview: its number, what happens to it, and its errors."""
    labels = {"new": "new", "update": "update", "skip": "unchanged", "invalid": "error", "error": "error"}
    rows = []
    for number, (values, row) in enumerate(zip(dataset.dict, result.rows, strict=False), start=2):
        errors = [str(e.error) for e in row.errors]
        if row.validation_error is not None:
            for name, messages in getattr(
                row.validation_error, "message_dict", {"": row.validation_error.messages}
            ).items():
                prefix = f"{name}: " if name and name != "__all__" else ""
                errors += [prefix + m for m in messages]
        rows.append(
            {
                "number": number,
                "result": labels.get(row.import_type, row.import_type),
                "tran_id": values.get("tran_id", ""),
                "end_date": values.get("end_date", ""),
                "errors": errors,
            }
        )
    return rows
