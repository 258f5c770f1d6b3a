"""Streamed CSV and XLSX exports of a table's exportable columns.

The rows come from ``queryset.iterator(chunk_size=...)`` so memory stays bounded whatever the
row count; CSV streams as it is produced, XLSX is written by XlsxWriter (rows flushed as they
are written) into a temporary file (spooled to disk past a few MB) and then streamed. Both writers neutralise
text cells that a spreadsheet would run as formulas (``neutralise``).
"""

import csv
import datetime
import html
import io
import math
import re
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import strip_tags
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django_scopes import scope
from django_tables2.rows import BoundRow
from django_tables2.utils import Accessor

EXPORT_FORMATS = ("csv", "xlsx")

# A spreadsheet runs a cell that starts with one of these as a formula (CSV and XLSX alike):
# OWASP's CSV injection advice is to make such text cells start with a quote instead.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``; numbers, money
    (Decimal) and dates are not text and stay what they are."""
    if isinstance(value, str) and value[:1] in _TRIGGER_CHARS:
        return "'" + value
    return value


def _safe(rows: Iterable[list]) -> Iterator[list]:
    for row in rows:
        yield [neutralise(value) for value in row]


def table_rows(table, queryset) -> tuple[list[str], Iterator[list]]:
    """Header and an iterator of row values, with the table's ``value_*``/``render_*`` rules.

    A column whose field holds a date, a datetime or a Decimal exports that value, not the text
    shown on the page, unless the table says otherwise with a ``value_<column>`` method: the
    spreadsheet gets real dates and numbers it can sort and sum."""
    columns = [c for c in table.columns.iterall() if not c.column.exclude_from_export]
    header = [force_str(c.header) for c in columns]
    chunk = getattr(settings, "EXPORT_CHUNK_SIZE", 2000)
    typed = {c.name: Accessor(c.accessor) for c in columns if not hasattr(table, f"value_{c.name}")}

    def cell(row, record, name):
        if name in typed:
            raw = typed[name].resolve(record, quiet=True)
            if isinstance(raw, (datetime.date, Decimal)):
                return raw
        return _cell(row.get_cell_value(name))

    def rows():
        for record in queryset.iterator(chunk_size=chunk):
            row = BoundRow(record, table=table)
            yield [cell(row, record, c.name) for c in columns]

    return header, rows()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (int, float, bool, Decimal, datetime.date)):  # numbers and dates stay typed
        return value
    if isinstance(value, SafeString):  # a column's HTML (a link, a badge): its text, not its markup
        return html.unescape(strip_tags(value)).strip()
    return force_str(value, strings_only=True)


def _local(value: datetime.datetime) -> datetime.datetime:
    """A datetime in the workspace's zone, without tzinfo (spreadsheets have no time zones)."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def csv_text(value):
    """Dates as the pages show them (MM/DD/YYYY, with the time in the workspace's zone)."""
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%m/%d/%Y %I:%M %p")
    if isinstance(value, datetime.date):
        return value.strftime("%m/%d/%Y")
    return value


def text_formatters(zone):
    """``(date_text, datetime_text)``: ``csv_text``'s MM/DD/YYYY and MM/DD/YYYY HH:MM AM/PM (in
    ``zone``), "" for None, cheap enough for tens of thousands of rows: dates repeat, so each is
    formatted once, and date-times skip strftime's locale machinery. ``datetime_text`` also
    takes the UTC text of ``common.export_sql.UtcText``, formatted once per minute."""
    dates: dict = {}
    minutes: dict = {}

    def date_text(value):
        if value is None:
            return ""
        text = dates.get(value)
        if text is None:
            text = dates[value] = f"{value.month:02d}/{value.day:02d}/{value.year}"
        return text

    def local_text(value):
        v = value.astimezone(zone)
        half = "PM" if v.hour >= 12 else "AM"
        return f"{v.month:02d}/{v.day:02d}/{v.year} {v.hour % 12 or 12:02d}:{v.minute:02d} {half}"

    def utc_text(value: str) -> str:
        text = minutes.get(value[:16])
        if text is None:
            moment = datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
            text = local_text(moment)
            # Every moment of this UTC minute shows the same local minute when the zone's offset
            # is whole minutes and does not change within it (not so for some zones before 1900).
            start = moment.replace(second=0, microsecond=0)
            offsets = {(start + datetime.timedelta(seconds=s)).astimezone(zone).utcoffset() for s in (0, 59.999999)}
            if len(offsets) == 1 and not offsets.pop().total_seconds() % 60:
                minutes[value[:16]] = text
        return text

    def datetime_text(value):
        if value is None:
            return ""
        if value.__class__ is str:
            return utc_text(value)
        return local_text(value)

    return date_text, datetime_text


