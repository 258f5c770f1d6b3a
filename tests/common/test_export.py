import csv
import io

import pytest
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
