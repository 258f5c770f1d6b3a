"""Export All (Users > Overview > Export All): every user with the owed balance per currency in
use, CSV and XLSX, streamed; and the list's own filtered export."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from tests.balances.factories import RecoverableRewardFactory
from tests.conftest import login
from tests.factories import member

D = Decimal


def export_url(tenant):
    return reverse("balances:user_export", kwargs={"tenant_slug": tenant.slug})


def _body(response):
    return b"".join(response.streaming_content)


def _csv(response):
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))


@pytest.fixture
def people(tenant, other_tenant, admin_member):
    riley = member(tenant, "Sales Rep", user__email="riley@acme.test", user__full_name="Riley Rep")
    RecoverableRewardFactory(member=riley, amount=D("1000.00"))
    RecoverableRewardFactory(member=riley, amount=D("-250.00"))
    RecoverableRewardFactory(member=riley, amount=D("40.00"), currency="EUR")
    sam = member(tenant, "Sales Rep", user__email="sam@acme.test", user__full_name="Sam Seller", is_active=False)
    RecoverableRewardFactory(member=sam, amount=D("-10.00"))
    RecoverableRewardFactory(member=sam, amount=D("99.00"), recoverable=False)
    stranger = member(other_tenant, "Sales Rep", user__email="stranger@lear.test")
    RecoverableRewardFactory(member=stranger, amount=D("5.00"), currency="JPY")
    return riley, sam


@pytest.mark.django_db
def test_csv_has_every_user_with_the_owed_balance_per_currency(admin_client, tenant, admin_member, people):
    response = admin_client.get(export_url(tenant), {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="users-balances-' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Email", "Name", "Role", "Active", "Owed balance USD", "Owed balance EUR"]
    assert rows[1:] == [
        [admin_member.user.email, admin_member.user.full_name, "Administrator", "Yes", "0.00", "0.00"],
        ["riley@acme.test", "Riley Rep", "Sales Rep", "Yes", "750.00", "40.00"],
        ["sam@acme.test", "Sam Seller", "Sales Rep", "No", "-10.00", "0.00"],
    ]


@pytest.mark.django_db
def test_xlsx_keeps_amounts_numeric(admin_client, tenant, people):
    response = admin_client.get(export_url(tenant), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(_body(response))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Email", "Name", "Role", "Active", "Owed balance USD", "Owed balance EUR"]
    riley = next(v for v in values if v[0] == "riley@acme.test")
    assert riley[4] == 750 and riley[5] == 40
    assert len(values) == 4


@pytest.mark.django_db
def test_size_and_queries_do_not_grow_with_the_users(admin_client, tenant, django_assert_num_queries, settings):
    settings.READS_EVERY_ROW_FROM_MEMBERS = 1000  # a small workspace, at 101 users and at 301

    def add(n, start):
        for i in range(start, start + n):
            m = member(tenant, "Sales Rep", user__email=f"rep{i:04d}@acme.test")
            RecoverableRewardFactory(member=m, amount=D(i), currency=("USD", "EUR")[i % 2])

    add(100, 0)
    admin_client.get(export_url(tenant))  # warm the session
    # middleware 2 (session, membership with its user), currencies in use, the streamed rows;
    # on PostgreSQL the rows' statement reads every member: one more counts them and, in a
    # workspace under READS_EVERY_ROW_FROM_MEMBERS, leaves nested loops on (common.planner)
    queries = 5 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(queries):
        rows = _csv(admin_client.get(export_url(tenant)))
    assert len(rows) == 1 + 101
    add(200, 100)
    with django_assert_num_queries(queries):
        rows = _csv(admin_client.get(export_url(tenant)))
    assert len(rows) == 1 + 301
    by_email = {r[0]: r for r in rows}
    assert by_email["rep0299@acme.test"][4:] == ["0.00", "299.00"]
    assert by_email["rep0298@acme.test"][4:] == ["298.00", "0.00"]


@pytest.mark.django_db
def test_the_lists_own_export_holds_the_filtered_sorted_rows(admin_client, tenant, people):
    url = reverse("balances:user_list", kwargs={"tenant_slug": tenant.slug})
    rows = _csv(admin_client.get(url, {"export": "csv", "role": people[0].role_id, "sort": "-owed_usd"}))
    assert [r[0] for r in rows[1:]] == ["riley@acme.test", "sam@acme.test"]
    assert rows[0][-2:] == ["Owed balance USD", "Owed balance EUR"]


@pytest.mark.django_db
def test_unknown_format_is_404(admin_client, tenant):
    assert admin_client.get(export_url(tenant), {"format": "pdf"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Sales Rep", "Manager"])
def test_needs_manage_users(client, tenant, role):
    login(client, member(tenant, role))
    assert client.get(export_url(tenant)).status_code == 403


@pytest.mark.django_db
def test_an_export_beside_a_filter_in_error_holds_what_the_page_lists(admin_client, tenant, people):
    """A filter in error (a role of no workspace) is shown next to its field; the page still
    applies the valid ones, and so does the export (it used to export every user)."""
    url = reverse("balances:user_list", kwargs={"tenant_slug": tenant.slug})
    query = {"q": "riley", "role": "999999"}
    page = admin_client.get(url, query)
    assert [r.record.user.email for r in page.context["table"].page.object_list] == ["riley@acme.test"]
    rows = _csv(admin_client.get(url, {**query, "export": "csv"}))
    assert [r[0] for r in rows[1:]] == ["riley@acme.test"]


@pytest.mark.django_db
def test_an_export_orders_its_rows_as_the_page_with_the_sort_repeated(admin_client, tenant, people):
    """django-tables2 orders the page by the first ``sort`` value; the export did by the last."""
    url = reverse("balances:user_list", kwargs={"tenant_slug": tenant.slug})
    query = "sort=-owed_usd&sort=email"
    page = admin_client.get(f"{url}?{query}")
    listed = [r.record.user.email for r in page.context["table"].page.object_list]
    assert listed[0] == "riley@acme.test"
    assert [r[0] for r in _csv(admin_client.get(f"{url}?{query}&export=csv"))[1:]] == listed
