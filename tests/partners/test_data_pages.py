"""Partner data pages: create, edit and delete through the services (recorded, progress marked
due), tenant-scoped choices, and the CSV import preview."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import ActivityEntry
from jobs.models import Job
from partners.models import (
    Opportunity,
    PartnerEnrollment,
)
from tests.factories import member
from tests.jobs.runner import run_queued
from tests.partners import factories as f

pytestmark = pytest.mark.django_db


def u(tenant, name, **kwargs):
    return reverse(f"partners:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_opportunity_crud_marks_due_and_records(tenant, tiers_client):
    enrollment = f.PartnerEnrollmentFactory(program__tenant=tenant)
    data = {
        "account": enrollment.account.pk,
        "owner": enrollment.primary_partner_user.user.pk,
        "name": "Big deal",
        "amount": "1000.00",
        "expected_revenue": "0",
        "currency": "eur",
        "stage": "closed_won",
        "close_date": "2026-03-01",
        "created_date": "2026-02-01",
    }
    assert tiers_client.post(u(tenant, "opportunity_add"), data).status_code == 302
    opp = Opportunity.objects.get(tenant=tenant)
    assert opp.currency == "EUR"
    assert PartnerEnrollment.objects.filter(tenant=tenant, pk=enrollment.pk).get().recalc_due_at is not None
    data["amount"] = "abc"
    response = tiers_client.post(u(tenant, "opportunity_edit", opportunity_id=opp.pk), data)
    assert response.status_code == 200 and b"Enter a number" in response.content
    data["amount"] = "2000"
    tiers_client.post(u(tenant, "opportunity_edit", opportunity_id=opp.pk), data)
    opp.refresh_from_db()
    assert opp.amount == Decimal("2000")
    dialog = tiers_client.get(u(tenant, "opportunity_delete", opportunity_id=opp.pk), headers={"HX-Request": "true"})
    assert b"Delete opportunity" in dialog.content
    tiers_client.post(u(tenant, "opportunity_delete", opportunity_id=opp.pk))
    assert not Opportunity.objects.filter(pk=opp.pk).exists()
    assert list(
        ActivityEntry.objects.filter(object_type="Opportunity").order_by("id").values_list("action", flat=True)
    ) == ["create", "update", "delete"]


def test_foreign_account_is_not_a_choice(tenant, other_tenant, tiers_client):
    foreign = f.PartnerAccountFactory(tenant=other_tenant)
    data = {"account": foreign.pk, "name": "x", "amount": "1", "currency": "USD", "stage": "closed_won"}
    data |= {"close_date": "2026-03-01", "created_date": "2026-02-01", "expected_revenue": "0"}
    response = tiers_client.post(u(tenant, "opportunity_add"), data)
    assert b"Select a valid choice" in response.content
    assert not Opportunity.objects.exists()


def _upload(client, tenant, name, text):
    """Upload → the page of the preview job (the bar); then the worker runs it → the preview."""
    upload = SimpleUploadedFile("data.csv", text.encode(), content_type="text/csv")
    response = client.post(u(tenant, name), {"file": upload}, follow=True)
    assert response.status_code == 200 and b'role="progressbar"' in response.content
    assert run_queued() == ["succeeded"]
    return client.get(response.redirect_chain[-1][0])


def _confirm(client, tenant, name, page):
    job = Job.objects.filter(kind__endswith=".preview").latest("pk")
    assert f'name="confirm" value="{job.pk}"' in page.content.decode()
    response = client.post(u(tenant, name), {"confirm": job.pk}, follow=True)
    assert b'role="progressbar"' in response.content
    states = run_queued()
    return states, client.get(response.redirect_chain[-1][0])


def test_import_preview_shows_row_errors_and_saves_nothing_then_imports(tenant, tiers_client):
    enrollment = f.PartnerEnrollmentFactory(program__tenant=tenant, account__name="Northwind")
    owner = enrollment.primary_partner_user.user.email
    bad = (
        "account,owner,name,amount,currency,stage,close_date\n"
        f"Northwind,{owner},Deal A,1000,USD,Closed Won,2026-03-01\n"
        "Nowhere,,Deal B,abc,USD,Won,2026-13-01\n"
    )
    html = _upload(tiers_client, tenant, "opportunity_import", bad).content.decode()
    assert "1 of 2 rows cannot be imported" in html
    assert "account: “Nowhere” not found in this workspace." in html
    assert "amount: “abc” is not a number." in html
    assert "close_date: “2026-13-01” is not a date (use YYYY-MM-DD)." in html
    assert 'id="confirm-import"' not in html and "Download the error report" in html
    assert not Opportunity.objects.exists()
    preview = Job.objects.get()
    report = preview.error_report.open("rb").read().decode()
    assert report.splitlines()[0] == "line,errors,account,owner,name,amount,currency,stage,close_date"
    assert report.splitlines()[1].startswith("3,") and "not a number" in report
    refused = tiers_client.post(u(tenant, "opportunity_import"), {"confirm": preview.pk}, follow=True)
    assert b"Only a preview with no row errors can be imported" in refused.content
    assert Job.objects.count() == 1

    good = bad.splitlines()[0] + "\n" + bad.splitlines()[1] + "\nNorthwind,,Deal C,2500,usd,closed_won,2026-04-01\n"
    page = _upload(tiers_client, tenant, "opportunity_import", good)
    assert b"Ready: 2 new" in page.content and not Opportunity.objects.exists()
    states, done = _confirm(tiers_client, tenant, "opportunity_import", page)
    assert states == ["succeeded"]
    assert b"Imported opportunities: 2 new, 0 updated, 0 unchanged." in done.content
    assert Opportunity.objects.filter(tenant=tenant).count() == 2
    assert PartnerEnrollment.objects.filter(tenant=tenant, pk=enrollment.pk).get().recalc_due_at is not None
    entry = ActivityEntry.objects.get(verb="imported opportunities")
    assert entry.count == 2
    again = tiers_client.post(
        u(tenant, "opportunity_import"),
        {"confirm": Job.objects.get(kind__endswith=".preview", state="succeeded", result__startswith="Ready").pk},
    )
    assert again.status_code == 302 and run_queued() == [], "a second Confirm imports nothing twice"
    assert Opportunity.objects.filter(tenant=tenant).count() == 2


def test_import_leads_and_course_assignments(tenant, tiers_client):
    pu = f.PartnerUserFactory(account__tenant=tenant, account__name="Contoso")
    leads = f"account,owner,company,status,approval_date\nContoso,{pu.user.email},Fabrikam,Approved,2026-03-01\n"
    page = _upload(tiers_client, tenant, "lead_import", leads)
    assert _confirm(tiers_client, tenant, "lead_import", page)[0] == ["succeeded"]
    assert pu.account.leads.count() == 1
    courses = f"partner_user,course_name,completed_date\n{pu.user.email},Sales Certification,2026-03-01\n"
    courses += "nobody@example.test,Sales Certification,2026-03-01\n"
    html = _upload(tiers_client, tenant, "course_import", courses).content.decode()
    assert "not found in this workspace" in html and 'id="confirm-import"' not in html
    assert not pu.course_assignments.exists()


def test_the_data_changed_since_the_preview_so_nothing_is_imported(tenant, tiers_client):
    account = f.PartnerAccountFactory(tenant=tenant, name="Northwind")
    rows = "".join(f"Northwind,,Deal {i},{i},USD,closed_won,2026-03-01\n" for i in range(2500))
    page = _upload(
        tiers_client, tenant, "opportunity_import", "account,owner,name,amount,currency,stage,close_date\n" + rows
    )
    assert b"Ready: 2500 new" in page.content
    Opportunity.objects.filter(tenant=tenant).delete()
    account.delete()  # the rows of the third chunk (and all the others) now name no account
    states, done = _confirm(tiers_client, tenant, "opportunity_import", page)
    assert states == ["failed"] and b"Nothing was saved." in done.content
    assert not Opportunity.objects.exists()


def test_cancel_before_the_import_commits_leaves_nothing(tenant, tiers_client, monkeypatch):
    f.PartnerAccountFactory(tenant=tenant, name="Northwind")
    rows = "".join(f"Northwind,,Deal {i},{i},USD,closed_won,2026-03-01\n" for i in range(2500))
    page = _upload(
        tiers_client, tenant, "opportunity_import", "account,owner,name,amount,currency,stage,close_date\n" + rows
    )
    import jobs.imports

    real = jobs.imports.Summary.add

    def add_then_click_cancel(self, *args):  # someone presses Cancel while the second chunk is saved
        real(self, *args)
        if self.rows == 2000:
            Job.objects.filter(kind__endswith=".confirm").update(cancel_requested=True)

    monkeypatch.setattr(jobs.imports.Summary, "add", add_then_click_cancel)
    states, done = _confirm(tiers_client, tenant, "opportunity_import", page)
    assert states == ["cancelled"]
    assert b"Cancelled before the import committed; nothing was saved." in done.content
    assert not Opportunity.objects.exists(), "the 2,000 rows saved before Cancel were rolled back"


def test_upload_over_the_size_limit_is_refused_next_to_the_field(tenant, tiers_client, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    big = "account,name\n" + "Northwind,Deal\n" * 80_000
    upload = SimpleUploadedFile("big.csv", big.encode(), content_type="text/csv")
    response = tiers_client.post(u(tenant, "opportunity_import"), {"file": upload})
    assert response.status_code == 200
    assert "The file is 1.1 MB; the limit is 1 MB." in response.content.decode()
    assert not Job.objects.exists()
    latin = SimpleUploadedFile("latin.csv", "account,name\nMünchen,Deal\n".encode("latin-1"))
    response = tiers_client.post(u(tenant, "opportunity_import"), {"file": latin})
    assert "The file is not UTF-8 text" in response.content.decode()


def test_the_upload_is_stored_under_the_tenant_and_the_import_page_of_another_kind_404s(tenant, tiers_client):
    _upload(tiers_client, tenant, "opportunity_import", "account,name\nNorthwind,Deal\n")
    job = Job.objects.get()
    assert job.input_file.name.startswith(f"tenants/{tenant.pk}/jobs/")
    assert tiers_client.get(u(tenant, "lead_import"), {"job": job.pk}).status_code == 404
    assert tiers_client.get(u(tenant, "lead_import"), {"job": "x"}).status_code == 404


def test_partner_user_and_rate_pages(tenant, tiers_client):
    account = f.PartnerAccountFactory(tenant=tenant)
    person = member(tenant, "Partner User")
    outsider = member(f.TenantFactory(slug="elsewhere", name="Elsewhere"), "Partner User")
    response = tiers_client.post(u(tenant, "partner_user_add"), {"account": account.pk, "user": outsider.user.pk})
    assert b"Select a valid choice" in response.content
    response = tiers_client.post(
        u(tenant, "partner_user_add"), {"account": account.pk, "user": person.user.pk, "is_partner_admin": "on"}
    )
    assert response.status_code == 302
    assert account.partner_users.get().is_partner_admin
    data = {"date": "2026-01-01", "from_currency": "eur", "to_currency": "usd", "rate": "1.1"}
    assert tiers_client.post(u(tenant, "rate_add"), data).status_code == 302
    response = tiers_client.post(u(tenant, "rate_add"), data)
    assert b"already a rate for this pair" in response.content
    response = tiers_client.post(u(tenant, "rate_add"), data | {"date": "2026-02-01", "to_currency": "EUR"})
    assert b"different from the source currency" in response.content


def _option_values(body: str) -> list[str]:
    return [part.split('"')[0] for part in body.split('<option value="')[1:]]


@pytest.mark.parametrize("page", ["partner_user_list", "opportunity_list", "lead_list", "course_list"])
def test_the_account_filter_renders_no_account_with_the_page(tenant, tiers_client, page):
    """A program can hold thousands of accounts: the box suggests them as one types (the
    activity log's actor picker); the page renders none and reads none."""
    for i in range(30):
        f.PartnerAccountFactory(tenant=tenant, name=f"Reseller {i}")
    with CaptureQueriesContext(connection) as captured:
        body = tiers_client.get(u(tenant, page)).content.decode()
    assert "Reseller" not in body
    assert 'list="id_account-options"' in body and u(tenant, "account_suggestions") in body
    assert not any(q["sql"].startswith('SELECT "partners_partneraccount"') for q in captured.captured_queries)


def test_account_suggestions_match_the_name_or_region_of_this_workspace_only(tenant, other_tenant, tiers_client):
    f.PartnerAccountFactory(tenant=tenant, name="Harbor Systems", region="EMEA")
    f.PartnerAccountFactory(tenant=tenant, name="Lakeside IT", region="Harbor county")
    f.PartnerAccountFactory(tenant=tenant, name="Summit", region="APAC")
    for i in range(25):
        f.PartnerAccountFactory(tenant=tenant, name=f"Reseller {i:02}")
    f.PartnerAccountFactory(tenant=other_tenant, name="Harbor Foreign")
    url = u(tenant, "account_suggestions")
    body = tiers_client.get(f"{url}?account=harbor").content.decode()
    assert _option_values(body) == ["Harbor Systems", "Lakeside IT"]
    assert "Harbor Systems, EMEA" in body
    assert len(_option_values(tiers_client.get(f"{url}?account=").content.decode())) == 20  # the first twenty


def test_account_suggestions_need_partner_program_tiers(client, tenant):
    client.force_login(member(tenant, "Sales Rep").user)
    assert client.get(u(tenant, "account_suggestions") + "?account=a").status_code == 403


def test_an_account_typed_by_name_filters_the_list_and_a_foreign_one_is_an_error(tenant, other_tenant, tiers_client):
    mine, theirs = f.PartnerAccountFactory(tenant=tenant, name="Harbor Systems"), f.PartnerAccountFactory(tenant=tenant)
    f.OpportunityFactory(account=mine, name="Harbor deal")
    f.OpportunityFactory(account=theirs, name="Other deal")
    f.PartnerAccountFactory(tenant=other_tenant, name="Foreign Ltd")
    body = tiers_client.get(u(tenant, "opportunity_list") + "?account=Harbor+Systems").content.decode()
    assert "Harbor deal" in body and "Other deal" not in body
    assert 'value="Harbor Systems"' in body  # the box keeps the name typed
    body = tiers_client.get(u(tenant, "opportunity_list") + "?account=Foreign+Ltd").content.decode()
    assert "Select a valid choice" in body  # next to the box; nothing of the other workspace