class XlsxCells:
    """Writes rows of cells with XlsxWriter: money and other decimals as numbers with at least
    two decimals (300.00, a rate 1.0834), dates and datetimes as real dates (in the workspace's
    zone), text as text, never read as a formula, a link or a number. One format per distinct
    number format, made once."""

    def __init__(self, workbook, worksheet):
        self.workbook, self.worksheet = workbook, worksheet
        self.formats: dict[str, object] = {}

    def format(self, number_format: str):
        fmt = self.formats.get(number_format)
        if fmt is None:
            fmt = self.formats[number_format] = self.workbook.add_format({"num_format": number_format})
        return fmt

    def row(self, index: int, values: list) -> None:
        ws = self.worksheet
        for column, value in enumerate(values):
            kind = value.__class__
            if kind is str:
                if value:  # an empty text is a blank cell
                    ws.write_string(index, column, value)
            elif kind is Decimal:
                number = float(value)
                if math.isfinite(number):
                    places = max(2, -value.as_tuple().exponent)
                    ws.write_number(index, column, number, self.format("#,##0." + "0" * places))
                else:  # NaN, or beyond what a spreadsheet's numbers hold
                    ws.write_string(index, column, str(value))
            elif isinstance(value, datetime.datetime):
                ws.write_datetime(index, column, _local(value), self.format("mm/dd/yyyy hh:mm AM/PM"))
            elif isinstance(value, datetime.date):
                ws.write_datetime(index, column, value, self.format("mm/dd/yyyy"))
            elif kind is bool:
                ws.write_boolean(index, column, value)
            elif isinstance(value, (int, float)) and abs(value) < 1e308 and math.isfinite(value):
                ws.write_number(index, column, value)
            elif value is not None:
                ws.write_string(index, column, str(value))


def _in_tenant(tenant, rows: Iterable[list]) -> Iterator[list]:
    # A streamed response is iterated after the middleware's scope has closed: re-enter it.
    with scope(tenant=tenant):
        timezone.activate(tenant.zone)
        try:
            yield from rows
        finally:
            timezone.deactivate()


def _csv_cell(value):
    """``csv_text(neutralise(value))`` in one step: the export calls it for every cell."""
    if value.__class__ is str:
        return "'" + value if value[:1] in _TRIGGER_CHARS else value
    return csv_text(neutralise(value))


CSV_CHUNK_ROWS = 1000  # rows per streamed chunk: one write to the client per chunk, not per row


def csv_chunks(header: list[str], rows: Iterable[list], *, formatted: bool = False) -> Iterator[str]:
    """The CSV text in chunks of ``CSV_CHUNK_ROWS`` rows. Each cell goes through ``neutralise``
    and ``csv_text``, unless the rows come ``formatted``: already text and numbers, their text
    cells from user data neutralised by the caller (a report of 30,000 rows that formats its
    own dates saves half a million calls)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel opens UTF-8 correctly
    writer = csv.writer(buffer)
    writer.writerow(header)
    pending = 0
    for row in rows:
        writer.writerow(row if formatted else [_csv_cell(value) for value in row])
        pending += 1
        if pending == CSV_CHUNK_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def stream_csv(
    filename: str, header: list[str], rows: Iterable[list], *, tenant, formatted: bool = False
) -> StreamingHttpResponse:
    chunks = csv_chunks(header, _in_tenant(tenant, rows), formatted=formatted)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    # Names come from user data (a course's name): let Django quote them (RFC 6266).
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def sheet_title(name: str) -> str:
    """Excel refuses ``[]:*?/\\`` in a sheet title, an apostrophe at either end, and more than 31
    characters counted in UTF-16 (an emoji is two)."""
    title = re.sub(r"[\[\]:*?/\\]", " ", name)
    while len(title.encode("utf-16-le")) > 62:
        title = title[:-1]
    return title.strip(" '") or "Export"


# Rows of an Excel sheet, the header's included: an export with more rows ends with a row that
# says so, rather than stopping short without a word (CSV has no such limit).
XLSX_MAX_ROWS = 1_048_576
XLSX_TRUNCATED = "Only the first {:,} rows fit in a spreadsheet: export CSV for all of them."


def stream_xlsx(
    filename: str, header: list[str], rows: Iterable[list], *, tenant, sheet: str = "Export"
) -> FileResponse:
    import xlsxwriter

    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by FileResponse
    # XlsxWriter keeps the rows in a file of its own until close(): in a directory removed
    # whatever happens, so an export that fails midway (a statement timeout) leaves nothing.
    with tempfile.TemporaryDirectory(prefix="xlsx-") as scratch:
        workbook = xlsxwriter.Workbook(
            buffer,
            {
                "constant_memory": True,  # each row written out once the next starts: flat memory
                "tmpdir": scratch,
                # Text stays text: no formula, link or number made of what a user typed.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        try:
            cells = XlsxCells(workbook, workbook.add_worksheet(sheet_title(sheet)))
            cells.row(0, header)
            last = XLSX_MAX_ROWS - 1  # the sheet's last row (0-based)
            data = _safe(_in_tenant(tenant, rows))
            for index, row in enumerate(data, start=1):
                if index == last and next(data, None) is not None:  # more rows than fit
                    cells.row(index, [XLSX_TRUNCATED.format(last - 1)])
                    break
                cells.row(index, row)
            data.close()  # stop reading the database past the limit
            workbook.close()
        except BaseException:
            buffer.close()
            raise
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_response(
    fmt: str, filename: str, header: list[str], rows: Iterable[list], *, tenant, formatted: bool = False
):
    """``formatted``: see ``csv_chunks`` (the XLSX writer checks every cell regardless)."""
    stamp = timezone.localtime(timezone.now(), tenant.zone).strftime("%Y%m%d-%H%M")
    name = f"{filename}-{stamp}"
    if fmt == "xlsx":
        return stream_xlsx(name, header, rows, tenant=tenant, sheet=filename)
    return stream_csv(name, header, rows, tenant=tenant, formatted=formatted)
