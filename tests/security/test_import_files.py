"""Every CSV import refuses a file it cannot make sense of as a whole, with a message (on the file
field, or for what only a full read shows, as the preview job's result), and logs nothing but the
job itself (issue 18, item 8). The imports: partners' opportunities, leads and course
assignments (jobs: upload, preview job, Confirm, import job), and the courses' sales orders."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activity.models import ActivityEntry
from courses.models import SalesOrder
from jobs.models import Job
from partners.models import CourseAssignment, Lead, Opportunity
from tests.conftest import login
from tests.jobs.runner import run_queued
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
    "sales_orders": ("courses:sales_order_import", "payload", "tran_id,customer,end_date", "SO-1,Acme,2027-01-31"),
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
    """The import as a person does it (each the same way): upload (the form may refuse the file), the
    preview job runs, then (``confirm``) Confirm and the import job runs. Returns the last page."""
    url_name, _, _, _ = IMPORTS[kind]
    url = reverse(url_name, kwargs={"tenant_slug": tenant.slug})
    response = client.post(url, {"file": SimpleUploadedFile("data.csv", text.encode(), content_type="text/csv")})
    if response.status_code != 302:
        return response
    run_queued()
    preview = Job.objects.filter(kind__endswith=".preview").latest("pk")
    if not confirm:
        return client.get(response.url)
    response = client.post(url, {"confirm": preview.pk})
    run_queued()
    return client.get(response.url)


def domain_entries():
    """Activity entries other than the one each job leaves."""
    return ActivityEntry.objects.exclude(object_type="Job")


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
    before = domain_entries().count()
    response = post(admin, tenant, kind, bad_files(header, row)[problem], confirm=confirm)
    assert response.status_code == 200
    form = response.context.get("form")
    job = response.context.get("job")
    if job is None:
        assert form.errors.get("file"), f"no file-level message for {problem}"
    else:  # seen only by reading the whole file: the preview job fails with the reason
        assert job.state == "failed" and job.result.startswith("Failed: The file has a header row but no rows")
        assert not Job.objects.filter(kind__endswith=".confirm").exists(), "a failed preview cannot be confirmed"
    assert domain_entries().count() == before
    assert not any(model.objects.filter(tenant=tenant).exists() for model in MODELS if model is not CourseAssignment)
    assert not CourseAssignment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", IMPORTS)
def test_a_good_file_still_imports_and_logs_once(admin, tenant, kind):
    _, _, header, row = IMPORTS[kind]
    response = post(admin, tenant, kind, f"{header}\n{row}\n", confirm=True)
    assert response.status_code in (200, 302)
    assert domain_entries().filter(tenant=tenant).count() == 1
    # The same rows again (by key) change nothing, so they log nothing.
    if kind != "sales_orders":
        model = {"opportunities": Opportunity, "leads": Lead, "courses": CourseAssignment}[kind]
        assert model.objects.count() == 1
        header, row = f"id,{header}", f"{model.objects.get().pk},{row}"
    post(admin, tenant, kind, f"{header}\n{row}\n", confirm=True)
    assert domain_entries().filter(tenant=tenant).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["opportunities", "leads", "courses"])
def test_partner_imports_take_only_the_iso_dates_their_page_asks_for(admin, tenant, kind):
    _, _, header, row = IMPORTS[kind]
    response = post(admin, tenant, kind, f"{header}\n{row.replace('2026-03-01', '01/02/2026')}\n", confirm=False)
    assert response.status_code == 200
    assert "“01/02/2026” is not a date (use YYYY-MM-DD)." in response.content.decode()
    assert not domain_entries().exists()
