import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import member


def _members_url(tenant):
    return reverse("tenancy:member_list", kwargs={"tenant_slug": tenant.slug})


def _body(response):
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_csv_export_holds_exactly_the_filtered_sorted_rows(admin_client, tenant, other_tenant):
    for i in range(5):
        member(tenant, "Sales Rep", user__email=f"rep{i}@acme.test")
    member(tenant, "Learner", user__email="learner@acme.test")
    member(other_tenant, "Sales Rep", user__email="rep@lear.test")
    response = admin_client.get(_members_url(tenant), {"export": "csv", "q": "rep", "sort": "-email"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert rows[0] == ["Email", "Name", "Role", "Title", "Manager", "Active"]
    assert [r[0] for r in rows[1:]] == [f"rep{i}@acme.test" for i in reversed(range(5))]


@pytest.mark.django_db
def test_an_export_reads_its_rows_without_counting_them_first(admin_client, tenant):
    """The table of an export is not paginated: a COUNT of every row before reading them all
    would only cost time (a 30,000-row export counted its rows once more)."""
    for i in range(3):
        member(tenant, "Sales Rep", user__email=f"rep{i}@acme.test")
    with CaptureQueriesContext(connection) as ctx:
        rows = list(csv.reader(io.StringIO(_body(admin_client.get(_members_url(tenant), {"export": "csv"})).decode())))
    assert len(rows) == 1 + 4  # the header, the three reps and the administrator
    assert not [q["sql"] for q in ctx.captured_queries if 'AS "__count"' in q["sql"]]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["balances:user_list", "partners:enrollment_list", "plans:plan_list"])
def test_the_other_list_exports_do_not_count_their_rows_either(admin_client, tenant, url_name):
    url = reverse(url_name, kwargs={"tenant_slug": tenant.slug})
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get(url, {"export": "csv"})
        assert _body(response).startswith(b"\xef\xbb\xbf")  # read to the end; a UTF-8 CSV for Excel
    assert not [q["sql"] for q in ctx.captured_queries if 'AS "__count"' in q["sql"]]


@pytest.mark.django_db
def test_xlsx_export(admin_client, tenant):
    member(tenant, "Sales Rep", user__email="rep@acme.test")
    response = admin_client.get(_members_url(tenant), {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(_body(response))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Email"
    assert sorted(v[0] for v in values[1:]) == sorted(["rep@acme.test", tenant_admin_email(tenant)])


def tenant_admin_email(tenant):
    from tenancy.models import Membership

    return Membership.objects.get(tenant=tenant, role__name="Administrator").user.email


def test_names_from_user_data_make_valid_files():
    """A course named "Q3: Pricing / Advanced" once crashed the XLSX export (Excel refuses ':' and
    '/' in a sheet title); a quote in a name must not break the Content-Disposition header."""
    from common.export import sheet_title, stream_csv

    assert sheet_title("Q3: Pricing / Advanced [EMEA] users") == "Q3  Pricing   Advanced  EMEA  u"
    assert sheet_title("::") == "Export"
    response = stream_csv('Say "hi" users', ["A"], [], tenant=None)  # headers only: rows never read
    assert response["Content-Disposition"] == 'attachment; filename="Say \\"hi\\" users.csv"'


@pytest.mark.django_db
def test_xlsx_money_has_two_decimals_and_dates_are_dates(admin_client, tenant):
    """300 shows as 300.00 (a number, not text) and a plan's dates are dates a spreadsheet sorts;
    the CSV keeps the dates as the pages show them."""
    import datetime
    from decimal import Decimal

    from activity.services import record
    from tests.balances.factories import RecoverableRewardFactory
    from tests.clock import travel
    from tests.plans.factories import PlanFactory

    PlanFactory(tenant=tenant, name="FY26 Plan")
    url = reverse("plans:plan_list", kwargs={"tenant_slug": tenant.slug})
    sheet = load_workbook(io.BytesIO(_body(admin_client.get(url, {"export": "xlsx"})))).active
    header = [c.value for c in sheet[1]]
    start = sheet.cell(row=2, column=header.index("Start") + 1)
    assert start.value == datetime.datetime(2026, 1, 1)  # noqa: DTZ001 - cells have no zone
    assert start.number_format == "mm/dd/yyyy"
    rows = list(csv.reader(io.StringIO(_body(admin_client.get(url, {"export": "csv"})).decode("utf-8-sig"))))
    assert rows[1][header.index("Start")] == "01/01/2026"

    RecoverableRewardFactory(member=member(tenant, "Sales Rep", user__email="rhea@acme.test"), amount=Decimal("300"))
    url = reverse("balances:user_list", kwargs={"tenant_slug": tenant.slug})
    sheet = load_workbook(io.BytesIO(_body(admin_client.get(url, {"export": "xlsx", "q": "rhea"})))).active
    header = [c.value for c in sheet[1]]
    owed = sheet.cell(row=2, column=header.index("Owed balance USD") + 1)
    assert owed.value == 300 and owed.number_format == "#,##0.00"

    with travel(datetime.datetime(2026, 3, 2, 15, 30, tzinfo=datetime.UTC)):
        record(tenant=tenant, actor=None, action="update", target="Plan", label="FY26 Plan")
    url = reverse("activity:activity_list", kwargs={"tenant_slug": tenant.slug})
    sheet = load_workbook(io.BytesIO(_body(admin_client.get(url, {"export": "xlsx"})))).active
    header = [c.value for c in sheet[1]]
    when = sheet.cell(row=2, column=header.index("When") + 1)
    # 15:30 UTC is 10:30 in the workspace's New York, written without a zone
    assert when.value == datetime.datetime(2026, 3, 2, 10, 30)  # noqa: DTZ001 - cells have no zone
    assert when.number_format == "mm/dd/yyyy hh:mm AM/PM"


@pytest.mark.django_db
def test_xlsx_cells_keep_text_as_text_and_numbers_and_dates_typed(tenant):
    """What a user typed stays text: not a formula (neutralised first), a link or a number; money
    keeps its decimals, dates are dates in the workspace's zone, blanks stay blank."""
    from django.utils import timezone as tz

    from common.export import stream_xlsx

    when = datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC)
    row = [
        "=1+1", "http://example.test", "00123", Decimal("1.0834"), Decimal("300"), Decimal("NaN"),
        when, datetime.date(2026, 3, 1), True, 7, None, "",
    ]  # fmt: skip
    response = stream_xlsx("t", [f"c{i}" for i in range(len(row))], [row], tenant=tenant)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.value for c in cells[:3]] == ["'=1+1", "http://example.test", "00123"]
    assert all(c.data_type == "s" and c.hyperlink is None for c in cells[:3])
    assert (cells[3].value, cells[3].number_format) == (1.0834, "#,##0.0000")
    assert (cells[4].value, cells[4].number_format) == (300, "#,##0.00")
    assert cells[5].value == "NaN"
    local = tz.localtime(when, tenant.zone).replace(tzinfo=None)
    assert (cells[6].value, cells[6].number_format) == (local, "mm/dd/yyyy hh:mm AM/PM")
    midnight = datetime.datetime(2026, 3, 1)  # noqa: DTZ001 - a spreadsheet's dates have no zone
    assert (cells[7].value, cells[7].number_format) == (midnight, "mm/dd/yyyy")
    assert (cells[8].value, cells[9].value) == (True, 7)
    assert [c.value for c in cells[10:]] == [None, None]  # blanks stay blank


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("'Intro' to selling", "Intro' to selling"),
        ("🚀 Rocket onboarding for new partners", "🚀 Rocket onboarding for new pa"),
        ("Q3: [EMEA] / APAC?", "Q3   EMEA    APAC"),
        ("'''", "Export"),
    ],
)
def test_an_xlsx_sheet_takes_any_name_a_user_gave(tenant, name, title):
    """The sheet is named after a course, program or account: Excel's rules (31 UTF-16 units, no
    apostrophe at either end, none of []:*?/\\) are met by changing the name, not by a 500."""
    from common.export import stream_xlsx

    response = stream_xlsx("t", ["a"], [["x"]], tenant=tenant, sheet=name)
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames == [title]


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "note"), [(3, False), (4, True)])
def test_an_xlsx_export_longer_than_a_sheet_says_so_in_its_last_row(tenant, monkeypatch, rows, note):
    from common import export

    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 4)  # a header and three rows fit
    response = export.stream_xlsx("t", ["n"], [[i] for i in range(rows)], tenant=tenant)
    values = [r[0] for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values]
    expected = ["n", 0, 1, export.XLSX_TRUNCATED.format(2)] if note else ["n", 0, 1, 2]
    assert values == expected


@pytest.mark.django_db
def test_a_failed_xlsx_export_leaves_no_file_behind(tenant, tmp_path, monkeypatch):
    import tempfile

    from common.export import stream_xlsx

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def rows():
        for i in range(5000):
            yield [f"row {i}", i]
        raise RuntimeError("the statement was cancelled")

    with pytest.raises(RuntimeError):
        stream_xlsx("t", ["a", "b"], rows(), tenant=tenant)
    assert list(tmp_path.iterdir()) == []
