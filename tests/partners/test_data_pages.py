"""Partner data pages: create, edit and delete through the services (recorded, progress marked
due), tenant-scoped choices, and the CSV import preview."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activity.models import ActivityEntry
from partners.models import (
    Opportunity,
    PartnerEnrollment,
)
from tests.factories import member
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


def test_import_preview_shows_row_errors_and_saves_nothing_then_imports(tenant, tiers_client):
    enrollment = f.PartnerEnrollmentFactory(program__tenant=tenant, account__name="Northwind")
    owner = enrollment.primary_partner_user.user.email
    bad = (
        "account,owner,name,amount,currency,stage,close_date\n"
        f"Northwind,{owner},Deal A,1000,USD,Closed Won,2026-03-01\n"
        "Nowhere,,Deal B,abc,USD,Won,2026-13-01\n"
    )
    upload = SimpleUploadedFile("opps.csv", bad.encode(), content_type="text/csv")
    response = tiers_client.post(u(tenant, "opportunity_import"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 row cannot be imported" in html
    assert "account: “Nowhere” not found in this workspace." in html
    assert "amount: “abc” is not a number." in html
    assert "close_date: “2026-13-01” is not a date (use YYYY-MM-DD)." in html
    assert 'id="confirm-import"' not in html
    assert not Opportunity.objects.exists()

    good = bad.splitlines()[0] + "\n" + bad.splitlines()[1] + "\nNorthwind,,Deal C,2500,usd,closed_won,2026-04-01\n"
    upload = SimpleUploadedFile("opps.csv", good.encode(), content_type="text/csv")
    preview = tiers_client.post(u(tenant, "opportunity_import"), {"file": upload})
    assert b"Ready: 2 new" in preview.content and not Opportunity.objects.exists()
    response = tiers_client.post(u(tenant, "opportunity_import"), {"payload": good, "confirm": "on"})
    assert response.status_code == 302
    assert Opportunity.objects.filter(tenant=tenant).count() == 2
    assert PartnerEnrollment.objects.filter(tenant=tenant, pk=enrollment.pk).get().recalc_due_at is not None
    entry = ActivityEntry.objects.get(verb="imported opportunities")
    assert entry.count == 2


def test_import_leads_and_course_assignments(tenant, tiers_client):
    pu = f.PartnerUserFactory(account__tenant=tenant, account__name="Contoso")
    leads = f"account,owner,company,status,approval_date\nContoso,{pu.user.email},Fabrikam,Approved,2026-03-01\n"
    response = tiers_client.post(u(tenant, "lead_import"), {"payload": leads, "confirm": "on"})
    assert response.status_code == 302
    courses = f"partner_user,course_name,completed_date\n{pu.user.email},Sales Certification,2026-03-01\n"
    courses += "nobody@example.test,Sales Certification,2026-03-01\n"
    response = tiers_client.post(u(tenant, "course_import"), {"payload": courses, "confirm": "on"})
    assert response.status_code == 200 and "not found in this workspace" in response.content.decode()
    assert not pu.course_assignments.exists()


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
