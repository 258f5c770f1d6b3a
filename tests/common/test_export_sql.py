"""The cells the database writes for the large CSV exports (common.export_sql), and the UTC-text
path of ``text_formatters``: exactly the text that formatting the ORM's typed values in Python
gives, on awkward values (no value, year ends, time-zone changes, offsets in seconds)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from common.export import text_formatters
from common.export_sql import UsDate, UtcText, WholePart
from partners.models import PartnerEnrollment
from tests.partners.factories import PartnerEnrollmentFactory, PartnerProgramFactory

UTC = dt.UTC


def stored(moment: dt.datetime) -> str:
    """A datetime as SQLite stores it (Django's adapter: naive UTC, ISO with a space)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def around_changes(zone, start: dt.datetime, hours: int) -> list[dt.datetime]:
    """Every second of the three minutes around each change of ``zone``'s offset between
    ``start`` and ``hours`` later (and a microsecond variant of each)."""
    moments = []
    minute = start
    for _ in range(hours * 60):
        nxt = minute + dt.timedelta(minutes=1)
        if minute.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            for s in range(-60, 120):
                moment = minute + dt.timedelta(seconds=s)
                moments += [moment, moment + dt.timedelta(microseconds=999_999)]
        minute = nxt
    assert moments, f"no offset change in {zone} from {start}"
    return moments


CHANGES = [
    ("America/New_York", dt.datetime(2026, 3, 8, 5, tzinfo=UTC)),  # DST starts
    ("America/New_York", dt.datetime(2026, 11, 1, 4, tzinfo=UTC)),  # DST ends
    ("America/New_York", dt.datetime(1883, 11, 18, 15, tzinfo=UTC)),  # local mean time -4:56:02 ends
    ("Africa/Monrovia", dt.datetime(1972, 1, 6, 22, tzinfo=UTC)),  # -0:44:30 ends
    ("Europe/Amsterdam", dt.datetime(1937, 6, 30, 20, tzinfo=UTC)),  # +0:19:32 becomes +0:20
    ("Australia/Lord_Howe", dt.datetime(2026, 4, 4, 13, tzinfo=UTC)),  # a half-hour DST
    ("Pacific/Chatham", dt.datetime(2026, 4, 4, 12, tzinfo=UTC)),  # +13:45 → +12:45
]


@pytest.mark.parametrize(("zone", "start"), CHANGES)
def test_utc_text_shows_what_the_datetime_shows(zone, start):
    zone = ZoneInfo(zone)
    moments = around_changes(zone, start, hours=6)
    moments += [dt.datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC), dt.datetime(2027, 1, 1, 4, 59, tzinfo=UTC)]
    typed = text_formatters(zone)[1]
    cached = text_formatters(zone)[1]  # one formatter for all, its per-minute memory included
    for moment in [*moments, *reversed(moments)]:
        assert cached(stored(moment)) == typed(moment), moment
    assert cached(None) == ""


DATES = [dt.date(999, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(9999, 12, 30)]
PERCENTS = [
    None,
    Decimal("0.0"),
    Decimal("85.7"),
    Decimal("99.9"),
    Decimal("-0.5"),
    Decimal("-12.9"),
    Decimal("9999.9"),
]


@pytest.mark.django_db
def test_the_database_writes_dates_percents_and_utc_text_as_python_would(tenant):
    program = PartnerProgramFactory(tenant=tenant)
    moments = [None, dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC), dt.datetime(2027, 1, 1, 4, 59, 59, 1, tzinfo=UTC)]
    for i, percent in enumerate(PERCENTS):
        e = PartnerEnrollmentFactory(program=program)
        PartnerEnrollment.objects.filter(pk=e.pk).update(
            enrollment_date=DATES[i % len(DATES)],
            expiration_date=dt.date(9999, 12, 31),
            progress_percent=percent,
            last_calculated=moments[i % len(moments)],
        )
    date_text, datetime_text = text_formatters(tenant.zone)
    rows = PartnerEnrollment.objects.filter(tenant=tenant).order_by("pk")
    typed = rows.values_list("enrollment_date", "expiration_date", "progress_percent", "last_calculated")
    text = rows.values_list(
        UsDate("enrollment_date"), UsDate("expiration_date"), WholePart("progress_percent"), UtcText("last_calculated")
    )
    expected = [
        (date_text(start), date_text(end), None if p is None else int(p), datetime_text(last))
        for start, end, p, last in typed
    ]
    got = [(start, end, p, datetime_text(last)) for start, end, p, last in text]
    assert got == expected
    assert len(got) == len(PERCENTS)
