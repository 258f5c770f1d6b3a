"""Every CSV import refuses a file it cannot make sense of as a whole, with a message on the file
field, and logs nothing (issue 18, item 8). The imports: partners' opportunities, leads and
course assignments, and the courses' sales orders."""

import pytest
from django.urls import reverse

from activity.models import ActivityEntry
from courses.models import SalesOrder
from partners.models import CourseAssignment, Lead, Opportunity
from tests.conftest import login
from tests.partners import factories as f

# name → (URL name, form field of the text, a valid header, a valid row)
IMPORTS = {
    "opportunities": (
        "partners:opportunity_import",
        "payload",
        "account,name,amount,currency,stage,close_date",
        "Northwind,Deal A,1000,USD,Closed Won,2026-03-01",
    ),
    "leads": (
        "partners:lead_import",
        "payload",
        "account,company,status,approval_date",
        "Northwind,Fabrikam,Approved,2026-03-01",
    ),
    "courses": (
        "partners:course_import",
        "payload",
        "partner_user,course_name,completed_date",
        "pu@acme.test,Sales Certification,2026-03-01",
    ),
    "sales_orders": ("courses:sales_order_import", "csv_text", "tran_id,customer,end_date", "SO-1,Acme,2027-01-31"),
}
MODELS = [Opportunity, Lead, CourseAssignment, SalesOrder]


def bad_files(header, row):
    first, *rest = header.split(",")
    return {
        "no-header": f"{row}\n{row}\n",
        "one-row-no-header": f"{row}\n",
        "header-only": f"{header}\n",
        "header-and-blank-lines": f"{header}\n\n,,\n",
        "duplicated-column": f"{header},{first}\n{row},{row.split(',')[0]}\n",
        "empty": "",
    }


def post(client, tenant, kind, text, *, confirm):
    url_name, field, _, _ = IMPORTS[kind]
    data = {field: text}
    if confirm:
        data["confirm"] = "on" if field == "payload" else "1"
    return client.post(reverse(url_name, kwargs={"tenant_slug": tenant.slug}), data)


@pytest.fixture
def admin(client, tenant, admin_member):
    f.PartnerUserFactory(account__tenant=tenant, account__name="Northwind", user__email="pu@acme.test")
    return login(client, admin_member)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", IMPORTS)
@pytest.mark.parametrize("problem", list(bad_files("a,b", "1,2")))
@pytest.mark.parametrize("confirm", [False, True], ids=["preview", "confirm"])
def test_a_bad_file_is_refused_as_a_whole_and_nothing_is_logged(admin, tenant, kind, problem, confirm):
    _, _, header, row = IMPORTS[kind]
    before = ActivityEntry.objects.count()
    response = post(admin, tenant, kind, bad_files(header, row)[problem], confirm=confirm)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors.get("file"), f"no file-level message for {problem}"
    assert ActivityEntry.objects.count() == before
    assert not any(model.objects.filter(tenant=tenant).exists() for model in MODELS if model is not CourseAssignment)
    assert not CourseAssignment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", IMPORTS)
def test_a_good_file_still_imports_and_logs_once(admin, tenant, kind):
    _, _, header, row = IMPORTS[kind]
    assert post(admin, tenant, kind, f"{header}\n{row}\n", confirm=True).status_code == 302
    assert ActivityEntry.objects.filter(tenant=tenant).count() == 1
    # The same rows again (by key) change nothing, so they log nothing.
    if kind != "sales_orders":
        model = {"opportunities": Opportunity, "leads": Lead, "courses": CourseAssignment}[kind]
        header, row = f"id,{header}", f"{model.objects.get().pk},{row}"
    assert post(admin, tenant, kind, f"{header}\n{row}\n", confirm=True).status_code == 302
    assert ActivityEntry.objects.filter(tenant=tenant).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["opportunities", "leads", "courses"])
def test_partner_imports_take_only_the_iso_dates_their_page_asks_for(admin, tenant, kind):
    _, _, header, row = IMPORTS[kind]
    response = post(admin, tenant, kind, f"{header}\n{row.replace('2026-03-01', '01/02/2026')}\n", confirm=True)
    assert response.status_code == 200
    assert "“01/02/2026” is not a date (use YYYY-MM-DD)." in response.content.decode()
    assert not ActivityEntry.objects.exists()
